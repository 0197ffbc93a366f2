"""The matcher is registered under its name and version, and a change of tuning needs a new
version: this pins what version 3 scores with (version 2: identifying details, and names
across scripts; version 3: candidate retrieval in large indexes)."""

from __future__ import annotations

import hashlib

from service.matching import frequencies, scorer
from service.matching.algorithm import MATCHER, MATCHERS, NameMatcher, matcher_json

# What version "3" of the matcher scores with (version 1's names, new in 2 the details'
# evidence and the cross-script comparison, new in 3 the retrieval limits). A failure here
# means a score may have moved: raise NameMatcher.VERSION, then record the new values here
# under it.
VERSION_3_TUNING = {
    "DEFAULT_THRESHOLD": 0.8,
    "ALIGN_MIN_SIMILARITY": 0.7,
    "INITIAL_SIMILARITY": 0.9,
    "PHONETIC_EQUAL_SIMILARITY": 0.95,
    "PHONETIC_DISCOUNT": 0.05,
    "EXTRA_PART_FACTOR": 0.4,
    "EXTRA_PERSON_PART_FACTOR": 0.15,
    "INITIALS_ONLY_CAP": 0.5,
    "SINGLE_PART_CAP": 0.7,
    "SWAPPED_ROLE_PENALTY": 0.15,
    "NUMBER_MISMATCH_PENALTY": 0.1,
    "NUMBER_EXTRA_PENALTY": 0.05,
    "CONFLICT_PENALTY": 0.05,
    "LEGAL_FORM_PENALTY": 0.05,
    "STRONG_SIMILARITY": 0.9,
    "COMPOUND_STEM_MIN_SIMILARITY": 0.5,
    "JOIN_MIN_SIMILARITY": 0.85,
    "IN_SCRIPT_EDIT_PENALTY": 0.1,
    "CHILD_CHAIN_PENALTY": 0.15,
    "INFLECTED_SIMILARITY": 0.9,
    "MIN_INFLECTED_STEM": 5,
    "DISAGREEMENT_SCALE": 1.5,
    "MISSING_CONSONANT": 1.0,
    "MISSING_LONG_VOWEL": 0.8,
    "EXTRA_LATIN_SOFT": 0.3,
    "FINAL_VOWEL_VARIANT": 0.2,
    "MIN_LOAN_KEY": 3,
    "LOAN_EQUAL_SIMILARITY": 0.95,
    "LOAN_DISCOUNT": 0.05,
    "MIN_WEIGHT": 0.2,
    "INITIAL_WEIGHT": 0.3,
    "RARE_NAME_COUNT": 20,
    "CANDIDATES_SCORED": 8,
    "LARGE_INDEX_CANDIDATES_SCORED": 12,
    "LARGE_INDEX_NAMES": 500000,
    "ABJAD_CANDIDATES_SCORED": 40,
    "COMMON_PART_POSTINGS": 300,
    "COMMON_FIND_LIMIT": 2000,
    "PAIR_FIND_LIMIT": 60000,
    "MIN_DELETION_LENGTH": 4,
    "MIN_SHARED_WEIGHT": 0.5,
    "DETAILS_ID_MATCH_SCORE": 0.95,
    "DETAILS_ID_MATCH_BONUS": 0.1,
    "DETAILS_ID_MIN_NAME_SCORE": 0.05,
    "DETAILS_MIN_ID_LENGTH": 5,
    "DETAILS_DOB_DAY_AGREE_BONUS": 0.08,
    "DETAILS_DOB_MONTH_AGREE_BONUS": 0.05,
    "DETAILS_DOB_YEAR_AGREE_BONUS": 0.03,
    "DETAILS_DOB_YEAR_CONTRADICT_PENALTY": 0.15,
    "DETAILS_DOB_DAY_CONTRADICT_PENALTY": 0.03,
    "DETAILS_APPROXIMATE_YEAR_TOLERANCE": 2,
    "DETAILS_COUNTRY_AGREE_BONUS": 0.04,
    "DETAILS_COUNTRY_CONTRADICT_PENALTY": 0.1,
    "DETAILS_GENDER_CONTRADICT_PENALTY": 0.1,
    "DETAILS_DETAIL_EXTRA_CANDIDATES": 3,
}
VERSION_3_FREQUENCIES_SHA256 = (
    "d862505bde7b9bf354f8575da679048339eb1807eaf3d8a6817d6832d89ba0e4")


def test_the_matcher_in_use_is_registered_by_name() -> None:
    assert MATCHERS[MATCHER.NAME] is MATCHER
    assert MATCHER.describe() == {"name": "xref-names", "version": MATCHER.VERSION}


def test_version_3_tuning_is_what_the_scorer_uses() -> None:
    assert NameMatcher.VERSION == "3"
    assert dict(NameMatcher.TUNING) == VERSION_3_TUNING
    assert NameMatcher.DEFAULT_THRESHOLD == scorer.DEFAULT_THRESHOLD
    digest = hashlib.sha256(frequencies.FREQUENCY_FILE.read_bytes()).hexdigest()
    assert digest == VERSION_3_FREQUENCIES_SHA256


def test_the_registered_compare_is_the_scorers() -> None:
    ours = NameMatcher.compare("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", "person")
    theirs = scorer.compare("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", "person")
    assert (ours.score, ours.match) == (theirs.score, theirs.match)


def test_records_from_before_matchers_were_recorded_name_none() -> None:
    assert matcher_json(None, None) is None
    assert matcher_json("xref-names", "1") == {"name": "xref-names", "version": "1"}
