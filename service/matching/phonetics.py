"""Phonetic keys that fold the spelling variation of transliterated names.

``phonetic_key`` folds common transliteration variation so that spellings of one name share a
key: q/k/gh, kh/h, ph/f, th/t, dh/d, w/v, zh/j, ou/oo/u, ee/i, e/i, o/u, y/i, soft c/s,
hard c/k, doubled letters, "aw" before a consonant as "au". The consonant key names from
scripts without short vowels meet Latin ones on is ``scripts.meeting_key``.
"""

from __future__ import annotations

import re
from typing import Final

# Letter groups folded in this order (earlier rules see the spelling before later ones).
_DIGRAPH_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("tsch", "ch"), ("sch", "sh"), ("tch", "ch"), ("dzh", "j"), ("dj", "j"), ("zh", "j"),
    ("kh", "h"), ("gh", "k"), ("ph", "f"), ("th", "t"), ("dh", "d"),
    ("tz", "z"), ("ts", "z"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
)
# Single letters folded after the groups, in one pass: no group rule reads these outputs.
_LETTER_FOLDS: Final = str.maketrans({"q": "k", "x": "ks", "w": "v", "y": "i", "e": "i", "o": "u"})
# Any of the groups: most parts have none, and one search is cheaper than a check per rule.
_ANY_DIGRAPH: Final = re.compile("|".join(source for source, _ in _DIGRAPH_RULES))
_AW_DIPHTHONG: Final = re.compile(r"aw(?![aeiouy])")
# The same one-letter folds as byte tables: bytes.translate is a plain table look-up, several
# times faster than str.translate; used for ASCII keys (all tokens are ASCII once cleaned).
_LETTER_BYTE_FOLDS: Final = bytes.maketrans(b"qwyeo", b"kviiu")


def undoubled(key: str) -> str:
    """Gives the key with runs of one letter written once."""
    # A plain character loop: compiled (setup.py), it beats a back-referencing regex.
    previous = ""
    for char in key:
        if char == previous:
            break
        previous = char
    else:
        return key
    letters: list[str] = []
    previous = ""
    for char in key:
        if char != previous:
            letters.append(char)
            previous = char
    return "".join(letters)


def undoubled_ascii(folded: bytes) -> str:
    """Gives ASCII bytes as text, with runs of one letter written once (`undoubled` on
    the bytes the letter folds give: compiled, a loop over bytes reads plain integers)."""
    previous = -1
    for byte in folded:
        if byte == previous:
            break
        previous = byte
    else:
        return folded.decode()
    letters = bytearray()
    previous = -1
    for byte in folded:
        if byte != previous:
            letters.append(byte)
            previous = byte
    return letters.decode()


# Phonetic keys of the tokens seen so far. A plain dictionary emptied when full rather than an
# LRU cache, whose bookkeeping costs more than most keys take to make: names repeat their
# parts, so the common ones are soon back.
_PHONETIC_KEYS: Final[dict[str, str]] = {}
PHONETIC_CACHE_SIZE: Final = 200_000


def phonetic_key(token: str) -> str:
    """Gives a token's transliteration-tolerant key (variants of one name share it)."""
    key = _PHONETIC_KEYS.get(token)
    if key is None:
        key = _phonetic_key(token)
        if len(_PHONETIC_KEYS) >= PHONETIC_CACHE_SIZE:
            _PHONETIC_KEYS.clear()
        _PHONETIC_KEYS[token] = key
    return key


def deletions(key: str) -> set[str]:
    """Gives every string one character shorter than `key` (its deletion neighbourhood: two
    keys one edit apart share one, or one is in the other's)."""
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def clear_phonetic_cache() -> None:
    """Forgets every phonetic key made so far (for cold timings)."""
    _PHONETIC_KEYS.clear()


def _phonetic_key(token: str) -> str:
    if token.isdigit():
        return token
    key = token
    if "c" in key:
        # A soft c (before e, i or y) sounds s; three replacements beat a look-ahead regex.
        key = key.replace("ce", "se").replace("ci", "si").replace("cy", "sy")
        key = key.replace("ch", "\x01").replace("c", "k").replace("\x01", "ch")
    if "aw" in key:
        # The diphthong "aw" before a consonant is written "au" as often ("Tawfiq",
        # "Taufiq"; Russian "Таухид" for Tawhid).
        key = _AW_DIPHTHONG.sub("au", key)
    if _ANY_DIGRAPH.search(key):
        for source, target in _DIGRAPH_RULES:
            if source in key:
                key = key.replace(source, target)
    if not key.isascii():
        return undoubled(key.translate(_LETTER_FOLDS))
    if "x" in key:
        key = key.replace("x", "ks")
    return undoubled_ascii(key.encode().translate(_LETTER_BYTE_FOLDS))
