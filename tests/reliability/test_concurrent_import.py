"""Screenings answered while new list versions are imported: every one succeeds, and each
answer comes wholly from the one version it names in `list_versions`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import text

from service.app import create_app
from service.db import make_engine
from service.lists.importer import input_files
from service.lists.sources import parse
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.reliability.conftest import EXCERPTS, LIST, import_excerpt, live_server

OLD, NEW = "sdn-2021-07", "sdn-2024-05"
CLIENTS = 4
# Imports alternate between the two excerpts; each makes a new version (its content differs
# from the active one), so the answers straddle several switches.
IMPORTS = [NEW, OLD, NEW, OLD]


def _names_to_screen() -> list[str]:
    """Gives names of entries only in the old excerpt, only in the new one, and in both.

    A name of a removed entry matches its own key only in versions that have it: an answer
    that names the new version but matches that key mixes the two.
    """
    old = {e.key: e.name for e in parse(input_files([EXCERPTS / OLD]), None).entries}
    new = {e.key: e.name for e in parse(input_files([EXCERPTS / NEW]), None).entries}
    picks = (sorted(old.keys() - new.keys())[:4] + sorted(new.keys() - old.keys())[:4]
             + sorted(old.keys() & new.keys())[:4])
    return [old.get(key) or new[key] for key in picks]


@pytest.fixture
def server_app(database_url: str) -> Iterator[Flask]:
    # No rate limit: the clients send more than a minute's allowance on purpose. No job
    # runner: nothing in the background but the imports.
    app = create_app(make_settings(database_url, rate_limit="", job_runner="off"))
    yield app
    app.extensions["xref.engine"].dispose()


def _keys_by_version(database_url: str) -> dict[int, set[str]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_id, key FROM list_entries")).all()
    finally:
        engine.dispose()
    keys: dict[int, set[str]] = {}
    for version_id, key in rows:
        keys.setdefault(version_id, set()).add(key)
    return keys


def test_screenings_during_imports_each_come_from_one_version(database_url: str,
                                                              server_app: Flask) -> None:
    first = import_excerpt(database_url, OLD)
    body = {"names": [{"name": name} for name in _names_to_screen()], "lists": [LIST],
            "limit": 10}
    answers: list[dict[str, Any]] = []
    failures: list[str] = []
    imported: list[int] = []
    import_errors: list[BaseException] = []
    answered_once = threading.Event()
    imports_done = threading.Event()
    lock = threading.Lock()

    def screen(base: str) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
            # Until the imports are over, then one more round: answers from the last version.
            rounds_after = 1
            while rounds_after >= 0 and len(answers) < 2000:
                if imports_done.is_set():
                    rounds_after -= 1
                try:
                    response = http.post(f"{base}/v1/screen", json=body, timeout=60)
                except requests.RequestException as error:
                    with lock:
                        failures.append(repr(error))
                    return
                with lock:
                    if response.status_code == 200:
                        answers.append(response.json())
                    else:
                        failures.append(f"{response.status_code} {response.text[:300]}")
                answered_once.set()

    def run_imports() -> None:
        try:
            answered_once.wait(30)
            for folder in IMPORTS:
                imported.append(import_excerpt(database_url, folder))
        except BaseException as error:  # a thread's exception is lost unless handed over
            import_errors.append(error)
        finally:
            imports_done.set()

    with live_server(server_app) as base:
        threads = [threading.Thread(target=screen, args=(base,)) for _ in range(CLIENTS)]
        threads.append(threading.Thread(target=run_imports))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert not any(thread.is_alive() for thread in threads), "a thread hung"

    assert not import_errors, import_errors
    assert not failures, failures[:5]
    assert len(imported) == len(IMPORTS) and len(set(imported + [first])) == len(IMPORTS) + 1

    keys = _keys_by_version(database_url)
    seen_versions: set[int] = set()
    for answer in answers:
        versions = [v["version"] for v in answer["list_versions"] if v["list"] == LIST]
        assert len(versions) == 1, answer["list_versions"]
        version = versions[0]
        seen_versions.add(version)
        matched = {m["list_key"] for result in answer["results"] for m in result["matches"]
                   if m["list"] == LIST}
        assert matched, "every answer has candidates from the list"
        assert matched <= keys[version], (
            f"an answer naming version {version} matched keys of another version: "
            f"{sorted(matched - keys[version])}")
    # The answers straddle the switches: at least the first and the last version answered.
    assert {first, imported[-1]} <= seen_versions, (seen_versions, first, imported)
