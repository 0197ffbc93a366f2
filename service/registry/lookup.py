"""One search over the registry and the lists' active versions together (the console's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from service.lists.queries import all_lists, search_entries
from service.models import Entity, ListEntryRow
from service.registry.designations import Designation
from service.registry.entities import search_entities


@dataclass
class Found:
    """Entities whose names contain the words, with their status per list, and the matching
    entries of each list's active version."""

    entities: list[tuple[Entity, list[Designation]]]
    entity_total: int
    entries: dict[str, list[ListEntryRow]] = field(default_factory=dict)
    entry_totals: dict[str, int] = field(default_factory=dict)


def search_everything(q: str, *, session: Session, per_source: int = 25) -> Found:
    """Gives the entities and the active list entries whose names contain `q`."""
    page = search_entities(session=session, q=q, per_page=per_source)
    found = Found(page.items, page.total)
    if not q.strip():
        return found
    # Staleness is not shown here; any positive period will do.
    for overview in all_lists(session=session, stale_after_days=1):
        if overview.active_version is None:
            continue
        entries = search_entries(overview.id, session=session, q=q, per_page=per_source)
        if entries.total:
            found.entries[overview.id] = entries.items
            found.entry_totals[overview.id] = entries.total
    return found
