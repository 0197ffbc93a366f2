"""Contract fuzzing: schemathesis makes requests from openapi.yaml and sends them to the app.

Every answer must be no 5xx (but the 502 a refresh documents), with a documented status code,
content type and headers, and a body that matches its schema. Requests carry the admin
token; every authenticated success is also sent without a key and with a wrong one, which
must be refused (schemathesis's `ignored_auth`).

The app runs in-process (WSGI) on a seeded SQLite database with two real excerpt versions of
the SDN list, so the spec's `examples` (an entity, a document, a list entry) answer 200. The
network is stubbed with `responses`, which refuses every URL: a refresh must end in a clean
502. Runs are deterministic and small by default (CI); `XREF_FUZZ_EXAMPLES=200` makes a
deeper run with fresh random data each time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
import schemathesis
from flask import Flask
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from service.app import create_app
from service.db import make_engine
from service.lists.importer import import_list
from tests.conftest import ADMIN_TOKEN, ROOT, make_settings
from tests.reliability.conftest import EXCERPTS, LIST

EXPLORE = os.environ.get("XREF_FUZZ_EXAMPLES")
CONFIG = schemathesis.Config.from_dict({
    "generation": {
        # Valid and invalid data both: an invalid request must be a 4xx, never a 500.
        "mode": "all",
        "max-examples": int(EXPLORE or 25),
        # The same cases on every CI run: a failure reproduces, and an unrelated commit
        # does not turn red because the fuzzer drew a new case.
        "deterministic": not EXPLORE,
        "database": "none",
    },
    # Sequences of calls (stateful) would multiply the time; each operation is fuzzed alone.
    "phases": {"stateful": {"enabled": False}},
})


class _LateApp:
    """The WSGI app the schema calls; `fuzz_app` plugs the real one in once it is built.

    The schema has to exist when the module is imported (parametrize makes one test per
    operation) while the app and its database come from a fixture. Schemathesis's lazy
    `from_fixture` loader would do that, but it fails under pytest 9.2 (it sets
    `Function._nodeid`).
    """

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        assert self.app is not None, "the fuzz_app fixture plugs the app in"
        return self.app(environ, start_response)


APP = _LateApp()
SCHEMA = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=CONFIG)
SCHEMA.app = APP


@schemathesis.check
def no_server_error(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                    case: schemathesis.Case) -> bool | None:
    """No 5xx, but for the 502 of an operation that documents one (a list source is down), and
    /readyz's 503 while the process builds its index (what the probe is for)."""
    if response.status_code == 502 and "502" in case.operation.definition.raw["responses"]:
        assert response.json()["error"]["code"] == "upstream_error", response.text
        return None
    if response.status_code == 503 and case.operation.path == "/readyz":
        assert response.json()["error"]["code"] == "not_ready", response.text
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [no_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, ignored_auth]


@pytest.fixture(scope="module")
def fuzz_app(_sqlite_templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Flask]:
    target = tmp_path_factory.mktemp("fuzz") / "xref.sqlite3"
    shutil.copy(_sqlite_templates["seeded"], target)
    url = f"sqlite:///{target}"
    engine = make_engine(url)
    with Session(engine) as session:
        # Two versions, so that the diff has something to compare.
        for folder in ("sdn-2021-07", "sdn-2024-05"):
            import_list(LIST, [EXCERPTS / folder], session=session)
            session.commit()
    engine.dispose()
    app = create_app(make_settings(
        url,
        # Reads need a key too (the production default), so ignored_auth checks them as well.
        public_read=False,
        # Thousands of requests with one token: the limiter would answer 429 to most.
        rate_limit="",
        # Queued jobs stay queued: no background threads racing the fuzzer.
        job_runner="off",
        # A refused download fails at once instead of being retried with backoff.
        http_retries=0, http_backoff=0.0, http_timeout=2.0))
    APP.app = app
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        yield app
    APP.app = None
    app.extensions["xref.engine"].dispose()


def _call(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, checks=CHECKS)


@SCHEMA.exclude(method="DELETE").parametrize()
def test_api_keeps_its_contract(case: schemathesis.Case, fuzz_app: Flask) -> None:
    _call(case)


# Defined after the test above, so it runs after it: deleting the example entity first would
# leave the other operations on it nothing but 404s.
@SCHEMA.include(method="DELETE").parametrize()
def test_deletes_keep_the_contract(case: schemathesis.Case, fuzz_app: Flask) -> None:
    _call(case)
