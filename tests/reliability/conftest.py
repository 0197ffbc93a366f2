"""Helpers of the reliability tests.

- `EXCERPTS`: the real OFAC excerpts (two versions of us_ofac_sdn with different entries).
- `import_excerpt(url, folder)`: imports one excerpt as the active version; gives its id.
- `live_server(app)`: the app behind a real threaded werkzeug server on a free local port.
- `list_state(url)`: the list's active version and row counts, to compare before and after.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlmodel import Session
from werkzeug.serving import make_server

from service.db import make_engine
from service.lists.importer import import_list
from tests.conftest import ROOT

EXCERPTS = ROOT / "tests" / "fixtures" / "ofac_excerpts"
LIST = "us_ofac_sdn"


def import_excerpt(database_url: str, folder: str | Path) -> int:
    """Imports an excerpt folder as the list's new active version; gives the version id."""
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            outcome = import_list(LIST, [EXCERPTS / folder], session=session)
            session.commit()
            assert outcome.version.id is not None
            return outcome.version.id
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ListState:
    """What an interrupted or failed import must leave exactly as it was."""

    active_version: int | None
    versions: int
    entries: int
    names: int
    # Entries or names whose version (or entry) does not exist: what a half import would leave.
    orphans: int


def list_state(database_url: str) -> ListState:
    """Gives the list's active version and the row counts of every version."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            def count(sql: str) -> int:
                return int(connection.execute(text(sql)).scalar() or 0)

            active = connection.execute(
                text("SELECT active_version_id FROM lists WHERE id = :id"), {"id": LIST}
            ).scalar()
            return ListState(
                active_version=active,
                versions=count("SELECT count(*) FROM list_versions"),
                entries=count("SELECT count(*) FROM list_entries"),
                names=count("SELECT count(*) FROM list_entry_names"),
                orphans=count(
                    "SELECT (SELECT count(*) FROM list_entries e WHERE NOT EXISTS "
                    "(SELECT 1 FROM list_versions v WHERE v.id = e.version_id)) + "
                    "(SELECT count(*) FROM list_entry_names n WHERE NOT EXISTS "
                    "(SELECT 1 FROM list_entries e WHERE e.id = n.entry_id))"),
            )
    finally:
        engine.dispose()


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serves the app on 127.0.0.1 (a free port, one thread per request); gives its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
