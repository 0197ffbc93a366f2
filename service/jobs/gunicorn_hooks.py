"""Gunicorn hooks of `xref serve`: each worker starts its job runner and builds its index at boot.

Without this a restarted server would resume its jobs only when the first request arrives.
The master also makes the errors gunicorn answers itself, before the app sees a request (a
request line or header over its limits, a malformed request), the service's JSON envelope.
"""

from __future__ import annotations

import json
from typing import Any

# Codes of the errors gunicorn answers itself, as the app's envelope names them.
GUNICORN_ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "header_fields_too_large",
    500: "internal_error",
    501: "not_implemented",
}


def on_starting(_server: Any) -> None:
    from gunicorn import util

    # Workers are forked from the master, so they inherit the replacement.
    util.write_error = write_json_error


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Writes one of gunicorn's own error answers in the error envelope instead of HTML."""
    from gunicorn import util

    body = json.dumps({"error": {
        "code": GUNICORN_ERROR_CODES.get(status_int, "http_error"),
        "message": f"{reason}: {mesg}" if mesg else reason,
        "details": {},
    }}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def post_worker_init(worker: Any) -> None:
    import threading

    from service.jobs.serving import start_runner
    from service.security.ratelimit import share_among
    from service.web import warm_index

    # Without Redis each worker counts the rate limit alone: each gets its share of it.
    share_among(worker.wsgi, int(worker.cfg.workers))

    # The app is loaded in the worker (no --preload), so its threads are not lost to a fork.
    start_runner(worker.wsgi)
    # Build the screening index now rather than during the first request (seconds for the SDN).
    threading.Thread(target=warm_index, args=(worker.wsgi,), name="index-warm-up",
                     daemon=True).start()


def child_exit(_server: Any, worker: Any) -> None:
    from service.metrics import mark_process_dead

    # In the arbiter: a dead worker's live gauges (the index size) must stop counting.
    mark_process_dead(worker.pid)


def worker_exit(_server: Any, worker: Any) -> None:
    from service.jobs.serving import stop_runner

    # A chunk being screened is finished and recorded rather than left to its lease running out.
    stop_runner(worker.wsgi, timeout=float(worker.cfg.graceful_timeout) - 1)
