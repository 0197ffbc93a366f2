"""Search keys: the form names are stored in for case- and accent-insensitive substring search."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# Apostrophes and ʿayn/hamza marks vanish inside a word (Kata'ib → kataib), they don't split it.
_INWORD_MARKS = re.compile(r"['’‘`ʿʾ´]")


def search_key(text: str) -> str:
    """Gives the casefolded ASCII form of `text`, words separated by single spaces."""
    folded = anyascii(unicodedata.normalize("NFKC", text)).casefold()
    folded = _INWORD_MARKS.sub("", folded)
    return _NOT_ALNUM.sub(" ", folded).strip()
