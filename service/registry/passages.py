"""Finds where a document mentions an entity, and the sentence each mention stands in.

Pure text processing: no Flask, no database. The offline seed runs it for every entity over
every document; the API can run it over any text.

How a name is compared with the text:

* Punctuation: an apostrophe may appear or not between any two letters (Kata'ib = Kataib,
  curly or straight), and may close a word before the gap to the next (Guards' Quds Force);
  words may be separated by any run of spaces or line breaks, or by a hyphen or dash with
  optional spaces around it (al-Khazali = al Khazali).
* Accents: the text is folded character by character to ASCII (é → e) without changing its
  length, so every offset found points into the original text.
* Case: a short all-capitals name (IS, KH, AAH, PMF, IRGC-QF) is an acronym and must appear
  exactly so, because in lower case most of them are ordinary words ("this is"). Otherwise
  letters are compared regardless of case, except that a word the name writes with a capital
  initial must start with a capital in the text too (the text may be all capitals). That keeps
  "Islamic State" from matching "a worldwide Islamic state" while "al Khazali" still matches
  "Al-Khazali". A name written wholly in capitals (KATA'IB HIZBALLAH, as lists write names)
  says nothing about case, so it is compared without regard to case.
* Boundaries: a name matches whole words only (Badr does not match inside Badran).

Overlapping mentions of one entity keep the longest span (Qassem Suleimani, not Suleimani
inside it). `find_passages_by_entity` also drops a mention that lies inside a longer mention
of another entity (Hezbollah inside Kataib Hezbollah).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from anyascii import anyascii

__all__ = [
    "PassageSpan",
    "compile_names",
    "find_passages",
    "find_passages_by_entity",
    "split_sentences",
]


@dataclass(frozen=True, slots=True)
class PassageSpan:
    """One mention of an entity in a text, with the sentence it stands in.

    `text == source[start:end]` and `sentence == source[sentence_start:sentence_end]`.
    """

    start: int
    end: int
    text: str
    sentence: str
    sentence_start: int
    sentence_end: int


# --- folding the text -----------------------------------------------------------------------

# Characters folded to an apostrophe by anyascii, plus the backtick that ʿayn folds to.
_APOSTROPHES = "'`"
_ACRONYM_MAX_WORD_LENGTH = 4


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = anyascii(char)
    # Only one-for-one replacements keep offsets valid; anything else stays as it is and simply
    # won't match an ASCII name.
    return folded if len(folded) == 1 else char


@lru_cache(maxsize=16)
def _fold_text(text: str) -> str:
    """Gives `text` with each non-ASCII character replaced by its one-letter ASCII form."""
    if text.isascii():
        return text
    table = {ord(char): _fold_char(char) for char in set(text) if not char.isascii()}
    return text.translate(table)


# --- building the patterns ------------------------------------------------------------------

_WORD_SPLIT = re.compile(r"[^0-9A-Za-z'`]+")
_NAME_BOUNDARY_BEFORE = r"(?<![^\W_])"
_NAME_BOUNDARY_AFTER = r"(?![^\W_])"
# A possessive or elided apostrophe may close a word before the gap (Guards' Quds Force).
_WORD_SEPARATOR = r"['`]?(?:\s*-+\s*|\s+)"
_OPTIONAL_APOSTROPHE = "['`]?"


def _name_words(name: str) -> list[str]:
    folded = anyascii(unicodedata.normalize("NFKC", name))
    words = (word.strip(_APOSTROPHES) for word in _WORD_SPLIT.split(folded))
    return [re.sub("['`]", "", word) for word in words if word.strip(_APOSTROPHES)]


def _is_acronym(words: Sequence[str]) -> bool:
    return all(
        not any(char.islower() for char in word) and len(word) <= _ACRONYM_MAX_WORD_LENGTH
        for word in words
    )


def _char_pattern(char: str, exact_case: bool) -> str:
    if exact_case or not char.isalpha():
        return re.escape(char)
    return f"[{char.upper()}{char.lower()}]"


_CaseMode = Literal["exact", "any", "initials"]


def _word_pattern(word: str, case_mode: _CaseMode) -> str:
    if case_mode == "exact":
        exact = [True] * len(word)
    elif case_mode == "any":
        exact = [False] * len(word)
    elif len(word) >= 2 and word.isupper():
        # An acronym inside a longer name (IRGC in "IRGC-Qods Force") keeps its capitals.
        exact = [True] * len(word)
    else:
        exact = [index == 0 and char.isupper() for index, char in enumerate(word)]
    return _OPTIONAL_APOSTROPHE.join(
        _char_pattern(char, is_exact) for char, is_exact in zip(word, exact, strict=True)
    )


def _name_pattern(name: str) -> str | None:
    """Gives the regex source that matches `name` in folded text, or None for an empty name."""
    words = _name_words(name)
    if not words:
        return None
    case_mode: _CaseMode
    if _is_acronym(words):
        case_mode = "exact"
    elif not any(char.islower() for word in words for char in word):
        case_mode = "any"
    else:
        case_mode = "initials"
    return _WORD_SEPARATOR.join(_word_pattern(word, case_mode) for word in words)


@lru_cache(maxsize=1024)
def _compile_name_tuple(names: tuple[str, ...]) -> re.Pattern[str] | None:
    sources = {source for source in map(_name_pattern, names) if source}
    if not sources:
        return None
    # Longest first, so that at one position the fullest name is the one reported.
    ordered = sorted(sources, key=lambda source: (-len(source), source))
    alternatives = "|".join(f"(?:{source})" for source in ordered)
    return re.compile(f"{_NAME_BOUNDARY_BEFORE}(?:{alternatives}){_NAME_BOUNDARY_AFTER}")


def compile_names(names: Iterable[str]) -> re.Pattern[str] | None:
    """Gives one compiled regex matching any of `names` in folded text (None if no usable name).

    The result is cached, so calling this for the same names again costs nothing.
    """
    return _compile_name_tuple(tuple(dict.fromkeys(names)))


# --- finding mentions -----------------------------------------------------------------------


def _all_matches(pattern: re.Pattern[str], folded: str) -> list[tuple[int, int]]:
    """Gives every match, including ones that start inside an earlier match."""
    spans: list[tuple[int, int]] = []
    position = 0
    while (match := pattern.search(folded, position)) is not None:
        spans.append(match.span())
        # Restart just after this match's start, not its end, so that a longer name beginning
        # inside a shorter one is still seen; the overlap is settled afterwards.
        position = match.start() + 1
    return spans


def _keep_longest(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Gives the spans that survive when overlapping ones give way to the longest."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(spans), key=lambda span: (span[0] - span[1], span[0])):
        if all(end <= kept_start or start >= kept_end for kept_start, kept_end in kept):
            kept.append((start, end))
    return sorted(kept)


def _mention_spans(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    pattern = compile_names(names)
    if pattern is None:
        return []
    return _keep_longest(_all_matches(pattern, _fold_text(text)))


def _inside_longer(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    start, end = span
    return any(
        other_start <= start and end <= other_end and other_end - other_start > end - start
        for other_start, other_end in others
    )


def _to_passages(text: str, spans: Iterable[tuple[int, int]]) -> list[PassageSpan]:
    sentences = _sentence_spans(text)
    sentence_starts = [start for start, _ in sentences]
    passages = []
    for start, end in spans:
        first = max(bisect.bisect_right(sentence_starts, start) - 1, 0)
        last = max(bisect.bisect_right(sentence_starts, end - 1) - 1, first)
        sentence_start = min(sentences[first][0], start)
        sentence_end = max(sentences[last][1], end)
        passages.append(
            PassageSpan(
                start=start,
                end=end,
                text=text[start:end],
                sentence=text[sentence_start:sentence_end],
                sentence_start=sentence_start,
                sentence_end=sentence_end,
            )
        )
    return passages


def find_passages(
    text: str, names: Sequence[str], *, shadowed_by: Sequence[str] = ()
) -> list[PassageSpan]:
    """Gives the mentions of an entity known by `names` in `text`, in text order.

    `shadowed_by` lists other entities' names: a mention lying inside a longer match of one of
    them is dropped (pass Kataib Hezbollah's names when looking for Hezbollah).
    """
    spans = _mention_spans(text, names)
    if shadowed_by and spans:
        shadows = _mention_spans(text, shadowed_by)
        spans = [span for span in spans if not _inside_longer(span, shadows)]
    return _to_passages(text, spans)


def find_passages_by_entity(
    text: str, names_by_entity: Mapping[str, Sequence[str]]
) -> dict[str, list[PassageSpan]]:
    """Gives each entity's mentions in `text`, keyed like `names_by_entity`.

    A mention that lies inside a longer mention of another entity belongs to that other entity
    only: "Hezbollah" inside "Kataib Hezbollah", "Revolutionary Guards Corps" inside
    "Revolutionary Guards Corps-Quds Force".
    """
    spans_by_entity = {
        entity: _mention_spans(text, names) for entity, names in names_by_entity.items()
    }
    every_span = sorted(
        (span, entity) for entity, spans in spans_by_entity.items() for span in spans
    )
    every_start = [span[0] for span, _ in every_span]
    passages_by_entity = {}
    for entity, spans in spans_by_entity.items():
        kept = []
        for span in spans:
            # Only spans starting at or before this one can contain it.
            candidates = every_span[: bisect.bisect_right(every_start, span[0])]
            others = [other for other, owner in candidates if owner != entity]
            if not _inside_longer(span, others):
                kept.append(span)
        passages_by_entity[entity] = _to_passages(text, kept)
    return passages_by_entity


# --- sentences ------------------------------------------------------------------------------

# Lower-case forms of words that end with a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr prof rev fr sr jr st mt ft
    gen lt col maj capt cpt sgt cpl pvt adm cmdr brig cdr gov sen rep pres amb sec supt insp
    vol vols pp fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp bros dept univ assn est approx vs cf al
    """.split()
)
_DOTTED_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)")
_STARTS_SENTENCE = re.compile(r"\s+[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u024f]")
_LINE_BREAK = re.compile(r"\n[ \t\u00a0]*(?=(\S)?)")
_LEADING_OPENERS = "\"'\u201c\u2018([\u2014-"


def _is_abbreviation(text: str, stop: int) -> bool:
    """Tells whether the full stop at `stop` closes an abbreviation rather than a sentence."""
    word_start = stop
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:stop].lstrip(_LEADING_OPENERS)
    if not word:
        return False
    if word.lower() in _ABBREVIATIONS or _DOTTED_INITIALS.fullmatch(word):
        return True
    # A single capital is an initial ("David M. Witty").
    return len(word) == 1 and word.isupper()


def _sentence_breaks(text: str) -> list[int]:
    breaks = []
    for match in _SENTENCE_END.finditer(text):
        if not _STARTS_SENTENCE.match(text, match.end()):
            continue
        # Only a lone full stop can close an abbreviation; "..." and "?" always end a sentence.
        lone_full_stop = match.group().startswith(".") and not match.group().startswith("..")
        if lone_full_stop and _is_abbreviation(text, match.start()):
            continue
        breaks.append(match.end())
    for match in _LINE_BREAK.finditer(text):
        following = match.group(1)
        # A line that runs on in lower case is a wrapped sentence; anything else (a capital, a
        # quote, a blank line, the end) starts a new one: headlines and captions carry no stop.
        if following is None or not following.islower():
            breaks.append(match.start())
    return sorted(set(breaks))


@lru_cache(maxsize=16)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    start = 0
    for cut in [*_sentence_breaks(text), len(text)]:
        segment = text[start:cut]
        stripped = segment.strip()
        if stripped:
            lead = len(segment) - len(segment.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
        start = cut
    return tuple(spans)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Gives the (start, end) offsets of the sentences of `text`, without surrounding spaces.

    A sentence ends at . ! ? or … followed by a space and a capital, a digit or an opening
    quote, unless the full stop closes an abbreviation (U.S., Gen., Maj., Dr., an initial); and
    at a line break unless the next line carries on in lower case.
    """
    return list(_sentence_spans(text))
