"""Wiring between Flask and the domain: the request's session, the settings, and the
process's screening index."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import cast

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.config import Settings
from service.db import make_engine
from service.screening.catalog import IndexHolder, LoadedIndex

log = logging.getLogger(__name__)
INDEX_EXTENSION = "xref.index"


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


def streamed(produce: Callable[[Session], Iterator[str]]) -> Iterator[str]:
    """Gives the chunks of a streamed response body, read on a session of their own.

    A streamed body is read after the request has ended and its teardown has closed the
    request's session; a query on that closed session quietly checks out a new connection
    that nothing returns (each audit export leaked one until the pool ran dry). This session
    is closed when the body ends or the server drops it (generator close).
    """
    bound = engine()

    def chunks() -> Iterator[str]:
        with Session(bound, expire_on_commit=False) as db_session:
            yield from produce(db_session)

    return chunks()


def index_holder(app: Flask) -> IndexHolder:
    """Gives the app's index holder: one index per process, shared by views and job threads."""
    return cast(IndexHolder, app.extensions.setdefault(INDEX_EXTENSION, IndexHolder()))


def current_index() -> LoadedIndex:
    """Gives this process's index, rebuilt first if a list version or the registry changed."""
    return index_holder(cast(Flask, current_app)).current(engine())


def warm_index(app: Flask) -> None:
    """Builds the process's index ahead of its first screening (started at worker boot)."""
    try:
        with app.app_context():
            current_index()
    except Exception:  # noqa: BLE001 - a failed warm-up only means the first request builds it
        log.warning("index warm-up failed; the first screening will build it", exc_info=True)


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
