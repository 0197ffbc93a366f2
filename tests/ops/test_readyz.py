"""GET /readyz: 200 only when the database answers, this process holds the index of the active
versions, and Redis answers where configured; else 503 `not_ready` naming what is missing.

The database is taken away as an outage would: on PostgreSQL through the TCP proxy of the
fault tests, on SQLite by its folder not being there yet (the outage an SQLite file can have).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlmodel import Session

from service import migrate
from service.app import create_app
from service.db import make_engine
from tests.conftest import ContractClient, import_excerpt, make_settings
from tests.reliability.test_faults import TcpProxy

REDIS_URL = os.environ.get("XREF_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
# A hang guard, not a timing target: building the index of an excerpt takes well under this.
READY_WITHIN = 60.0


def _app(database_url: str, **overrides: object) -> Flask:
    app = create_app(make_settings(database_url, rate_limit="", job_runner="off", **overrides))
    app.config["TESTING"] = True
    app.test_client_class = ContractClient
    return app


def _not_ready(client: FlaskClient) -> dict:
    response = client.get("/readyz")
    assert response.status_code == 503, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "not_ready"
    return error["details"]


def _becomes_ready(client: FlaskClient) -> dict:
    deadline = time.monotonic() + READY_WITHIN
    while True:
        response = client.get("/readyz")
        if response.status_code == 200:
            return response.get_json()
        assert time.monotonic() < deadline, response.get_json()
        time.sleep(0.1)


def test_ready_once_the_index_of_the_active_versions_is_held(seeded_database_url: str) -> None:
    app = _app(seeded_database_url)
    client = app.test_client()
    try:
        # Nothing screened yet: the index is built in the background, the probe says so.
        assert _not_ready(client) == {"missing": ["index"],
                                      "checks": {"database": "ok", "index": "loading"}}
        assert _becomes_ready(client) == {"status": "ready",
                                          "checks": {"database": "ok", "index": "ok"}}
        # A new version activates (in any process): this one is behind until it rebuilds.
        engine = make_engine(seeded_database_url)
        with Session(engine) as session:
            import_excerpt(session, "sdn-2024-05")
        engine.dispose()
        assert _not_ready(client)["missing"] == ["index"]
        _becomes_ready(client)
    finally:
        app.extensions["xref.engine"].dispose()


def test_redis_is_checked_where_configured(seeded_database_url: str) -> None:
    down = _app(seeded_database_url, redis_url="redis://127.0.0.1:1/0")
    up = _app(seeded_database_url, redis_url=REDIS_URL)
    try:
        down_client, up_client = down.test_client(), up.test_client()
        deadline = time.monotonic() + READY_WITHIN
        while (details := _not_ready(down_client))["checks"]["index"] != "ok":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert details["missing"] == ["redis"]
        assert details["checks"]["redis"] == "unavailable"
        assert _becomes_ready(up_client)["checks"]["redis"] == "ok"
    finally:
        down.extensions["xref.engine"].dispose()
        up.extensions["xref.engine"].dispose()


def test_not_ready_while_the_database_is_away(seeded_database_url: str, tmp_path: Path) -> None:
    if seeded_database_url.startswith("sqlite"):
        # The folder of the file is not mounted yet, then it is.
        real = tmp_path / "real"
        real.mkdir()
        migrate.upgrade(f"sqlite:///{real / 'xref.sqlite3'}")
        mounted = tmp_path / "mounted"
        app = _app(f"sqlite:///{mounted / 'xref.sqlite3'}")
        client = app.test_client()
        try:
            assert _not_ready(client) == {"missing": ["database", "index"],
                                          "checks": {"database": "unavailable",
                                                     "index": "unknown"}}
            real.rename(mounted)
            _becomes_ready(client)
        finally:
            app.extensions["xref.engine"].dispose()
        return
    url = make_url(seeded_database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    app = _app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    client = app.test_client()
    try:
        _becomes_ready(client)
        proxy.stop()
        assert _not_ready(client)["missing"] == ["database", "index"]
        assert client.get("/healthz").status_code == 503
        proxy.start()
        # The same process, no restart: its index is still that of the active versions.
        assert client.get("/readyz").status_code == 200
    finally:
        proxy.stop()
        app.extensions["xref.engine"].dispose()
