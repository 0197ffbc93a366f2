"""Routes of monitoring: watchlists of saved names, and the alerts their re-screenings raise."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import Blueprint, request, url_for
from marshmallow import fields, validate

from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import (
    NAME_LENGTH,
    SCREEN_KINDS,
    DetailsIn,
    StrictSchema,
    WatchlistDetailOut,
    WatchlistOut,
    alert_json,
    review_brief,
)
from service.errors import InvalidInput
from service.jobs.store import requests_from_csv
from service.monitoring import (
    WatchItem,
    create_watchlist,
    delete_watchlist,
    get_watchlist,
    list_alerts,
    list_watchlists,
    watchlist_view,
)
from service.reviews import review_of, reviews_for
from service.security.middleware import current_actor
from service.web import current_index, session, settings

blueprint = Blueprint("watchlists", __name__, url_prefix="/v1/watchlists")
alerts_blueprint = Blueprint("alerts", __name__, url_prefix="/v1/alerts")

_WEBHOOK_URL = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                          require_tld=False, validate=validate.Length(max=2000))
_WEBHOOK_SECRET = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=16, max=200))
_WATCHLIST_NAME = fields.String(required=True, validate=validate.Length(min=1, max=200))


class WatchName(DetailsIn):
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(required=True, validate=NAME_LENGTH)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(SCREEN_KINDS))


class WatchlistCreate(StrictSchema):
    name = _WATCHLIST_NAME
    names = fields.List(fields.Nested(WatchName), required=True,
                        validate=validate.Length(min=1))
    webhook_url = _WEBHOOK_URL
    webhook_secret = _WEBHOOK_SECRET


class WatchlistForm(StrictSchema):
    name = _WATCHLIST_NAME
    webhook_url = _WEBHOOK_URL
    webhook_secret = _WEBHOOK_SECRET


class AlertArgs(StrictSchema):
    watchlist = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    since = fields.AwareDateTime(load_default=None, default_timezone=UTC)
    kind = fields.String(load_default=None,
                         validate=validate.OneOf(("new_hit", "cleared", "changed")))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


def _submitted() -> dict[str, Any]:
    """Gives the watchlist to create, from JSON or a multipart form with a CSV `file`."""
    if request.mimetype != "multipart/form-data":
        body = json_body(WatchlistCreate())
        body["names"] = [WatchItem(n["id"], n["name"], n["kind"], n["details"])
                         for n in body["names"]]
        return body
    body = dict(WatchlistForm().load(request.form.to_dict()))
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Send the names as a CSV file in the multipart field 'file'.")
    # A row without an id is known by its position in the file.
    body["names"] = [WatchItem(r.id or str(position), r.name, r.kind, r.details)
                     for position, r in
                     enumerate(requests_from_csv(upload.stream, source=upload.filename
                                                 or "file"), start=1)]
    return body


@blueprint.post("")
@require_scope("screen")
def create() -> tuple[dict[str, Any], int, dict[str, str]]:
    body = _submitted()
    db = session()
    watchlist = create_watchlist(
        body["name"], body["names"], session=db, actor=current_actor(), loaded=current_index(),
        store_names=settings().audit_store_names, max_names=settings().watchlist_max_names,
        webhook_url=body["webhook_url"], webhook_secret=body["webhook_secret"],
        secret_key=settings().effective_secret_key)
    db.commit()
    return (WatchlistOut().dump(watchlist_view(watchlist, session=db)), 201,
            {"Location": url_for("watchlists.read", watchlist_id=watchlist.id)})


@blueprint.get("")
@require_scope("screen")
def index() -> dict[str, Any]:
    db = session()
    items = WatchlistOut(many=True).dump(
        [watchlist_view(w, session=db) for w in list_watchlists(session=db)])
    return {"items": items, "total": len(items)}


@blueprint.get("/<watchlist_id>")
@require_scope("screen")
def read(watchlist_id: str) -> dict[str, Any]:
    db = session()
    return WatchlistDetailOut().dump(
        watchlist_view(get_watchlist(watchlist_id, session=db), session=db))


@blueprint.delete("/<watchlist_id>")
@require_scope("screen")
def delete(watchlist_id: str) -> tuple[str, int]:
    db = session()
    delete_watchlist(watchlist_id, session=db)
    db.commit()
    return "", 204


@alerts_blueprint.get("")
@require_scope("screen")
def alerts() -> dict[str, Any]:
    args = query_args(AlertArgs())
    found = list_alerts(session=session(), watchlist_id=args["watchlist"],
                        since=args["since"], kind=args["kind"], limit=args["limit"])
    decided = reviews_for([a.name for a in found], session=session())
    return {"items": [alert_json(a, review_brief(review_of(decided, a.name, a.list_id,
                                                           a.list_key)))
                      for a in found]}
