"""Links between entities and list entries: an admin confirms or rejects them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.errors import InvalidInput
from service.lists.catalog import LISTS, ensure_lists
from service.models import Entity, EntityLink, EntityName, ListEntryRow, ListVersion, utcnow
from service.registry.entities import get_entity
from service.screening.catalog import LoadedIndex


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
    link.decided_at = utcnow()
    session.add(link)
    session.flush()
    return link


def suggest_links(*, session: Session, loaded: LoadedIndex) -> list[EntityLink]:
    """Suggests links from name matching: list entries that match an entity's names.

    Each registry name is screened against every list the index holds; an entry that
    matches at the decision threshold and is not linked to anything yet becomes a
    `suggested` link for an admin to confirm or reject. Existing links of any status are
    left alone, so a rejected suggestion is not made again.
    """
    existing = {(link.entity_id, link.list_id, link.list_key)
                for link in session.exec(select(EntityLink)).all()}
    lists = {version.list_id for version in loaded.versions}
    made: list[EntityLink] = []
    if not lists:
        return made
    for entity in session.exec(select(Entity).order_by(col(Entity.id))).all():
        names = session.exec(select(EntityName.name).where(
            EntityName.entity_id == entity.id, EntityName.role == "name")).all()
        best: dict[tuple[str, str], tuple[float, str]] = {}
        for name in names:
            for match in loaded.index.search(name, kind=entity.kind, lists=lists, limit=3):
                hit = match.name
                if not match.match or hit.entity_id is not None:
                    continue
                key = (hit.list_id, hit.list_key)
                if key not in best or match.score > best[key][0]:
                    best[key] = (match.score, hit.name)
        for (list_id, list_key), (score, matched_name) in sorted(best.items()):
            if (entity.id, list_id, list_key) in existing:
                continue
            link = EntityLink(entity_id=entity.id, list_id=list_id, list_key=list_key,
                              status="suggested", score=round(score, 4),
                              matched_name=matched_name)
            session.add(link)
            made.append(link)
    session.flush()
    return made
