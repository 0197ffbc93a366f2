"""One exception tree for the domain: each error fixes its HTTP status and a stable code.

The domain raises these and knows nothing of HTTP beyond those two numbers; the web edge
(`service/api/errors.py`) turns them, and every other failure, into the one error envelope.
"""

from __future__ import annotations

from typing import Any


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
