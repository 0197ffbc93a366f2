"""Designation status of entities, read from their links to the active list versions.

Nothing here is typed in: an entity is listed on a list when one of its pinned or confirmed
links points at an entry of that list's active version, and "not listed" is stated with the
version it was checked against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from service.lists.programs import explain
from service.models import EntityLink, ListEntryRow, ListVersion, SanctionsList

# Link states that count as "this entity is that entry".
ACCEPTED_LINK_STATES = ("pinned", "confirmed")


@dataclass
class Designation:
    """An entity's status on one list, with the version it was read from."""

    list_id: str
    status: str  # listed | not_listed | unknown
    listed: bool | None
    programs: list[str] = field(default_factory=list)
    list_key: str | None = None
    list_keys: list[str] = field(default_factory=list)
    matched_name: str | None = None
    version: int | None = None
    data_date: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Gives the JSON form the API returns."""
        return {
            "list": self.list_id,
            "status": self.status,
            "listed": self.listed,
            "programs": self.programs,
            "program_details": explain(self.programs),
            "list_key": self.list_key,
            "list_keys": self.list_keys,
            "matched_name": self.matched_name,
            "version": self.version,
            "data_date": self.data_date.isoformat() if self.data_date else None,
        }


def designations_for(entity_ids: Iterable[str], *, session: Session
                     ) -> dict[str, list[Designation]]:
    """Gives, per entity id, its status on every list (unknown where a list has no version)."""
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
                col(EntityLink.status).in_(ACCEPTED_LINK_STATES),
            )
        ).all():
            links_by_entity[link.entity_id].append(link)

    # One query for every linked entry of every active version.
    wanted: dict[int, set[str]] = defaultdict(set)
    active_by_list = {lst.id: lst.active_version_id for lst in lists}
    for links in links_by_entity.values():
        for link in links:
            version_id = active_by_list.get(link.list_id)
            if version_id is not None:
                wanted[version_id].add(link.list_key)
    entries: dict[tuple[int, str], ListEntryRow] = {}
    for version_id, keys in wanted.items():
        for row in session.exec(
            select(ListEntryRow).where(
                ListEntryRow.version_id == version_id, col(ListEntryRow.key).in_(sorted(keys))
            )
        ).all():
            entries[(version_id, row.key)] = row

    result: dict[str, list[Designation]] = {}
    for entity_id in ids:
        statuses: list[Designation] = []
        for lst in lists:
            version = versions.get(lst.active_version_id) if lst.active_version_id else None
            if version is None or version.id is None:
                statuses.append(Designation(list_id=lst.id, status="unknown", listed=None))
                continue
            hits = [
                entries[(version.id, link.list_key)]
                for link in links_by_entity.get(entity_id, [])
                if link.list_id == lst.id and (version.id, link.list_key) in entries
            ]
            if hits:
                programs = sorted({p for hit in hits for p in hit.programs})
                statuses.append(Designation(
                    list_id=lst.id, status="listed", listed=True, programs=programs,
                    list_key=hits[0].key, list_keys=[hit.key for hit in hits],
                    matched_name=hits[0].name, version=version.id, data_date=version.data_date,
                ))
            else:
                statuses.append(Designation(list_id=lst.id, status="not_listed", listed=False,
                                            version=version.id, data_date=version.data_date))
        result[entity_id] = statuses
    return result


def overall_status(designations: list[Designation]) -> str:
    """Gives `listed` if any list lists the entity, `unknown` if no list was checked."""
    if any(d.listed for d in designations):
        return "listed"
    if any(d.status == "not_listed" for d in designations):
        return "not_listed"
    return "unknown"
