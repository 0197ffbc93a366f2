"""Candidate retrieval over many list names in compact arrays, then exact scoring of the best few.

Retrieval never scans every name. Each distinct phonetic part of the indexed names is a
vocabulary entry with the list of names that contain it; a query part finds vocabulary
entries through key look-ups only:

- its phonetic key (transliteration variants: "Qasem" → "kasim" ← "Ghasem");
- single-character deletions of that key and of every indexed spelling of it, on both sides
  (a SymSpell-style edit-distance-1 neighbourhood: typos, one substituted, added or dropped
  letter, two swapped);
- its consonant skeleton (``scripts.meeting_key``): where a name written without short
  vowels (Arabic script) meets its Latin spellings, either way, and a loose hint otherwise;
- its form without a glued article ("alkhazali" → "khazali"), and joins of adjacent query
  parts ("Patr ushev" → "patrushev").

Names are ranked by the summed weight of the query parts they share; only the best
``CANDIDATES_SCORED`` (``LARGE_INDEX_CANDIDATES_SCORED`` in a large index) are scored with the
full scorer. Very common parts (shared by more than
``COMMON_PART_POSTINGS`` names) are not enumerated when rarer parts have found more than a
few names (``COMMON_FIND_LIMIT``), since they cannot alone make a match; they still add their
weight, near spellings included, to the names the rarer parts found. Where no part finds a
name alone (a misspelt common name beside another common name), the two parts with the
fewest names find the names they share.

Storage. An index is a handful of flat NumPy arrays and one small JSON header, never a Python
object per name, so that a million names fit in a few hundred bytes each and an index written
to a folder (`save`) can be memory-mapped by every process of a machine (`open`): the pages
are shared, and opening takes milliseconds. The arrays:

- per name: its entry, its text (UTF-8 in one blob, with offsets), kind, list, weight, weak flag;
- per entry: list, key, primary name, kind, programs, its names, and an opaque payload and tags
  the caller gives (screening stores the entry's details and its identifier forms there);
- per vocabulary entry: its postings (the names holding it) and its near entries (one deletion
  away, either way);
- one key table for every string look-up (phonetic keys, deletions, skeletons, article-less
  forms, entry keys, tags): a sorted array of 63-bit hashes of "tag + key" with offsets into one
  array of values. A hash collision can only add candidates, which the scorer then rules on.

A name's normalised form is not stored: it is made again when the name is scored, and the
last ones made are remembered (`NORMALIZED_CACHE_SIZE`).
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Final, NamedTuple

# NumPy: a query's candidate names are gathered as whole posting arrays into one dense
# per-name array (C loops instead of one dictionary operation per name and part, the
# dominant cost of screening), and the index itself is a set of arrays that can be mapped
# from a file and shared by processes.
import numpy as np

from service.matching.normalize import (
    NamePart,
    NormalizedName,
    canonical_kind,
    normalize_name,
    part_keys,
    phonetic_key,
)
from service.matching.phonetics import deletions
from service.matching.scorer import (
    DEFAULT_THRESHOLD,
    Workings,
    explanation_of,
    score_with_workings,
)
from service.matching.scripts import MIN_LOAN_KEY, alternate_meeting_key, loan_key

# How many retrieved names get the full score.
CANDIDATES_SCORED: Final = 8
# ... in indexes of at least LARGE_INDEX_NAMES names, where more names share a query's parts
# as closely as the one it stands for (a million names recombine the same given names, family
# names and company words).
LARGE_INDEX_CANDIDATES_SCORED: Final = 12
LARGE_INDEX_NAMES: Final = 500_000
ABJAD_CANDIDATES_SCORED: Final = 40
# Parts in more names than this are only enumerated when the query has nothing rarer.
COMMON_PART_POSTINGS: Final = 300
# A common part still finds names of its own while the names found so far and its own exact
# ones are at most this many: the rarest part of a query may be one the listed name lacks (a
# title, an article, a word a list leaves out), and the common part the one they share.
COMMON_FIND_LIMIT: Final = 2_000
# Where no part finds names alone, the two parts with the fewest names find the names they
# share, if they have at most this many between them.
PAIR_FIND_LIMIT: Final = 60_000
# Query parts whose look-ups are remembered (then forgotten all at once), and the most names
# (positions) they may hold together (8 bytes each).
LOOKUP_CACHE_SIZE: Final = 50_000
LOOKUP_CACHE_POSITIONS: Final = 16_000_000
# Normalised forms of indexed names remembered after scoring (then forgotten all at once):
# the names that keep coming up as candidates are few next to a million.
NORMALIZED_CACHE_SIZE: Final = 100_000
# A looser level (near spellings, consonant key) of a query part holding more names than this
# only credits names found otherwise: in a list of a million names, the near spellings of
# "Mohammed" are a tenth of it. Today's lists have no level this large.
LEVEL_LIMIT: Final = 2_000
# An exact level holding more names than this is made into positions each time it is used
# (a common part's spellings in a large index) rather than remembered with the look-up.
EXACT_KEPT_LIMIT: Final = 50_000
# How many more names than are scored each index ranks, so that the names scored can span
# as many entries as names (`_to_score`).
ENTRY_WIDENING: Final = 2
# A level's names are checked against the names found so far by reading the found names'
# own entries when the level holds more than this many times as many names.
FORWARD_READ_RATIO: Final = 3
# Keys looked up one by one rather than as one NumPy search.
FEW_KEYS: Final = 8
# An index built in memory with at most this many keys looks them up in a dictionary.
DICT_KEYS: Final = 50_000
# Parts shorter than this get no deletion neighbourhood (too many collisions).
MIN_DELETION_LENGTH: Final = 4
# A retrieved name must share at least this fraction of the query's part weight.
MIN_SHARED_WEIGHT: Final = 0.5
# Retrieval credit for a part found through a looser key than its exact phonetic form.
_EXACT, _NEAR, _LOOSE = 1.0, 0.8, 0.5
# The layout of the saved arrays; an index saved under another one is not read.
STORAGE_FORMAT: Final = 1
HEADER_FILE: Final = "header.json"

# Key-table namespaces: one table holds every string look-up, the hash of each key mixed
# (xor) with its namespace's constant, so that a key is hashed once for all namespaces.
_PHONETIC: Final = 0x1F3A_5C7E_9B2D_4F61
_DELETION: Final = 0x2E4B_6D8F_1A3C_5E70
_SKELETON: Final = 0x3D5C_7E9A_2B4D_6F81
_ABJAD_SKELETON: Final = 0x4C6D_8FAB_3C5E_7092
_LOAN: Final = 0x5B7E_9ABC_4D6F_81A3
_BARE: Final = 0x6A8F_ABCD_5E70_92B4
_ENTRY: Final = 0x7991_BCDE_6F81_A3C5
_TAG: Final = 0x08A2_CDEF_7092_B4D6
_SKELETON_NAMES: Final = 0x1793_DEF0_8103_C5E7


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One name of one list entry, as the index gives it back."""

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


EntryKey = tuple[str, str]  # (list id, entry key)
# What the caller stores with an entry (`NameIndex.build`): an opaque JSON payload and tags,
# strings the entry can be found by (`NameIndex.entries_tagged`).
EntryExtra = tuple[Any, Iterable[str]]


def _neighbourhood_of(phonetic: str, text: str) -> set[str]:
    """Gives the deletion neighbourhood of a phonetic key and of a spelling."""
    keys = deletions(phonetic) if len(phonetic) >= MIN_DELETION_LENGTH else set()
    if len(text) >= MIN_DELETION_LENGTH and text != phonetic:
        keys |= deletions(text)
    return keys


def _neighbourhood(text: str, phonetic: str, key_deletions: set[str]) -> set[str]:
    """Gives the deletion neighbourhood of a part's phonetic key (`key_deletions`, made by the
    caller) and of its spelling: a typo can break the phonetic folding ("lakahl" /
    "lakhal"), or be hidden by it."""
    if len(text) >= MIN_DELETION_LENGTH and text != phonetic:
        return key_deletions | deletions(text)
    return key_deletions


# What the index keeps of a name part: its phonetic key, spelling, consonant key, whether it
# was written without short vowels, its article-less form, and whether its romanisation was
# sounded out (a syllabic script's: it gets a loan key). Plain strings and flags, so that
# other processes can make them (`name_keys`) and send them back cheaply.
PartKeys = tuple[str, str, str, bool, str | None, bool]
# A name's weight (its parts' by distinct phonetic key, initials left out) and the keys of
# its parts other than initials.
NameKeys = tuple[float, tuple[PartKeys, ...]]


def name_keys(normalized: NormalizedName) -> NameKeys | None:
    """Gives what the index keeps of a normalised name, None when it has no parts."""
    if not normalized.parts:
        return None
    parts = tuple((part.phonetic, part.text, part.skeleton, part.abjad, part.bare,
                   part.source is None and not part.abjad)
                  for part in normalized.parts if not part.initial)
    return retrieval_weight(normalized), parts


def retrieval_weight(normalized: NormalizedName) -> float:
    """Gives the weight a name's parts can share with another's: each distinct phonetic key
    once, initials left out (too unselective to retrieve by)."""
    return sum({p.phonetic: p.weight for p in normalized.parts if not p.initial}.values())


def names_keys(names: Sequence[tuple[str, str | None]]) -> list[NameKeys | None]:
    """Gives the keys of several (name, kind) pairs: one batch of a parallel build."""
    return [name_keys(normalize_name(name, kind)) for name, kind in names]


def key_hash(key: str) -> int:
    """Gives the 63-bit hash of a key-table key: the same in every process and on every
    machine (Python's own string hash is salted per process).

    Two stdlib checksums side by side: a few times faster than a cryptographic digest, which
    counts when a misspelt part looks up its twenty-odd deletions. Expected collisions among a
    few million keys are well under one, and a collision only merges two keys' values
    (entry keys and tags are checked against what the entry holds).
    """
    data = key.encode()
    return (zlib.crc32(data) << 31) ^ zlib.adler32(data)


class _Strings:
    """Strings appended one after the other as UTF-8, with their offsets."""

    def __init__(self) -> None:
        self.blob = bytearray()
        self.offsets = array("q", [0])

    def add(self, text: str) -> None:
        self.blob += text.encode()
        self.offsets.append(len(self.blob))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {name: np.frombuffer(bytes(self.blob), dtype=np.uint8),
                name + "_offsets": np.frombuffer(self.offsets, dtype=np.int64).copy()}


class _Builder:
    """Gathers names into the index's arrays (`NameIndex.build`)."""

    def __init__(self) -> None:
        self.list_codes: dict[str, int] = {}
        self.kind_codes: dict[str, int] = {}  # canonical kinds; 0 is unknown
        self.raw_kinds: dict[str | None, int] = {}
        self.program_codes: dict[tuple[str, ...], int] = {}
        self.entity_of: dict[int, str] = {}
        # Per name.
        self.name_entry = array("i")
        self.name_text = _Strings()
        self.name_kind = array("b")
        self.name_list = array("h")
        self.name_weak = array("b")
        self.weights = array("f")
        # Per entry.
        self.entries: dict[EntryKey, int] = {}
        self.entry_list = array("h")
        self.entry_key = _Strings()
        self.entry_primary = _Strings()
        self.entry_kind = array("h")
        self.entry_programs = array("i")
        # Per vocabulary entry, and the string look-ups.
        self.postings: list[array[int]] = []
        self.by_phonetic: dict[str, int] = {}
        self.by_deletion: dict[str, list[int]] = {}
        self.by_skeleton: dict[str, list[int]] = {}
        # The same, for the parts written in a script without short vowels only.
        self.by_abjad_skeleton: dict[str, list[int]] = {}
        # Per consonant-class key of a syllabic script's romanisation (scripts.loan_key): the
        # entries of Latin script with that key.
        self.by_loan: dict[str, list[int]] = {}
        self.by_bare: dict[str, list[int]] = {}
        self.key_deletions: list[set[str]] = []
        # The entry of each spelling added (a spelling written in two scripts may have two:
        # the last), and per entry every deletion key it is found by (of its phonetic key
        # and of each of its spellings).
        self.spellings: dict[str, int] = {}
        self.deletions_of: list[set[str]] = []

    def add(self, name: IndexedName) -> None:
        self.add_keys(name, name_keys(normalize_name(name.name, name.kind)))

    def add_keys(self, name: IndexedName, keys: NameKeys | None) -> None:
        """Adds a name with its keys (`name_keys`, made here or in another process)."""
        if keys is None:
            return
        weight, parts = keys
        position = len(self.name_entry)
        entry = self._entry_of(name)
        if name.entity_id is not None:
            self.entity_of.setdefault(entry, name.entity_id)
        self.name_entry.append(entry)
        self.name_text.add(name.name)
        kind = canonical_kind(name.kind)
        self.name_kind.append(0 if kind is None else self.kind_codes.setdefault(
            kind, len(self.kind_codes) + 1))
        self.name_list.append(self.entry_list[entry])
        self.name_weak.append(1 if name.weak else 0)
        self.weights.append(weight)
        seen: set[int] = set()
        for part in parts:
            vocab_id = self._vocabulary_id(part)
            if vocab_id not in seen:
                seen.add(vocab_id)
                self.postings[vocab_id].append(position)

    def _entry_of(self, name: IndexedName) -> int:
        key = (name.list_id, name.list_key)
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = len(self.entry_list)
            self.entry_list.append(self.list_codes.setdefault(name.list_id,
                                                              len(self.list_codes)))
            self.entry_key.add(name.list_key)
            self.entry_primary.add(name.primary_name)
            self.entry_kind.append(self.raw_kinds.setdefault(name.kind, len(self.raw_kinds)))
            self.entry_programs.append(self.program_codes.setdefault(
                name.programs, len(self.program_codes)))
        return entry

    def _vocabulary_id(self, part: PartKeys) -> int:
        """Gives the vocabulary id of a part's phonetic key, adding the key if new."""
        phonetic, text, skeleton, abjad, bare, sounded = part
        vocab_id = self.by_phonetic.get(phonetic)
        if vocab_id is not None:
            # A spelling that is its own key has the key's deletions already.
            if text != phonetic and self.spellings.get(text) != vocab_id:
                self._add_spelling(vocab_id, phonetic, text)
            return vocab_id
        vocab_id = len(self.postings)
        self.by_phonetic[phonetic] = vocab_id
        self.postings.append(array("i"))
        key_deletions = deletions(phonetic) \
            if len(phonetic) >= MIN_DELETION_LENGTH else set()
        self.key_deletions.append(key_deletions)
        self.spellings[text] = vocab_id
        neighbourhood = _neighbourhood(text, phonetic, key_deletions)
        self.deletions_of.append(set(neighbourhood))
        for deletion in neighbourhood:
            self.by_deletion.setdefault(deletion, []).append(vocab_id)
        self.by_skeleton.setdefault(skeleton, []).append(vocab_id)
        if sounded:
            sounded_key = loan_key(text)
            if len(sounded_key) >= MIN_LOAN_KEY:
                self.by_loan.setdefault(sounded_key, []).append(vocab_id)
        if abjad:
            self.by_abjad_skeleton.setdefault(skeleton, []).append(vocab_id)
            alternate = alternate_meeting_key(text)
            if alternate is not None:
                self.by_skeleton.setdefault(alternate, []).append(vocab_id)
                self.by_abjad_skeleton.setdefault(alternate, []).append(vocab_id)
        if bare:
            bare_key = normalize_part_key(bare)
            self.by_bare.setdefault(bare_key, []).append(vocab_id)
        return vocab_id

    def _add_spelling(self, vocab_id: int, phonetic: str, text: str) -> None:
        """Adds the deletions of another spelling of a known phonetic key: a typo in one
        spelling ("Mustpaha" for "Mustapha") can break the phonetic folding that another
        spelling of the same key ("Mustafa") never had."""
        self.spellings[text] = vocab_id
        if len(text) < MIN_DELETION_LENGTH:
            return
        known = self.deletions_of[vocab_id]
        for deletion in deletions(text):
            if deletion not in known:
                known.add(deletion)
                self.by_deletion.setdefault(deletion, []).append(vocab_id)

    def finish(self, extras: Mapping[EntryKey, EntryExtra]) -> NameIndex:
        arrays: dict[str, np.ndarray] = {
            "name_entry": np.frombuffer(self.name_entry, dtype=np.int32).copy(),
            "name_kind": np.frombuffer(self.name_kind, dtype=np.int8).copy(),
            "name_list": np.frombuffer(self.name_list, dtype=np.int16).copy(),
            "name_weak": np.frombuffer(self.name_weak, dtype=np.int8).copy(),
            "weights": np.frombuffer(self.weights, dtype=np.float32).copy(),
            "entry_list": np.frombuffer(self.entry_list, dtype=np.int16).copy(),
            "entry_kind": np.frombuffer(self.entry_kind, dtype=np.int16).copy(),
            "entry_programs": np.frombuffer(self.entry_programs, dtype=np.int32).copy(),
        }
        arrays.update(self.name_text.arrays("name_text"))
        arrays.update(self.entry_key.arrays("entry_key"))
        arrays.update(self.entry_primary.arrays("entry_primary"))
        # Each entry's names, in index order.
        by_entry = np.argsort(arrays["name_entry"], kind="stable").astype(np.int32)
        arrays["entry_names"] = by_entry
        arrays["entry_names_offsets"] = np.concatenate([[0], np.cumsum(np.bincount(
            arrays["name_entry"], minlength=len(self.entry_list)))]).astype(np.int64)
        # Postings, one flat array with offsets per vocabulary entry.
        sizes = np.array([len(p) for p in self.postings], dtype=np.int64)
        arrays["postings"] = np.fromiter(chain.from_iterable(self.postings), dtype=np.int32,
                                         count=int(sizes.sum()))
        arrays["postings_offsets"] = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.postings = []
        # Per entry: the entries one deletion away from its phonetic key, either way (what a
        # query part spelt with that key finds as near spellings).
        by_deletion, by_phonetic = self.by_deletion, self.by_phonetic
        near_ids = array("i")
        near_offsets = array("q", [0])
        for key, its_deletions in zip(by_phonetic, self.key_deletions, strict=True):
            found: list[int] = list(by_deletion.get(key, ()))
            for deletion in its_deletions:
                spelt = by_phonetic.get(deletion)
                if spelt is not None:
                    found.append(spelt)
                found.extend(by_deletion.get(deletion, ()))
            near_ids.extend(dict.fromkeys(found))
            near_offsets.append(len(near_ids))
        self.key_deletions = []
        self.spellings = {}
        self.deletions_of = []
        arrays["near_vocab"] = np.frombuffer(near_ids, dtype=np.int32).copy()
        arrays["near_vocab_offsets"] = np.frombuffer(near_offsets, dtype=np.int64).copy()
        vocabulary_of = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        by_name = np.argsort(arrays["postings"], kind="stable")
        arrays["forward"] = vocabulary_of[by_name]
        arrays["forward_offsets"] = np.concatenate([[0], np.cumsum(np.bincount(
            arrays["postings"], minlength=len(self.name_entry)))]).astype(np.int64)
        # Gathered into names once, here: a query's look-up then takes one slice.
        arrays["near"], arrays["near_offsets"] = _expand(
            np.frombuffer(near_ids, dtype=np.int32), np.frombuffer(near_offsets, dtype=np.int64),
            arrays["postings"], arrays["postings_offsets"])
        # The names of all entries with one consonant skeleton, gathered once likewise.
        skeleton_ids = array("i")
        skeleton_offsets = array("q", [0])
        skeleton_numbers: dict[str, int] = {}
        for skeleton, ids in self.by_skeleton.items():
            skeleton_numbers[skeleton] = len(skeleton_numbers)
            skeleton_ids.extend(ids)
            skeleton_offsets.append(len(skeleton_ids))
        arrays["skeleton_names"], arrays["skeleton_names_offsets"] = _expand(
            np.frombuffer(skeleton_ids, dtype=np.int32),
            np.frombuffer(skeleton_offsets, dtype=np.int64),
            arrays["postings"], arrays["postings_offsets"])
        # Entries' payloads and tags.
        payloads = _Strings()
        tags: dict[str, list[int]] = {}
        entry_keys = list(self.entries)
        for entry, entry_key in enumerate(entry_keys):
            extra = extras.get(entry_key)
            payloads.add("" if extra is None else json.dumps(extra[0], separators=(",", ":")))
            if extra is not None:
                for tag in extra[1]:
                    tags.setdefault(tag, []).append(entry)
        arrays.update(payloads.arrays("entry_payload"))
        table = _KeyTableBuilder()
        table.add_single(_PHONETIC, by_phonetic)
        table.add(_DELETION, by_deletion)
        table.add(_SKELETON, self.by_skeleton)
        table.add_single(_SKELETON_NAMES, skeleton_numbers)
        table.add(_ABJAD_SKELETON, self.by_abjad_skeleton)
        table.add(_LOAN, self.by_loan)
        table.add(_BARE, self.by_bare)
        table.add_single(_ENTRY, {f"{list_id}\x1f{key}": entry
                                  for entry, (list_id, key) in enumerate(entry_keys)})
        table.add(_TAG, tags)
        arrays.update(table.arrays())
        header = {
            "format": STORAGE_FORMAT,
            "names": len(self.name_entry),
            "entries": len(self.entry_list),
            "vocabulary": len(sizes),
            "lists": list(self.list_codes),
            "kinds": list(self.kind_codes),
            "raw_kinds": list(self.raw_kinds),
            "programs": [list(p) for p in self.program_codes],
            "entity_of": {str(entry): entity for entry, entity in self.entity_of.items()},
        }
        return NameIndex(arrays, header)


class _KeyTableBuilder:
    """Gathers the string look-ups into one sorted hash table."""

    def __init__(self) -> None:
        self.hashes = array("q")
        self.sizes = array("q")
        self.values = array("i")

    def add(self, tag: int, mapping: Mapping[str, Sequence[int]]) -> None:
        for key, values in mapping.items():
            self.hashes.append(key_hash(key) ^ tag)
            self.sizes.append(len(values))
            self.values.extend(values)

    def add_single(self, tag: int, mapping: Mapping[str, int]) -> None:
        for key, value in mapping.items():
            self.hashes.append(key_hash(key) ^ tag)
            self.sizes.append(1)
            self.values.append(value)

    def arrays(self) -> dict[str, np.ndarray]:
        hashes = np.frombuffer(self.hashes, dtype=np.int64)
        sizes = np.frombuffer(self.sizes, dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        order = np.argsort(hashes, kind="stable")
        sorted_hashes, sorted_sizes = hashes[order], sizes[order]
        # The values of each key, in hash order: every value's source position.
        ends = np.cumsum(sorted_sizes)
        source = np.repeat(starts[order] - (ends - sorted_sizes), sorted_sizes) \
            + np.arange(int(ends[-1]) if len(ends) else 0)
        values = np.frombuffer(self.values, dtype=np.int32)[source]
        # Keys that share a hash (a collision) share one slot: their values side by side.
        unique, first = np.unique(sorted_hashes, return_index=True)
        offsets = np.concatenate([np.concatenate([[0], ends])[first], [int(values.size)]])
        return {"key_hashes": unique.astype(np.int64), "key_offsets": offsets.astype(np.int64),
                "key_values": values.astype(np.int32)}


class NameIndex:
    """A read-only index of list names for screening queries, in compact arrays (built in
    memory, or memory-mapped from a saved folder)."""

    def __init__(self, arrays: Mapping[str, np.ndarray], header: Mapping[str, Any]) -> None:
        self.header = dict(header)
        self._size: int = int(header["names"])
        self._list_ids: list[str] = list(header["lists"])
        self.list_codes: dict[str, int] = {lid: code for code, lid in enumerate(self._list_ids)}
        self.kind_codes: dict[str, int] = {kind: code + 1
                                           for code, kind in enumerate(header["kinds"])}
        self._raw_kinds: list[str | None] = list(header["raw_kinds"])
        self._programs: list[tuple[str, ...]] = [tuple(p) for p in header["programs"]]
        self._entity_of: dict[int, str] = {int(entry): entity
                                           for entry, entity in header["entity_of"].items()}
        self._name_entry = arrays["name_entry"]
        self._name_text = _bytes_view(arrays["name_text"])
        self._name_text_offsets = arrays["name_text_offsets"]
        self._kinds = arrays["name_kind"]
        self._lists = arrays["name_list"]
        self._weak = arrays["name_weak"]
        self._weights = arrays["weights"]
        self._entry_list = arrays["entry_list"]
        self._entry_key = _bytes_view(arrays["entry_key"])
        self._entry_key_offsets = arrays["entry_key_offsets"]
        self._entry_primary = _bytes_view(arrays["entry_primary"])
        self._entry_primary_offsets = arrays["entry_primary_offsets"]
        self._entry_kind = arrays["entry_kind"]
        self._entry_programs = arrays["entry_programs"]
        self._entry_names = arrays["entry_names"]
        self._entry_names_offsets = arrays["entry_names_offsets"]
        self._entry_payload = _bytes_view(arrays["entry_payload"])
        self._entry_payload_offsets = arrays["entry_payload_offsets"]
        self._postings = arrays["postings"]
        self._postings_offsets = _int_view(arrays["postings_offsets"])
        self._postings_offset_array = arrays["postings_offsets"]
        self._near = arrays["near"]
        self._near_offsets = _int_view(arrays["near_offsets"])
        self._near_vocab = arrays["near_vocab"]
        self._near_vocab_offsets = _int_view(arrays["near_vocab_offsets"])
        # Per name, its vocabulary entries (the postings read the other way).
        self._forward = arrays["forward"]
        self._forward_offsets = arrays["forward_offsets"]
        self._skeleton_names = arrays["skeleton_names"]
        self._skeleton_names_offsets = _int_view(arrays["skeleton_names_offsets"])
        self._key_hashes = arrays["key_hashes"]
        self._key_offsets = arrays["key_offsets"]
        self._key_values = arrays["key_values"]
        # Offsets read one at a time, as Python integers, without a NumPy scalar each time.
        self._key_offset_list = _int_view(self._key_offsets)
        self._key_hash_view = _int_view(self._key_hashes)
        self._key_count = len(self._key_hashes)
        # A small index built in this process (the registry's) looks keys up in a dictionary:
        # it costs memory per key, which only a small index can spare.
        self._key_dict: dict[int, list[int]] | None = None
        if self._key_count <= DICT_KEYS and not header.get("mapped"):
            key_values = self._key_values.tolist()
            key_offsets = self._key_offsets.tolist()
            self._key_dict = {key: key_values[key_offsets[slot]:key_offsets[slot + 1]]
                              for slot, key in enumerate(self._key_hashes.tolist())}
        self._arrays = dict(arrays)
        self._lookup_cache: dict[NamePart, _Found] = {}
        self._joined_cache: dict[tuple[str, bool], _Found] = {}
        self._cached_positions = 0
        self._normalized: dict[int, NormalizedName] = {}
        self._scratch = threading.local()
        # Structures other modules derive from this index (the documents' mention scanner),
        # built on first use and dropped with the index. Kept here rather than in a weak
        # mapping: the compiled class (setup.py) cannot be weakly referenced.
        self.derived: dict[str, Any] = {}

    def __len__(self) -> int:
        return self._size

    @classmethod
    def build(cls, names: Iterable[IndexedName],
              extras: Mapping[EntryKey, EntryExtra] | None = None,
              workers: int = 1) -> NameIndex:
        """Gives an index over the names (each normalised once, here or, with `workers` above
        one, in that many other processes), with each entry's payload and tags from
        `extras`."""
        builder = _Builder()
        if workers > 1:
            from service.matching.parallel import keyed_in_parallel

            for name, keys in keyed_in_parallel(names, workers):
                builder.add_keys(name, keys)
        else:
            for name in names:
                builder.add(name)
        return builder.finish(extras or {})

    # Saving and mapping.

    def save(self, folder: Path) -> None:
        """Writes the index into an empty folder: one `.npy` file per array and the header."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, values in self._arrays.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
        header = {key: value for key, value in self.header.items() if key != "mapped"}
        (folder / HEADER_FILE).write_text(json.dumps(header), encoding="utf-8")

    @classmethod
    def open(cls, folder: Path) -> NameIndex:
        """Gives the index saved in `folder`, its arrays memory-mapped read-only (shared with
        every other process that maps them). Raises ValueError for another storage format."""
        header = json.loads((folder / HEADER_FILE).read_text(encoding="utf-8"))
        header["mapped"] = True
        if header.get("format") != STORAGE_FORMAT:
            raise ValueError(f"index storage format {header.get('format')!r}, "
                             f"not {STORAGE_FORMAT}")
        arrays = {}
        for path in folder.glob("*.npy"):
            mapped = np.load(path, mmap_mode="r", allow_pickle=False)
            # A plain array over the same pages: slices of a memmap carry its subclass,
            # which costs on every look-up.
            arrays[path.stem] = mapped.view(np.ndarray)
        return cls(arrays, header)

    def nbytes(self) -> int:
        """Gives the size of the index's arrays (what a saved folder holds, bar the header)."""
        return sum(int(values.nbytes) for values in self._arrays.values())

    # Reading names and entries.

    def name_at(self, position: int, linked: Mapping[EntryKey, str] | None = None
                ) -> IndexedName:
        """Gives the indexed name at a position; its entity from `linked` when given, else
        from the names the index was built with."""
        entry = int(self._name_entry[position])
        list_id = self._list_ids[int(self._entry_list[entry])]
        key = _text(self._entry_key, self._entry_key_offsets, entry)
        entity = linked.get((list_id, key)) if linked is not None \
            else self._entity_of.get(entry)
        return IndexedName(
            list_id, key, _text(self._name_text, self._name_text_offsets, position),
            _text(self._entry_primary, self._entry_primary_offsets, entry),
            self._raw_kinds[int(self._entry_kind[entry])],
            self._programs[int(self._entry_programs[entry])], entity,
            bool(self._weak[position]))

    def normalized_at(self, position: int) -> NormalizedName:
        """Gives the normalised form of the name at a position (made again, remembered)."""
        normalized = self._normalized.get(position)
        if normalized is None:
            entry = int(self._name_entry[position])
            normalized = normalize_name(
                _text(self._name_text, self._name_text_offsets, position),
                self._raw_kinds[int(self._entry_kind[entry])])
            if len(self._normalized) >= NORMALIZED_CACHE_SIZE:
                self._normalized.clear()
            self._normalized[position] = normalized
        return normalized

    def entries(self, linked: Mapping[EntryKey, str] | None = None
                ) -> Iterator[tuple[IndexedName, NormalizedName]]:
        """Gives every indexed name with its normalised form, in index order.

        For scanners that build their own look-ups over the same names (the document
        mention finder's token pre-filter).
        """
        for position in range(self._size):
            name = self.name_at(position, linked)
            yield name, normalize_name(name.name, name.kind)

    def _entry_number(self, list_id: str, key: str) -> int | None:
        found = self._values(_ENTRY, f"{list_id}\x1f{key}")
        for entry in found.tolist():
            if self._list_ids[int(self._entry_list[entry])] == list_id and \
                    _text(self._entry_key, self._entry_key_offsets, entry) == key:
                return int(entry)
        return None

    def payload(self, list_id: str, key: str) -> Any:
        """Gives the payload stored with an entry, or None."""
        entry = self._entry_number(list_id, key)
        if entry is None:
            return None
        text = _text(self._entry_payload, self._entry_payload_offsets, entry)
        return json.loads(text) if text else None

    def entries_tagged(self, tag: str) -> list[EntryKey]:
        """Gives the entries stored with a tag, in index order."""
        return [(self._list_ids[int(self._entry_list[entry])],
                 _text(self._entry_key, self._entry_key_offsets, entry))
                for entry in sorted(self._values(_TAG, tag).tolist())]

    def names_of(self, list_id: str, key: str, linked: Mapping[EntryKey, str] | None = None
                 ) -> tuple[IndexedName, ...]:
        """Gives an entry's indexed names, in index order."""
        entry = self._entry_number(list_id, key)
        if entry is None:
            return ()
        start, end = self._entry_names_offsets[entry], self._entry_names_offsets[entry + 1]
        return tuple(self.name_at(int(position), linked)
                     for position in self._entry_names[start:end].tolist())

    # Look-ups.

    def _values(self, tag: int, key: str) -> np.ndarray:
        """Gives the values of one key-table key (empty when absent)."""
        return self._hashed_values(key_hash(key) ^ tag)

    def _hashed_values(self, wanted: int) -> np.ndarray:
        """Gives the values of the key-table slot with this hash (empty when absent)."""
        hashes = self._key_hashes
        slot = int(hashes.searchsorted(wanted))
        if slot < len(hashes) and int(hashes[slot]) == wanted:
            return self._key_values[self._key_offsets[slot]:self._key_offsets[slot + 1]]
        return _NO_IDS

    def _values_of(self, wanted: list[int]) -> list[list[int]]:
        """Gives the values of several key-table hashes (each an empty list when absent)."""
        table = self._key_dict
        if table is not None:
            return [table.get(key, []) for key in wanted]
        if len(wanted) <= FEW_KEYS:
            # A binary search per key over the hashes as Python integers: for a handful of
            # keys cheaper than NumPy's set-up.
            hashes, count = self._key_hash_view, self._key_count
            offsets, values = self._key_offset_list, self._key_values
            found: list[list[int]] = []
            for key in wanted:
                slot = bisect_left(hashes, key)
                found.append(values[offsets[slot]:offsets[slot + 1]].tolist()
                             if slot < count and hashes[slot] == key else [])
            return found
        hashes_array = self._key_hashes
        if not len(hashes_array):
            return [[] for _ in wanted]
        asked = np.array(wanted, dtype=np.int64)
        slots = hashes_array.searchsorted(asked)
        np.minimum(slots, len(hashes_array) - 1, out=slots)
        hits = (hashes_array[slots] == asked).tolist()
        offsets, values = self._key_offset_list, self._key_values
        return [values[offsets[slot]:offsets[slot + 1]].tolist() if hit else []
                for slot, hit in zip(slots.tolist(), hits, strict=True)]

    def clear_lookup_cache(self) -> None:
        """Forgets the remembered query-part look-ups and names' forms (for cold timings)."""
        self._lookup_cache.clear()
        self._joined_cache.clear()
        self._cached_positions = 0
        self._normalized.clear()

    def _postings_gathered(self, vocab_ids: list[int]) -> np.ndarray:
        """Gives the postings of these vocabulary ids one after the other, in one gather
        (a misspelt part's near spellings can be dozens of entries)."""
        if len(vocab_ids) <= 4:
            sources = self._postings_of(vocab_ids)
            return sources[0] if len(sources) == 1 else np.concatenate(sources)
        return _ranges(self._postings, self._postings_offset_array,
                       np.array(vocab_ids, dtype=np.intp))[0]

    def _postings_of(self, vocab_ids: Sequence[int]) -> list[np.ndarray]:
        """Gives the postings of these vocabulary ids (views, no copy)."""
        offsets, postings = self._postings_offsets, self._postings
        return [postings[offsets[v]:offsets[v + 1]] for v in vocab_ids]

    def _exact_size(self, vocab_ids: Iterable[int]) -> int:
        offsets = self._postings_offsets
        return sum(int(offsets[v + 1] - offsets[v]) for v in vocab_ids)

    def _lookup(self, part: NamePart) -> _Found:
        """Gives the names a query part may stand for, with retrieval credit."""
        cached = self._lookup_cache.get(part)
        if cached is not None:
            return cached
        found = self._lookup_keys(part.text, part.phonetic, part.skeleton, part.bare,
                                  part.abjad, part.source is not None)
        self._remember()
        self._lookup_cache[part] = found
        self._cached_positions += found.kept
        return found

    def _remember(self) -> None:
        """Makes room for one more remembered look-up: a simple bound, screening queries
        repeat given names. Bounded by positions too, which a large index has many of."""
        if len(self._lookup_cache) + len(self._joined_cache) >= LOOKUP_CACHE_SIZE \
                or self._cached_positions >= LOOKUP_CACHE_POSITIONS:
            self._lookup_cache.clear()
            self._joined_cache.clear()
            self._cached_positions = 0

    def _lookup_joined(self, text: str, abjad: bool) -> _Found:
        """Gives the names two adjacent query parts written as one word may stand for."""
        key = (text, abjad)
        cached = self._joined_cache.get(key)
        if cached is not None:
            return cached
        phonetic, skeleton, bare = part_keys(text, abjad)
        # A join's misspellings are looked up by its phonetic key's deletions only, not its
        # spelling's as well: half the look-ups, and still "Adbul Bari" meets "abdulbari".
        found = self._lookup_keys(text, phonetic, skeleton, bare, abjad, misspelt=False)
        self._remember()
        self._joined_cache[key] = found
        self._cached_positions += found.kept
        return found

    def _lookup_keys(
        self, text: str, phonetic: str, skeleton: str, bare: str | None, abjad: bool,
        sounded: bool = False, misspelt: bool = True,
    ) -> _Found:
        """Gives the names a part with these keys may stand for, by increasing credit
        (`sounded`: the part was written in a syllabic script; `misspelt`: look for the
        one-letter misspellings of its spelling too when it has no exact spelling, not only
        of its phonetic key)."""
        phonetic_hash = key_hash(phonetic)
        text_hash = phonetic_hash if text == phonetic else key_hash(text)
        skeleton_hash = key_hash(skeleton)
        # Every key the part may need, looked up at once: the spelling, its article-less
        # forms, its deletions, its consonant keys.
        wanted = [phonetic_hash ^ _PHONETIC, phonetic_hash ^ _BARE, text_hash ^ _DELETION,
                  phonetic_hash ^ _DELETION]
        if abjad:
            wanted.append(skeleton_hash ^ _SKELETON)
            alternate = alternate_meeting_key(text)
            if alternate is not None:
                wanted.append(key_hash(alternate) ^ _SKELETON)
        else:
            wanted += [skeleton_hash ^ _ABJAD_SKELETON, skeleton_hash ^ _SKELETON_NAMES,
                       skeleton_hash ^ _SKELETON]
        if bare:
            wanted.append(key_hash(normalize_part_key(bare)) ^ _PHONETIC)
        sounded_key = loan_key(text) if sounded else ""
        if len(sounded_key) >= MIN_LOAN_KEY:
            wanted.append(key_hash(sounded_key) ^ _LOAN)
        found = self._values_of(wanted)
        exact, by_bare, text_deletions, phonetic_deletions = found[:4]
        exact_ids: list[int] = by_bare + exact
        near_ids: list[int] = []
        near_names: list[np.ndarray] = []  # names found through near spellings (int32 views)
        near_vocab: list[int] = []  # and the entries they hold
        if exact:
            # The phonetic key's own neighbourhood, gathered when the index was built.
            near_offsets, near_vocab_offsets = self._near_offsets, self._near_vocab_offsets
            for vocab_id in exact:
                start, end = near_offsets[vocab_id], near_offsets[vocab_id + 1]
                if end > start:
                    near_names.append(self._near[start:end])
                    near_vocab += self._near_vocab[near_vocab_offsets[vocab_id]:
                                                   near_vocab_offsets[vocab_id + 1]].tolist()
            near_ids += text_deletions
        else:
            near_ids += phonetic_deletions
            near_ids += text_deletions
            # Spelling-level typos matter when the phonetic key finds nothing as it is: every
            # deletion looked up at once (most find nothing), as a spelling and as a deletion.
            neighbourhood = _neighbourhood_of(phonetic, text) if misspelt else \
                deletions(phonetic) if len(phonetic) >= MIN_DELETION_LENGTH else set()
            if neighbourhood:
                hashes = [key_hash(deletion) for deletion in neighbourhood]
                # A join's deletions meet indexed keys' deletions only (one letter changed or
                # two swapped), not indexed keys themselves (one letter too many).
                for values in self._values_of(([h ^ _PHONETIC for h in hashes] if misspelt
                                               else []) + [h ^ _DELETION for h in hashes]):
                    near_ids += values
        # The consonant key is where a name written without short vowels (Arabic script)
        # meets its Latin spellings (scripts.py): across scripts it is as good as an exact
        # spelling, whichever side the query is on. Within Latin script it is a loose hint
        # ("Ahmad" and "Hamid" share "hmd").
        levels: list[_Level] = []
        rest = found[4:]
        if abjad:
            exact_ids += rest[0]
            if alternate is not None:
                exact_ids += rest[1]
            rest = rest[2 if alternate is not None else 1:]
        else:
            exact_ids += rest[0]
            if rest[1]:
                number = rest[1][0]
                offsets = self._skeleton_names_offsets
                levels.append(_level(_LOOSE, [self._skeleton_names[
                    offsets[number]:offsets[number + 1]]], rest[2]))
            rest = rest[3:]
        if bare:
            exact_ids += rest[0]
            rest = rest[1:]
        if rest:
            # A name sounded out syllable by syllable meets its Latin spellings on consonant
            # classes (scripts.loan_key): a near spelling.
            near_ids += rest[0]
        # Lower credits first: a name found at several credits keeps the best (assigned last).
        if near_ids:
            distinct_near = list(dict.fromkeys(near_ids))
            near_names.append(self._postings_gathered(distinct_near))
            near_vocab += distinct_near
        if near_names:
            levels.append(_level(_NEAR, near_names, near_vocab))
        exact_size = 0
        if exact_ids:
            distinct = list(dict.fromkeys(exact_ids))
            exact_size = self._exact_size(distinct)
            # Always as positions: exact spellings credit every name they hold.
            levels.append(_level(_EXACT, self._postings_of(distinct), distinct))
        return _Found(exact_size, tuple(levels))

    # Retrieval.

    def _query_parts(self, query: NormalizedName) -> list[tuple[float, _Found, bool]]:
        """Gives, per query part (and per join of adjacent parts), its weight, look-ups and
        whether it is a join."""
        looked_up = []
        parts = query.parts
        seen: set[str] = set()
        for part in parts:
            # A repeated part ("Hamid Hamad Hamid") is looked up and credited once.
            if not part.initial and part.phonetic not in seen:
                seen.add(part.phonetic)
                looked_up.append((part.weight, self._lookup(part), False))
        for first, second in zip(parts, parts[1:], strict=False):
            if first.initial or second.initial or first.numeric or second.numeric:
                continue
            joined = self._lookup_joined(first.text + second.text, first.abjad)
            if joined.levels:
                looked_up.append((max(first.weight, second.weight), joined, True))
        return looked_up

    def _candidates(
        self, query: NormalizedName, floor: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gives the positions (each once) of the retrieved names whose shared query-part
        weight reaches `floor`, and that weight; names that cannot reach `floor` may be
        left out or counted short."""
        # A part is common when its own spellings are: a rare part with a wide neighbourhood
        # of near spellings must still find names on its own. A part found only through
        # looser keys that each hold more than LEVEL_LIMIT names (a misspelt common part, in a
        # large index) is as common as all of them.
        sized = sorted(self._query_parts(query), key=_part_order)
        positions, weights = self._gathered(sized, floor)
        if not len(positions):
            # Every part too common to find names alone, or its near spellings too many (a
            # misspelt common name beside another common name, in a large index): the names
            # two of them find together.
            together = self._found_by_two(sized)
            if len(together):
                positions, weights = self._gathered(sized, floor, together)
        return positions, weights

    def _found_by_two(self, sized: list[tuple[float, _Found, bool]]) -> np.ndarray:
        """Gives the names (each once) that the two query parts with the fewest names find
        both, at any credit; none when those two find more than PAIR_FIND_LIMIT names."""
        whole = sorted((found for _, found, join in sized if not join and found.levels),
                       key=_names_held)
        if len(whole) < 2:
            return _NO_POSITIONS
        first, second = whole[0], whole[1]
        if _names_held(first) + _names_held(second) > PAIR_FIND_LIMIT:
            return _NO_POSITIONS
        if _finds_alone(first) and _finds_alone(second):
            # Both found every name they hold already.
            return _NO_POSITIONS
        shared, _ = self._scratch_arrays()
        first_names = np.concatenate([_names(level) for level in first.levels])
        second_names = np.concatenate([_names(level) for level in second.levels])
        shared[first_names] = 1.0
        both = second_names[shared[second_names] > 0.0]
        shared[first_names] = 0.0
        return self._distinct(both)

    def _gathered(self, sized: list[tuple[float, _Found, bool]], floor: float,
                  found_first: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Gives what `_candidates` gives, for the query parts in the order they look for
        names; with `found_first`, those names are found already and no common part finds
        more."""
        # The most weight a name first found by the part at hand can still gather.
        reachable = sum(weight for weight, _, _ in sized)
        shared, part_credit = self._scratch_arrays()
        # Every position written to, to clean up after.
        touched: list[np.ndarray] = [] if found_first is None else [found_first]
        # Whether a part of the query (not a join of two) has found names: the names a
        # rare join finds ("daudluay") are not the names its common parts make together.
        part_found = found_first is not None
        # Names found so far (with repeats).
        found_count = 0 if found_first is None else COMMON_FIND_LIMIT
        try:
            for weight, found, join in sized:
                newcomers_can_pass = reachable >= floor
                reachable -= weight
                if part_found and found.exact_size > COMMON_PART_POSTINGS and \
                        found_count + found.exact_size > COMMON_FIND_LIMIT:
                    # A common part cannot find a name alone: it only adds its weight to the
                    # names rarer parts found, through its exact spellings (once per spelling).
                    np.add.at(shared, self._found_holding(touched, found.levels[-1], shared,
                                                          once_per_entry=True), weight)
                    continue
                if not found.levels:
                    continue
                if touched or found.open_levels:
                    # A looser level holding more than LEVEL_LIMIT names finds no name of its
                    # own (in a large index, a common consonant key or the near spellings of
                    # a common part): it only credits the names found otherwise.
                    levels = [(level.credit, _names(level)
                               if level.names is not None or level.credit == _EXACT
                               else self._found_holding(touched, level, shared))
                              for level in found.levels]
                else:
                    levels = [(level.credit, _names(level)) for level in found.levels]
                single = len(levels) == 1
                if single:
                    members = levels[0][1]
                else:
                    # Each query part counts once per name, at its best credit there: lower
                    # credits first, so higher ones overwrite them.
                    for credit, members in levels:
                        part_credit[members] = weight * credit
                    members = np.concatenate([members for _, members in levels])
                found_members = members
                if touched and not newcomers_can_pass:
                    # Names this part alone would add fall short of the floor: only names
                    # already found gain its weight.
                    members = members[shared[members] > 0.0]
                else:
                    touched.append(members)
                    found_count += len(members)
                    part_found = part_found or not join
                # A name listed twice in `members` still gains once: the sum is read before
                # the write-back, and every copy writes the same value.
                if single:
                    shared[members] += weight * levels[0][0]
                else:
                    shared[members] += part_credit[members]
                    part_credit[found_members] = 0.0
            if not touched:
                return _NO_POSITIONS, _NO_WEIGHTS
            found_positions = touched[0] if len(touched) == 1 else np.concatenate(touched)
            positions = self._distinct(found_positions[shared[found_positions] >= floor])
            return positions, shared[positions]
        finally:
            for members in touched:
                shared[members] = 0.0

    def _found_holding(self, touched: list[np.ndarray], level: _Level, shared: np.ndarray,
                       once_per_entry: bool = False) -> np.ndarray:
        """Gives the names already found (`touched`, with weight in `shared`) among a level's
        names, the names holding one of its vocabulary entries; with `once_per_entry`, a
        name once for each of the level's entries it holds (else maybe more than once).

        Either by reading the level's names, or, when the names found are fewer, by reading
        the found names' own entries (the forward index): a level of a common part in a
        million names is far longer than the list of names a rarer part found.
        """
        if not touched:
            return _NO_POSITIONS
        found = touched[0] if len(touched) == 1 else np.concatenate(touched)
        if level.size <= FORWARD_READ_RATIO * len(found):
            members = _names(level)
            return members[shared[members] > 0.0]
        if once_per_entry:
            found = self._distinct(found)
        entries, sizes = _ranges(self._forward, self._forward_offsets, found)
        marks = self._vocab_marks()
        marks[level.vocab] = True
        holding = marks[entries]
        marks[level.vocab] = False
        return np.repeat(found, sizes)[holding]

    def _distinct(self, positions: np.ndarray) -> np.ndarray:
        """Gives the positions without repeats (in no particular order), without sorting:
        each position keeps the one occurrence whose number its slot of a scratch array
        ends up holding."""
        stamps = getattr(self._scratch, "stamps", None)
        if stamps is None or len(stamps) != self._size:
            stamps = np.empty(self._size, dtype=np.intp)
            self._scratch.stamps = stamps
        numbers = np.arange(len(positions))
        stamps[positions] = numbers
        return positions[stamps[positions] == numbers]

    def _vocab_marks(self) -> np.ndarray:
        """Gives an all-false array of one flag per vocabulary entry, for the calling thread
        only (all false again when the caller is done)."""
        marks = getattr(self._scratch, "marks", None)
        if marks is None:
            marks = np.zeros(len(self._postings_offsets) - 1, dtype=bool)
            self._scratch.marks = marks
        return marks

    def _scratch_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Gives two all-zero arrays of one value per name, for the calling thread only (they
        must be all zeros again when the caller is done)."""
        arrays = getattr(self._scratch, "arrays", None)
        if arrays is None or len(arrays[0]) != self._size:
            arrays = (np.zeros(self._size), np.zeros(self._size))
            self._scratch.arrays = arrays
        return arrays

    def ranked(self, query: NormalizedName, total_weight: float, query_kind: str | None,
               lists: set[str] | None, scored: int) -> tuple[np.ndarray, np.ndarray]:
        """Gives the positions of the names worth scoring for a query and their overlap
        (shared weight relative to the heavier name): at most `scored` of them, plus any tied
        with the last, unordered."""
        above_floor, shared = self._candidates(query, MIN_SHARED_WEIGHT * total_weight)
        if query_kind:
            kind_code = self.kind_codes.get(query_kind)
            name_kinds = self._kinds[above_floor]
            keep = name_kinds == 0
            if kind_code is not None:
                keep |= name_kinds == kind_code
            above_floor, shared = above_floor[keep], shared[keep]
        if lists is not None:
            list_codes = [self.list_codes[lid] for lid in lists if lid in self.list_codes]
            keep = np.isin(self._lists[above_floor], list_codes)
            above_floor, shared = above_floor[keep], shared[keep]
        # Shared weight relative to the heavier of the two names: among names sharing the
        # same parts, the ones with fewer other parts come first. The overlap is rounded, so
        # that near-equal sums rank as equal: every process (server workers, batch workers)
        # must give the same answer for a name.
        overlap = (shared / np.maximum(
            total_weight, self._weights[above_floor].astype(np.float64))).round(9)
        if len(above_floor) > scored:
            # Only names at or above the scored-th best overlap can be ranked.
            ordered = overlap.copy()
            ordered.partition(len(overlap) - scored)
            keep = overlap >= ordered[-scored]
            above_floor, overlap = above_floor[keep], overlap[keep]
        return above_floor, overlap

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
        return search_segments(((self, None),), query, kind=kind, lists=lists, limit=limit,
                               threshold=threshold, min_score=min_score)


# An index searched with the entities its entries are linked to (None: the ones it was built
# with).
Segment = tuple[NameIndex, Mapping[EntryKey, str] | None]


def search_segments(
    segments: Sequence[Segment],
    query: str,
    *,
    kind: str | None = None,
    lists: set[str] | None = None,
    limit: int = 5,
    threshold: float | None = None,
    min_score: float = 0.5,
    demoted: frozenset[str] = frozenset(),
) -> list[Match]:
    """Gives the best-scoring entries of several indexes for a name, best first, one per
    entry, ranked as if the indexes were one with their names one after the other; at equal
    scores by list id, the `demoted` lists' entries after the others'."""
    decision_threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    query_kind = canonical_kind(kind)
    normalized_query = normalize_name(query, query_kind)
    if not normalized_query.parts:
        return []
    total_weight = retrieval_weight(normalized_query) or 1.0
    # A query without short vowels meets Latin names on consonant keys alone, which many
    # names share: more of them are scored.
    scored = ABJAD_CANDIDATES_SCORED if normalized_query.parts[0].abjad else \
        LARGE_INDEX_CANDIDATES_SCORED \
        if sum(len(index) for index, _ in segments) >= LARGE_INDEX_NAMES else CANDIDATES_SCORED
    found_segments, found_positions, found_overlaps = [], [], []
    for number, (index, _) in enumerate(segments):
        positions, overlap = index.ranked(normalized_query, total_weight, query_kind, lists,
                                          ENTRY_WIDENING * scored)
        if len(positions):
            found_segments.append(np.full(len(positions), number))
            found_positions.append(positions)
            found_overlaps.append(overlap)
    if not found_positions:
        return []
    segment_of = np.concatenate(found_segments)
    positions = np.concatenate(found_positions)
    overlaps = np.concatenate(found_overlaps)
    # Ties go to the earlier name (the earlier index first): the same answer every time.
    order = np.lexsort((positions, segment_of, -overlaps))
    best: dict[EntryKey, tuple[float, int, int, Workings | None]] = {}
    for number, position in _to_score(segments, segment_of[order].tolist(),
                                      positions[order].tolist(), scored):
        index, linked = segments[number]
        normalized = index.normalized_at(position)
        score, workings = score_with_workings(normalized_query, normalized,
                                              strict=bool(index._weak[position]))
        if score < min_score:
            continue
        entry = int(index._name_entry[position])
        key = (index._list_ids[int(index._entry_list[entry])],
               _text(index._entry_key, index._entry_key_offsets, entry))
        if key not in best or score > best[key][0]:
            best[key] = (score, number, position, workings)
    results = sorted(best.items(), key=lambda item: (
        -item[1][0], item[0][0] in demoted, item[0][0], item[0][1]))
    matches = []
    for _, (score, number, position, workings) in results[:limit]:
        index, linked = segments[number]
        # Explanations only for the matches returned, from the workings of their scores.
        explanation = explanation_of(workings)
        explanation["threshold"] = decision_threshold
        matches.append(Match(score, score >= decision_threshold,
                             index.name_at(position, linked), explanation))
    return matches


def _to_score(segments: Sequence[Segment], segment_of: list[int], positions: list[int],
              scored: int) -> list[tuple[int, int]]:
    """Gives the (index, position) of the names to score, best first: the first `scored`,
    then further names of other entries until `scored` entries are in.

    Results are one per entry, so the names of one entry's aliases (or of sibling entries
    that share a name) must not take every place: a query spelt like a name five entries
    share still scores its own entry.
    """
    chosen: list[tuple[int, int]] = []
    entries: set[tuple[int, int]] = set()
    for number, position in zip(segment_of, positions, strict=True):
        entry = (number, int(segments[number][0]._name_entry[position]))
        if len(chosen) < scored:
            entries.add(entry)
        elif len(entries) >= scored:
            break
        elif entry in entries:
            continue
        else:
            entries.add(entry)
        chosen.append((number, position))
    return chosen


class IndexSet:
    """Several indexes searched as one (a machine's shared index of the lists and a process's
    own small index of the registry), each with the entities its entries are linked to."""

    def __init__(self, segments: Sequence[Segment], demoted: Iterable[str] = ()) -> None:
        self.segments: tuple[Segment, ...] = tuple(segments)
        # Lists whose entries come after the others' at equal scores (`search_segments`).
        self.demoted = frozenset(demoted)
        # As `NameIndex.derived`: structures other modules derive from this set of names.
        self.derived: dict[str, Any] = {}

    def __len__(self) -> int:
        return sum(len(index) for index, _ in self.segments)

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
        """Gives the best-scoring entries for a name (`search_segments`)."""
        return search_segments(self.segments, query, kind=kind, lists=lists, limit=limit,
                               threshold=threshold, min_score=min_score,
                               demoted=self.demoted)

    def entries(self) -> Iterator[tuple[IndexedName, NormalizedName]]:
        """Gives every name of every index with its normalised form, in order."""
        for index, linked in self.segments:
            yield from index.entries(linked)

    def clear_lookup_cache(self) -> None:
        """Forgets every index's remembered look-ups (for cold timings)."""
        for index, _ in self.segments:
            index.clear_lookup_cache()


# Either kind of index, for code that only searches and scans names.
SearchableIndex = NameIndex | IndexSet


def _expand(ids: np.ndarray, offsets: np.ndarray, postings: np.ndarray,
            postings_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gives, for groups of vocabulary ids (`ids` cut at `offsets`), the names of each group's
    entries one after the other, cut at the returned offsets."""
    names, sizes = _ranges(postings, postings_offsets, ids)
    group_ends = np.concatenate([[0], np.cumsum(sizes)])[offsets]
    return names.astype(np.int32), group_ends.astype(np.int64)


def _ranges(values: np.ndarray, offsets: np.ndarray, items: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Gives `values[offsets[i]:offsets[i + 1]]` for each of the `items`, one after the
    other in one gather, and each one's length."""
    starts = offsets[items]
    sizes = offsets[items + 1] - starts
    ends = np.cumsum(sizes)
    gathered = values[np.repeat(starts - (ends - sizes), sizes)
                      + np.arange(int(ends[-1]) if len(ends) else 0)]
    return gathered, sizes


def _int_view(values: np.ndarray) -> memoryview:
    """Gives an int64 array's memory as a sequence of Python integers, without a copy."""
    return memoryview(np.ascontiguousarray(values, dtype=np.int64).data).cast("B").cast("q")


def _bytes_view(values: np.ndarray) -> memoryview:
    """Gives a byte array's memory without a copy (slices of it decode fastest)."""
    return memoryview(values.data)


def _text(blob: memoryview, offsets: np.ndarray, item: int) -> str:
    return str(blob[int(offsets[item]):int(offsets[item + 1])], "utf-8")


_NO_POSITIONS: Final = np.zeros(0, dtype=np.intp)
_NO_WEIGHTS: Final = np.zeros(0)
_NO_IDS: Final = np.zeros(0, dtype=np.int32)


class _Found(NamedTuple):
    """A query part's look-up: how many names its exact spellings have, and the names it
    finds as (credit, positions) by increasing credit (exact spellings last)."""

    exact_size: int
    levels: tuple[_Level, ...]

    @property
    def open_levels(self) -> bool:
        """Tells whether some level may find names of its own (`LEVEL_LIMIT`)."""
        return any(level.names is not None or level.credit == _EXACT for level in self.levels)

    @property
    def kept(self) -> int:
        """Gives how many positions the look-up holds (what remembering it costs)."""
        return sum(len(level.names) for level in self.levels if level.names is not None)


class _Level(NamedTuple):
    """Names a query part finds at one credit: their postings (views of the index's arrays),
    how many, the vocabulary entries they are the names of, and the positions themselves when
    the level is small enough (`LEVEL_LIMIT`, `EXACT_KEPT_LIMIT`): a larger looser level finds
    no names of its own, and a larger exact one is made into positions each time it is used
    rather than remembered."""

    credit: float
    size: int
    sources: list[np.ndarray]
    vocab: np.ndarray
    names: np.ndarray | None


def _level(credit: float, sources: list[np.ndarray], vocab: Sequence[int]) -> _Level:
    size = sum(len(source) for source in sources)
    names = None
    if size <= (EXACT_KEPT_LIMIT if credit == _EXACT else LEVEL_LIMIT):
        # Positions as NumPy's index type: they index the per-name arrays on every use.
        names = (sources[0] if len(sources) == 1 else np.concatenate(sources)).astype(np.intp) \
            if sources else _NO_POSITIONS
    return _Level(credit, size, sources, np.asarray(vocab, dtype=np.intp), names)


def _names(level: _Level) -> np.ndarray:
    """Gives a level's names as positions (made now if the level did not keep them)."""
    if level.names is not None:
        return level.names
    sources = level.sources
    return (sources[0] if len(sources) == 1 else np.concatenate(sources)).astype(np.intp)


def _names_held(found: _Found) -> int:
    """Gives how many names a query part's look-up holds at every credit (with repeats)."""
    return sum(level.size for level in found.levels)


def _finds_alone(found: _Found) -> bool:
    """Tells whether a query part finds every name it holds by itself: it is not common and
    none of its levels is too large to keep (`LEVEL_LIMIT`)."""
    return found.exact_size <= COMMON_PART_POSTINGS and \
        all(level.names is not None for level in found.levels)


def _part_order(item: tuple[float, _Found, bool]) -> int:
    """Gives the order in which a query's parts look for names: the rarest first."""
    found = item[1]
    if found.exact_size or found.open_levels:
        return found.exact_size
    return sum(level.size for level in found.levels)


def normalize_part_key(text: str) -> str:
    """Gives the phonetic key of a raw lower-case token (for joins and article-less forms)."""
    return phonetic_key(text)


def saved_size(folder: Path) -> int:
    """Gives the bytes a saved index takes on disk."""
    return sum(entry.stat().st_size for entry in os.scandir(folder) if entry.is_file())
