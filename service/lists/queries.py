"""Reading lists: their active versions, version history, and entries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from service.errors import NotFound
from service.lists.catalog import LISTS
from service.models import ListEntryName, ListEntryRow, ListVersion, SanctionsList, utcnow
from service.textkeys import search_key


def version_json(version: ListVersion) -> dict[str, Any]:
    """Gives the JSON form of a list version with its provenance."""
    return {
        "id": version.id,
        "list": version.list_id,
        "format": version.format,
        "data_date": version.data_date.isoformat() if version.data_date else None,
        "fetched_at": version.fetched_at.isoformat(),
        "sha256": version.sha256,
        "entry_count": version.entry_count,
        "name_count": version.name_count,
        "skipped": version.skipped,
        "sources": version.sources,
        "part_dates": version.part_dates or {},
        "registry_checked_at": (version.registry_checked_at.isoformat()
                                if version.registry_checked_at else None),
    }


def _is_stale(version: ListVersion | None, stale_after_days: int) -> bool:
    if version is None:
        return True
    fetched = version.fetched_at
    if fetched.tzinfo is None:
        from datetime import UTC

        fetched = fetched.replace(tzinfo=UTC)
    return utcnow() - fetched > timedelta(days=stale_after_days)


def list_overview(list_id: str, *, session: Session, stale_after_days: int) -> dict[str, Any]:
    """Gives one list with its active version and whether that version is stale."""
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None:
        if list_id in LISTS:
            return {"id": list_id, "name": LISTS[list_id], "active_version": None,
                    "version_count": 0, "stale": True}
        raise NotFound(f"Unknown list '{list_id}'.",
                       details={"list": list_id, "known": sorted(LISTS)})
    active = (session.get(ListVersion, sanctions_list.active_version_id)
              if sanctions_list.active_version_id else None)
    count = session.exec(select(func.count()).select_from(ListVersion)
                         .where(ListVersion.list_id == list_id)).one()
    return {
        "id": sanctions_list.id,
        "name": sanctions_list.name,
        "active_version": version_json(active) if active else None,
        "version_count": int(count),
        "stale": _is_stale(active, stale_after_days),
    }


def all_lists(*, session: Session, stale_after_days: int) -> list[dict[str, Any]]:
    """Gives every known list with its active version."""
    return [list_overview(list_id, session=session, stale_after_days=stale_after_days)
            for list_id in LISTS]


def list_versions(list_id: str, *, session: Session) -> list[dict[str, Any]]:
    """Gives every version of the list, newest first, marking the active one."""
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None and list_id not in LISTS:
        raise NotFound(f"Unknown list '{list_id}'.")
    active_id = sanctions_list.active_version_id if sanctions_list else None
    versions = session.exec(select(ListVersion).where(ListVersion.list_id == list_id)
                            .order_by(col(ListVersion.id).desc())).all()
    return [{**version_json(v), "active": v.id == active_id} for v in versions]


def active_version_id(list_id: str, *, session: Session) -> int:
    """Gives the id of the list's active version, or raises NotFound."""
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None and list_id not in LISTS:
        raise NotFound(f"Unknown list '{list_id}'.")
    if sanctions_list is None or sanctions_list.active_version_id is None:
        raise NotFound(f"List '{list_id}' has no version yet; import or refresh it first.")
    return sanctions_list.active_version_id


def version_id_of(list_id: str, version: int | None, *, session: Session) -> int:
    """Gives the id of the asked version of the list (the active one by default).

    An asked version must be one of this list's: any other id would answer with another
    list's entries (or an empty page) under this list's name.
    """
    if version is None:
        return active_version_id(list_id, session=session)
    found = session.get(ListVersion, version)
    if found is None or found.list_id != list_id:
        raise NotFound(f"List '{list_id}' has no version {version}.",
                       details={"list": list_id, "version": version})
    return version


def search_entries(list_id: str, *, session: Session, q: str | None = None,
                   program: str | None = None, version: int | None = None, page: int = 1,
                   per_page: int = 20) -> dict[str, Any]:
    """Gives one page of the entries of a version (the active one by default)."""
    version_id = version_id_of(list_id, version, session=session)
    query = select(ListEntryRow).where(ListEntryRow.version_id == version_id)
    if q and search_key(q):
        named = select(ListEntryName.entry_id).where(
            ListEntryName.version_id == version_id,
            col(ListEntryName.search_key).like(f"%{search_key(q)}%"),
        )
        query = query.where(col(ListEntryRow.id).in_(named))
    rows = list(session.exec(query.order_by(col(ListEntryRow.id))).all())
    if program:
        rows = [r for r in rows if program.upper() in r.programs]
    start = (page - 1) * per_page
    return {
        "items": [entry_summary(r) for r in rows[start:start + per_page]],
        "total": len(rows),
        "page": page,
        "per_page": per_page,
        "version": version_id,
    }


def entry_summary(row: ListEntryRow) -> dict[str, Any]:
    """Gives the short JSON form of an entry."""
    return {"key": row.key, "name": row.name, "kind": row.kind, "programs": row.programs}


def get_entry(list_id: str, key: str, *, session: Session, version: int | None = None
              ) -> dict[str, Any]:
    """Gives one entry with every field the list gives for it."""
    version_id = version_id_of(list_id, version, session=session)
    row = session.exec(select(ListEntryRow).where(ListEntryRow.version_id == version_id,
                                                  ListEntryRow.key == key)).first()
    if row is None:
        raise NotFound(f"List '{list_id}' version {version_id} has no entry '{key}'.")
    return {**row.data, "list": list_id, "version": version_id}
