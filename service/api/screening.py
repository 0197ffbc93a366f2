"""Routes of screening: many names, one name, and a comparison of two names."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service import audit
from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import CompareRequest, ScreenArgs, ScreenRequest
from service.matching.algorithm import MATCHER
from service.screening.screen import (
    ScreeningRequest,
    compare_names,
    list_versions_json,
    screen_names,
)
from service.security.middleware import current_actor
from service.web import current_index, session, settings

blueprint = Blueprint("screening", __name__, url_prefix="/v1")


def _screen(requests: list[ScreeningRequest], lists: list[str] | None,
            threshold: float | None, limit: int) -> dict[str, Any]:
    loaded = current_index()
    results = screen_names(requests, loaded=loaded, lists=lists, threshold=threshold,
                           limit=limit)
    versions = list_versions_json(loaded, lists)
    db = session()
    audit.record_screening("screen", [r.name for r in requests], audit.Counts.of(results),
                           session=db, actor=current_actor(), list_versions=versions,
                           store_names=settings().audit_store_names, threshold=threshold,
                           lists=lists)
    db.commit()
    return {"results": [r.to_dict() for r in results], "list_versions": versions,
            "matcher": MATCHER.describe()}


@blueprint.post("/screen")
@require_scope("screen")
def screen_many() -> dict[str, Any]:
    body = json_body(ScreenRequest())
    requests = [ScreeningRequest(n["name"], n.get("id"), n.get("kind")) for n in body["names"]]
    return _screen(requests, body["lists"], body["threshold"], body["limit"])


@blueprint.get("/screen")
@require_scope("screen")
def screen_one() -> dict[str, Any]:
    args = query_args(ScreenArgs())
    lists = [item for item in (args["lists"] or "").split(",") if item] or None
    return _screen([ScreeningRequest(args["name"], None, args["kind"])], lists,
                   args["threshold"], args["limit"])


@blueprint.post("/compare")
@require_scope("screen")
def compare() -> dict[str, Any]:
    body = json_body(CompareRequest())
    result = compare_names(body["name1"], body["name2"], body["kind"], body["threshold"])
    db = session()
    audit.record_screening("compare", [body["name1"], body["name2"]],
                           audit.Counts(2, 1, 1 if result["match"] else 0), session=db,
                           actor=current_actor(), list_versions=[],
                           store_names=settings().audit_store_names,
                           threshold=result["threshold"])
    db.commit()
    return result
