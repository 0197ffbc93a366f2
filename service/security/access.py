"""Who is calling and what they may do: the request's caller on `flask.g`, and `require_scope`.

Every request's credential (`Authorization: Bearer <key>`, `Authorization: ApiKey <key>` as
yente's clients send it, or `X-API-Key: <key>`) is identified
once, before the rate limiter and the view run; `require_scope` then only compares scopes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, g, has_request_context, request

from service.errors import Forbidden, Unauthorized
from service.security import keys
from service.security.keys import SCOPES, Caller
from service.web import session, settings

View = TypeVar("View", bound=Callable[..., Any])

ANONYMOUS = "anonymous"
# The actor outside any request: commands and background workers. A job should record the
# actor of the request that queued it rather than this.
SYSTEM = "system"
HOW_TO_AUTHENTICATE = "send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"


def init_app(app: Flask) -> None:
    """Identifies each request's caller before anything else needs to know who it is."""
    app.before_request(identify_caller)
    app.after_request(_challenge)


def presented_credential() -> str | None:
    """Gives the bearer token or API key the request carries, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    # "ApiKey" is the scheme of OpenSanctions' yente, so that its clients work unchanged.
    if scheme.lower() in ("bearer", "apikey"):
        return value.strip() or None
    return request.headers.get("X-API-Key", "").strip() or None


def identify_caller() -> None:
    """Puts the request's caller on `g` (`g.actor` is what the audit log records)."""
    credential = presented_credential()
    caller = None
    if credential is not None:
        db = session()
        caller = keys.identify(credential, session=db, admin_token=settings().admin_token)
        if db.dirty:
            # The key's last_used_at; committed now so the view's own use case stays its own.
            db.commit()
    g.xref_caller = caller
    g.xref_credential_rejected = credential is not None and caller is None
    g.actor = caller.actor if caller else ANONYMOUS


def current_caller() -> Caller | None:
    """Gives the request's identified caller, or None when it sent no valid credential."""
    return g.get("xref_caller") if has_request_context() else None


def current_actor() -> str:
    """Gives who is acting: a key id, "admin-token", "anonymous", or "system" outside requests."""
    if not has_request_context():
        return SYSTEM
    return str(g.get("actor", ANONYMOUS))


def check_scope(scope: str) -> None:
    """Raises 401 without a valid credential and 403 when the caller lacks `scope`."""
    details = {"required_scope": scope}
    if g.get("xref_credential_rejected"):
        # Checked even on public reads: a client with a revoked key should learn it.
        raise Unauthorized("The API key is not valid: it is unknown or has been revoked.",
                           details=details)
    caller = current_caller()
    if caller is None:
        if scope == "read" and settings().public_read:
            return
        if scope == "metrics" and settings().metrics_public:
            return
        raise Unauthorized(f"This operation needs an API key with the '{scope}' scope: "
                           f"{HOW_TO_AUTHENTICATE}.", details=details)
    if not caller.allows(scope):
        raise Forbidden(f"This API key does not have the '{scope}' scope.",
                        details={**details, "scopes": sorted(caller.scopes)})


def require_scope(scope: str) -> Callable[[View], View]:
    """Gives a decorator letting only callers with `scope` into the view (401/403 otherwise)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; use one of {SCOPES}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check_scope(scope)
            return view(*args, **kwargs)

        # Lets a test check that every API route declares the scope it needs.
        guarded.required_scope = scope  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def _challenge(response: Response) -> Response:
    # RFC 9110: a 401 names the scheme the client should use.
    if response.status_code == 401 and "WWW-Authenticate" not in response.headers:
        response.headers["WWW-Authenticate"] = 'Bearer realm="xref"'
    return response
