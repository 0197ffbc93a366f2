"""Phonetic keys that fold the spelling variation of transliterated names.

``phonetic_key`` folds common transliteration variation so that spellings of one name share a
key: q/k/gh, kh/h, ph/f, th/t, dh/d, w/v, zh/j, ou/oo/u, ee/i, e/i, o/u, y/i, soft c/s,
hard c/k, doubled letters. ``skeleton_key`` keeps only the consonants of that key (and folds
p/b, v/f, g/k, a final h): the part of a name that scripts without short vowels spell.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "ch"), ("sch", "sh"), ("tch", "ch"), ("dzh", "j"), ("dj", "j"), ("zh", "j"),
    ("kh", "h"), ("gh", "k"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"),
    ("q", "k"), ("x", "ks"), ("w", "v"), ("tz", "z"), ("ts", "z"),
    ("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"), ("e", "i"), ("o", "u"),
)
_DOUBLE_LETTERS = re.compile(r"(.)\1+")
_SOFT_C = re.compile(r"c(?=[eiy])")
_VOWELS = re.compile(r"[aeiou]")
_SKELETON_FOLDS = str.maketrans("pfvg", "bbbk")


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    """Gives a token's transliteration-tolerant key (variants of one name share it)."""
    if token.isdigit():
        return token
    key = _SOFT_C.sub("s", token)
    key = key.replace("ch", "\x01").replace("c", "k").replace("\x01", "ch")
    for source, target in _PHONETIC_RULES:
        if source in key:
            key = key.replace(source, target)
    return _DOUBLE_LETTERS.sub(r"\1", key)


@lru_cache(maxsize=200_000)
def skeleton_key(phonetic: str) -> str:
    """Gives the consonant skeleton of a phonetic key (labials p/b/f/v alike, g≡k, final h
    dropped): Arabic has no p or v, Hebrew pe is p or f."""
    if phonetic.isdigit():
        return phonetic
    key = _VOWELS.sub("", phonetic).translate(_SKELETON_FOLDS)
    key = _DOUBLE_LETTERS.sub(r"\1", key)
    if len(key) > 1 and key.endswith("h"):
        key = key[:-1]
    return key or phonetic


