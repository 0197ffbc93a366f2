"""Fixtures of the security tests.

- `make_app(**settings)`: an app on the seeded test database with reads closed (public_read
  off) unless told otherwise, and the contract-checking test client.
- `secure_client`: the client of such an app with the default settings.
- `issue_key(*scopes)`: creates an API key straight in the database; gives (id, key).
- `log_lines()`: the raw request-log lines written so far in the test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from service.app import create_app
from service.db import make_engine
from service.security.keys import create_key
from tests.conftest import ContractClient, make_settings


@pytest.fixture
def make_app(seeded_database_url: str) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        overrides.setdefault("public_read", False)
        application = create_app(make_settings(seeded_database_url, **overrides))
        application.config["TESTING"] = True
        application.test_client_class = ContractClient
        apps.append(application)
        return application

    yield build
    for application in apps:
        application.extensions["xref.engine"].dispose()


@pytest.fixture
def secure_client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app().test_client()


@pytest.fixture
def issue_key(seeded_database_url: str) -> Iterator[Callable[..., tuple[str, str]]]:
    engine = make_engine(seeded_database_url)

    def issue(*scopes: str, name: str = "test key") -> tuple[str, str]:
        with Session(engine) as session:
            record, key = create_key(name, scopes, session=session)
            session.commit()
            return record.id, key

    yield issue
    engine.dispose()


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[str]]]:
    """Gives a function giving the raw request-log lines written so far in the test."""
    handler = _Lines()
    logger = logging.getLogger("service.request")
    logger.addHandler(handler)
    yield lambda: list(handler.messages)
    logger.removeHandler(handler)
