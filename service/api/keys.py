"""Routes of the API keys (admin): create one, list them, revoke one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from marshmallow import Schema, fields, validate

from service.api.auth import require_admin
from service.api.parsing import json_body
from service.api.schemas import StrictSchema
from service.security import keys
from service.web import session

blueprint = Blueprint("keys", __name__, url_prefix="/v1/keys")


class KeyCreate(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(fields.String(validate=validate.OneOf(keys.SCOPES)), required=True,
                         validate=validate.Length(min=1, max=len(keys.SCOPES)))


class KeyOut(Schema):
    id = fields.String()
    name = fields.String()
    scopes = fields.List(fields.String())
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


@blueprint.get("")
@require_admin
def index() -> dict[str, Any]:
    rows = keys.list_keys(session=session())
    return {"items": KeyOut(many=True).dump(rows), "total": len(rows)}


@blueprint.post("")
@require_admin
def create() -> tuple[dict[str, Any], int]:
    data = json_body(KeyCreate())
    db = session()
    record, key = keys.create_key(data["name"], data["scopes"], session=db)
    db.commit()
    # The only time the key is ever shown: the database keeps its hash alone.
    return {**KeyOut().dump(record), "key": key}, 201


@blueprint.delete("/<key_id>")
@require_admin
def revoke(key_id: str) -> Response:
    db = session()
    keys.revoke_key(key_id, session=db)
    db.commit()
    return Response(status=204)
