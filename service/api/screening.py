"""Routes of screening: many names, one name, and a comparison of two names."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app

from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import CompareRequest, ScreenArgs, ScreenRequest
from service.matching.catalog import IndexHolder, LoadedIndex
from service.matching.screening import ScreeningRequest
from service.security import current_actor
from service.usecases.screening import (
    ScreeningOptions,
    compare_and_record,
    screen_and_record,
)
from service.web import engine, session, settings

log = logging.getLogger(__name__)
blueprint = Blueprint("screening", __name__, url_prefix="/v1")


def current_index() -> LoadedIndex:
    """Gives this process's index, rebuilt first if a list version or the registry changed."""
    holder: IndexHolder = current_app.extensions.setdefault("xref.index", IndexHolder())
    return holder.current(engine())


def warm_index(app: Flask) -> None:
    """Builds the process's index ahead of its first screening (started at worker boot)."""
    try:
        with app.app_context():
            current_index()
    except Exception:  # noqa: BLE001 - a failed warm-up only means the first request builds it
        log.warning("index warm-up failed; the first screening will build it", exc_info=True)


def _options(lists: list[str] | None, threshold: float | None, limit: int) -> ScreeningOptions:
    return ScreeningOptions(actor=current_actor(), store_names=settings().audit_store_names,
                            lists=lists, threshold=threshold, limit=limit)


def _screen(requests: list[ScreeningRequest], options: ScreeningOptions) -> dict[str, Any]:
    db = session()
    screening = screen_and_record(requests, options, session=db, loaded=current_index())
    db.commit()
    return {"results": [r.to_dict() for r in screening.results],
            "list_versions": screening.list_versions}


@blueprint.post("/screen")
@require_scope("screen")
def screen_many() -> dict[str, Any]:
    body = json_body(ScreenRequest())
    requests = [ScreeningRequest(n["name"], n.get("id"), n.get("kind")) for n in body["names"]]
    return _screen(requests, _options(body["lists"], body["threshold"], body["limit"]))


@blueprint.get("/screen")
@require_scope("screen")
def screen_one() -> dict[str, Any]:
    args = query_args(ScreenArgs())
    lists = [item for item in (args["lists"] or "").split(",") if item] or None
    return _screen([ScreeningRequest(args["name"], None, args["kind"])],
                   _options(lists, args["threshold"], args["limit"]))


@blueprint.post("/compare")
@require_scope("screen")
def compare() -> dict[str, Any]:
    body = json_body(CompareRequest())
    db = session()
    result = compare_and_record(body["name1"], body["name2"], body["kind"], body["threshold"],
                                session=db, actor=current_actor(),
                                store_names=settings().audit_store_names)
    db.commit()
    return result
