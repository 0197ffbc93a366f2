"""The database engine and the one session each request or command uses.

The request's session opens lazily on first use, lives on `flask.g`, and is closed by the
app-context teardown; domain functions receive it as a keyword argument and never commit on
their own (the view or command that owns the use case commits once).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

# Seconds to wait for a PostgreSQL connection (unless the URL sets `connect_timeout`).
CONNECT_TIMEOUT = 5
# Seconds an SQLite write waits for another's transaction. SQLite has one writer at a time,
# and importing a list of a million entries holds the write lock for a couple of minutes:
# a screening (which writes its audit record) waits for it rather than fail.
SQLITE_BUSY_SECONDS = 300


def make_engine(database_url: str) -> Engine:
    """Gives an engine for the URL, with SQLite tuned for a web server and foreign keys on."""
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        # Gunicorn threads and job threads share the file; a busy wait beats "database is locked".
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
    elif (url := make_url(database_url)).get_backend_name() == "postgresql" and (
            "connect_timeout" not in url.query):
        # A server that drops packets would otherwise hold each request for the system's TCP
        # connect timeout (minutes); a few seconds and the request answers 503 instead.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    engine = create_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Gives a session for one command-line use case; rolls back on error, never commits."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
