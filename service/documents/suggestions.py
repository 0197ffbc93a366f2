"""Registry growth: list entries a document mentions that are not registry entities yet.

A suggestion is one such entry with its mentions in the document; its id is
"<list>:<key>" (stable while the document's mentions are). Accepting it creates the entity,
named as the list names it, with the document's spellings, a confirmed link to the entry,
and its passages in every document.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from service.documents.xref import get_document
from service.errors import Conflict, InvalidInput, NotFound
from service.models import (
    DocumentClaim,
    DocumentMention,
    Entity,
    EntityLink,
    ListEntryRow,
    SanctionsList,
)
from service.registry.designations import ACCEPTED_LINK_STATES
from service.registry.entities import KINDS, refresh_passages, set_names, slugify
from service.registry.links import decide_link

_ENTRY_KINDS = {"individual": "person", "person": "person", "entity": "organization",
                "organization": "organization", "vessel": "vessel", "aircraft": "aircraft"}


def document_suggestions(document_id: str, *, session: Session) -> list[dict[str, Any]]:
    """Gives the list entries the document mentions that no entity stands for, first
    mentioned first."""
    get_document(document_id, session=session)
    rows = session.exec(
        select(DocumentMention).where(DocumentMention.document_id == document_id,
                                      col(DocumentMention.entity_id).is_(None),
                                      col(DocumentMention.list_id).is_not(None))
        .order_by(col(DocumentMention.start))).all()
    grouped: dict[tuple[str, str], list[DocumentMention]] = {}
    for row in rows:
        if row.list_id and row.list_key:
            grouped.setdefault((row.list_id, row.list_key), []).append(row)
    linked = _linked_entries(list(grouped), session=session)
    suggestions = []
    for (list_id, key), mentions in grouped.items():
        if (list_id, key) in linked:
            continue  # an entity was linked since the document was read
        entry = _active_entry(list_id, key, session=session)
        suggestions.append({
            "id": f"{list_id}:{key}",
            "list": list_id,
            "list_key": key,
            "name": entry.name if entry else mentions[0].matched_name,
            "kind": entry.kind if entry else mentions[0].kind,
            "programs": list(entry.programs) if entry else [],
            "on_active_version": entry is not None,
            "score": max(m.score for m in mentions),
            "mentions": [{"start": m.start, "end": m.end, "text": m.text, "score": m.score}
                         for m in mentions],
        })
    return suggestions


def accept_suggestion(document_id: str, suggestion_id: str, data: dict[str, Any], *,
                      session: Session) -> Entity:
    """Creates the entity a suggestion stands for, linked (confirmed) to its entry; gives it.

    `data` may give the new entity's "id", "name" and "kind"; by default the name is the
    list's, in natural order ("Abu Mahdi Al-Muhandis" for "AL-MUHANDIS, Abu Mahdi").
    """
    suggestion = next((s for s in document_suggestions(document_id, session=session)
                       if s["id"] == suggestion_id), None)
    if suggestion is None:
        raise NotFound(f"Document '{document_id}' has no suggestion '{suggestion_id}'.",
                       details={"document_id": document_id, "suggestion": suggestion_id})
    if not suggestion["on_active_version"]:
        raise InvalidInput(f"Entry '{suggestion['list_key']}' is not on the active version of "
                           f"'{suggestion['list']}' any more.", details=suggestion)
    list_id, key = suggestion["list"], suggestion["list_key"]
    kind = data.get("kind") or _ENTRY_KINDS.get(str(suggestion["kind"]).lower(), "other")
    if kind not in KINDS:
        kind = "other"
    name = data.get("name") or natural_name(suggestion["name"])
    entity_id = data.get("id") or slugify(name)
    if session.get(Entity, entity_id) is not None:
        raise Conflict(f"An entity with id '{entity_id}' already exists.",
                       details={"id": entity_id})
    entity = Entity(id=entity_id, kind=kind, name=name,
                    summary=f"Named in document '{document_id}'; listed on {list_id} as {key}.")
    session.add(entity)
    session.flush()
    spellings = [{"name": name, "source": "suggestion"},
                 {"name": suggestion["name"], "source": f"{list_id} {key}"}]
    spellings += [{"name": m["text"], "source": document_id} for m in suggestion["mentions"]]
    set_names(entity, spellings, session=session)
    link = decide_link(entity_id, list_id, key, "confirmed", session=session)
    link.score = suggestion["score"]
    link.matched_name = suggestion["name"]
    session.add(link)
    # Every document's mentions and claims of the entry now stand for the entity.
    for table in (DocumentMention, DocumentClaim):
        for row in session.exec(select(table).where(
                table.list_id == list_id, table.list_key == key,
                col(table.entity_id).is_(None))).all():
            row.entity_id = entity_id
            session.add(row)
    session.flush()
    refresh_passages(session=session)
    return entity


def natural_name(listed: str) -> str:
    """Gives a list's name in natural order and case: "AL-MUHANDIS, Abu Mahdi" →
    "Abu Mahdi Al-Muhandis", "KATA'IB HIZBALLAH" → "Kata'ib Hizballah"."""
    name = listed
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            name = f"{first} {last}"
    return re.sub(r"[^\W\d_][\w'’]*",
                  lambda m: m.group().capitalize() if m.group().isupper() else m.group(), name)


def _linked_entries(keys: list[tuple[str, str]], *, session: Session) -> set[tuple[str, str]]:
    if not keys:
        return set()
    rows = session.exec(select(EntityLink.list_id, EntityLink.list_key).where(
        col(EntityLink.status).in_(ACCEPTED_LINK_STATES),
        col(EntityLink.list_key).in_(sorted({k for _, k in keys})))).all()
    return {(list_id, key) for list_id, key in rows} & set(keys)


def _active_entry(list_id: str, key: str, *, session: Session) -> ListEntryRow | None:
    sanctions_list = session.get(SanctionsList, list_id)
    if sanctions_list is None or sanctions_list.active_version_id is None:
        return None
    return session.exec(select(ListEntryRow).where(
        ListEntryRow.version_id == sanctions_list.active_version_id,
        ListEntryRow.key == key)).first()
