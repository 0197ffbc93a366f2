"""Security's wiring into Flask, and the names views and the request log use.

Views declare what they need with `require_scope("read" | "screen" | "admin")`; whoever is
calling is `current_actor()` (a key id, "admin-token", "anonymous", or "system" outside a
request), which is what the audit log records.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Settings
from service.security import access, body_size, ratelimit
from service.security.access import current_actor, current_caller, require_scope
from service.security.body_size import body_limit
from service.security.keys import SCOPES, Caller

__all__ = ["SCOPES", "Caller", "body_limit", "current_actor", "current_caller", "init_app",
           "require_scope"]


def init_app(app: Flask) -> None:
    """Wires caller identification, the rate limiter and the body limit, in that order."""
    settings: Settings = app.config["SETTINGS"]
    if settings.trusted_proxies:
        # Behind a load balancer every request would otherwise share its address (one bucket).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    # before_request hooks run in registration order: who is calling first, then the limiter
    # (whose bucket is that caller), then the size check, so an oversized body is counted
    # against its sender and logged under its key.
    access.init_app(app)
    ratelimit.init_app(app)
    body_size.init_app(app)
