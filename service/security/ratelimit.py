"""Rate limiting per API key, or per client address for requests without a valid key.

One limit (XREF_RATE_LIMIT) over every route together, counted in Redis when XREF_REDIS_URL is
set (shared by every worker and machine) and in each process's memory otherwise. In memory,
the processes of `xref serve` each count a share of it (`share_among`): the limit divided by
the number of workers, so that together they never allow a key more than the limit.
"""

from __future__ import annotations

import functools
import math
import time

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from service import metrics
from service.api.errors import envelope
from service.config import Settings

# The app config key of this process's share of the limit (1: the whole limit).
SHARES = "XREF_RATE_LIMIT_SHARES"
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
    def current_limit() -> str:
        # Read per request: the gunicorn hook sets the share after the app is built.
        return _divided(limit, int(app.config.get(SHARES, 1)))

    limiter = Limiter(
        key_func=client_key,
        application_limits=[current_limit],
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


def share_among(app: Flask, processes: int) -> None:
    """Makes this process count 1/`processes` of the limit, when the counters are in memory.

    Called in each worker of `xref serve`: without Redis each process counts alone, and a key
    spread over N workers would otherwise get N times its limit.
    """
    settings: Settings = app.config["SETTINGS"]
    if not settings.redis_url:
        app.config[SHARES] = max(1, processes)


@functools.cache
def _divided(limit: str, shares: int) -> str:
    if shares == 1:
        return limit
    return ";".join(f"{max(1, item.amount // shares)} per {item.multiples} "
                    f"{item.GRANULARITY.name}" for item in parse_many(limit))


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
