"""Entities of the registry: search, read, create, change and delete."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, delete, select

from service.errors import Conflict, NotFound
from service.models import Document, Enrichment, Entity, EntityLink, EntityName, Passage, utcnow
from service.registry.designations import Designation, designations_for, overall_status
from service.registry.passages import find_passages_by_entity
from service.terms import KINDS
from service.textkeys import search_key

__all__ = ["KINDS"]  # the kinds an entity may have, for the callers that check one
# The role of a registry spelling learnt from a document (seeding keeps those it did not write).
LEARNT_ROLE = "mention"
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
        named = select(EntityName.entity_id).where(col(EntityName.search_key).like(key),
                                                   EntityName.role == "name")
        query = query.where(col(Entity.id).in_(named))
    entities = list(session.exec(query).all())
    statuses = designations_for([e.id for e in entities], session=session)
    if designated is not None or program:
        wanted_program = program.upper() if program else None

        def keep(entity: Entity) -> bool:
            listed = [d for d in statuses[entity.id] if d.listed]
            if designated is not None and bool(listed) != designated:
                return False
            return not wanted_program or any(wanted_program in list(d.programs) for d in listed)

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
        select(EntityName).where(EntityName.entity_id == entity_id, EntityName.role == "name")
        .order_by(col(EntityName.id))
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
        "enrichments": list(session.exec(
            select(Enrichment).where(Enrichment.entity_id == entity_id)
            .order_by(col(Enrichment.id))).all()),
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
    # Every entity's passages: a new name can shadow a shorter name of another entity.
    refresh_passages(session=session)
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
        kept = [{"name": n.name, "source": n.source, "role": n.role}
                for n in existing if n.source != "api"]
        given = [entity.name, *changes.get("names", [n.name for n in existing
                                                     if n.source == "api"])]
        set_names(entity, kept + [{"name": n, "source": "api"} for n in given], session=session)
        session.flush()
        refresh_passages(session=session)
    session.add(entity)
    return entity


def delete_entity(entity_id: str, *, session: Session) -> None:
    """Deletes an entity with its names, passages and links."""
    entity = get_entity(entity_id, session=session)
    for table in (EntityName, Passage, EntityLink, Enrichment):
        session.exec(delete(table).where(col(table.entity_id) == entity_id))
    session.delete(entity)
    session.flush()
    refresh_passages(session=session)


def set_names(entity: Entity, names: list[dict[str, Any]], *, session: Session) -> None:
    """Makes the entity's names exactly `names` (first source wins for a repeated spelling).

    Each item is {"name", "source"?, "role"?}; role "reference" marks a phrase that only finds
    passages ("Iran's supreme leader") and is neither searched nor screened.
    """
    wanted: dict[str, tuple[str | None, str]] = {}
    for item in names:
        spelling = " ".join(str(item["name"]).split())
        if spelling and spelling not in wanted:
            wanted[spelling] = (item.get("source"), item.get("role", "name"))
    current = {n.name: n for n in session.exec(
        select(EntityName).where(EntityName.entity_id == entity.id)).all()}
    for spelling, row in current.items():
        if spelling not in wanted:
            session.delete(row)
        elif (row.source, row.role) != wanted[spelling]:
            row.source, row.role = wanted[spelling]
            session.add(row)
    for spelling, (source, role) in wanted.items():
        if spelling not in current:
            session.add(EntityName(entity_id=entity.id, name=spelling, role=role,
                                   search_key=search_key(spelling), source=source))


def refresh_passages(*, session: Session, entity_ids: Sequence[str] | None = None,
                     documents: Sequence[Document] | None = None) -> None:
    """Makes the entities' passages exactly their mentions in the documents.

    Every entity's names are searched together, so that a name inside a longer name of
    another entity ("Hezbollah" in "Kataib Hezbollah") is not taken as a mention of its own;
    only the passages of `entity_ids` (default: all) are rewritten.
    """
    names_by_entity: dict[str, list[str]] = defaultdict(list)
    for row in session.exec(select(EntityName).order_by(col(EntityName.id))).all():
        names_by_entity[row.entity_id].append(row.name)
    targets = set(entity_ids) if entity_ids is not None else set(names_by_entity)
    docs = documents if documents is not None else list(session.exec(select(Document)).all())
    for document in docs:
        found_by_entity = find_passages_by_entity(document.text, names_by_entity)
        stored_rows = session.exec(select(Passage).where(
            Passage.document_id == document.id, col(Passage.entity_id).in_(targets))).all()
        stored = {(p.entity_id, p.start, p.end): p for p in stored_rows}
        found = {(entity_id, span.start, span.end): span
                 for entity_id, spans in found_by_entity.items() if entity_id in targets
                 for span in spans}
        for key, passage in stored.items():
            if key not in found:
                session.delete(passage)
        for key, span in found.items():
            if key not in stored:
                session.add(Passage(entity_id=key[0], document_id=document.id,
                                    start=span.start, end=span.end, text=span.text,
                                    sentence=span.sentence))
