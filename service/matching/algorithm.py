"""The matcher's name, version and tuning: what every stored score says produced it.

As nomenklatura registers its matching algorithms, the matcher is registered here under a
NAME, with a VERSION and the named constants it scores with. Every screening and comparison
answer, audit record, job and watchlist screening carries the name and version, so that a
score read later can be told apart from one a changed matcher would give.

Raise VERSION with any change that can move a score or a decision: a constant below, the
normaliser's rules or vocabulary, the part frequencies, the scorer's or the index's steps.
tests/matching/test_algorithm.py pins this version's constants and frequency table, so that
changing one of them without raising VERSION fails.

Not compiled (setup.py): read once per answer, and it only names what the compiled modules do.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final

from service.matching import details, frequencies, index, scorer, scripts


class NameMatcher:
    """Names in any script, aligned part by part and weighed by rarity (scorer.py)."""

    NAME: Final = "xref-names"
    # 2: identifying details (birth date, nationality, country, identifier, gender) add or
    # subtract evidence from the name score (details.py), and names are compared across
    # scripts (scripts.py: Arabic-script letter classes, ICU romanisation, consonant keys).
    # 3: candidate retrieval finds more of the names it should in a large index: every
    # spelling of a part is found by its one-letter typos, a common part finds names while
    # the names found so far are few, two common parts find the names they share where no
    # part finds any alone, 12 names are scored rather than 8 in an index of half a million
    # names or more, and legal forms are recognised with a typo or without "company".
    VERSION: Final = "3"
    # A pair scoring at or above it is a match unless the caller gives another threshold.
    DEFAULT_THRESHOLD: Final = scorer.DEFAULT_THRESHOLD
    # Every tuning value a score depends on, by the name the code gives it.
    TUNING: Final = MappingProxyType({
        "DEFAULT_THRESHOLD": scorer.DEFAULT_THRESHOLD,
        "ALIGN_MIN_SIMILARITY": scorer.ALIGN_MIN_SIMILARITY,
        "INITIAL_SIMILARITY": scorer.INITIAL_SIMILARITY,
        "PHONETIC_EQUAL_SIMILARITY": scorer.PHONETIC_EQUAL_SIMILARITY,
        "PHONETIC_DISCOUNT": scorer.PHONETIC_DISCOUNT,
        "EXTRA_PART_FACTOR": scorer.EXTRA_PART_FACTOR,
        "EXTRA_PERSON_PART_FACTOR": scorer.EXTRA_PERSON_PART_FACTOR,
        "INITIALS_ONLY_CAP": scorer.INITIALS_ONLY_CAP,
        "SINGLE_PART_CAP": scorer.SINGLE_PART_CAP,
        "SWAPPED_ROLE_PENALTY": scorer.SWAPPED_ROLE_PENALTY,
        "NUMBER_MISMATCH_PENALTY": scorer.NUMBER_MISMATCH_PENALTY,
        "NUMBER_EXTRA_PENALTY": scorer.NUMBER_EXTRA_PENALTY,
        "CONFLICT_PENALTY": scorer.CONFLICT_PENALTY,
        "LEGAL_FORM_PENALTY": scorer.LEGAL_FORM_PENALTY,
        "STRONG_SIMILARITY": scorer.STRONG_SIMILARITY,
        "COMPOUND_STEM_MIN_SIMILARITY": scorer.COMPOUND_STEM_MIN_SIMILARITY,
        "JOIN_MIN_SIMILARITY": scorer.JOIN_MIN_SIMILARITY,
        "IN_SCRIPT_EDIT_PENALTY": scorer.IN_SCRIPT_EDIT_PENALTY,
        "CHILD_CHAIN_PENALTY": scorer.CHILD_CHAIN_PENALTY,
        "INFLECTED_SIMILARITY": scorer.INFLECTED_SIMILARITY,
        "MIN_INFLECTED_STEM": scorer.MIN_INFLECTED_STEM,
        # Names across scripts (scripts.py): the alignment of Arabic script with Latin
        # spellings, and the consonant classes of syllabic scripts.
        "DISAGREEMENT_SCALE": scripts.DISAGREEMENT_SCALE,
        "MISSING_CONSONANT": scripts.MISSING_CONSONANT,
        "MISSING_LONG_VOWEL": scripts.MISSING_LONG_VOWEL,
        "EXTRA_LATIN_SOFT": scripts.EXTRA_LATIN_SOFT,
        "FINAL_VOWEL_VARIANT": scripts.FINAL_VOWEL_VARIANT,
        "MIN_LOAN_KEY": scripts.MIN_LOAN_KEY,
        "LOAN_EQUAL_SIMILARITY": scripts.LOAN_EQUAL_SIMILARITY,
        "LOAN_DISCOUNT": scripts.LOAN_DISCOUNT,
        "MIN_WEIGHT": frequencies.MIN_WEIGHT,
        "INITIAL_WEIGHT": frequencies.INITIAL_WEIGHT,
        "RARE_NAME_COUNT": frequencies.RARE_NAME_COUNT,
        # Which candidates a search scores at all decides which matches it can return.
        "CANDIDATES_SCORED": index.CANDIDATES_SCORED,
        "LARGE_INDEX_CANDIDATES_SCORED": index.LARGE_INDEX_CANDIDATES_SCORED,
        "LARGE_INDEX_NAMES": index.LARGE_INDEX_NAMES,
        "ABJAD_CANDIDATES_SCORED": index.ABJAD_CANDIDATES_SCORED,
        "COMMON_PART_POSTINGS": index.COMMON_PART_POSTINGS,
        "COMMON_FIND_LIMIT": index.COMMON_FIND_LIMIT,
        "PAIR_FIND_LIMIT": index.PAIR_FIND_LIMIT,
        "MIN_DELETION_LENGTH": index.MIN_DELETION_LENGTH,
        "MIN_SHARED_WEIGHT": index.MIN_SHARED_WEIGHT,
        # The evidence of identifying details (details.py), each step by its name.
        **{f"DETAILS_{name}": value for name, value in details.DETAILS_TUNING.items()},
    })

    compare = staticmethod(scorer.compare)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Gives the JSON form answers and records name the matcher by."""
        return {"name": cls.NAME, "version": cls.VERSION}


# The matchers by name, and the one the service scores with. There is one today; a second
# would be added here and chosen by name, as nomenklatura's are.
MATCHERS: Final = MappingProxyType({NameMatcher.NAME: NameMatcher})
MATCHER: Final = NameMatcher


def matcher_json(name: str | None, version: str | None) -> dict[str, str] | None:
    """Gives the stored matcher of a record in its JSON form; None for a record written
    before matchers were recorded."""
    if name is None or version is None:
        return None
    return {"name": name, "version": version}
