"""The screening index of the active list versions and the registry, kept current.

Each process holds one index. Before every screening it reads the active version ids and a
fingerprint of the registry's names (two small queries); when either changed — an import in
any process, a registry edit — the index is rebuilt from the database, so every server
process screens against a new version without a restart. A screening keeps the index object
it started with, so its answer comes wholly from one set of versions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import metrics
from service.errors import ServiceError
from service.matching.details import Details, entry_details
from service.matching.index import IndexedName, NameIndex
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
from service.terms import REGISTRY_LIST


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
_EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class EntryDetails:
    """What the index keeps of the entries for comparing details: each entry's normalised
    details, its names (to score an entry found by identifier), and the entries by each
    canonical identifier form."""

    details: Mapping[EntryKey, Details] = field(default_factory=lambda: _EMPTY)
    names: Mapping[EntryKey, tuple[IndexedName, ...]] = field(default_factory=lambda: _EMPTY)
    by_identifier: Mapping[str, tuple[EntryKey, ...]] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class LoadedIndex:
    """An index together with the list versions and registry state it was built from."""

    index: NameIndex
    versions: tuple[VersionInfo, ...]
    fingerprint: tuple[Any, ...]
    entries: EntryDetails = field(default_factory=EntryDetails)

    def version_of(self, list_id: str) -> int | None:
        """Gives the version id of the list this index holds, if any."""
        return next((v.version for v in self.versions if v.list_id == list_id), None)


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
                  linked: dict[tuple[str, str], str]) -> list[IndexedName]:
    """Gives every name of one list version as the index stores it."""
    rows = session.connection().execute(
        select(ListEntryRow.key, ListEntryRow.kind, ListEntryRow.name,  # type: ignore[call-overload]
               ListEntryRow.programs, ListEntryName.name, ListEntryName.weak)
        .join(ListEntryRow, ListEntryRow.id == ListEntryName.entry_id)
        .where(ListEntryName.version_id == version_id)
        .order_by(ListEntryName.id)
    )
    return [IndexedName(list_id, key, name, primary, kind, tuple(programs),
                        entity_id=linked.get((list_id, key)), weak=bool(weak))
            for key, kind, primary, programs, name, weak in rows]


def version_details(session: Session, list_id: str, version_id: int
                    ) -> dict[EntryKey, Details]:
    """Gives the normalised details of every entry of one list version that has any.

    Computed from the stored common model when the index is built, so every source (OFAC
    CSV remarks and XML, UN, CSL, OpenSanctions) is read the same way and no stored copy can
    fall behind the normalisation rules.
    """
    found: dict[EntryKey, Details] = {}
    for key, data in session.connection().execute(
        select(ListEntryRow.key, ListEntryRow.data)  # type: ignore[call-overload]
        .where(ListEntryRow.version_id == version_id)
        .order_by(ListEntryRow.id)
    ):
        details = entry_details(data or {})
        if details:
            found[(list_id, key)] = details
    return found


def gather_entries(names: list[IndexedName], details: dict[EntryKey, Details]) -> EntryDetails:
    """Gives the details, the names by entry and the entries by identifier form."""
    by_entry: dict[EntryKey, list[IndexedName]] = defaultdict(list)
    for name in names:
        by_entry[(name.list_id, name.list_key)].append(name)
    by_identifier: dict[str, list[EntryKey]] = defaultdict(list)
    for key, entry in details.items():
        for form in entry.id_forms():
            by_identifier[form].append(key)
    return EntryDetails(
        MappingProxyType(details),
        MappingProxyType({key: tuple(found) for key, found in by_entry.items()}),
        MappingProxyType({form: tuple(keys) for form, keys in by_identifier.items()}))


class PinnedVersionMissing(ServiceError):
    """A version a job was pinned to can no longer be loaded."""

    status = 409
    code = "pinned_version_missing"


def build_index(session: Session, fingerprint: tuple[Any, ...] | None = None,
                pinned: Sequence[tuple[str, int]] | None = None) -> LoadedIndex:
    """Gives a new index of every name of the active versions (or of the `pinned` (list,
    version) pairs) and of the registry.

    Raises PinnedVersionMissing when a pinned version is gone or has lost its names.
    """
    fingerprint = fingerprint or current_fingerprint(session)
    connection = session.connection()
    linked = linked_entries(session)
    names: list[IndexedName] = []
    versions: list[VersionInfo] = []
    details: dict[EntryKey, Details] = {}
    if pinned is None:
        query = (select(SanctionsList.id, ListVersion.id, ListVersion.data_date,  # type: ignore[call-overload]
                        ListVersion.entry_count)
                 .join(ListVersion, ListVersion.id == SanctionsList.active_version_id)
                 .order_by(SanctionsList.id))
    else:
        query = (select(ListVersion.list_id, ListVersion.id, ListVersion.data_date,  # type: ignore[call-overload]
                        ListVersion.entry_count)
                 .where(ListVersion.id.in_([version for _, version in pinned]))  # type: ignore[union-attr]
                 .order_by(ListVersion.list_id))
    for list_id, version_id, data_date, entry_count in connection.execute(query).all():
        versions.append(VersionInfo(list_id, version_id, data_date))
        loaded_names = version_names(session, list_id, version_id, linked)
        if pinned is not None and entry_count and not loaded_names:
            raise PinnedVersionMissing(
                f"Version {version_id} of {list_id}, which the job was started on, has lost "
                "its entries; the job is not finished against another version.",
                details={"list": list_id, "version": version_id})
        names.extend(loaded_names)
        details.update(version_details(session, list_id, version_id))
    if pinned is not None:
        found = {(v.list_id, v.version) for v in versions}
        missing = [pair for pair in pinned if tuple(pair) not in found]
        if missing:
            list_id, version_id = missing[0]
            raise PinnedVersionMissing(
                f"Version {version_id} of {list_id}, which the job was started on, can no "
                "longer be loaded; the job is not finished against another version.",
                details={"list": list_id, "version": version_id})

    programs_by_entity: dict[str, set[str]] = defaultdict(set)
    for name in names:
        if name.entity_id:
            programs_by_entity[name.entity_id].update(name.programs)
    for entity_id, kind, canonical, spelling in connection.execute(
        select(Entity.id, Entity.kind, Entity.name, EntityName.name)  # type: ignore[call-overload]
        .join(EntityName, EntityName.entity_id == Entity.id)
        .where(EntityName.role == "name")
        .order_by(EntityName.id)
    ).all():
        names.append(IndexedName(REGISTRY_LIST, entity_id, spelling, canonical, kind,
                                 tuple(sorted(programs_by_entity.get(entity_id, ()))),
                                 entity_id=entity_id))
    return LoadedIndex(NameIndex.build(names), tuple(versions), fingerprint,
                       gather_entries([n for n in names if n.list_id != REGISTRY_LIST],
                                      details))


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
                    started = time.perf_counter()
                    loaded = build_index(session, fingerprint)
                    metrics.INDEX_BUILD_SECONDS.observe(time.perf_counter() - started)
                    metrics.INDEX_NAMES.set(len(loaded.index))
                    self._loaded = loaded
                return loaded


def _screened_versions(loaded: LoadedIndex, lists: Sequence[str] | None) -> list[tuple[str, int]]:
    return sorted((v.list_id, v.version) for v in loaded.versions
                  if not lists or v.list_id in lists)
