"""Who may write: the admin bearer token (full API keys arrive with the security work)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import request

from service.errors import Forbidden, Unauthorized
from service.web import settings

View = TypeVar("View", bound=Callable[..., Any])


def presented_credential() -> str | None:
    """Gives the bearer token or API key the request carries, if any."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def require_admin(view: View) -> View:
    """Wraps a view so that only the configured admin token may call it."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        credential = presented_credential()
        if credential is None:
            raise Unauthorized("This operation needs an admin credential: "
                               "send 'Authorization: Bearer <token>'.")
        token = settings().admin_token
        # With no token configured nothing is accepted: writes stay closed by default.
        if not token or not hmac.compare_digest(credential.encode(), token.encode()):
            raise Forbidden("The credential is not allowed to make this change.")
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
