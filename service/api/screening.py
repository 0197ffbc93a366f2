"""Routes of screening: many names, one name, and a comparison of two names."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import CompareRequest, ScreenArgs, ScreenRequest, review_brief
from service.matching.algorithm import MATCHER
from service.matching.details import NO_DETAILS
from service.reviews import Pair, review_of
from service.screening.screen import ScreeningRequest
from service.security.middleware import current_actor
from service.usecases.screening import (
    ScreeningOptions,
    compare_and_record,
    screen_and_record,
)
from service.web import current_index, session, settings

blueprint = Blueprint("screening", __name__, url_prefix="/v1")


def _options(lists: list[str] | None, threshold: float | None, limit: int) -> ScreeningOptions:
    return ScreeningOptions(actor=current_actor(), store_names=settings().audit_store_names,
                            lists=lists, threshold=threshold, limit=limit)


def reviewed(result: dict[str, Any], found: dict[Pair, Any]) -> dict[str, Any]:
    """Gives one name's result with each hit's review in force (null without one)."""
    for match in result["matches"]:
        match["review"] = review_brief(review_of(found, result["name"], match["list"],
                                                 match["list_key"]))
    return result


def _screen(requests: list[ScreeningRequest], options: ScreeningOptions) -> dict[str, Any]:
    db = session()
    screening = screen_and_record(requests, options, session=db, loaded=current_index())
    db.commit()
    return {"results": [reviewed(r.to_dict(), screening.decisions) for r in screening.results],
            "list_versions": screening.list_versions, "matcher": MATCHER.describe()}


@blueprint.post("/screen")
@require_scope("screen")
def screen_many() -> dict[str, Any]:
    body = json_body(ScreenRequest())
    requests = [ScreeningRequest(n["name"], n.get("id"), n.get("kind"), n["details"])
                for n in body["names"]]
    return _screen(requests, _options(body["lists"], body["threshold"], body["limit"]))


@blueprint.get("/screen")
@require_scope("screen")
def screen_one() -> dict[str, Any]:
    args = query_args(ScreenArgs())
    lists = [item for item in (args["lists"] or "").split(",") if item] or None
    return _screen([ScreeningRequest(args["name"], None, args["kind"], args["details"])],
                   _options(lists, args["threshold"], args["limit"]))


@blueprint.post("/compare")
@require_scope("screen")
def compare() -> dict[str, Any]:
    body = json_body(CompareRequest())
    db = session()
    result = compare_and_record(body["name1"], body["name2"], body["kind"], body["threshold"],
                                session=db, actor=current_actor(),
                                store_names=settings().audit_store_names,
                                details=((body["details1"] or {}).get("details", NO_DETAILS),
                                         (body["details2"] or {}).get("details", NO_DETAILS)))
    db.commit()
    return result
