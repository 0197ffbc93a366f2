"""An OFAC-style score: how OFAC's Sanctions List Search rates a result for a query.

OFAC documents that its search tool uses Jaro-Winkler string similarity. Its scores behave
like Jaro-Winkler between the whole query and the result's words taken in the best order and
cut to as many words as the query has: "PUTIN" scores 100 against "PUTIN, Vladimir", and
"VLADIMIR PUTIN" 100 against "PUTIN, Vladimir Vladimirovich". This mode reproduces that on
transliterated, upper-cased names, as a familiar second opinion next to the main score.
"""

from __future__ import annotations

import re
from itertools import permutations

from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
# Above this many result words, only the words most like a query word are permuted.
_MAX_PERMUTED_WORDS = 6


def _words(name: str) -> list[str]:
    return _NON_ALNUM.sub(" ", anyascii(name).upper()).split()


def ofac_score(query: str, result: str) -> float:
    """Gives the OFAC-style score (0 to 100) of a list name for a query name."""
    query_words = _words(query)
    result_words = _words(result)
    if not query_words or not result_words:
        return 0.0
    query_text = " ".join(query_words)
    if len(result_words) > _MAX_PERMUTED_WORDS:
        result_words = sorted(
            result_words,
            key=lambda w: -max(JaroWinkler.similarity(w, q) for q in query_words),
        )[:_MAX_PERMUTED_WORDS]
    take = min(len(query_words), len(result_words))
    best = max(
        JaroWinkler.similarity(query_text, " ".join(chosen))
        for chosen in permutations(result_words, take)
    )
    return round(100 * best, 1)
