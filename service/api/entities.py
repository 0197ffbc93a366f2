"""Routes of the registry's entities."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, url_for

from service.api.auth import require_admin, require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import (
    DesignationOut,
    EnrichmentOut,
    EntityCreate,
    EntitySearchArgs,
    EntitySummaryOut,
    EntityUpdate,
    EntryHistoryOut,
    LinkDecision,
    LinkOut,
    NameOut,
    PassageOut,
)
from service.registry import enrich as enrichment
from service.registry import entities as registry
from service.registry.designations import entity_history, overall_status
from service.usecases.registry import decide_and_bridge
from service.web import session, settings

blueprint = Blueprint("entities", __name__, url_prefix="/v1/entities")


def entity_json(entity_id: str) -> dict[str, Any]:
    """Gives the full JSON of one entity."""
    detail = registry.entity_detail(entity_id, session=session())
    body: dict[str, Any] = EntitySummaryOut().dump(detail["entity"])
    body["names"] = NameOut(many=True).dump(detail["names"])
    body["designation_status"] = detail["designation_status"]
    body["programs"] = sorted({p for d in detail["designations"] if d.listed for p in d.programs})
    body["designations"] = DesignationOut(many=True).dump(detail["designations"])
    body["links"] = LinkOut(many=True).dump(detail["links"])
    body["passages"] = PassageOut(many=True).dump(detail["passages"])
    body["enrichments"] = EnrichmentOut(many=True).dump(detail["enrichments"])
    return body


@blueprint.get("")
@require_scope("read")
def search() -> dict[str, Any]:
    args = query_args(EntitySearchArgs())
    page = registry.search_entities(session=session(), **args)
    items = []
    for entity, designations in page.items:
        item = EntitySummaryOut().dump(entity)
        item["designation_status"] = overall_status(designations)
        item["programs"] = sorted({code for d in designations if d.listed
                                   for code in list(d.programs)})
        items.append(item)
    return {"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blueprint.get("/<entity_id>")
@require_scope("read")
def read(entity_id: str) -> dict[str, Any]:
    return entity_json(entity_id)


@blueprint.get("/<entity_id>/passages")
@require_scope("read")
def passages(entity_id: str) -> dict[str, Any]:
    rows = registry.entity_passages(entity_id, session=session())
    return {"items": PassageOut(many=True).dump(rows), "total": len(rows)}


@blueprint.get("/<entity_id>/history")
@require_scope("read")
def history(entity_id: str) -> dict[str, Any]:
    db = session()
    registry.get_entity(entity_id, session=db)
    return {"entity_id": entity_id,
            "items": EntryHistoryOut(many=True).dump(entity_history(entity_id, session=db))}


@blueprint.post("")
@require_admin
def create() -> tuple[dict[str, Any], int, dict[str, str]]:
    data = json_body(EntityCreate())
    db = session()
    entity = registry.create_entity(data, session=db)
    db.commit()
    return entity_json(entity.id), 201, {"Location": url_for("entities.read",
                                                             entity_id=entity.id)}


@blueprint.patch("/<entity_id>")
@require_admin
def update(entity_id: str) -> dict[str, Any]:
    changes = json_body(EntityUpdate())
    db = session()
    registry.update_entity(entity_id, changes, session=db)
    db.commit()
    return entity_json(entity_id)


@blueprint.post("/<entity_id>/links")
@require_admin
def decide_link(entity_id: str) -> dict[str, Any]:
    decision = json_body(LinkDecision())
    db = session()
    decide_and_bridge(entity_id, decision["list"], decision["list_key"], decision["status"],
                      session=db)
    db.commit()
    return entity_json(entity_id)


@blueprint.post("/<entity_id>/enrich")
@require_admin
def enrich(entity_id: str) -> dict[str, Any]:
    db = session()
    records = enrichment.enrich_entity(entity_id, session=db, settings=settings())
    db.commit()
    return {"entity_id": entity_id,
            "sources": enrichment.configured_sources(settings()),
            "items": EnrichmentOut(many=True).dump(records)}


@blueprint.delete("/<entity_id>")
@require_admin
def remove(entity_id: str) -> Response:
    db = session()
    registry.delete_entity(entity_id, session=db)
    db.commit()
    return Response(status=204)
