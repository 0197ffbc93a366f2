"""The application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from service import monitoring, request_log, secretbox, web
from service.api import errors as api_errors
from service.config import Settings
from service.jobs import serving as jobs_serving
from service.security import middleware as security_middleware

log = logging.getLogger(__name__)


class SecretKeyRequired(RuntimeError):
    """The service will not start: webhook secrets would have no key to be read with."""


def _refuse_unprotected_webhooks(settings: Settings, engine: Engine) -> None:
    key = settings.effective_secret_key
    if key:
        # A malformed key fails the start, not the first webhook.
        secretbox.check_key(key)
        return
    try:
        with Session(engine) as session:
            configured = monitoring.webhooks_configured(session=session)
    except DBAPIError:
        # The database is not there yet (or not migrated): /readyz says so; the check runs
        # again at the next start, and storing a secret without a key is refused anyway.
        log.warning("could not check for webhooks without XREF_SECRET_KEY", exc_info=True)
        return
    if configured:
        raise SecretKeyRequired(
            "Watchlists deliver to webhooks, whose secrets are stored encrypted: set "
            "XREF_SECRET_KEY (`xref secrets new-key` makes one), or XREF_ENV=development "
            "on a laptop.")


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Gives a configured Flask app; `config` overrides the environment (tests pass one)."""
    settings = config if isinstance(config, Settings) else Settings.from_env()
    if isinstance(config, dict):
        for key, value in config.items():
            setattr(settings, key, value)

    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.json.sort_keys = False  # type: ignore[attr-defined]
    logging.getLogger("service").setLevel(settings.log_level)

    web.init_app(app)
    _refuse_unprotected_webhooks(settings, app.extensions["xref.engine"])
    api_errors.init_app(app)
    request_log.init_app(app)
    security_middleware.init_app(app)
    from service.api import init_app as init_api

    init_api(app)
    from service import console

    console.init_app(app)
    # Last: the runner's first-request hook comes after the caller has been identified.
    jobs_serving.init_app(app)
    return app
