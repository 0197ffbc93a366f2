"""Identifier bridges: a link to an entry of one list reaches the same designation on others.

The lists publish their own cross-references (see `service/lists/identifiers.py`): a CSL row
of an OFAC list carries OFAC's key, an OpenSanctions entity carries the OFAC key and the UN
DATAID of the records it merges. From every pinned or confirmed link of an entity, those
identifiers are followed through the active versions, hop after hop (SDN 8759 → the
OpenSanctions entity with referent `ofac-8759` → UN DATAID `unsc-113966` on that entity), and
each entry reached becomes a `bridged` link that says where it came from: the link it was
reached from and the identifier followed.

A bridged link is kept while the link it came from stands, even when its entry leaves the
list: the entity's status on that list then reads "removed", never "not listed". It goes
when the link it came from is deleted or rejected. An admin's rejection of an entry is
never overridden by a bridge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from service.lists.importer import ensure_identifiers
from service.models import (
    EntityLink,
    ListEntryIdentifier,
    ListEntryRow,
    ListVersion,
    SanctionsList,
    utcnow,
)

# Links an analyst stands behind: bridges start from these.
ROOT_LINK_STATES = ("pinned", "confirmed")
BRIDGED = "bridged"
REJECTED = "rejected"


@dataclass(frozen=True)
class Via:
    """Where a bridged link came from: the link it was reached from and the identifier."""

    list_id: str
    list_key: str
    identifier: str


@dataclass
class BridgeOutcome:
    """What following the bridges changed."""

    created: list[EntityLink] = field(default_factory=list)
    removed: list[EntityLink] = field(default_factory=list)
    # Entries rejected because a rejected entry's identifiers reach them.
    rejected: list[EntityLink] = field(default_factory=list)
    kept: int = 0


class _ActiveIdentifiers:
    """The identifiers of the active versions' entries, both ways, loaded once."""

    def __init__(self, session: Session) -> None:
        versions = session.exec(
            select(ListVersion).join(
                SanctionsList, col(SanctionsList.active_version_id) == col(ListVersion.id))
        ).all()
        self.by_entry: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.by_identifier: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for version in versions:
            ensure_identifiers(version, session=session)
            for key, identifier in session.connection().execute(
                select_columns(ListEntryRow.key, ListEntryIdentifier.identifier)  # type: ignore[call-overload]
                .join(ListEntryRow, col(ListEntryRow.id) == col(ListEntryIdentifier.entry_id))
                .where(ListEntryIdentifier.version_id == version.id)
            ).all():
                self.by_entry[(version.list_id, key)].append(identifier)
                self.by_identifier[identifier].append((version.list_id, key))


def reach(roots: Iterable[tuple[str, str]], identifiers: _ActiveIdentifiers,
          blocked: set[tuple[str, str]]) -> dict[tuple[str, str], Via]:
    """Gives every entry reachable from the root entries, each with the hop that reached it.

    Breadth first, in a sorted order, so the shortest path wins and every run gives the
    same provenance.
    """
    seen = set(roots)
    frontier = sorted(seen)
    reached: dict[tuple[str, str], Via] = {}
    while frontier:
        following: list[tuple[str, str]] = []
        for entry in frontier:
            for identifier in sorted(identifiers.by_entry.get(entry, ())):
                for other in sorted(identifiers.by_identifier.get(identifier, ())):
                    if other in seen or other in blocked:
                        continue
                    seen.add(other)
                    reached[other] = Via(entry[0], entry[1], identifier)
                    following.append(other)
        frontier = following
    return reached


def follow_bridges(*, session: Session, entity_ids: Iterable[str] | None = None
                   ) -> BridgeOutcome:
    """Makes the bridged links of the entities (default: all) follow their root links.

    Rejections travel the same way: an entry an admin rejected for an entity is the same
    designation as the entries its identifiers reach, so those are rejected too (with `via`)
    and never suggested again. A pinned or confirmed link always wins over such a rejection,
    since a wrong "not listed" is the worse error.
    """
    wanted = set(entity_ids) if entity_ids is not None else None
    query = select(EntityLink)
    if wanted is not None:
        query = query.where(col(EntityLink.entity_id).in_(sorted(wanted)))
    links_by_entity: dict[str, list[EntityLink]] = defaultdict(list)
    for link in session.exec(query).all():
        links_by_entity[link.entity_id].append(link)

    identifiers = _ActiveIdentifiers(session)
    outcome = BridgeOutcome()
    for entity_id, links in sorted(links_by_entity.items()):
        by_entry = {(link.list_id, link.list_key): link for link in links}
        roots = {entry for entry, link in by_entry.items() if link.status in ROOT_LINK_STATES}
        refusals = {entry for entry, link in by_entry.items() if _is_hand_rejection(link)}
        reached = reach(roots, identifiers, refusals)
        for entry, via in sorted(reached.items()):
            existing = by_entry.get(entry)
            if existing is None or existing.status in ("suggested", REJECTED):
                # A suggestion the bridge confirms becomes the bridged link, and so does an
                # entry rejected only because a bridge from a rejection reached it.
                link = existing or EntityLink(entity_id=entity_id, list_id=entry[0],
                                              list_key=entry[1], status=BRIDGED)
                _set_via(link, via, BRIDGED)
                session.add(link)
                by_entry[entry] = link
                outcome.created.append(link)
            elif existing.status == BRIDGED:
                if _via_of(existing) != via:
                    _set_via(existing, via, BRIDGED)
                    session.add(existing)
                outcome.kept += 1
        refused = reach(refusals, identifiers, roots | set(reached))
        for entry, via in sorted(refused.items()):
            existing = by_entry.get(entry)
            if existing is None or existing.status == "suggested":
                link = existing or EntityLink(entity_id=entity_id, list_id=entry[0],
                                              list_key=entry[1], status=REJECTED)
                _set_via(link, via, REJECTED)
                session.add(link)
                by_entry[entry] = link
                outcome.rejected.append(link)
        outcome.removed.extend(_drop_orphans(by_entry, BRIDGED, roots | set(reached),
                                             session=session))
        _drop_orphans(by_entry, REJECTED, refusals | set(refused), session=session)
    session.flush()
    return outcome


def _is_hand_rejection(link: EntityLink) -> bool:
    return link.status == REJECTED and link.via_identifier is None


def _via_of(link: EntityLink) -> Via | None:
    if link.via_list_id and link.via_list_key and link.via_identifier:
        return Via(link.via_list_id, link.via_list_key, link.via_identifier)
    return None


def _set_via(link: EntityLink, via: Via, status: str) -> None:
    link.status = status
    link.score = None
    link.via_list_id, link.via_list_key, link.via_identifier = (
        via.list_id, via.list_key, via.identifier)
    link.decided_at = utcnow()


def _drop_orphans(by_entry: dict[tuple[str, str], EntityLink], status: str,
                  standing: set[tuple[str, str]], *, session: Session) -> list[EntityLink]:
    """Deletes the links of `status` made by a bridge whose chain back to a root is broken.

    A bridged link not reached this time is kept if the link it came from still stands: its
    entry has left the active version (or the entry it came through has), and the entity's
    status must then say "removed" rather than forget the designation.
    """
    standing = set(standing)
    pending = {entry: link for entry, link in by_entry.items()
               if link.status == status and _via_of(link) is not None and entry not in standing}
    changed = True
    while changed:
        changed = False
        for entry, link in list(pending.items()):
            if (link.via_list_id, link.via_list_key) in standing:
                standing.add(entry)
                del pending[entry]
                changed = True
    for link in pending.values():
        session.delete(link)
    return list(pending.values())
