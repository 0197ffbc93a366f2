"""In-memory candidate retrieval over many list names, then exact scoring of the best few.

Retrieval never scans every name. Each distinct phonetic part of the indexed names is a
vocabulary entry with the list of names that contain it; a query part finds vocabulary
entries through dictionary look-ups only:

- its phonetic key (transliteration variants: "Qasem" → "kasim" ← "Ghasem");
- single-character deletions of that key on both sides (a SymSpell-style edit-distance-1
  neighbourhood: typos, one substituted, added or dropped letter);
- its consonant skeleton (``scripts.meeting_key``): where a name written without short
  vowels (Arabic script) meets its Latin spellings, either way, and a loose hint otherwise;
- its form without a glued article ("alkhazali" → "khazali"), and joins of adjacent query
  parts ("Patr ushev" → "patrushev").

Names are ranked by the summed weight of the query parts they share; only the best
``CANDIDATES_SCORED`` are scored with the full scorer. Very common parts (shared by more than
``COMMON_PART_POSTINGS`` names) are not enumerated when rarer parts exist, since they cannot
alone make a match.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Final, NamedTuple

# NumPy: a query's candidate names are gathered as whole posting arrays into one dense
# per-name array (C loops instead of one dictionary operation per name and part, the
# dominant cost of screening); results are identical to per-name dictionaries.
import numpy as np

from service.matching.normalize import (
    NamePart,
    NormalizedName,
    canonical_kind,
    normalize_name,
    part_keys,
    phonetic_key,
)
from service.matching.scorer import (
    DEFAULT_THRESHOLD,
    Workings,
    explanation_of,
    score_with_workings,
)
from service.matching.scripts import MIN_LOAN_KEY, alternate_meeting_key, loan_key

# How many retrieved names get the full score.
CANDIDATES_SCORED: Final = 8
ABJAD_CANDIDATES_SCORED: Final = 40
# Parts in more names than this are only enumerated when the query has nothing rarer.
COMMON_PART_POSTINGS: Final = 300
# Query parts whose look-ups are remembered (then forgotten all at once).
LOOKUP_CACHE_SIZE: Final = 50_000
# Parts shorter than this get no deletion neighbourhood (too many collisions).
MIN_DELETION_LENGTH: Final = 4
# A retrieved name must share at least this fraction of the query's part weight.
MIN_SHARED_WEIGHT: Final = 0.5
# Retrieval credit for a part found through a looser key than its exact phonetic form.
_EXACT, _NEAR, _LOOSE = 1.0, 0.8, 0.5


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One name of one list entry, as the index stores it."""

    list_id: str
    list_key: str
    name: str
    primary_name: str
    kind: str | None
    programs: tuple[str, ...]
    entity_id: str | None = None
    weak: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the best-scoring name of a list entry for the query."""

    score: float
    match: bool
    name: IndexedName
    explanation: dict[str, Any] = field(default_factory=dict)


def _deletions(key: str) -> set[str]:
    """Gives every string one character shorter than `key` (its deletion neighbourhood)."""
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def _neighbourhood_of(phonetic: str, text: str) -> set[str]:
    """Gives the deletion neighbourhood of a phonetic key and of a spelling."""
    keys = _deletions(phonetic) if len(phonetic) >= MIN_DELETION_LENGTH else set()
    if len(text) >= MIN_DELETION_LENGTH and text != phonetic:
        keys |= _deletions(text)
    return keys


def _neighbourhood(part: NamePart, key_deletions: set[str]) -> set[str]:
    """Gives the deletion neighbourhood of a part's phonetic key (`key_deletions`, made by the
    caller) and of its spelling: a typo can break the phonetic folding ("lakahl" /
    "lakhal"), or be hidden by it."""
    if len(part.text) >= MIN_DELETION_LENGTH and part.text != part.phonetic:
        return key_deletions | _deletions(part.text)
    return key_deletions


class NameIndex:
    """An in-memory, read-only index of list names for screening queries."""

    def __init__(self) -> None:
        self._names: list[IndexedName] = []
        self._normalized: list[NormalizedName] = []
        self._kinds: list[str | None] = []
        self._weights: array[float] = array("f")  # each name's total part weight
        self._postings: list[array[int]] = []
        self._by_phonetic: dict[str, int] = {}
        self._by_deletion: dict[str, list[int]] = {}
        self._by_skeleton: dict[str, list[int]] = {}
        # The same, for the parts written in a script without short vowels only.
        self._by_abjad_skeleton: dict[str, list[int]] = {}
        # Per consonant-class key of a syllabic script's romanisation (scripts.loan_key): the
        # entries of Latin script with that key.
        self._by_loan: dict[str, list[int]] = {}
        self._by_bare: dict[str, list[int]] = {}
        # Per deletion of a query key: the entry spelt so, then the entries one deletion
        # from it (by_phonetic and by_deletion in one look-up, made once after building).
        self._by_neighbour: dict[str, list[int]] = {}
        self._near_of: list[tuple[int, ...]] = []
        # While building only: per vocabulary entry, the deletions of its phonetic key.
        self._key_deletions: list[set[str]] = []
        self._lookup_cache: dict[NamePart, _Found] = {}
        self._joined_cache: dict[tuple[str, bool], _Found] = {}
        # NumPy views of the postings, kinds, lists and weights (made once, when first needed).
        self._arrays: _Arrays | None = None
        self._scratch = threading.local()
        # Structures other modules derive from this index (the documents' mention scanner),
        # built on first use and dropped with the index. Kept here rather than in a weak
        # mapping: the compiled class (setup.py) cannot be weakly referenced.
        self.derived: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self._names)

    def clear_lookup_cache(self) -> None:
        """Forgets the remembered query-part look-ups (for cold timings)."""
        self._lookup_cache.clear()
        self._joined_cache.clear()

    def entries(self) -> Iterator[tuple[IndexedName, NormalizedName]]:
        """Gives every indexed name with its normalised form, in index order.

        For scanners that build their own look-ups over the same names (the document
        mention finder's token pre-filter), without normalising every name again.
        """
        return zip(self._names, self._normalized, strict=True)

    @classmethod
    def build(cls, names: Iterable[IndexedName]) -> NameIndex:
        """Gives an index over the names (each normalised once, here)."""
        index = cls()
        for name in names:
            normalized = normalize_name(name.name, name.kind)
            if not normalized.parts:
                continue
            position = len(index._names)
            index._names.append(name)
            index._normalized.append(normalized)
            index._kinds.append(canonical_kind(name.kind))
            index._weights.append(
                sum({p.phonetic: p.weight for p in normalized.parts if not p.initial}.values())
            )
            seen: set[int] = set()
            for part in normalized.parts:
                if part.initial:
                    continue  # initials are too unselective to retrieve by
                vocab_id = index._vocabulary_id(part)
                if vocab_id not in seen:
                    seen.add(vocab_id)
                    index._postings[vocab_id].append(position)
        by_neighbour, by_deletion = index._by_neighbour, index._by_deletion
        by_neighbour.update(by_deletion)  # the same lists, shared (never changed again)
        for key, vocab_id in index._by_phonetic.items():
            by_neighbour[key] = [vocab_id, *by_deletion.get(key, ())]
        # Per entry: the entries one deletion away from its phonetic key, either way (what a
        # query part spelt with that key finds as near spellings).
        index._near_of = [
            tuple(chain(by_deletion.get(key, ()), *[
                by_neighbour.get(deletion, ()) for deletion in deletions]))
            for key, deletions in zip(index._by_phonetic, index._key_deletions, strict=True)
        ]
        index._key_deletions = []
        index._numpy_arrays()
        return index

    def _vocabulary_id(self, part: NamePart) -> int:
        """Gives the vocabulary id of a part's phonetic key, adding the key if new."""
        vocab_id = self._by_phonetic.get(part.phonetic)
        if vocab_id is not None:
            return vocab_id
        vocab_id = len(self._postings)
        self._by_phonetic[part.phonetic] = vocab_id
        self._postings.append(array("i"))
        key_deletions = _deletions(part.phonetic) \
            if len(part.phonetic) >= MIN_DELETION_LENGTH else set()
        self._key_deletions.append(key_deletions)
        for deletion in _neighbourhood(part, key_deletions):
            self._by_deletion.setdefault(deletion, []).append(vocab_id)
        self._by_skeleton.setdefault(part.skeleton, []).append(vocab_id)
        if part.source is None and not part.abjad:
            sounded_key = loan_key(part.text)
            if len(sounded_key) >= MIN_LOAN_KEY:
                self._by_loan.setdefault(sounded_key, []).append(vocab_id)
        if part.abjad:
            self._by_abjad_skeleton.setdefault(part.skeleton, []).append(vocab_id)
            alternate = alternate_meeting_key(part.text)
            if alternate is not None:
                self._by_skeleton.setdefault(alternate, []).append(vocab_id)
                self._by_abjad_skeleton.setdefault(alternate, []).append(vocab_id)
        if part.bare:
            bare_key = normalize_part_key(part.bare)
            self._by_bare.setdefault(bare_key, []).append(vocab_id)
        return vocab_id

    def _lookup(self, part: NamePart) -> _Found:
        """Gives the names a query part may stand for, with retrieval credit."""
        cached = self._lookup_cache.get(part)
        if cached is not None:
            return cached
        found = self._lookup_uncached(part)
        if len(self._lookup_cache) >= LOOKUP_CACHE_SIZE:
            self._lookup_cache.clear()  # simple bound: screening queries repeat given names
        self._lookup_cache[part] = found
        return found

    def _lookup_joined(self, text: str, abjad: bool) -> _Found:
        """Gives the names two adjacent query parts written as one word may stand for."""
        key = (text, abjad)
        cached = self._joined_cache.get(key)
        if cached is not None:
            return cached
        phonetic, skeleton, bare = part_keys(text, abjad)
        found = self._lookup_keys(text, phonetic, skeleton, bare, abjad)
        if len(self._joined_cache) >= LOOKUP_CACHE_SIZE:
            self._joined_cache.clear()
        self._joined_cache[key] = found
        return found

    def _lookup_uncached(self, part: NamePart) -> _Found:
        """Gives the names a query part may stand for, by increasing retrieval credit."""
        return self._lookup_keys(part.text, part.phonetic, part.skeleton, part.bare, part.abjad,
                                 part.source is not None)

    def _lookup_keys(
        self, text: str, phonetic: str, skeleton: str, bare: str | None, abjad: bool,
        sounded: bool = False,
    ) -> _Found:
        """Gives the names a part with these keys may stand for, by increasing credit
        (`sounded`: the part was written in a syllabic script)."""
        by_phonetic, by_deletion = self._by_phonetic, self._by_deletion
        exact = by_phonetic.get(phonetic)
        exact_ids = list(self._by_bare.get(phonetic, ()))
        if exact is not None:
            exact_ids.append(exact)
        if bare:
            bare_id = by_phonetic.get(normalize_part_key(bare))
            if bare_id is not None:
                exact_ids.append(bare_id)
        arrays = self._numpy_arrays()
        near_names: list[np.ndarray] = []  # names found through near spellings
        if exact is not None:
            # The phonetic key's own neighbourhood, gathered when the index was built.
            if len(arrays.near[exact]):
                near_names.append(arrays.near[exact])
            near_ids = list(by_deletion.get(text, ()))
        else:
            near_ids = list(by_deletion.get(phonetic, ()))
            near_ids += by_deletion.get(text, ())
            # Spelling-level typos matter when the phonetic key finds nothing as it is.
            # Most deletions find nothing: the set intersection tests them all in one C loop.
            by_neighbour = self._by_neighbour
            for deletion in _neighbourhood_of(phonetic, text) & by_neighbour.keys():
                near_ids += by_neighbour[deletion]
        # The consonant key is where a name written without short vowels (Arabic script)
        # meets its Latin spellings (scripts.py): across scripts it is as good as an exact
        # spelling, whichever side the query is on. Within Latin script it is a loose hint
        # ("Ahmad" and "Hamid" share "hmd").
        levels: list[tuple[float, np.ndarray]] = []
        skeleton_names = arrays.by_skeleton.get(skeleton)
        if abjad:
            exact_ids += self._by_skeleton.get(skeleton, ())
            alternate = alternate_meeting_key(text)
            if alternate is not None:
                exact_ids += self._by_skeleton.get(alternate, ())
        else:
            exact_ids += self._by_abjad_skeleton.get(skeleton, ())
            if skeleton_names is not None:
                levels.append((_LOOSE, skeleton_names))
        if sounded:
            # A name sounded out syllable by syllable meets its Latin spellings on consonant
            # classes (scripts.loan_key): a near spelling.
            sounded_key = loan_key(text)
            if len(sounded_key) >= MIN_LOAN_KEY:
                near_ids += self._by_loan.get(sounded_key, ())
        # Lower credits first: a name found at several credits keeps the best (assigned last).
        if near_ids:
            near_names.append(arrays.gather(list(dict.fromkeys(near_ids))))
        if near_names:
            levels.append((_NEAR, near_names[0] if len(near_names) == 1 else
                           np.concatenate(near_names)))
        exact_size = 0
        if exact_ids:
            distinct = list(dict.fromkeys(exact_ids))
            exact_size = sum(arrays.sizes[v] for v in distinct)
            levels.append((_EXACT, arrays.gather(distinct)))
        return _Found(exact_size, tuple(levels))

    def _query_parts(self, query: NormalizedName) -> list[tuple[float, _Found]]:
        """Gives, per query part (and per join of adjacent parts), its weight and look-ups."""
        looked_up = []
        parts = query.parts
        seen: set[str] = set()
        for part in parts:
            # A repeated part ("Hamid Hamad Hamid") is looked up and credited once.
            if not part.initial and part.phonetic not in seen:
                seen.add(part.phonetic)
                looked_up.append((part.weight, self._lookup(part)))
        for first, second in zip(parts, parts[1:], strict=False):
            if first.initial or second.initial or first.numeric or second.numeric:
                continue
            joined = self._lookup_joined(first.text + second.text, first.abjad)
            if joined.levels:
                looked_up.append((max(first.weight, second.weight), joined))
        return looked_up

    def _candidates(
        self, query: NormalizedName, floor: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gives the positions (ascending) of the retrieved names whose shared query-part
        weight reaches `floor`, and that weight; names that cannot reach `floor` may be
        left out or counted short."""
        # A part is common when its own spellings are: a rare part with a wide neighbourhood
        # of near spellings must still find names on its own.
        sized = sorted(self._query_parts(query), key=lambda item: item[1].exact_size)
        # The most weight a name first found by the part at hand can still gather.
        reachable = sum(weight for weight, _ in sized)
        shared, part_credit = self._scratch_arrays()
        touched: list[np.ndarray] = []  # every position written to, to clean up after
        try:
            for weight, found in sized:
                newcomers_can_pass = reachable >= floor
                reachable -= weight
                if found.exact_size > COMMON_PART_POSTINGS and touched:
                    # A common part cannot find a name alone: it only adds its weight to the
                    # names rarer parts found, through its exact spellings (once per spelling).
                    members = found.levels[-1][1]
                    members = members[shared[members] > 0.0]
                    np.add.at(shared, members, weight)
                    continue
                if not found.levels:
                    continue
                # Each query part counts once per name, at its best credit there: lower
                # credits first, so higher ones overwrite them.
                for credit, members in found.levels:
                    part_credit[members] = weight * credit
                if len(found.levels) == 1:
                    members = found.levels[0][1]
                else:
                    members = np.concatenate([members for _, members in found.levels])
                found_members = members
                if touched and not newcomers_can_pass:
                    # Names this part alone would add fall short of the floor: only names
                    # already found gain its weight.
                    members = members[shared[members] > 0.0]
                else:
                    touched.append(members)
                # A name listed twice in `members` still gains once: the sum is read before
                # the write-back, and every copy writes the same value.
                shared[members] += part_credit[members]
                part_credit[found_members] = 0.0
            if not touched:
                return _NO_POSITIONS, _NO_WEIGHTS
            found_positions = touched[0] if len(touched) == 1 else np.concatenate(touched)
            positions = np.unique(found_positions[shared[found_positions] >= floor])
            return positions, shared[positions]
        finally:
            for members in touched:
                shared[members] = 0.0

    def _scratch_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Gives two all-zero arrays of one value per name, for the calling thread only (they
        must be all zeros again when the caller is done)."""
        arrays = getattr(self._scratch, "arrays", None)
        if arrays is None or len(arrays[0]) != len(self._names):
            arrays = (np.zeros(len(self._names)), np.zeros(len(self._names)))
            self._scratch.arrays = arrays
        return arrays

    def _numpy_arrays(self) -> _Arrays:
        """Gives the NumPy views of the index (built once, on first use)."""
        arrays = self._arrays
        if arrays is None or arrays.postings != len(self._postings):
            arrays = self._arrays = _Arrays(self)
        return arrays

    def search(
        self,
        query: str,
        *,
        kind: str | None = None,
        lists: set[str] | None = None,
        limit: int = 5,
        threshold: float | None = None,
        min_score: float = 0.5,
    ) -> list[Match]:
        """Gives the best-scoring list entries for a name, best first, one per entry."""
        decision_threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        query_kind = canonical_kind(kind)
        normalized_query = normalize_name(query, query_kind)
        if not normalized_query.parts:
            return []
        total_weight = sum(
            {p.phonetic: p.weight for p in normalized_query.parts if not p.initial}.values()
        ) or 1.0
        floor = MIN_SHARED_WEIGHT * total_weight
        above_floor, shared = self._candidates(normalized_query, floor)
        arrays = self._numpy_arrays()
        if query_kind:
            kind_code = arrays.kind_codes.get(query_kind)
            name_kinds = arrays.kinds[above_floor]
            keep = name_kinds == 0
            if kind_code is not None:
                keep |= name_kinds == kind_code
            above_floor, shared = above_floor[keep], shared[keep]
        if lists is not None:
            list_codes = [arrays.list_codes[lid] for lid in lists if lid in arrays.list_codes]
            keep = np.isin(arrays.lists[above_floor], list_codes)
            above_floor, shared = above_floor[keep], shared[keep]
        # Shared weight relative to the heavier of the two names: among names sharing the
        # same parts, the ones with fewer other parts come first. Ties go to the earlier name,
        # and the overlap is rounded first, so that near-equal sums rank as equal: every
        # process (server workers, batch workers) must give the same answer for a name.
        overlap = (shared / np.maximum(
            total_weight, arrays.weights[above_floor])).round(9)
        # A query without short vowels meets Latin names on consonant keys alone, which
        # many names share: more of them are scored.
        scored = ABJAD_CANDIDATES_SCORED if normalized_query.parts[0].abjad \
            else CANDIDATES_SCORED
        if len(above_floor) > scored:
            # Only names at or above the scored-th best overlap can be ranked.
            ordered = overlap.copy()
            ordered.partition(len(overlap) - scored)
            cut = ordered[-scored]
            keep = overlap >= cut
            above_floor, overlap = above_floor[keep], overlap[keep]
        order = np.lexsort((above_floor, -overlap))[:scored]
        ranked = above_floor[order].tolist()
        best: dict[tuple[str, str], tuple[float, int, Workings | None]] = {}
        for position in ranked:
            score, workings = score_with_workings(normalized_query, self._normalized[position],
                                                  strict=self._names[position].weak)
            if score < min_score:
                continue
            entry = self._names[position]
            key = (entry.list_id, entry.list_key)
            if key not in best or score > best[key][0]:
                best[key] = (score, position, workings)
        results = sorted(best.values(), key=lambda item: (
            -item[0], self._names[item[1]].list_id, self._names[item[1]].list_key))[:limit]
        matches = []
        for score, position, workings in results:
            # Explanations only for the matches returned, from the workings of their scores.
            explanation = explanation_of(workings)
            explanation["threshold"] = decision_threshold
            matches.append(Match(score, score >= decision_threshold, self._names[position],
                                 explanation))
        return matches


_NO_POSITIONS: Final = np.zeros(0, dtype=np.intp)
_NO_WEIGHTS: Final = np.zeros(0)


class _Found(NamedTuple):
    """A query part's look-up: how many names its exact spellings have, and the names it
    finds as (credit, positions) by increasing credit (exact spellings last)."""

    exact_size: int
    levels: tuple[tuple[float, np.ndarray], ...]


class _Arrays:
    """NumPy views of an index: postings (one flat array, offsets per vocabulary id), per-name
    kind and list codes, weights."""

    __slots__ = ("by_skeleton", "kind_codes", "kinds", "list_codes", "lists", "near",
                 "postings", "sizes", "views", "weights")

    def __init__(self, index: NameIndex) -> None:
        self.sizes = [len(p) for p in index._postings]
        # Positions as NumPy's index type: other index arrays are converted on every use.
        flat = np.fromiter(chain.from_iterable(index._postings), dtype=np.intp,
                           count=sum(self.sizes))
        ends = np.cumsum(np.array(self.sizes, dtype=np.int64)).tolist()
        self.views = [flat[end - size:end] for end, size in zip(ends, self.sizes, strict=True)]
        # The names of the entries near each entry's phonetic key, gathered once.
        self.near = [self.gather(list(dict.fromkeys(ids))) if ids else _NO_POSITIONS
                     for ids in index._near_of]
        # The names of all entries with one consonant skeleton, gathered once.
        self.by_skeleton = {skeleton: self.gather(ids)
                            for skeleton, ids in index._by_skeleton.items()}
        self.postings = len(index._postings)
        self.weights = np.array(index._weights, dtype=np.float64)
        # Kind 0 is "unknown" (matches every query kind).
        self.kind_codes: dict[str, int] = {}
        kinds = np.zeros(len(index._kinds), dtype=np.int8)
        for position, kind in enumerate(index._kinds):
            if kind is not None:
                kinds[position] = self.kind_codes.setdefault(kind, len(self.kind_codes) + 1)
        self.kinds = kinds
        self.list_codes: dict[str, int] = {}
        self.lists = np.array([self.list_codes.setdefault(name.list_id, len(self.list_codes))
                               for name in index._names], dtype=np.int32)


    def gather(self, vocab_ids: list[int]) -> np.ndarray:
        """Gives the positions of the names of these vocabulary ids, one after the other."""
        views = self.views
        if len(vocab_ids) == 1:
            return views[vocab_ids[0]]
        return np.concatenate([views[v] for v in vocab_ids])


def normalize_part_key(text: str) -> str:
    """Gives the phonetic key of a raw lower-case token (for joins and article-less forms)."""
    return phonetic_key(text)
