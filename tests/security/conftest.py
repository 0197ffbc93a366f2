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

from service.db import make_engine
from service.security.keys import create_key


@pytest.fixture
def make_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """The shared `make_app` (tests/conftest.py), with reads closed unless told otherwise."""

    def build(**overrides: Any) -> Flask:
        overrides.setdefault("public_read", False)
        return make_app(**overrides)

    return build


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
