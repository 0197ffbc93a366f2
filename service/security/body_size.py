"""The request body limit (XREF_MAX_BODY), enforced before any view reads the body."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

from service.errors import ServiceError

View = TypeVar("View", bound=Callable[..., Any])


class PayloadTooLarge(ServiceError):
    status = 413
    code = "payload_too_large"


def init_app(app: Flask) -> None:
    """Refuses a body over the limit before the view runs, whatever the route reads."""
    app.before_request(refuse_oversized_body)


def body_limit(limit: int | Callable[[], int]) -> Callable[[View], View]:
    """Gives a decorator giving one view its own body limit in bytes (a job upload, say).

    `limit` may be a function, called per request, e.g. `lambda: settings().job_max_body`.
    """

    def decorate(view: View) -> View:
        # functools.wraps copies this onto the wrappers stacked above (require_scope's too).
        view.max_body = limit  # type: ignore[attr-defined]
        return view

    return decorate


def current_limit() -> int | None:
    """Gives the body limit of the request's route: its own, else XREF_MAX_BODY."""
    view = current_app.view_functions.get(request.endpoint or "")
    own = getattr(view, "max_body", None)
    if own is None:
        return request.max_content_length
    return int(own() if callable(own) else own)


def refuse_oversized_body() -> None:
    """Raises 413 when the request's body is larger than the limit."""
    limit = current_limit()
    if limit is None:
        return
    # Werkzeug's own cut-off, met when the view reads the body, follows the route's limit.
    request.max_content_length = limit
    # Werkzeug applies the limit only when a view reads the body, so a route answering 401 or
    # 415 first would never say 413.
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(
            f"The request body is {length} bytes; the limit is {limit} bytes.",
            details={"max_bytes": limit, "content_length": length},
        )
    if length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        if _buffer_chunked_body(limit) > limit:
            raise PayloadTooLarge(f"The request body is larger than the limit of {limit} bytes.",
                                  details={"max_bytes": limit})


def _buffer_chunked_body(limit: int) -> int:
    """Gives the chunked body's length, reading at most one byte past the limit.

    Werkzeug cuts a chunked body off at the limit without saying so: the view would get a
    truncated body (400 for JSON, or worse, a shorter valid one). Reading it here tells the two
    apart; a body within the limit is handed on as an ordinary one with a Content-Length.
    """
    environ = request.environ
    stream = environ["wsgi.input"]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        return size
    environ["wsgi.input"] = io.BytesIO(b"".join(parts))
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    # Werkzeug caches the header's absence; the view should see the length now known.
    request.content_length = size
    return size
