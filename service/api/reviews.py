"""Routes of hit reviews: an analyst's decision on a screened name and a list entry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for
from marshmallow import fields, validate

from service.api.auth import require_scope
from service.api.parsing import json_body, query_args
from service.api.schemas import NAME_LENGTH, ReviewOut, StrictSchema
from service.reviews import DECISIONS, ReviewInput, list_reviews
from service.security.middleware import current_actor
from service.terms import MAX_LIST_ID_LENGTH
from service.usecases.reviews import record, withdraw
from service.web import session

blueprint = Blueprint("reviews", __name__, url_prefix="/v1/reviews")

class ReviewCreate(StrictSchema):
    name = fields.String(required=True, validate=NAME_LENGTH)
    list = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LIST_ID_LENGTH))
    list_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=2000))


class ReviewArgs(StrictSchema):
    name = fields.String(load_default=None, validate=NAME_LENGTH)
    list = fields.String(load_default=None,
                         validate=validate.Length(min=1, max=MAX_LIST_ID_LENGTH))
    list_key = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    decision = fields.String(load_default=None, validate=validate.OneOf(DECISIONS))
    withdrawn = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


@blueprint.post("")
@require_scope("screen")
def create() -> tuple[dict[str, Any], int, dict[str, str]]:
    body = json_body(ReviewCreate())
    db = session()
    review = record(ReviewInput(body["name"], body["list"], body["list_key"], body["decision"],
                                body["note"]), session=db, actor=current_actor())
    db.commit()
    return ReviewOut().dump(review), 201, {"Location": url_for("reviews.index",
                                                          name=review.name)}


@blueprint.get("")
@require_scope("screen")
def index() -> dict[str, Any]:
    args = query_args(ReviewArgs())
    found = list_reviews(session=session(), name=args["name"], list_id=args["list"],
                         list_key=args["list_key"], decision=args["decision"],
                         withdrawn=args["withdrawn"], limit=args["limit"])
    return {"items": ReviewOut(many=True).dump(found), "total": len(found)}


@blueprint.delete("/<int:review_id>")
@require_scope("screen")
def remove(review_id: int) -> dict[str, Any]:
    db = session()
    review = withdraw(review_id, session=db, actor=current_actor())
    db.commit()
    return ReviewOut().dump(review)
