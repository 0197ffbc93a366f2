"""In-memory candidate retrieval over many list names, then exact scoring of the best few.

Retrieval never scans every name. Each distinct phonetic part of the indexed names is a
vocabulary entry with the list of names that contain it; a query part finds vocabulary
entries through dictionary look-ups only:

- its phonetic key (transliteration variants: "Qasem" → "kasim" ← "Ghasem");
- single-character deletions of that key on both sides (a SymSpell-style edit-distance-1
  neighbourhood: typos, one substituted, added or dropped letter);
- its consonant skeleton (names from scripts without short vowels, vowel changes);
- its form without a glued article ("alkhazali" → "khazali"), and joins of adjacent query
  parts ("Patr ushev" → "patrushev").

Names are ranked by the summed weight of the query parts they share; only the best
``CANDIDATES_SCORED`` are scored with the full scorer. Very common parts (shared by more than
``COMMON_PART_POSTINGS`` names) are not enumerated when rarer parts exist, since they cannot
alone make a match.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from service.matching.normalize import (
    NamePart,
    NormalizedName,
    canonical_kind,
    make_part,
    normalize_name,
    phonetic_key,
)
from service.matching.scorer import DEFAULT_THRESHOLD, score_normalized

# How many retrieved names get the full score.
CANDIDATES_SCORED = 8
# Parts in more names than this are only enumerated when the query has nothing rarer.
COMMON_PART_POSTINGS = 300
# Query parts whose look-ups are remembered (then forgotten all at once).
LOOKUP_CACHE_SIZE = 50_000
# Parts shorter than this get no deletion neighbourhood (too many collisions).
MIN_DELETION_LENGTH = 4
# A retrieved name must share at least this fraction of the query's part weight.
MIN_SHARED_WEIGHT = 0.5
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


def _neighbourhood(part: NamePart, with_spelling: bool = True) -> set[str]:
    """Gives the deletion neighbourhood of a part's phonetic key and of its spelling: a typo
    can break the phonetic folding ("lakahl" / "lakhal"), or be hidden by it."""
    keys: set[str] = set()
    for key in (part.phonetic, part.text) if with_spelling else (part.phonetic,):
        if len(key) >= MIN_DELETION_LENGTH:
            keys |= _deletions(key)
    return keys


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
        self._by_bare: dict[str, list[int]] = {}
        self._posting_sets: dict[int, frozenset[int]] = {}
        self._lookup_cache: dict[NamePart, dict[int, float]] = {}
        self._sizes: list[int] | None = None

    def __len__(self) -> int:
        return len(self._names)

    def clear_lookup_cache(self) -> None:
        """Forgets the remembered query-part look-ups (for cold timings)."""
        self._lookup_cache.clear()

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
        return index

    def _vocabulary_id(self, part: NamePart) -> int:
        """Gives the vocabulary id of a part's phonetic key, adding the key if new."""
        vocab_id = self._by_phonetic.get(part.phonetic)
        if vocab_id is not None:
            return vocab_id
        vocab_id = len(self._postings)
        self._by_phonetic[part.phonetic] = vocab_id
        self._postings.append(array("i"))
        for deletion in _neighbourhood(part):
            self._by_deletion.setdefault(deletion, []).append(vocab_id)
        self._by_skeleton.setdefault(part.skeleton, []).append(vocab_id)
        if part.bare:
            bare_key = normalize_part_key(part.bare)
            self._by_bare.setdefault(bare_key, []).append(vocab_id)
        return vocab_id

    def _lookup(self, part: NamePart) -> dict[int, float]:
        """Gives the vocabulary ids a query part may stand for, with retrieval credit."""
        cached = self._lookup_cache.get(part)
        if cached is not None:
            return cached
        found = self._lookup_uncached(part)
        if len(self._lookup_cache) >= LOOKUP_CACHE_SIZE:
            self._lookup_cache.clear()  # simple bound: screening queries repeat given names
        self._lookup_cache[part] = found
        return found

    def _lookup_uncached(self, part: NamePart) -> dict[int, float]:
        by_phonetic, by_deletion = self._by_phonetic, self._by_deletion
        exact = by_phonetic.get(part.phonetic)
        exact_ids = list(self._by_bare.get(part.phonetic, ()))
        if exact is not None:
            exact_ids.append(exact)
        if part.bare:
            bare = by_phonetic.get(normalize_part_key(part.bare))
            if bare is not None:
                exact_ids.append(bare)
        near_ids = list(by_deletion.get(part.phonetic, ()))
        near_ids += by_deletion.get(part.text, ())
        # Spelling-level typos matter when the phonetic key finds nothing as it is.
        for deletion in _neighbourhood(part, with_spelling=exact is None):
            near = by_phonetic.get(deletion)
            if near is not None:
                near_ids.append(near)
            near_ids += by_deletion.get(deletion, ())
        # Consonants alone are how abjad-script names are found; for other names they are
        # a loose hint ("Ahmad" and "Hamid" share "hmd").
        skeleton_ids = self._by_skeleton.get(part.skeleton, ())
        # Lower credits first, so that each entry keeps the best credit it is found with.
        found = {} if part.abjad else dict.fromkeys(skeleton_ids, _LOOSE)
        found.update(dict.fromkeys(near_ids, _NEAR))
        if part.abjad:
            found.update(dict.fromkeys(skeleton_ids, _NEAR))
        found.update(dict.fromkeys(exact_ids, _EXACT))
        return found

    def _query_parts(self, query: NormalizedName) -> list[tuple[float, dict[int, float]]]:
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
            joined = self._lookup(make_part(first.text + second.text, first.abjad))
            if joined:
                looked_up.append((max(first.weight, second.weight), joined))
        return looked_up

    def _candidates(self, query: NormalizedName, floor: float = 0.0) -> dict[int, float]:
        """Gives retrieved name positions with their shared query-part weight; names that
        cannot reach `floor` may be left out or counted short."""
        postings = self._postings
        posting_size = self._posting_sizes().__getitem__
        # A part is common when its own spellings are: a rare part with a wide neighbourhood
        # of near spellings must still find names on its own.
        sized = [
            (sum(posting_size(v) for v, credit in vocab_credits.items() if credit == _EXACT),
             weight, vocab_credits)
            for weight, vocab_credits in self._query_parts(query)
        ]
        sized.sort(key=lambda item: item[0])
        # The most weight a name first found by the part at hand can still gather.
        reachable = sum(weight for _, weight, _ in sized)
        shared: dict[int, float] = {}
        for size, weight, vocab_credits in sized:
            newcomers_can_pass = reachable >= floor
            reachable -= weight
            if size > COMMON_PART_POSTINGS and shared:
                # A common part cannot find a name alone: it only adds its weight to the
                # names rarer parts found, through its exact spellings.
                for vocab_id, credit in vocab_credits.items():
                    if credit < _EXACT:
                        continue
                    members = self._posting_set(vocab_id)
                    for position in members.intersection(shared):
                        shared[position] += weight
                continue
            # Each query part counts once per name, at its best credit there: lower credits
            # first, so higher ones overwrite them.
            part_credit: dict[int, float] = {}
            for vocab_id, credit in sorted(vocab_credits.items(), key=lambda item: item[1]):
                part_credit.update(dict.fromkeys(postings[vocab_id], weight * credit))
            if not shared:
                shared = part_credit
            elif newcomers_can_pass:
                for position, gained in part_credit.items():
                    shared[position] = shared.get(position, 0.0) + gained
            else:
                # Names this part alone would add fall short of the floor: only names
                # already found gain its weight.
                for position in part_credit.keys() & shared.keys():
                    shared[position] += part_credit[position]
        return shared

    def _posting_sizes(self) -> list[int]:
        """Gives the number of names of each vocabulary entry (counted once, when needed)."""
        if self._sizes is None or len(self._sizes) != len(self._postings):
            self._sizes = [len(names) for names in self._postings]
        return self._sizes

    def _posting_set(self, vocab_id: int) -> frozenset[int]:
        """Gives the names of a (common) vocabulary entry as a set, built once when needed."""
        members = self._posting_sets.get(vocab_id)
        if members is None:
            members = frozenset(self._postings[vocab_id])
            self._posting_sets[vocab_id] = members
        return members

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
        shared = self._candidates(normalized_query, floor)

        kinds, names = self._kinds, self._names

        def eligible(position: int) -> bool:
            name_kind = kinds[position]
            if query_kind and name_kind and name_kind != query_kind:
                return False
            return lists is None or names[position].list_id in lists

        name_weights = self._weights

        def overlap(position: int) -> float:
            # Shared weight relative to the heavier of the two names: among names sharing the
            # same parts, the ones with fewer other parts come first.
            return shared[position] / max(total_weight, name_weights[position])

        above_floor = [position for position, weight in shared.items() if weight >= floor]
        if query_kind or lists is not None:
            above_floor = list(filter(eligible, above_floor))
        # Ties go to the earlier name, and the overlap is rounded first: its sum depends on the
        # order sets were walked in, which varies with the hash seed, and every process (server
        # workers, batch workers) must give the same answer for the same name.
        ranked = heapq.nlargest(CANDIDATES_SCORED, above_floor,
                                key=lambda position: (round(overlap(position), 9), -position))
        best: dict[tuple[str, str], tuple[float, int]] = {}
        for position in ranked:
            score, _ = score_normalized(normalized_query, self._normalized[position],
                                        strict=self._names[position].weak)
            if score < min_score:
                continue
            entry = self._names[position]
            key = (entry.list_id, entry.list_key)
            if key not in best or score > best[key][0]:
                best[key] = (score, position)
        results = sorted(best.values(), key=lambda item: (
            -item[0], self._names[item[1]].list_id, self._names[item[1]].list_key))[:limit]
        matches = []
        for score, position in results:
            _, explanation = score_normalized(
                normalized_query, self._normalized[position], explain=True,
                strict=self._names[position].weak,
            )
            assert explanation is not None
            explanation["threshold"] = decision_threshold
            matches.append(Match(score, score >= decision_threshold, self._names[position],
                                 explanation))
        return matches


def normalize_part_key(text: str) -> str:
    """Gives the phonetic key of a raw lower-case token (for joins and article-less forms)."""
    return phonetic_key(text)
