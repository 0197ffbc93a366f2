"""One exception tree for the domain and one error envelope for every failure.

Every error the API answers with, whether raised by the domain, by marshmallow validation or
by Flask itself (404, 405, 413, 415, …), has the shape
`{"error": {"code": "...", "message": "...", "details": {...}}}`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from service.lists.entry import ListFormatError

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A failure the caller can act on; subclasses fix the status and the code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class InvalidInput(ServiceError):
    status = 422
    code = "invalid_input"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class UpstreamError(ServiceError):
    """A list source or look-up API failed or answered with something unusable."""

    status = 502
    code = "upstream_error"


class Unavailable(ServiceError):
    status = 503
    code = "unavailable"


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
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
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
        return envelope(422, "invalid_list_file", str(error),
                        {"file": error.file, "line": error.line})

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
