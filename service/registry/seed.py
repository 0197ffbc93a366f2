"""Loads the registry from `seeds/`: documents, entities with their spellings, pinned links.

Seeding is get-or-create and update-in-place, so running it twice changes nothing. Reading the
seeded documents for mentions and claims is the documents package's, above the registry: the
seed use case (`service.usecases.seed`) does it next.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from service.lists.catalog import ensure_lists
from service.models import Document, Entity, EntityLink, EntityName
from service.registry.entities import LEARNT_ROLE, refresh_passages, set_names


class SeedError(ValueError):
    """The seed files are inconsistent (a changed document, an unknown kind, …)."""


def load_yaml(path: Path) -> Any:
    """Gives the parsed YAML file."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def seed_registry(seeds_dir: Path, *, session: Session) -> Counter[str]:
    """Loads documents, entities, names, links and passages; gives counts of what changed."""
    changes: Counter[str] = Counter()
    ensure_lists(session=session)
    documents = _seed_documents(seeds_dir / "documents", session=session, changes=changes)
    entities = _seed_entities(load_yaml(seeds_dir / "entities.yaml"), session=session,
                              changes=changes)
    session.flush()
    refresh_passages(session=session, entity_ids=[e.id for e in entities], documents=documents)
    return changes


def _seed_documents(folder: Path, *, session: Session, changes: Counter[str]) -> list[Document]:
    documents = []
    for item in load_yaml(folder / "documents.yaml"):
        raw = (folder / item["file"]).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if item.get("sha256") and item["sha256"] != digest:
            raise SeedError(f"{item['file']}: sha256 differs from documents.yaml")
        published = item.get("published_on")
        fields = {
            "title": item["title"],
            "published_on": date.fromisoformat(str(published)) if published else None,
            "text": raw.decode("utf-8"),
            "sha256": digest,
            "source": item.get("source"),
        }
        document = session.get(Document, item["id"])
        if document is None:
            document = Document(id=item["id"], **fields)
            session.add(document)
            changes["documents_created"] += 1
        elif any(getattr(document, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(document, key, value)
            session.add(document)
            changes["documents_updated"] += 1
        documents.append(document)
    return documents


def _seed_entities(items: list[dict[str, Any]], *, session: Session, changes: Counter[str]
                   ) -> list[Entity]:
    entities = []
    for item in items:
        fields = {"kind": item["kind"], "name": item["name"], "summary": item.get("summary")}
        entity = session.get(Entity, item["id"])
        if entity is None:
            entity = Entity(id=item["id"], **fields)
            session.add(entity)
            changes["entities_created"] += 1
        elif any(getattr(entity, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(entity, key, value)
            session.add(entity)
            changes["entities_updated"] += 1
        session.flush()
        names = [{"name": item["name"], "source": "canonical name"}]
        names += [n if isinstance(n, dict) else {"name": n} for n in item.get("names", [])]
        names += [{"name": m["text"], "source": m.get("source"), "role": "reference"}
                  for m in item.get("mentions", [])]
        # Spellings learnt from the documents are not in the seed file; they stay.
        names += [{"name": n.name, "source": n.source, "role": n.role} for n in session.exec(
            select(EntityName).where(EntityName.entity_id == entity.id,
                                     EntityName.role == LEARNT_ROLE)).all()]
        set_names(entity, names, session=session)
        _seed_links(entity, item.get("links", []), session=session, changes=changes)
        _seed_rejections(entity, item.get("rejected_links", []), session=session,
                         changes=changes)
        entities.append(entity)
    return entities


def _seed_links(entity: Entity, links: list[dict[str, Any]], *, session: Session,
                changes: Counter[str]) -> None:
    pinned = {(str(link["list"]), str(link["key"])) for link in links}
    existing = {(link.list_id, link.list_key): link for link in session.exec(
        select(EntityLink).where(EntityLink.entity_id == entity.id)).all()}
    for key, link in existing.items():
        if link.status == "pinned" and key not in pinned:
            session.delete(link)
            changes["links_removed"] += 1
    for list_id, list_key in sorted(pinned):
        current = existing.get((list_id, list_key))
        if current is None:
            session.add(EntityLink(entity_id=entity.id, list_id=list_id, list_key=list_key,
                                   status="pinned"))
            changes["links_created"] += 1
        elif current.status != "pinned":
            current.status = "pinned"
            session.add(current)
            changes["links_updated"] += 1


def _seed_rejections(entity: Entity, links: list[dict[str, Any]], *, session: Session,
                     changes: Counter[str]) -> None:
    """Records namesake entries reviewed by hand as not the entity (`rejected`), so that
    name matching never suggests them for it. Rejections no longer in the seeds stay, as an
    admin's would: a rejection is a review, not a pin."""
    for link in links:
        list_id, list_key = str(link["list"]), str(link["key"])
        current = session.exec(select(EntityLink).where(
            EntityLink.entity_id == entity.id, EntityLink.list_id == list_id,
            EntityLink.list_key == list_key)).first()
        if current is None:
            session.add(EntityLink(entity_id=entity.id, list_id=list_id, list_key=list_key,
                                   status="rejected"))
            changes["links_created"] += 1
        elif current.status == "pinned":
            raise SeedError(f"{entity.id}: {list_id}:{list_key} is both pinned and rejected")
        elif current.status != "rejected":
            current.status = "rejected"
            session.add(current)
            changes["links_updated"] += 1
