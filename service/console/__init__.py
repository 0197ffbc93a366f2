"""The analyst console under /ui/: server-rendered pages over the same use cases as the API.

Signing in with an API key (or the admin token) puts the key's id in a signed session cookie,
never the key itself: the cookie is readable by whoever holds it, and the key's scopes and
revocation are read again on every page. Every POST carries a CSRF token (Flask-WTF); the API
is not covered by that check, since it authenticates with headers a browser never adds on its
own.
"""

from __future__ import annotations

import secrets

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from service.config import Settings

csrf = CSRFProtect()


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over TLS (directly, or
    through a trusted proxy's X-Forwarded-Proto), so `make run` over plain HTTP still works."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return (has_request_context() and request.is_secure) or bool(
            app.config["SESSION_COOKIE_SECURE"])


def init_app(app: Flask) -> None:
    """Registers the console's blueprint, its session cookie and its CSRF protection."""
    settings: Settings = app.config["SETTINGS"]
    app.config["SECRET_KEY"] = settings.session_key or secrets.token_hex(32)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_NAME"] = "xref_console"
    # Checked by the console's own before_request, not for every POST of the app: the API
    # authenticates with headers and must not demand a form token.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.session_interface = _SessionInterface()
    csrf.init_app(app)
    from service.console.views import blueprint

    app.register_blueprint(blueprint)
