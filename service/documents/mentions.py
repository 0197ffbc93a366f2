"""Finds every span of a text that names a registry entity or a list entry.

Pure text processing over a `NameIndex` (or a set of them): no Flask, no database.

Scanning runs in four steps, cheapest first, so that a long text costs little more than its
capitalised words:

1. Tokens and runs. Words are read with their exact offsets; a *run* is a sequence of
   capitalised words joined by a space, one line break or a hyphen/dash, which may contain
   (and start with) a lowercase name particle (al, bin, abu, de, of, …). Function words, titles,
   months and the like break runs, as do punctuation and possessives ("Iran’s" ends one).
2. Candidate spans: every sub-span of a run of 1–6 content words that starts and ends on a
   word that can be part of a name.
3. Pre-filter: a span is scored only when each of its words is in the index's vocabulary,
   by phonetic key or one edit away from one (variant spellings stay in, "The", "Volunteers"
   and most English words fall out); every look-up is cached per index.
4. Scoring with the matching engine (`NameIndex.search`), keeping a span only if it reaches
   `MENTION_THRESHOLD` *and* every word of it is explained by the name (so "Sadr City" is
   not a mention of "Sadr"). A one-word span must be distinctive: an acronym written exactly
   as a registry or list name writes it (IS, IRGC-QF, AAH), or a capitalised word that is a
   whole one-word name (Soleimani, Hezbollah) and not a common English word.

Overlapping candidates resolve to the longest span, then the best-scoring.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from service.matching import vocabulary
from service.matching.index import IndexedName, Match, SearchableIndex
from service.matching.normalize import PERSON, NamePart, canonical_kind, normalize_name
from service.matching.scorer import DEFAULT_THRESHOLD
from service.terms import REGISTRY_LIST

# A mention needs more than a screening hit: a text offers many more candidate spans than a
# screening request, so the bar is a little above the decision threshold.
MENTION_THRESHOLD = max(DEFAULT_THRESHOLD, 0.85)
# A one-word span must equal a one-word name under transliteration folding (phonetic keys
# equal), which the scorer rates at least this high.
WHOLE_NAME_SCORE = 0.95
# Longest candidate span, in name words (particles such as "of", "al" are not counted).
MAX_SPAN_WORDS = 6
# Longest candidate span in tokens, particles included ("Islamic State of Iraq and the Levant").
MAX_SPAN_TOKENS = 9
# A query word left unexplained by the matched name may weigh at most this (particles).
MAX_UNEXPLAINED_WEIGHT = 0.2
# One-word names from lists count only when their word is this rare among listed names (a
# weight of 1 is at most 20 listed names, "Jihad" weighs 0.78); registry names are the
# registry's own choice.
LIST_SINGLE_WORD_MIN_WEIGHT = 0.95
# Kinds whose one-word names are ordinary words far too often (vessels called PEACE, NOOR).
_NO_SINGLE_WORD_KINDS = frozenset({"vessel", "aircraft"})
# Shortest and longest acronym ("IS", "IRGC", "HTS"; longer all-capital words are words).
_ACRONYM = re.compile(r"[A-Z]{2,6}")

# A word: letters and digits, with apostrophes inside (Kata'ib, Qa’ida, Shi’ite).
_TOKEN = re.compile(r"[^\W_](?:\w|['’ʼ`](?=[^\W_]))*")
_POSSESSIVE = re.compile(r"['’ʼ]s$")
# What may stand between two words of one name: spaces, one line break, or a hyphen or dash.
_JOINER = re.compile(r"[ \t\u00a0]{1,3}|[ \t]*\r?\n[ \t]*|[ \t\u00a0]*[-‐‑–—][ \t\u00a0]*")

# Lowercase words that belong inside names.
# English words that are also particles ("as", "an", "at", "do") are left out: "as al-Qaeda"
# is not a name.
NAME_PARTICLES = frozenset({
    "al", "el", "ad", "ar", "ash", "az", "ul", "ud", "ur", "bin", "ibn", "bint", "bn", "abu",
    "abd", "abdul", "bu", "um", "umm", "de", "del", "della", "der", "di", "du", "da", "dos",
    "das", "van", "von", "y", "of", "and", "the", "for", "in",
})
# Particles that join two names into one ("Bank of China", "al-Qaeda in Iraq").
_CONNECTORS = frozenset({"of", "and", "the", "for", "in"})
# Particles that may open a name ("al-Khazali", "bin Laden"); "of", "and" may not.
_LEADING_PARTICLES = frozenset({"al", "el", "ad", "ar", "ash", "az", "ul", "ud", "ur", "bin",
                                "ibn", "abu", "abd", "abdul", "de", "van", "von", "da", "di",
                                "du", "del"})

# Capitalised words that are never part of a name here: function words (capitalised at the
# start of a sentence), pronouns, calendar words, and titles, which the matcher drops anyway.
_BREAK_WORDS = frozenset("""
a an the this that these those there here it its he she his her him they them their we our
us you your i my me who whom whose which what when where why how if then than so as at by for
from in into of on onto to with within without about above after against along among around
before behind below beneath beside between beyond but and or nor not no yes yet also even
just only both either neither each every all any some many much more most less least few
several such other another same own one two three four five six seven eight nine ten first
second third last next new old former late meanwhile however indeed thus therefore although
though while since until unless because whether according despite during through throughout
toward towards under upon via per is are was were be been being has have had do does did
will would shall should can could may might must mr mrs ms miss dr prof sir madam
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan feb mar apr jun jul aug sep sept
oct nov dec today yesterday tomorrow click thanks read comments comment posted share
""".split()) | vocabulary.LEADING_TITLES | vocabulary.HONORIFICS
# Generic words of names: a one-word span of one is no mention, and a span of nothing else
# ("Middle East", "Interior Ministry") names a list entry only when it is that entry's name
# word for word, in order; registry names are the registry's choice and always count. The
# document's own lowercase use of a word is the other signal (`_lowercase_words`).
GENERIC_WORDS = frozenset("""
army force forces group groups state states government president minister ministry
department council party front brigade brigades battalion company bank trading general
national international islamic republic united union people popular security police
intelligence revolution revolutionary guard guards corps movement organization
organisation committee office agency service services foundation network media news press
north south east west northern southern eastern western central gulf middle world global
peace justice freedom liberty victory unity sunni shia shiite shiites sunnis muslim muslims
christian christians arab arabs kurd kurds kurdish iraqi iranian syrian american americans
lebanese turkish israeli saudi british russian chinese jihad ministry interior defense
defence affairs foreign finance economy oil energy armored armoured division regiment unit
units special operations command task supreme leader court central development investment
trade industries industrial commercial holding holdings airlines air shipping line lines
petroleum gas construction engineering center centre institute university research science
technology academy navy iran iraq syria lebanon israel yemen america russia china turkey
""".split())


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a text that names a registry entity or a list entry.

    `text == source[start:end]`; `list_id` is None for a match on a registry name alone.
    """

    start: int
    end: int
    text: str
    score: float
    entity_id: str | None
    list_id: str | None
    list_key: str | None
    matched_name: str
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    possessive: bool  # "Iran’s": the name, if any, ends here


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    tokens: tuple[_Token, ...]
    words: int  # name words, particles not counted
    whole_run: bool


@dataclass(frozen=True, slots=True)
class _Candidate:
    span: _Span
    score: float
    best: IndexedName
    linked: IndexedName | None  # the entity's list entry, when `best` is a registry name


class _Vocabulary:
    """Look-ups over one index's names: phonetic keys, their one-edit neighbours, one-word
    names and acronyms. Built once per index (`scanner_for`)."""

    def __init__(self, index: SearchableIndex) -> None:
        self.phonetic: set[str] = set()
        self.near: set[str] = set()
        self.single_word: dict[str, list[IndexedName]] = defaultdict(list)
        self.acronyms: dict[str, list[IndexedName]] = defaultdict(list)
        # A list entry of each registry entity, so that a mention of a registry name also says
        # which entry the entity is.
        self.entries_of: dict[str, IndexedName] = {}
        for name, normalized in index.entries():
            if name.entity_id and name.list_id != REGISTRY_LIST:
                self.entries_of.setdefault(name.entity_id, name)
            words = [p for p in normalized.parts if p.text not in vocabulary.PARTICLE_WORDS]
            for part in normalized.parts:
                if part.phonetic not in self.phonetic:
                    self.phonetic.add(part.phonetic)
                    self.near.update(_deletions(part.phonetic))
                if part.bare:
                    self.phonetic.add(_phonetic_of(part.bare))
            acronym = _acronym_key(name.name)
            if acronym and (name.list_id == REGISTRY_LIST or not name.weak):
                self.acronyms[acronym].append(name)
            if len(words) == 1 and not name.weak and name.kind not in _NO_SINGLE_WORD_KINDS:
                self.single_word[words[0].phonetic].append(name)
        self._known: dict[str, bool] = {}

    def knows(self, word: str) -> bool:
        """Tells whether a word is, or is one edit from, a part of some indexed name."""
        known = self._known.get(word)
        if known is None:
            parts = normalize_name(word).parts
            known = bool(parts) and all(self._knows_part(part) for part in parts)
            self._known[word] = known
        return known

    def _knows_part(self, part: NamePart) -> bool:
        if part.phonetic in self.phonetic or part.phonetic in self.near:
            return True
        if part.bare and _phonetic_of(part.bare) in self.phonetic:
            return True
        return any(key in self.phonetic for key in _deletions(part.phonetic))


def _deletions(key: str) -> set[str]:
    if len(key) < 4:
        return set()
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def _phonetic_of(token: str) -> str:
    parts = normalize_name(token).parts
    return parts[0].phonetic if parts else token


def _acronym_key(name: str) -> str | None:
    """Gives "IRGC-QF" for a name written as capital-letter acronyms only, else None."""
    words = [w for w in re.split(r"[\s\-‐‑–—]+", name.strip()) if w]
    if words and all(_ACRONYM.fullmatch(word) for word in words):
        return "-".join(words)
    return None


class MentionScanner:
    """Finds mentions in texts against one index; safe to share between threads."""

    def __init__(self, index: SearchableIndex, *, threshold: float = MENTION_THRESHOLD,
                 prefilter: bool = True) -> None:
        self.index = index
        self.threshold = threshold
        # Off only to measure what the vocabulary pre-filter saves (the benchmark's peer).
        self.prefilter = prefilter
        self.vocabulary = _Vocabulary(index)
        self._scored: dict[str, _Candidate | None] = {}
        self._lock = threading.Lock()

    def clear_cache(self) -> None:
        """Forgets the spans scored so far (for cold timings)."""
        self._scored.clear()
        self.vocabulary._known.clear()
        self.index.clear_lookup_cache()

    def scan(self, text: str) -> list[Mention]:
        """Gives the mentions in `text`, in text order, none overlapping."""
        lowercase = _lowercase_words(text)
        candidates = []
        for run in _runs(_tokens(text), text):
            for span in _spans(run):
                candidate = self._candidate(span, text, lowercase)
                if candidate is not None:
                    candidates.append(candidate)
        return [_to_mention(c, text) for c in _resolve_overlaps(candidates)]

    def _candidate(self, span: _Span, text: str, lowercase: set[str]) -> _Candidate | None:
        words = [t for t in span.tokens if t.text.lower() not in NAME_PARTICLES
                 or t.text[0].isupper()]
        acronym = _acronym_key(" ".join(t.text for t in words)) if words else None
        if acronym is not None and len(words) == len(span.tokens):
            return self._acronym_candidate(span, acronym)
        if self.prefilter and not all(self.vocabulary.knows(t.text) for t in words):
            return None
        if span.words == 1:
            return self._single_word_candidate(span, words[0], lowercase)
        query = " ".join(t.text for t in span.tokens)
        with self._lock:
            if query in self._scored:
                cached = self._scored[query]
                return None if cached is None else _Candidate(span, cached.score, cached.best,
                                                              cached.linked)
        generic = all(t.text.lower() in GENERIC_WORDS for t in words)
        found = self._score(span, query, generic)
        with self._lock:
            self._scored[query] = found
        return found

    def _score(self, span: _Span, query: str, generic: bool) -> _Candidate | None:
        matches = [m for m in self.index.search(query, limit=8, min_score=self.threshold)
                   if m.score >= self.threshold and _acceptable(m, generic)]
        if not matches:
            return None
        best = max(matches, key=_preference)
        return _Candidate(span, best.score, best.name, self._linked(best.name))

    def _acronym_candidate(self, span: _Span, acronym: str) -> _Candidate | None:
        names = self.vocabulary.acronyms.get(acronym)
        if not names:
            return None
        registry = [n for n in names if n.list_id == REGISTRY_LIST]
        # Two-letter acronyms ("IS", "KH") are ordinary words too often; only the registry's
        # own, written exactly so, count.
        chosen = registry or ([] if len(acronym.replace("-", "")) < 3 else names)
        if not chosen:
            return None
        best = chosen[0]
        return _Candidate(span, 1.0, best, self._linked(best))

    def _single_word_candidate(self, span: _Span, word: _Token, lowercase: set[str]
                               ) -> _Candidate | None:
        if not span.whole_run or not word.text[:1].isupper():
            return None
        lowered = word.text.lower()
        if lowered in GENERIC_WORDS or lowered in lowercase:
            return None
        parts = normalize_name(word.text).parts
        if len(parts) != 1:
            return None
        part = parts[0]
        names = self.vocabulary.single_word.get(part.phonetic, [])
        registry = [n for n in names if n.list_id == REGISTRY_LIST]
        listed = [n for n in names if n.list_id != REGISTRY_LIST]
        if not registry and part.weight < LIST_SINGLE_WORD_MIN_WEIGHT:
            return None
        chosen = registry or listed
        if not chosen:
            return None
        score = 1.0 if any(_word_text(n) == part.text for n in chosen) else WHOLE_NAME_SCORE
        best = chosen[0]
        return _Candidate(span, score, best, self._linked(best))

    def _linked(self, best: IndexedName) -> IndexedName | None:
        """Gives the list entry of the registry entity `best` names, if it has one."""
        if best.list_id != REGISTRY_LIST or best.entity_id is None:
            return None
        return self.vocabulary.entries_of.get(best.entity_id)


def _word_text(name: IndexedName) -> str:
    parts = [p for p in normalize_name(name.name, name.kind).parts
             if p.text not in vocabulary.PARTICLE_WORDS]
    return parts[0].text if parts else ""


def _explained(match: Match, side: str) -> bool:
    """Tells whether every part of one side ("name1": the span) is matched on the other."""
    unexplained = match.explanation.get(f"unmatched_{side}", [])
    return all(item.get("weight", 0.0) <= MAX_UNEXPLAINED_WEIGHT for item in unexplained)


def _acceptable(match: Match, generic: bool) -> bool:
    """Tells whether a scored match may stand as a mention of its name.

    The span's every word must be explained by the name. A list entry that is not a person
    must also be explained by the span, numbers included: organisation names that only share
    their first words ("Middle East" / "MIDDLE EAST BANK") are different bodies, whereas a
    person's listed name often carries more parts than a text writes.
    """
    if not _explained(match, "name1"):
        return False
    if match.name.list_id == REGISTRY_LIST:
        return True
    explanation = match.explanation
    if canonical_kind(match.name.kind) != PERSON and not _explained(match, "name2"):
        return False
    if any(p.get("penalty") == "number_mismatch" for p in explanation.get("penalties", [])):
        return False
    if generic:
        return bool(explanation["name1"]["parts"] == explanation["name2"]["parts"])
    return True


def _preference(match: Match) -> tuple[float, bool, bool]:
    # Equal scores: a list entry linked to an entity says the most, then any entity.
    return (round(match.score, 4), match.name.entity_id is not None,
            match.name.list_id != REGISTRY_LIST)


def _to_mention(candidate: _Candidate, text: str) -> Mention:
    best, linked = candidate.best, candidate.linked
    span = candidate.span
    if best.list_id == REGISTRY_LIST:
        listed = linked
        entity_id = best.entity_id
    else:
        listed = best
        entity_id = best.entity_id
    return Mention(
        start=span.start,
        end=span.end,
        text=text[span.start:span.end],
        score=round(candidate.score, 4),
        entity_id=entity_id,
        list_id=listed.list_id if listed else None,
        list_key=listed.list_key if listed else None,
        matched_name=best.name,
        kind=best.kind,
    )


def _resolve_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    """Gives the candidates kept when overlapping ones give way to the longest, then the
    best-scoring."""
    kept: list[_Candidate] = []
    # One flag per character taken: checking a span costs its length, not the kept count.
    taken = bytearray(max((c.span.end for c in candidates), default=0))
    ordered = sorted(candidates, key=lambda c: (-c.span.words, -(c.span.end - c.span.start),
                                                -c.score, c.span.start))
    for candidate in ordered:
        start, end = candidate.span.start, candidate.span.end
        if not any(taken[start:end]):
            kept.append(candidate)
            taken[start:end] = b"\x01" * (end - start)
    return sorted(kept, key=lambda c: c.span.start)


# --- tokens, runs and spans ----------------------------------------------------------------


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        word = match.group()
        possessive = bool(_POSSESSIVE.search(word)) and len(word) > 2
        if possessive:
            end -= 2
            word = word[:-2]
        tokens.append(_Token(start, end, word, possessive))
    return tokens


def _lowercase_words(text: str) -> set[str]:
    """Gives the words the text writes in lowercase: such a word is not a name here."""
    return {m.group() for m in _TOKEN.finditer(text) if m.group().islower()}


def _is_name_word(token: _Token) -> bool:
    if _ACRONYM.fullmatch(token.text):
        # "IS" or "US" in capitals is an acronym, not the verb or the pronoun.
        return True
    return token.text[0].isupper() and token.text.lower() not in _BREAK_WORDS


def _is_particle(token: _Token) -> bool:
    return token.text.islower() and token.text in NAME_PARTICLES


def _runs(tokens: list[_Token], text: str) -> Iterable[list[_Token]]:
    """Gives the runs of name words (with particles) that are joined by spaces or hyphens."""
    run: list[_Token] = []
    for token in tokens:
        usable = _is_name_word(token) or _is_particle(token)
        joined = bool(run) and not run[-1].possessive and _JOINER.fullmatch(
            text, run[-1].end, token.start) is not None
        if usable and (joined or not run):
            run.append(token)
            continue
        if run:
            yield run
        run = [token] if usable else []
    if run:
        yield run


def _spans(run: list[_Token]) -> Iterable[_Span]:
    """Gives the sub-spans of a run that start and end on words that can bound a name."""
    flags = [_is_name_word(t) for t in run]
    count = len(run)
    content_total = sum(flags)
    # Connecting words split a run into phrases: "Assad" in "Assad in Syria" stands alone.
    phrase_of, phrase = [], 0
    for token in run:
        if token.text in _CONNECTORS:
            phrase += 1
        phrase_of.append(phrase)
    phrase_words = [sum(f for f, p in zip(flags, phrase_of, strict=True) if p == q)
                    for q in phrase_of]
    for first in range(count):
        if not flags[first] and run[first].text not in _LEADING_PARTICLES:
            continue
        words = 0
        for last in range(first, min(count, first + MAX_SPAN_TOKENS)):
            words += flags[last]
            if words > MAX_SPAN_WORDS:
                break
            if not flags[last] or words == 0:
                continue
            alone = words == 1 and phrase_words[last] == 1
            yield _Span(run[first].start, run[last].end, tuple(run[first:last + 1]), words,
                        whole_run=alone or words == content_total)


# --- one scanner per index -----------------------------------------------------------------

_scanners_lock = threading.Lock()
_SCANNER_KEY = "mention_scanner"


def scanner_for(index: SearchableIndex) -> MentionScanner:
    """Gives the scanner of an index, building its look-ups on first use (it lives as long
    as the index does)."""
    with _scanners_lock:
        scanner = index.derived.get(_SCANNER_KEY)
        if scanner is None:
            scanner = MentionScanner(index)
            index.derived[_SCANNER_KEY] = scanner
        return scanner


def find_mentions(text: str, index: SearchableIndex) -> list[Mention]:
    """Gives the mentions of the index's names in `text`, in text order."""
    return scanner_for(index).scan(text)
