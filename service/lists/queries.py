"""Reading lists: their active versions, version history, and entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, func, select

from service.errors import NotFound
from service.lists.catalog import LISTS
from service.models import ListEntryName, ListEntryRow, ListVersion, SanctionsList, utcnow
from service.textkeys import search_key


def _is_stale(version: ListVersion | None, stale_after_days: int) -> bool:
    if version is None:
        return True
    fetched = version.fetched_at
    if fetched.tzinfo is None:
        from datetime import UTC

        fetched = fetched.replace(tzinfo=UTC)
    return utcnow() - fetched > timedelta(days=stale_after_days)


@dataclass
class ListOverview:
    """A list, its active version (if any), how many versions it has, and staleness."""

    id: str
    name: str
    active_version: ListVersion | None
    version_count: int
    stale: bool


@dataclass
class VersionHistory:
    """Every version of a list, newest first, and which one is active."""

    versions: list[ListVersion]
    active_id: int | None


def list_overview(list_id: str, *, session: Session, stale_after_days: int) -> ListOverview:
    """Gives one list with its active version and whether that version is stale."""
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None:
        if list_id in LISTS:
            return ListOverview(list_id, LISTS[list_id], None, 0, True)
        raise NotFound(f"Unknown list '{list_id}'.",
                       details={"list": list_id, "known": sorted(LISTS)})
    active = (session.get(ListVersion, sanctions_list.active_version_id)
              if sanctions_list.active_version_id else None)
    count = session.exec(select(func.count()).select_from(ListVersion)
                         .where(ListVersion.list_id == list_id)).one()
    return ListOverview(sanctions_list.id, sanctions_list.name, active, int(count),
                        _is_stale(active, stale_after_days))


def all_lists(*, session: Session, stale_after_days: int) -> list[ListOverview]:
    """Gives every known list with its active version."""
    return [list_overview(list_id, session=session, stale_after_days=stale_after_days)
            for list_id in LISTS]


def list_versions(list_id: str, *, session: Session) -> VersionHistory:
    """Gives every version of the list, newest first, marking the active one."""
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None and list_id not in LISTS:
        raise NotFound(f"Unknown list '{list_id}'.")
    active_id = sanctions_list.active_version_id if sanctions_list else None
    versions = session.exec(select(ListVersion).where(ListVersion.list_id == list_id)
                            .order_by(col(ListVersion.id).desc())).all()
    return VersionHistory(list(versions), active_id)


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


@dataclass
class EntryPage:
    """One page of a version's entries."""

    items: list[ListEntryRow]
    total: int
    page: int
    per_page: int
    version: int


@dataclass
class EntryRecord:
    """One entry of a version, with every field the list gives for it."""

    list_id: str
    version: int
    row: ListEntryRow


def search_entries(list_id: str, *, session: Session, q: str | None = None,
                   program: str | None = None, version: int | None = None, page: int = 1,
                   per_page: int = 20) -> EntryPage:
    """Gives one page of the entries of a version (the active one by default)."""
    version_id = version_id_of(list_id, version, session=session)
    query = select(ListEntryRow).where(ListEntryRow.version_id == version_id)
    if q and search_key(q):
        named = select(ListEntryName.entry_id).where(
            ListEntryName.version_id == version_id,
            col(ListEntryName.search_key).like(f"%{search_key(q)}%"),
        )
        query = query.where(col(ListEntryRow.id).in_(named))
    start = (page - 1) * per_page
    if not program:
        # Counted and paged by the database: a page of a whole list must not load its
        # eighteen thousand entries (with their data) to show fifty.
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = list(session.exec(query.order_by(col(ListEntryRow.id))
                                 .offset(start).limit(per_page)).all())
        return EntryPage(rows, int(total), page, per_page, version_id)
    # Programs are a JSON array, compared here rather than in SQL the same way on SQLite
    # and PostgreSQL.
    rows = list(session.exec(query.order_by(col(ListEntryRow.id))).all())
    rows = [r for r in rows if program.upper() in r.programs]
    return EntryPage(rows[start:start + per_page], len(rows), page, per_page, version_id)


def get_entry(list_id: str, key: str, *, session: Session, version: int | None = None
              ) -> EntryRecord:
    """Gives one entry with every field the list gives for it."""
    version_id = version_id_of(list_id, version, session=session)
    row = session.exec(select(ListEntryRow).where(ListEntryRow.version_id == version_id,
                                                  ListEntryRow.key == key)).first()
    if row is None:
        raise NotFound(f"List '{list_id}' version {version_id} has no entry '{key}'.")
    return EntryRecord(list_id, version_id, row)
