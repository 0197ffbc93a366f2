"""Faults: an import killed mid-way, the database going away, a list download that fails."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import responses
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service import migrate
from service.app import create_app
from service.cli import main
from service.db import CONNECT_TIMEOUT
from tests.conftest import ContractClient, make_settings
from tests.reliability.conftest import EXCERPTS, LIST, import_excerpt, list_state

XREF = Path(sys.executable).with_name("xref")
# Names the importer's PostgreSQL session, so that the test can watch it.
KILLED_APP = "xref-killed-import"


def _write_in_progress(database_url: str) -> bool:
    """Tells whether some other connection holds an open write transaction right now."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"timeout": 0})
        try:
            with engine.connect() as connection:
                # Taking the write lock without waiting fails exactly while a writer holds it.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                connection.exec_driver_sql("ROLLBACK")
            return False
        except OperationalError as error:
            if "locked" in str(error):
                return True
            raise
        finally:
            engine.dispose()
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            # A backend has a transaction id only once its transaction has written.
            return bool(connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = :name AND backend_xid IS NOT NULL"),
                {"name": KILLED_APP}).scalar())
    finally:
        engine.dispose()


def _backend_gone(database_url: str, timeout: float) -> bool:
    """Waits until the killed importer's PostgreSQL backend has rolled back and left."""
    engine = create_engine(database_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if not connection.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                        {"name": KILLED_APP}).scalar():
                    return True
            time.sleep(0.1)
        return False
    finally:
        engine.dispose()


@pytest.mark.slow
def test_import_killed_while_writing_leaves_the_old_version_active(
        database_url: str, shared_data: Path) -> None:
    old = import_excerpt(database_url, "sdn-2021-07")
    before = list_state(database_url)
    assert before.active_version == old and before.versions == 1 and before.orphans == 0

    url = database_url
    if not url.startswith("sqlite"):
        url = make_url(url).update_query_dict({"application_name": KILLED_APP}).render_as_string(
            hide_password=False)
    env = {**os.environ, "XREF_DATABASE_URL": url}
    full = shared_data / "ofac"
    process = subprocess.Popen(
        [str(XREF), "lists", "import", LIST, str(full / "sdn-2024-05" / "sdn.csv"),
         str(full / "sdn-2025-12")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Parsing takes a few seconds; then the version, its entries and names are written
        # in one transaction for about a second more.
        deadline = time.monotonic() + 60
        while not _write_in_progress(database_url):
            assert process.poll() is None, (
                "the import ended before it was seen writing: "
                f"{process.communicate()[1].decode(errors='replace')[-2000:]}")
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.01)
        # Let it write a batch or two more before pulling the plug.
        time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL, "the import finished before it was killed"

    if not database_url.startswith("sqlite"):
        assert _backend_gone(database_url, timeout=30), "the killed import's backend lingers"
    assert list_state(database_url) == before
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        engine.dispose()
    # And the database takes the next import as if nothing had happened.
    assert import_excerpt(database_url, "sdn-2024-05") != old


class TcpProxy:
    """Forwards connections on a local port to a server; `stop` cuts them all and refuses more.

    Stands between the app and PostgreSQL so that the test can take the database away (as a
    restart or a network cut would) and bring it back on the same address. Started with
    `forward=False` it accepts connections and never answers: a server that hangs.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._forward = True

    def start(self, *, forward: bool = True) -> None:
        self._forward = forward
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        # accept() is not woken by close() from another thread; a short timeout lets the
        # loop notice that the listener is gone.
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            # shutdown (unlike close) wakes the pump blocked in recv on this socket.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._forward:
                with self._lock:
                    self._open.add(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        # One side ended: end the other too, as a real cut would.
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)


def _answers_503_quickly(client: FlaskClient, path: str, *, within: float = 2,
                         **kwargs: Any) -> None:
    # In a thread, so that a request hanging on the database fails the test instead of
    # hanging it (the proxy's stop then cuts the connection and the thread ends).
    answers: list[Any] = []
    worker = threading.Thread(target=lambda: answers.append(client.get(path, **kwargs)),
                              daemon=True)
    worker.start()
    worker.join(within)
    assert not worker.is_alive(), f"{path} still waits for the database after {within}s"
    response = answers[0]
    assert response.status_code == 503, (path, response.status_code, response.get_data()[:300])
    error = response.get_json()["error"]
    assert error["code"] == "database_unavailable" and error["details"] == {}, error


def _app_for(database_url: str) -> Flask:
    app = create_app(make_settings(database_url, rate_limit="", job_runner="off"))
    app.config["TESTING"] = True
    app.test_client_class = ContractClient
    return app


def test_postgres_going_away_answers_503_and_recovers(seeded_database_url: str,
                                                       admin_headers: dict[str, str]) -> None:
    if seeded_database_url.startswith("sqlite"):
        pytest.skip("SQLite has no server or connection to lose; the file case is the test "
                    "below")
    url = make_url(seeded_database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    # No connect_timeout in the URL: the service's own default must bound the hang below.
    proxied = url.set(host="127.0.0.1", port=proxy.port)
    app = _app_for(proxied.render_as_string(hide_password=False))
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/entities").status_code == 200
        assert client.get("/v1/screen", query_string={"name": "Qais al-Khazali"},
                          headers=admin_headers).status_code == 200

        proxy.stop()
        _answers_503_quickly(client, "/healthz")
        _answers_503_quickly(client, "/v1/entities")
        # The caller is identified from the database before the view runs: 503 there too.
        _answers_503_quickly(client, "/v1/screen", query_string={"name": "Qais al-Khazali"},
                             headers=admin_headers)

        # A server that takes the connection and never answers: the connect timeout ends it.
        proxy.start(forward=False)
        _answers_503_quickly(client, "/v1/entities", within=CONNECT_TIMEOUT + 5)
        proxy.stop()

        proxy.start()
        # The same app, no restart: the pool's dead connections are pinged out and replaced.
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/entities").get_json()["total"] > 0
        screened = client.get("/v1/screen", query_string={"name": "Qais al-Khazali"},
                              headers=admin_headers)
        assert screened.status_code == 200
        assert screened.get_json()["results"][0]["matches"]
    finally:
        proxy.stop()
        app.extensions["xref.engine"].dispose()


def test_sqlite_file_missing_answers_503_and_recovers(tmp_path: Path,
                                                      admin_headers: dict[str, str]) -> None:
    """The SQLite stand-in for an outage: the database's folder is not there (a volume not
    mounted yet), then it is. Once open, an SQLite file cannot go away under the process
    (its open descriptors keep it), so this is the outage SQLite can have."""
    real = tmp_path / "real"
    real.mkdir()
    migrate.upgrade(f"sqlite:///{real / 'xref.sqlite3'}")
    mounted = tmp_path / "mounted"
    app = _app_for(f"sqlite:///{mounted / 'xref.sqlite3'}")
    client = app.test_client()
    try:
        _answers_503_quickly(client, "/healthz")
        _answers_503_quickly(client, "/v1/entities")
        _answers_503_quickly(client, "/v1/lists", headers=admin_headers)

        real.rename(mounted)
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/entities").status_code == 200
        assert client.get("/v1/lists", headers=admin_headers).status_code == 200
    finally:
        app.extensions["xref.engine"].dispose()


@responses.activate
def test_cli_refresh_with_a_failing_download_exits_nonzero_and_changes_nothing(
        runner: CliRunner, seeded_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old = import_excerpt(seeded_database_url, "sdn-2021-07")
    before = list_state(seeded_database_url)
    base = "https://www.treasury.gov/ofac/downloads"
    monkeypatch.setenv("XREF_SOURCE_URL_US_OFAC_SDN", f"{base}/sdn.csv {base}/alt.csv")
    monkeypatch.setenv("XREF_HTTP_RETRIES", "1")
    monkeypatch.setenv("XREF_HTTP_BACKOFF", "0")
    # The primary file downloads; its companion fails on every try: nothing may be imported.
    responses.get(f"{base}/sdn.csv", content_type="text/csv",
                  body=(EXCERPTS / "sdn-2024-05" / "sdn.csv").read_bytes())
    responses.get(f"{base}/alt.csv", status=503)

    result = runner.invoke(main, ["lists", "refresh", LIST])

    assert result.exit_code == 1, result.output
    assert "refresh failed, active version unchanged" in result.stderr
    assert "alt.csv" in result.stderr
    assert len(responses.calls) == 1 + 2  # sdn.csv once, alt.csv with its one retry
    assert list_state(seeded_database_url) == before and before.active_version == old
