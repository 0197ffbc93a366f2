"""Reading requests: query arguments and JSON bodies, with errors in the envelope."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema

from service.errors import ServiceError


class MalformedJSON(ServiceError):
    status = 400
    code = "malformed_json"


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "unsupported_media_type"


def query_args(schema: Schema) -> dict[str, Any]:
    """Gives the validated query arguments (422 listing each bad one)."""
    return dict(schema.load(request.args.to_dict(flat=True)))


def json_body(schema: Schema) -> dict[str, Any]:
    """Gives the validated JSON body: 415 if it is not JSON, 400 if it does not parse."""
    if not request.is_json:
        raise UnsupportedMediaType(
            "Send the body as JSON with 'Content-Type: application/json'.",
            details={"content_type": request.content_type},
        )
    try:
        payload = request.get_json(silent=True)
    except RecursionError as error:
        # silent=True covers what does not parse, not what nests deeper than the parser
        # recurses (a body of thousands of nested arrays).
        raise MalformedJSON("The request body is nested too deeply.") from error
    if payload is None:
        raise MalformedJSON("The request body is not valid JSON.")
    if not isinstance(payload, dict):
        raise MalformedJSON("The request body must be a JSON object.")
    return dict(schema.load(payload))
