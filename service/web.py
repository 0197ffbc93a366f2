"""Wiring between Flask and the domain: the request's session and the settings."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.config import Settings
from service.db import make_engine


def init_app(app: Flask) -> None:
    """Creates the app's engine and closes the request's session when the request ends."""
    settings: Settings = app.config["SETTINGS"]
    app.extensions["xref.engine"] = make_engine(settings.database_url)
    app.teardown_appcontext(_close_session)


def settings() -> Settings:
    """Gives the running app's settings."""
    return cast(Settings, current_app.config["SETTINGS"])


def engine() -> Engine:
    """Gives the running app's database engine."""
    return cast(Engine, current_app.extensions["xref.engine"])


def session() -> Session:
    """Gives the request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return cast(Session, g.db_session)


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
