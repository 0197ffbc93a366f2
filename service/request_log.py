"""One JSON log line per request, and a request id echoed in `X-Request-Id`.

A line holds the method, the path, the route, the status, the duration, the acting key id and
the request id. It never holds the credential, nor the values of the query string (they carry
the names being searched or screened) unless XREF_LOG_NAMES is on; only their parameter names.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from service import metrics
from service.security.middleware import current_actor
from service.web import settings

log = logging.getLogger("service.request")

HEADER = "X-Request-Id"
# An incoming id is kept only if it is short and plain, so it cannot forge log lines.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def init_app(app: Flask) -> None:
    """Starts each request's clock and id first, and logs it once its response is ready."""
    _ensure_handler()
    # First among the before_request hooks, so that a request refused by a later one (413,
    # 429) still has its start time.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)


def request_id() -> str:
    """Gives the request's id: the client's `X-Request-Id` if it is sane, else a new one."""
    if not has_request_context():
        return ""
    if "xref_request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.xref_request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    return str(g.xref_request_id)


def _ensure_handler() -> None:
    # Nothing configures logging under gunicorn or `flask run`, so the line needs a handler of
    # its own; one per process, however many apps are created (the tests make many).
    if not any(getattr(h, "xref_request_log", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.xref_request_log = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    # The line is already complete JSON; a root handler would print it a second time.
    log.propagate = False


def _start() -> None:
    g.xref_request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    response.headers[HEADER] = request_id()
    # The route's pattern, never the path: paths carry ids and would make a series per id.
    route = request.url_rule.rule if request.url_rule else "unmatched"
    metrics.REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    started = g.get("xref_request_started")
    if started is not None:
        metrics.REQUEST_SECONDS.labels(request.method, route).observe(
            time.perf_counter() - started)
    if log.isEnabledFor(logging.INFO):
        log.info(json.dumps(request_fields(response), ensure_ascii=False))
    return response


def request_fields(response: Response) -> dict[str, object]:
    """Gives the fields of the request's log line."""
    started = g.get("xref_request_started")
    fields: dict[str, object] = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": "request",
        "request_id": request_id(),
        "method": request.method,
        "path": request.path,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "actor": current_actor(),
    }
    if settings().log_names:
        fields["query"] = request.args.to_dict(flat=False)
    elif request.args:
        fields["query_params"] = sorted(request.args)
    return fields
