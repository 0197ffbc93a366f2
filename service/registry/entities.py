"""Entities of the registry: search, read, create, change and delete."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, delete, select

from service.errors import Conflict, NotFound
from service.models import Document, Entity, EntityLink, EntityName, Passage, utcnow
from service.registry.designations import Designation, designations_for, overall_status
from service.registry.passages import find_passages
from service.textkeys import search_key

KINDS = ("person", "organization", "vessel", "aircraft", "other")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """Gives a URL-safe id made from a name."""
    return _SLUG_JUNK.sub("-", search_key(name)).strip("-")[:100] or "entity"


@dataclass
class EntityPage:
    """One page of a search: the entities, with their designation summaries, and the total."""

    items: list[tuple[Entity, list[Designation]]]
    total: int
    page: int
    per_page: int


def search_entities(
    *,
    session: Session,
    q: str | None = None,
    kind: str | None = None,
    designated: bool | None = None,
    program: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> EntityPage:
    """Gives the entities whose names contain `q`, filtered by kind and designation."""
    query = select(Entity).order_by(col(Entity.name))
    if kind:
        query = query.where(Entity.kind == kind)
    if q and search_key(q):
        key = f"%{search_key(q)}%"
        named = select(EntityName.entity_id).where(col(EntityName.search_key).like(key))
        query = query.where(col(Entity.id).in_(named))
    entities = list(session.exec(query).all())
    statuses = designations_for([e.id for e in entities], session=session)
    if designated is not None or program:
        wanted_program = program.upper() if program else None

        def keep(entity: Entity) -> bool:
            listed = [d for d in statuses[entity.id] if d.listed]
            if designated is not None and bool(listed) != designated:
                return False
            return not wanted_program or any(wanted_program in d.programs for d in listed)

        entities = [e for e in entities if keep(e)]
    start = (page - 1) * per_page
    chosen = entities[start:start + per_page]
    return EntityPage([(e, statuses[e.id]) for e in chosen], len(entities), page, per_page)


def get_entity(entity_id: str, *, session: Session) -> Entity:
    """Gives the entity or raises NotFound."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound(f"No entity with id '{entity_id}'.", details={"id": entity_id})
    return entity


def entity_detail(entity_id: str, *, session: Session) -> dict[str, Any]:
    """Gives everything the registry knows of one entity."""
    entity = get_entity(entity_id, session=session)
    names = session.exec(
        select(EntityName).where(EntityName.entity_id == entity_id).order_by(col(EntityName.id))
    ).all()
    designations = designations_for([entity_id], session=session)[entity_id]
    links = session.exec(
        select(EntityLink).where(EntityLink.entity_id == entity_id).order_by(col(EntityLink.id))
    ).all()
    return {
        "entity": entity,
        "names": list(names),
        "designations": designations,
        "designation_status": overall_status(designations),
        "links": list(links),
        "passages": entity_passages(entity_id, session=session),
    }


def entity_passages(entity_id: str, *, session: Session) -> list[Passage]:
    """Gives the entity's passages in document order."""
    get_entity(entity_id, session=session)
    return list(session.exec(
        select(Passage).where(Passage.entity_id == entity_id)
        .order_by(col(Passage.document_id), col(Passage.start))
    ).all())


def create_entity(data: dict[str, Any], *, session: Session) -> Entity:
    """Creates an entity with its names and finds its passages in every document."""
    entity_id = data.get("id") or slugify(data["name"])
    if session.get(Entity, entity_id) is not None:
        raise Conflict(f"An entity with id '{entity_id}' already exists.",
                       details={"id": entity_id})
    entity = Entity(id=entity_id, kind=data["kind"], name=data["name"],
                    summary=data.get("summary"))
    session.add(entity)
    set_names(entity, [{"name": data["name"], "source": "api"},
                       *({"name": n, "source": "api"} for n in data.get("names", []))],
              session=session)
    session.flush()
    refresh_passages(entity, session=session)
    return entity


def update_entity(entity_id: str, changes: dict[str, Any], *, session: Session) -> Entity:
    """Changes an entity's fields; new names replace the API-given ones and re-find passages."""
    entity = get_entity(entity_id, session=session)
    for attribute in ("kind", "name", "summary"):
        if attribute in changes:
            setattr(entity, attribute, changes[attribute])
    entity.updated_at = utcnow()
    if "names" in changes or "name" in changes:
        existing = session.exec(select(EntityName).where(EntityName.entity_id == entity_id)).all()
        kept = [{"name": n.name, "source": n.source} for n in existing if n.source != "api"]
        given = [entity.name, *changes.get("names", [n.name for n in existing
                                                     if n.source == "api"])]
        set_names(entity, kept + [{"name": n, "source": "api"} for n in given], session=session)
        session.flush()
        refresh_passages(entity, session=session)
    session.add(entity)
    return entity


def delete_entity(entity_id: str, *, session: Session) -> None:
    """Deletes an entity with its names, passages and links."""
    entity = get_entity(entity_id, session=session)
    for table in (EntityName, Passage, EntityLink):
        session.exec(delete(table).where(col(table.entity_id) == entity_id))  # type: ignore[call-overload]
    session.delete(entity)


def set_names(entity: Entity, names: list[dict[str, Any]], *, session: Session) -> None:
    """Makes the entity's names exactly `names` (first source wins for a repeated spelling)."""
    wanted: dict[str, str | None] = {}
    for item in names:
        spelling = " ".join(str(item["name"]).split())
        if spelling and spelling not in wanted:
            wanted[spelling] = item.get("source")
    current = {n.name: n for n in session.exec(
        select(EntityName).where(EntityName.entity_id == entity.id)).all()}
    for spelling, row in current.items():
        if spelling not in wanted:
            session.delete(row)
        elif row.source != wanted[spelling]:
            row.source = wanted[spelling]
            session.add(row)
    for spelling, source in wanted.items():
        if spelling not in current:
            session.add(EntityName(entity_id=entity.id, name=spelling,
                                   search_key=search_key(spelling), source=source))


def refresh_passages(entity: Entity, *, session: Session,
                     documents: list[Document] | None = None) -> None:
    """Makes the entity's passages exactly the mentions of its names in the documents."""
    names = [n.name for n in session.exec(
        select(EntityName).where(EntityName.entity_id == entity.id)).all()]
    docs = documents if documents is not None else list(session.exec(select(Document)).all())
    for document in docs:
        found = {(s.start, s.end): s for s in find_passages(document.text, names)}
        stored = {(p.start, p.end): p for p in session.exec(
            select(Passage).where(Passage.entity_id == entity.id,
                                  Passage.document_id == document.id)).all()}
        for offsets, passage in stored.items():
            if offsets not in found:
                session.delete(passage)
        for offsets, span in found.items():
            if offsets not in stored:
                session.add(Passage(entity_id=entity.id, document_id=document.id,
                                    start=span.start, end=span.end, text=span.text,
                                    sentence=span.sentence))

