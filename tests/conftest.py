"""Shared fixtures.

- `database_url`: a freshly migrated, empty database for one test. It runs on SQLite and,
  when `XREF_TEST_DATABASE_URL` is set, on that PostgreSQL database as well (in CI a
  PostgreSQL run that cannot connect fails rather than skips).
- `seeded_database_url`: the same, with `xref seed` applied.
- `app`, `client`, `runner`: the Flask app on the seeded database, its test client (which
  validates every JSON response against `openapi.yaml`), and a click runner for `xref`.
- `session`: a session on the test's database.
- `shared_data`: the real list files and test sets in `../shared/data` (tests skip without it).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel
from werkzeug.wrappers import Request

from service import migrate
from service.app import create_app
from service.config import SEEDS_DIR, Settings
from service.db import make_engine
from service.jobs.serving import stop_runner
from service.usecases.seed import seed

ADMIN_TOKEN = "test-admin-token"
# The Fernet key webhook secrets are sealed with in the tests' apps.
TEST_SECRET_KEY = "dGVzdC1zZWNyZXQta2V5LW9mLXRoZS10ZXN0cy0wMDA="
ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("XREF_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    # The tests' shared index files go to a folder of their own, not the checkout's instance/.
    os.environ.setdefault("XREF_INDEX_DIR", tempfile.mkdtemp(prefix="xref-test-index-"))
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError("CI must run the database tests on PostgreSQL: "
                                "set XREF_TEST_DATABASE_URL.")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return SHARED_DATA


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        seed(SEEDS_DIR, session=session, import_lists=False)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    empty, seeded = folder / "empty.sqlite3", folder / "seeded.sqlite3"
    migrate.upgrade(f"sqlite:///{empty}")
    shutil.copy(empty, seeded)
    _seed(f"sqlite:///{seeded}")
    return {"empty": empty, "seeded": seeded}


@pytest.fixture(scope="session")
def _postgres_ready() -> str:
    try:
        _reset_postgres(POSTGRES_URL)
    except Exception as error:  # noqa: BLE001 - any connection failure means the same here
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at XREF_TEST_DATABASE_URL is not usable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    migrate.upgrade(POSTGRES_URL)
    return POSTGRES_URL


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def _fresh_database(request: pytest.FixtureRequest, tmp_path: Path, seeded: bool) -> str:
    if request.param == "postgresql":
        url = request.getfixturevalue("_postgres_ready")
        _truncate_postgres(url)
        if seeded:
            _seed(url)
        return url
    templates = request.getfixturevalue("_sqlite_templates")
    target = tmp_path / "xref.sqlite3"
    shutil.copy(templates["seeded" if seeded else "empty"], target)
    return f"sqlite:///{target}"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _fresh_database(request, tmp_path, seeded=False)


@pytest.fixture(params=BACKENDS)
def seeded_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _fresh_database(request, tmp_path, seeded=True)


CONTRACT = OpenAPI.from_file_path(str(ROOT / "openapi.yaml"))


class ContractClient(FlaskClient):
    """A test client that checks every API answer against the contract in openapi.yaml."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().open(*args, **kwargs)
        request = response.request
        if (request.path.startswith(("/v1/", "/yente/"))
                or request.path in ("/healthz", "/readyz")):
            # The request's body stream was read by the app; the response check needs none.
            environ = dict(request.environ, CONTENT_LENGTH="0")
            environ["wsgi.input"] = io.BytesIO(b"")
            request = Request(environ)
            try:
                CONTRACT.validate_response(WerkzeugOpenAPIRequest(request),
                                           WerkzeugOpenAPIResponse(response))
            except (PathNotFound, OperationNotFound):
                # A route the app lacks (a 404/405 test); the route-set test covers the rest.
                pass
        return response


OFAC_EXCERPTS = ROOT / "tests" / "fixtures" / "ofac_excerpts"


def import_excerpt(session: Session, folder: str = "sdn-2024-05") -> int:
    """Imports a real OFAC excerpt (tests/fixtures/ofac_excerpts/FOLDER) as the active SDN
    version, with the registry check that follows every import, commits, and gives the
    version id."""
    from service.usecases.lists import import_list_version

    version = import_list_version("us_ofac_sdn", [OFAC_EXCERPTS / folder],
                                  session=session).outcome.version
    session.commit()
    assert version.id is not None
    return version.id


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Gives test settings: the given database, a known admin token, no network keys.

    Reads are public here so that the API tests need no key; tests/security turns it off.
    """
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, public_read=True,
                        secret_key=TEST_SECRET_KEY)
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def make_app(seeded_database_url: str) -> Iterator[Callable[..., Flask]]:
    """Builds apps on the seeded test database, settings overridden by keyword, with the
    contract-checking test client; stops their job runners and engines afterwards."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        application = create_app(make_settings(seeded_database_url, **overrides))
        application.config["TESTING"] = True
        application.test_client_class = ContractClient
        apps.append(application)
        return application

    yield build
    for application in apps:
        stop_runner(application, timeout=30)
        application.extensions["xref.engine"].dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def runner(seeded_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("XREF_DATABASE_URL", seeded_database_url)
    monkeypatch.setenv("XREF_ADMIN_TOKEN", ADMIN_TOKEN)
    return CliRunner()


@pytest.fixture
def session(seeded_database_url: str) -> Iterator[Session]:
    engine = make_engine(seeded_database_url)
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session
    engine.dispose()
