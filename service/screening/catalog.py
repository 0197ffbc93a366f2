"""The screening index of the active list versions and the registry, kept current.

Each process holds one index. Before every screening it reads the active version ids and a
fingerprint of the registry's names (two small queries); when either changed — an import in
any process, a registry edit, a link decision — the process takes the new state, so every
server process screens against a new version without a restart. The lists' names come from
the machine's shared index file of the active versions (`shared_index`), built once by
whichever process needs it first (usually the import itself) and mapped by all; the
registry's few names and the entries' links are read afresh by each process. A screening
keeps the index object it started with, so its answer comes wholly from one set of versions.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, literal, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import metrics
from service.config import INSTANCE_DIR, Settings
from service.errors import ServiceError
from service.matching.details import NO_DETAILS, Details, entry_details
from service.matching.index import IndexedName, IndexSet, NameIndex
from service.models import (
    Entity,
    EntityLink,
    EntityName,
    ListEntryName,
    ListEntryRow,
    ListVersion,
    SanctionsList,
)
from service.registry.designations import ACCEPTED_LINK_STATES
from service.screening.shared_index import SharedIndex, open_or_build, version_set_key
from service.terms import AGGREGATOR_LISTS, REGISTRY_LIST


@dataclass(frozen=True)
class VersionInfo:
    """Which version of a list an index holds."""

    list_id: str
    version: int
    data_date: date | None

    def to_dict(self) -> dict[str, Any]:
        """Gives the JSON form screenings report.

        A storage format: audit records and jobs keep it in their `list_versions` column and
        show it back as stored, so it stays here rather than in the API's schemas.
        """
        return {"list": self.list_id, "version": self.version,
                "data_date": self.data_date.isoformat() if self.data_date else None}


EntryKey = tuple[str, str]  # (list id, entry key)


class EntryDetails:
    """What the index keeps of the list entries for comparing details: each entry's
    normalised details, its names (to score an entry found by identifier), and the entries by
    each canonical identifier form. Read from the shared index's entry payloads and tags."""

    def __init__(self, index: NameIndex | None = None,
                 linked: Mapping[EntryKey, str] | None = None) -> None:
        self._index = index
        self._linked = linked

    def details(self, key: EntryKey) -> Details:
        """Gives an entry's details (none when it has none, or is not indexed)."""
        stored = self._index.payload(*key) if self._index is not None else None
        return Details.from_stored(stored) if stored else NO_DETAILS

    def with_identifier(self, form: str) -> tuple[EntryKey, ...]:
        """Gives the entries holding an identifier in this canonical form."""
        if self._index is None:
            return ()
        # The index finds entries by a hash of the form: each is checked against its details.
        return tuple(key for key in self._index.entries_tagged(form)
                     if form in self.details(key).id_forms())

    def names(self, key: EntryKey) -> tuple[IndexedName, ...]:
        """Gives an entry's indexed names."""
        if self._index is None:
            return ()
        return self._index.names_of(key[0], key[1], self._linked or {})


@dataclass(frozen=True)
class LoadedIndex:
    """An index together with the list versions and registry state it was built from."""

    index: IndexSet
    versions: tuple[VersionInfo, ...]
    fingerprint: tuple[Any, ...]
    entries: EntryDetails = field(default_factory=EntryDetails)
    # The machine's shared file of the lists' names, kept open (and marked in use) for as long
    # as this index is.
    shared: SharedIndex | None = None

    def version_of(self, list_id: str) -> int | None:
        """Gives the version id of the list this index holds, if any."""
        return next((v.version for v in self.versions if v.list_id == list_id), None)


def loaded_from_names(names: Iterable[IndexedName],
                      details: Mapping[EntryKey, Details] | None = None) -> LoadedIndex:
    """Gives an in-memory index of some names with their entries' details, holding no list
    version (for benchmarks and tools that screen names of their own)."""
    index = NameIndex.build(names, _Extras(details or {}))
    return LoadedIndex(IndexSet([(index, None)]), (), (), EntryDetails(index, None))


class _Extras(Mapping[EntryKey, tuple[Any, list[str]]]):
    """What the index stores with each entry: its details, found by identifier form. Made
    when the index asks, so the details may still be read while the names are added."""

    def __init__(self, details: Mapping[EntryKey, Details]) -> None:
        self._details = details

    def __getitem__(self, key: EntryKey) -> tuple[Any, list[str]]:
        found = self._details[key]
        if not found:
            raise KeyError(key)
        return found.to_stored(), sorted(found.id_forms())

    def __iter__(self) -> Iterator[EntryKey]:
        return (key for key, found in self._details.items() if found)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def current_fingerprint(session: Session) -> tuple[Any, ...]:
    """Gives what decides whether an index is current: active versions and registry state."""
    connection = session.connection()
    active = tuple(connection.execute(
        select(SanctionsList.id, SanctionsList.active_version_id)  # type: ignore[call-overload]
        .order_by(SanctionsList.id)).all())
    names = tuple(connection.execute(
        select(func.count(EntityName.id), func.max(EntityName.id))  # type: ignore[arg-type]
    ).one())
    links = tuple(connection.execute(
        select(func.count(EntityLink.id), func.max(EntityLink.id),  # type: ignore[arg-type]
               func.max(EntityLink.decided_at))
        .where(EntityLink.status.in_(ACCEPTED_LINK_STATES))  # type: ignore[attr-defined]
    ).one())
    return (active, names, links)


def linked_entries(session: Session) -> dict[tuple[str, str], str]:
    """Gives the entity each entry is linked to (pinned, confirmed or bridged), by list and key."""
    linked: dict[tuple[str, str], str] = {}
    for entity_id, list_id, list_key in session.connection().execute(
        select(EntityLink.entity_id, EntityLink.list_id, EntityLink.list_key)  # type: ignore[call-overload]
        .where(EntityLink.status.in_(ACCEPTED_LINK_STATES))  # type: ignore[attr-defined]
        .order_by(EntityLink.id)
    ).all():
        linked.setdefault((list_id, list_key), entity_id)
    return linked


def version_names(session: Session, list_id: str, version_id: int,
                  linked: Mapping[EntryKey, str] | None = None,
                  details: dict[EntryKey, Details] | None = None) -> Iterator[IndexedName]:
    """Gives every name of one list version as the index stores it, streamed from the
    database (a million names are never all objects at once); with `details`, fills it with
    the details of the version's entries that have any, read in the same pass.

    The names and their entries are read side by side in id order and matched as they go,
    not joined by the database: a join looks each name's entry up in the entries' index (for
    a million names, most of a build's reading).
    """
    linked = linked or {}
    entries = _version_rows(session, ListEntryRow, version_id, (
        ListEntryRow.key, ListEntryRow.kind, ListEntryRow.name,
        cast(ListEntryRow.programs, Text),
        cast(ListEntryRow.data, Text) if details is not None else literal(None)))
    names = _version_rows(session, ListEntryName, version_id, (
        ListEntryName.entry_id, ListEntryName.name, ListEntryName.weak))
    # The programs as stored text, read once per distinct value: a million names share a few
    # hundred program lists, and decoding each row's JSON took a fifth of a build.
    programs_of: dict[str, tuple[str, ...]] = {}
    entry: tuple[Any, ...] | None = None  # the entry the walk along the entries is at
    for _, entry_id, name, weak in names:
        while entry is None or entry[0] < entry_id:
            entry = next(entries, None)
            if entry is None:
                break
            if details is not None:
                _read_details(list_id, entry[1], entry[5], details)
        # A version's names follow its entries' order (an import writes an entry and then its
        # names); a name out of that order has its entry read on its own.
        row = entry if entry is not None and entry[0] == entry_id \
            else _entry_row(session, entry_id)
        _, key, kind, primary, programs_text, _ = row
        programs = programs_of.get(programs_text)
        if programs is None:
            programs = programs_of[programs_text] = tuple(json.loads(programs_text or "[]"))
        yield IndexedName(list_id, key, name, primary, kind, programs,
                          entity_id=linked.get((list_id, key)), weak=bool(weak))


def _entry_row(session: Session, entry_id: int) -> tuple[Any, ...]:
    return tuple(session.connection().execute(select(  # type: ignore[call-overload]
        ListEntryRow.id, ListEntryRow.key, ListEntryRow.kind, ListEntryRow.name,
        cast(ListEntryRow.programs, Text), literal(None))
        .where(ListEntryRow.id == entry_id)).one())


def _version_rows(session: Session, table: Any, version_id: int,
                  columns: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Gives the id and `columns` of one version's rows of `table`, in id order.

    One import writes a version's rows, so their ids form a range: the range is read along
    the primary key, in storage order. (Through the index on the version the rows come in
    the index's order and must be sorted: three times slower for a million rows.) The
    version is checked on each row as an expression, which no index answers, so that the
    database does not take that path.
    """
    low, high = session.connection().execute(
        select(func.min(table.id), func.max(table.id)).where(table.version_id == version_id)
    ).one()
    if low is None:
        return iter(())
    return _raw_rows(session, select(table.id, *columns)
                     .where(table.id.between(low, high))
                     .where(table.version_id + 0 == version_id)
                     .order_by(table.id))


def _read_details(list_id: str, key: str, text: str | None,
                  found: dict[EntryKey, Details]) -> None:
    """Adds an entry's normalised details to `found`, if it has any.

    Computed from the stored common model when the index is built, so every source (OFAC
    CSV remarks and XML, UN, CSL, OpenSanctions) is read the same way and no stored copy can
    fall behind the normalisation rules.
    """
    # Most entries of a large list carry no details at all: their stored text is only
    # decoded when it holds a field details are read from.
    if not text or not _MAY_HAVE_DETAILS.search(text):
        return
    details = entry_details(json.loads(text))
    if details:
        found[(list_id, key)] = details


def _raw_rows(session: Session, statement: Any) -> Iterator[tuple[Any, ...]]:
    """Gives the rows of a query of plain columns straight from the driver's cursor, in
    batches, inside the session's transaction (it sees what the session wrote).

    A million rows through SQLAlchemy's result objects take several seconds more; the
    statement only has integer parameters, written into it by the dialect.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect,
                                compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(_BATCH):
            yield from batch
    finally:
        cursor.close()


# The fields `entry_details` reads, with a value that is not empty (a list with something in
# it, or a string); an entry whose stored text has none of them has no details.
_MAY_HAVE_DETAILS = re.compile(
    r'"(?:birth_dates|nationalities|identifiers|addresses|citizenships|countries|vessel_flag'
    r'|jurisdiction|gender)"\s*:\s*(?:\[\s*[^\]\s]|"[^"])')


class PinnedVersionMissing(ServiceError):
    """A version a job was pinned to can no longer be loaded."""

    status = 409
    code = "pinned_version_missing"


_BATCH = 10_000
# Builds of this many names or more normalise them in other processes as well
# (`matching.parallel`), at most this many: the main process reads and gathers meanwhile.
PARALLEL_BUILD_NAMES = 200_000
MAX_BUILD_WORKERS = 4


def index_directory(session: Session) -> Path:
    """Gives the folder of this machine's index files (setting `XREF_INDEX_DIR`)."""
    configured = Settings.from_env().index_dir
    if configured:
        return Path(configured)
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent / "index"
    return INSTANCE_DIR / "index"


def build_index(session: Session, fingerprint: tuple[Any, ...] | None = None,
                pinned: Sequence[tuple[str, int]] | None = None,
                reuse: SharedIndex | None = None) -> LoadedIndex:
    """Gives an index of every name of the active versions (or of the `pinned` (list,
    version) pairs) and of the registry.

    The lists' names come from the machine's shared index file of those versions (built
    here if it does not exist yet; `reuse` when it is that one); the registry's few names and
    the entities the entries are linked to are read afresh. Raises PinnedVersionMissing when
    a pinned version is gone or has lost its names.
    """
    fingerprint = fingerprint or current_fingerprint(session)
    connection = session.connection()
    if pinned is None:
        query = (select(SanctionsList.id, ListVersion.id, ListVersion.data_date,  # type: ignore[call-overload]
                        ListVersion.entry_count, ListVersion.content_sha256)
                 .join(ListVersion, ListVersion.id == SanctionsList.active_version_id)
                 .order_by(SanctionsList.id))
    else:
        query = (select(ListVersion.list_id, ListVersion.id, ListVersion.data_date,  # type: ignore[call-overload]
                        ListVersion.entry_count, ListVersion.content_sha256)
                 .where(ListVersion.id.in_([version for _, version in pinned]))  # type: ignore[union-attr]
                 .order_by(ListVersion.list_id))
    rows = connection.execute(query).all()
    versions = tuple(VersionInfo(list_id, version_id, data_date)
                     for list_id, version_id, data_date, _, _ in rows)
    if pinned is not None:
        _check_pinned(session, pinned, rows)
    key = version_set_key([(list_id, version_id, digest)
                           for list_id, version_id, _, _, digest in rows])
    if reuse is not None and reuse.key == key:
        shared = reuse
    else:
        shared = open_or_build(index_directory(session), key,
                               lambda: _lists_index(session, versions))
    linked = linked_entries(session)
    lists_index = shared.index
    registry = _registry_index(session, lists_index, linked)
    return LoadedIndex(IndexSet([(lists_index, linked), (registry, None)],
                                demoted=AGGREGATOR_LISTS), versions,
                       fingerprint, EntryDetails(lists_index, linked), shared)


def _check_pinned(session: Session, pinned: Sequence[tuple[str, int]],
                  rows: Sequence[Any]) -> None:
    found = {(list_id, version_id) for list_id, version_id, _, _, _ in rows}
    missing = [pair for pair in pinned if tuple(pair) not in found]
    if missing:
        list_id, version_id = missing[0]
        raise PinnedVersionMissing(
            f"Version {version_id} of {list_id}, which the job was started on, can no "
            "longer be loaded; the job is not finished against another version.",
            details={"list": list_id, "version": version_id})
    for list_id, version_id, _, entry_count, _ in rows:
        if entry_count and not session.connection().execute(
                select(ListEntryName.id).where(  # type: ignore[call-overload]
                    ListEntryName.version_id == version_id).limit(1)).first():
            raise PinnedVersionMissing(
                f"Version {version_id} of {list_id}, which the job was started on, has lost "
                "its entries; the job is not finished against another version.",
                details={"list": list_id, "version": version_id})


def _lists_index(session: Session, versions: Sequence[VersionInfo]) -> NameIndex:
    """Gives a new index of every name of the versions, with their entries' details."""
    started = time.perf_counter()
    # Official lists first, aggregators last (`AGGREGATOR_LISTS`): ties go to earlier names.
    versions = sorted(versions, key=lambda v: (v.list_id in AGGREGATOR_LISTS, v.list_id))
    names = session.connection().execute(
        select(func.coalesce(func.sum(ListVersion.name_count), 0))
        .where(ListVersion.id.in_([v.version for v in versions]))  # type: ignore[union-attr]
    ).scalar_one()
    # The build makes millions of objects that all live until it ends: the cyclic garbage
    # collector would walk them again and again for nothing (a fifth of a million-name build).
    collecting = gc.isenabled()
    gc.disable()
    try:
        # The details are read in the same pass as the names; the build uses them at its end.
        details: dict[EntryKey, Details] = {}
        index = NameIndex.build(
            chain.from_iterable(version_names(session, version.list_id, version.version,
                                              details=details)
                                for version in versions),
            _Extras(details), workers=build_workers(int(names)))
    finally:
        if collecting:
            gc.enable()
    metrics.INDEX_BUILD_SECONDS.observe(time.perf_counter() - started)
    return index


def build_workers(names: int) -> int:
    """Gives how many other processes normalise the names of a build of this many names: none
    for a small build, where starting them costs more than they save."""
    if names < PARALLEL_BUILD_NAMES:
        return 1
    return max(1, min(MAX_BUILD_WORKERS, os.cpu_count() or 1))


def _registry_index(session: Session, lists_index: NameIndex,
                    linked: Mapping[EntryKey, str]) -> NameIndex:
    """Gives an index of the registry's own names, each with the programs of the list entries
    its entity is linked to."""
    programs_by_entity: dict[str, set[str]] = defaultdict(set)
    for (list_id, key), entity_id in linked.items():
        for name in lists_index.names_of(list_id, key)[:1]:
            programs_by_entity[entity_id].update(name.programs)
    names = [
        IndexedName(REGISTRY_LIST, entity_id, spelling, canonical, kind,
                    tuple(sorted(programs_by_entity.get(entity_id, ()))), entity_id=entity_id)
        for entity_id, kind, canonical, spelling in session.connection().execute(
            select(Entity.id, Entity.kind, Entity.name, EntityName.name)  # type: ignore[call-overload]
            .join(EntityName, EntityName.entity_id == Entity.id)
            .where(EntityName.role == "name")
            .order_by(EntityName.id)
        ).all()
    ]
    return NameIndex.build(names)


class IndexHolder:
    """One process's current index, rebuilt when the database says it is out of date."""

    def __init__(self) -> None:
        self._loaded: LoadedIndex | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None
        # The index of the versions a running job is pinned to, when they are not the
        # active ones: one at a time, so at most two indexes are held.
        self._pinned: LoadedIndex | None = None

    def for_versions(self, engine: Engine, pinned: Sequence[tuple[str, int]],
                     lists: Sequence[str] | None) -> LoadedIndex:
        """Gives an index holding exactly the `pinned` versions of the lists screened.

        The current index when it holds them (the usual case); else one built for them,
        kept until other versions are asked for (a job started before an import goes on
        against the versions it started on). Raises PinnedVersionMissing.
        """
        wanted = sorted((list_id, version) for list_id, version in pinned)
        current = self.current(engine)
        if _screened_versions(current, lists) == wanted:
            return current
        with self._lock:
            held = self._pinned
            if held is not None and _screened_versions(held, lists) == wanted:
                return held
        with Session(engine) as session:
            built = build_index(session, pinned=wanted)
        with self._lock:
            self._pinned = built
        return built

    def holds_active(self, session: Session) -> bool:
        """Gives whether the index held was built from the lists' active versions right now.

        Only the versions count: a registry edit changes the index too, but an index a few
        names behind still screens every list entry.
        """
        loaded = self._loaded
        return loaded is not None and loaded.fingerprint[0] == current_fingerprint(session)[0]

    def warm_in_background(self, engine: Engine) -> None:
        """Starts building the current index in a thread, unless one is building already."""
        with self._lock:
            if self._warming is not None and self._warming.is_alive():
                return
            self._warming = threading.Thread(target=self._warm, args=(engine,),
                                             name="index-warm-up", daemon=True)
            self._warming.start()

    def _warm(self, engine: Engine) -> None:
        try:
            self.current(engine)
        except Exception:  # noqa: BLE001 - the next readiness probe or screening tries again
            logging.getLogger(__name__).warning("index warm-up failed", exc_info=True)

    def current(self, engine: Engine) -> LoadedIndex:
        """Gives an index matching the database's active versions and registry right now."""
        with Session(engine) as session:
            fingerprint = current_fingerprint(session)
            loaded = self._loaded
            if loaded is not None and loaded.fingerprint == fingerprint:
                return loaded
            with self._lock:
                loaded = self._loaded
                if loaded is None or loaded.fingerprint != fingerprint:
                    # Another set of versions maps (or first builds) the machine's file of
                    # that set; a registry edit or link decision only reads the registry
                    # again. Requests meanwhile wait here rather than fail.
                    loaded = build_index(session, fingerprint,
                                         reuse=loaded.shared if loaded is not None else None)
                    metrics.INDEX_NAMES.set(len(loaded.index))
                    self._loaded = loaded
                return loaded


def _screened_versions(loaded: LoadedIndex, lists: Sequence[str] | None) -> list[tuple[str, int]]:
    return sorted((v.list_id, v.version) for v in loaded.versions
                  if not lists or v.list_id in lists)
