"""The application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from service import request_log, web
from service.api import errors as api_errors
from service.config import Settings
from service.jobs import serving as jobs_serving
from service.security import middleware as security_middleware


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
