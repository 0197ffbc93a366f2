"""Rate limiting per API key, or per client address for requests without a valid key.

One limit (XREF_RATE_LIMIT) over every route together, counted in Redis when XREF_REDIS_URL is
set (shared by every worker and machine) and in each process's memory otherwise.
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from service import metrics
from service.api.errors import envelope
from service.config import Settings

# Probes and the scraper call on a schedule; counting them would only crowd out the key.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def init_app(app: Flask) -> None:
    """Adds the limiter to the app, unless XREF_RATE_LIMIT is empty."""
    settings: Settings = app.config["SETTINGS"]
    limit = settings.rate_limit.strip()
    if not limit:
        return
    # A typo in the setting fails at start-up, not on the first request.
    parse_many(limit)
    limiter = Limiter(
        key_func=client_key,
        application_limits=[limit],
        storage_uri=settings.redis_url or "memory://",
        # Redis keys are shared with the job queue; the prefix keeps them apart.
        key_prefix="xref",
        # If Redis goes away the limits go on per process rather than failing every request.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        # Retry-After is set on the 429 alone, below (the extension's headers go on every answer).
        headers_enabled=False,
    )
    limiter.request_filter(lambda: request.path in EXEMPT_PATHS)
    limiter.init_app(app)
    app.extensions["xref.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _rate_limited)


def client_key() -> str:
    """Gives the bucket a request counts against: its API key, else its client address."""
    # Identification ran earlier in the request (security.access); this only reads its result.
    caller = g.get("xref_caller")
    if caller is not None:
        return f"key:{caller.actor}"
    return f"addr:{request.remote_addr or 'unknown'}"


def _seconds_until_reset() -> int:
    limiter: Limiter = current_app.extensions["xref.limiter"]
    breached = limiter.current_limit
    if breached is None:
        return 1
    # window[0] is when the window resets (reset_at rounds it up by a second more).
    return max(1, math.ceil(breached.window[0] - time.time()))


def _rate_limited(error: RateLimitExceeded) -> Response:
    metrics.RATE_LIMITED.inc()
    retry_after = _seconds_until_reset()
    limit = str(error.limit.limit)
    response = envelope(429, "rate_limited",
                        f"Too many requests: the limit is {limit}; retry in {retry_after} s.",
                        {"limit": limit, "retry_after": retry_after})
    response.headers["Retry-After"] = str(retry_after)
    return response
