"""One error envelope for every failure the API answers with.

Whether raised by the domain (`service.errors`), by a list file (`ListFormatError`), by
marshmallow validation or by Flask itself (404, 405, 413, 415, …), an error reaches the caller
as `{"error": {"code": "...", "message": "...", "details": {...}}}`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from service.errors import ServiceError
from service.lists.entry import ListFormatError

log = logging.getLogger(__name__)


def envelope(status: int, code: str, message: str, details: dict[str, Any] | None = None
             ) -> Response:
    """Gives the JSON error response in the one envelope every failure uses."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


# Stable codes for the errors Flask raises itself.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    431: "header_fields_too_large",
    500: "internal_error",
    503: "unavailable",
}


def init_app(app: Flask) -> None:
    """Registers the handlers that turn every exception into the envelope."""

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Response:
        return envelope(error.status, error.code, error.message, error.details)

    @app.errorhandler(ListFormatError)
    def _list_format_error(error: ListFormatError) -> Response:
        return envelope(error.status, error.code, str(error), error.details)

    @app.errorhandler(ValidationError)
    def _validation_error(error: ValidationError) -> Response:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        return envelope(422, "invalid_input", "The request has invalid fields.",
                        {"fields": messages})

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = envelope(status, _HTTP_CODES.get(status, "http_error"),
                            error.description or error.name)
        if status == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        for header in ("Retry-After",):
            value = error.get_response().headers.get(header)
            if value:
                response.headers[header] = value
        return response

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError) -> Response:
        log.error("database unavailable: %s", error)
        return envelope(503, "database_unavailable",
                        "The database is not reachable; try again shortly.")

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> Response:
        log.exception("database error")
        if error.connection_invalidated:
            return envelope(503, "database_unavailable",
                            "The database connection was lost; try again shortly.")
        return envelope(500, "internal_error", "An unexpected database error occurred.")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error")
        return envelope(500, "internal_error", "An unexpected error occurred.")
