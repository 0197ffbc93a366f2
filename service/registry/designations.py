"""Designation status of entities on every list, read from their links to the list versions.

Nothing here is typed in. Per list, the status is one of:

- `listed`: a pinned, confirmed or bridged link points at an entry of the active version;
- `possible`: no such link, but the matcher suggested an entry of the active version at or
  above the decision threshold and nobody has reviewed it yet; never reported as not listed;
- `removed`: a link points at an entry that has left the active version: the answer names
  the key, the last version it was on and the version it left in;
- `not_listed`: the active version was searched through links, identifier bridges and the
  matcher, and nothing reached the threshold; stated with the version and its data date;
- `unknown`: the list has no version, or the registry has not been checked against the
  active version yet (so "not listed" could not be stated honestly).

The summary status is the strongest across lists, in that order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from service.models import EntityLink, ListEntryRow, ListVersion, SanctionsList

# Link states that count as "this entity is that entry".
ACCEPTED_LINK_STATES = ("pinned", "confirmed", "bridged")
SUGGESTED = "suggested"
LISTED, POSSIBLE, REMOVED, NOT_LISTED, UNKNOWN = (
    "listed", "possible", "removed", "not_listed", "unknown")
# Strongest first: the summary of an entity is the first of these any list gives.
STATUS_STRENGTH = (LISTED, POSSIBLE, REMOVED, NOT_LISTED, UNKNOWN)


@dataclass
class Basis:
    """One link a status rests on: the entry, how the link was made, and from where."""

    list_key: str
    link: str  # pinned | confirmed | bridged | suggested
    name: str | None = None
    score: float | None = None
    via: dict[str, str] | None = None


@dataclass
class Designation:
    """An entity's status on one list, with the version it was read from."""

    list_id: str
    status: str
    listed: bool | None
    programs: list[str] = field(default_factory=list)
    list_key: str | None = None
    list_keys: list[str] = field(default_factory=list)
    matched_name: str | None = None
    version: int | None = None
    data_date: date | None = None
    basis: list[Basis] = field(default_factory=list)
    # For `removed`: the entry that left, the last version it was on, the one it left in.
    removed_key: str | None = None
    last_version: int | None = None
    left_in_version: int | None = None
    note: str | None = None


def link_via(link: EntityLink) -> dict[str, str] | None:
    """Gives where a bridged link (or a rejection a bridge carried) came from, or None."""
    if link.via_list_id and link.via_list_key and link.via_identifier:
        return {"list": link.via_list_id, "list_key": link.via_list_key,
                "identifier": link.via_identifier}
    return None


def _entries(version_id: int, keys: Iterable[str], *, session: Session
             ) -> dict[str, ListEntryRow]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    return {row.key: row for row in session.exec(select(ListEntryRow).where(
        ListEntryRow.version_id == version_id, col(ListEntryRow.key).in_(wanted))).all()}


def _last_seen(list_id: str, keys: Iterable[str], *, session: Session
               ) -> dict[str, list[int]]:
    """Gives, per key, the ids of every version of the list holding it, oldest first."""
    wanted = sorted(set(keys))
    seen: dict[str, list[int]] = defaultdict(list)
    if not wanted:
        return seen
    for key, version_id in session.connection().execute(
        select_columns(ListEntryRow.key, ListEntryRow.version_id)  # type: ignore[call-overload]
        .join(ListVersion, col(ListVersion.id) == col(ListEntryRow.version_id))
        .where(ListVersion.list_id == list_id, col(ListEntryRow.key).in_(wanted))
        .order_by(col(ListEntryRow.version_id))
    ).all():
        seen[key].append(version_id)
    return seen


def designations_for(entity_ids: Iterable[str], *, session: Session
                     ) -> dict[str, list[Designation]]:
    """Gives, per entity id, its status on every list."""
    ids = list(entity_ids)
    lists = session.exec(select(SanctionsList).order_by(col(SanctionsList.id))).all()
    versions = {
        v.id: v
        for v in session.exec(
            select(ListVersion).where(
                col(ListVersion.id).in_([lst.active_version_id for lst in lists
                                         if lst.active_version_id is not None])
            )
        ).all()
    }
    links_by_entity: dict[str, list[EntityLink]] = defaultdict(list)
    if ids:
        for link in session.exec(
            select(EntityLink).where(
                col(EntityLink.entity_id).in_(ids),
                col(EntityLink.status).in_((*ACCEPTED_LINK_STATES, SUGGESTED)),
            ).order_by(col(EntityLink.id))
        ).all():
            links_by_entity[link.entity_id].append(link)

    result: dict[str, list[Designation]] = {entity_id: [] for entity_id in ids}
    for lst in lists:
        version = versions.get(lst.active_version_id) if lst.active_version_id else None
        links_here = {entity_id: [link for link in links if link.list_id == lst.id]
                      for entity_id, links in links_by_entity.items()}
        keys = {link.list_key for links in links_here.values() for link in links}
        entries = _entries(version.id, keys, session=session) if version and version.id else {}
        missing = {link.list_key for links in links_here.values() for link in links
                   if link.status in ACCEPTED_LINK_STATES and link.list_key not in entries}
        history = _last_seen(lst.id, missing, session=session)
        version_ids = list(session.exec(select(ListVersion.id).where(
            ListVersion.list_id == lst.id).order_by(col(ListVersion.id))).all()) if missing else []
        for entity_id in ids:
            result[entity_id].append(_status(lst.id, version, links_here.get(entity_id, []),
                                             entries, history, version_ids))
    return result


def _status(list_id: str, version: ListVersion | None, links: Sequence[EntityLink],
            entries: dict[str, ListEntryRow], history: dict[str, list[int]],
            version_ids: Sequence[int | None]) -> Designation:
    accepted = [link for link in links if link.status in ACCEPTED_LINK_STATES]
    if version is None or version.id is None:
        return Designation(list_id=list_id, status=UNKNOWN, listed=None,
                           basis=[Basis(link.list_key, link.status, via=link_via(link))
                                  for link in accepted],
                           note="The list has no version.")
    present = [link for link in accepted if link.list_key in entries]
    if present:
        hits = [entries[link.list_key] for link in present]
        return Designation(
            list_id=list_id, status=LISTED, listed=True,
            programs=sorted({p for hit in hits for p in hit.programs}),
            list_key=hits[0].key, list_keys=[hit.key for hit in hits],
            matched_name=hits[0].name, version=version.id, data_date=version.data_date,
            basis=[Basis(link.list_key, link.status, entries[link.list_key].name,
                         via=link_via(link)) for link in present])
    suggested = [link for link in links
                 if link.status == SUGGESTED and link.list_key in entries]
    if suggested:
        best = max(suggested, key=lambda link: (link.score or 0, link.list_key))
        return Designation(
            list_id=list_id, status=POSSIBLE, listed=None,
            programs=sorted(entries[best.list_key].programs), list_key=best.list_key,
            list_keys=[link.list_key for link in suggested],
            matched_name=entries[best.list_key].name, version=version.id,
            data_date=version.data_date,
            basis=[Basis(link.list_key, SUGGESTED, entries[link.list_key].name,
                         score=link.score) for link in suggested],
            note="A name match awaits review: confirm or reject it.")
    if accepted:
        return _removed(list_id, version, accepted, history, version_ids)
    if version.registry_checked_at is None:
        return Designation(list_id=list_id, status=UNKNOWN, listed=None, version=version.id,
                           data_date=version.data_date,
                           note="The registry has not been checked against this version yet.")
    return Designation(list_id=list_id, status=NOT_LISTED, listed=False, version=version.id,
                       data_date=version.data_date)


def _removed(list_id: str, version: ListVersion, accepted: Sequence[EntityLink],
             history: dict[str, list[int]], version_ids: Sequence[int | None]) -> Designation:
    """A linked entry is not on the active version: say which, and when it left."""
    assert version.id is not None
    # Versions up to the active one (an older version made active again ends the story).
    story = [v for v in version_ids if v is not None and v <= version.id]

    def last_on(link: EntityLink) -> int | None:
        return max((v for v in history.get(link.list_key, []) if v in story), default=None)

    # The entry seen most recently is the one to report.
    link = max(accepted, key=lambda lk: (last_on(lk) or 0, lk.list_key))
    last = last_on(link)
    left_in = next((v for v in story if last is not None and v > last), version.id)
    return Designation(
        list_id=list_id, status=REMOVED, listed=False, list_key=None, version=version.id,
        data_date=version.data_date,
        basis=[Basis(lk.list_key, lk.status, via=link_via(lk)) for lk in accepted],
        removed_key=link.list_key, last_version=last, left_in_version=left_in,
        note=(None if last is not None
              else f"Entry {link.list_key} is on no imported version of the list."))


def overall_status(designations: Sequence[Designation]) -> str:
    """Gives the strongest status across lists (`unknown` if no list was checked)."""
    present = {d.status for d in designations}
    return next((status for status in STATUS_STRENGTH if status in present), UNKNOWN)


@dataclass
class HistoryEvent:
    """A change of one linked entry between two versions of a list."""

    event: str  # appeared | programs_changed | left | returned
    version: int
    data_date: date | None
    fetched_at: datetime
    programs: list[str]
    previous_programs: list[str] | None = None


def entry_history(list_id: str, list_key: str, *, session: Session) -> list[HistoryEvent]:
    """Gives the versions in which the entry appeared, changed programs or left, in order."""
    versions = session.exec(select(ListVersion).where(ListVersion.list_id == list_id)
                            .order_by(col(ListVersion.id))).all()
    programs_by_version: dict[int, list[str]] = {
        version_id: list(programs) for version_id, programs in session.connection().execute(
            select_columns(ListEntryRow.version_id, ListEntryRow.programs)  # type: ignore[call-overload]
            .join(ListVersion, col(ListVersion.id) == col(ListEntryRow.version_id))
            .where(ListVersion.list_id == list_id, ListEntryRow.key == list_key))
    }
    events: list[HistoryEvent] = []
    previous: list[str] | None = None
    was_present = False
    for version in versions:
        assert version.id is not None
        programs = programs_by_version.get(version.id)
        if programs is not None and not was_present:
            event = "returned" if events else "appeared"
            events.append(HistoryEvent(event, version.id, version.data_date, version.fetched_at,
                                       programs))
        elif programs is not None and sorted(programs) != sorted(previous or []):
            events.append(HistoryEvent("programs_changed", version.id, version.data_date,
                                       version.fetched_at, programs, previous))
        elif programs is None and was_present:
            events.append(HistoryEvent("left", version.id, version.data_date,
                                       version.fetched_at, [], previous))
        was_present = programs is not None
        if programs is not None:
            previous = programs
    return events


@dataclass
class EntryHistory:
    """One linked entry's history on its list."""

    list_id: str
    list_key: str
    link: str
    via: dict[str, str] | None
    events: list[HistoryEvent]


def entity_history(entity_id: str, *, session: Session) -> list[EntryHistory]:
    """Gives, per list and linked entry, the entry's history over the list's versions."""
    links = session.exec(select(EntityLink).where(
        EntityLink.entity_id == entity_id, col(EntityLink.status).in_(ACCEPTED_LINK_STATES))
        .order_by(col(EntityLink.list_id), col(EntityLink.list_key))).all()
    return [EntryHistory(link.list_id, link.list_key, link.status, link_via(link),
                         entry_history(link.list_id, link.list_key, session=session))
            for link in links]
