"""Links between entities and list entries: an admin confirms or rejects them.

Bridged links follow from confirmed ones, and name matches are suggested, in
`service/linking/`.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.errors import InvalidInput
from service.lists.catalog import LISTS, ensure_lists
from service.models import EntityLink, ListEntryRow, ListVersion, utcnow
from service.registry.entities import get_entity


def decide_link(entity_id: str, list_id: str, list_key: str, status: str, *,
                session: Session) -> EntityLink:
    """Records an admin's decision on an entity ↔ entry link (creating it if needed)."""
    get_entity(entity_id, session=session)
    if list_id not in LISTS:
        raise InvalidInput(f"Unknown list '{list_id}'.", details={"known": sorted(LISTS)})
    known = session.exec(
        select(ListEntryRow.id)
        .join(ListVersion, col(ListVersion.id) == col(ListEntryRow.version_id))
        .where(ListVersion.list_id == list_id, ListEntryRow.key == list_key)
    ).first()
    if known is None and status == "confirmed":
        raise InvalidInput(f"No version of '{list_id}' has an entry '{list_key}'.",
                           details={"list": list_id, "list_key": list_key})
    ensure_lists(session=session)
    link = session.exec(select(EntityLink).where(
        EntityLink.entity_id == entity_id, EntityLink.list_id == list_id,
        EntityLink.list_key == list_key)).first()
    if link is None:
        link = EntityLink(entity_id=entity_id, list_id=list_id, list_key=list_key,
                          status=status)
    link.status = status
    # An admin's decision is a root of its own, whatever bridge made the link before.
    link.via_list_id = link.via_list_key = link.via_identifier = None
    link.decided_at = utcnow()
    session.add(link)
    session.flush()
    return link

