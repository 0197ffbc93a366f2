"""Fixtures of the job tests.

- `real_names()`: the real names of the OFAC excerpts (primary names, in both the list's
  "SURNAME, Given" form and the given-name-first form, and the aliases of alt.csv).
- `names_csv(count)`: a CSV of `count` rows cycling through those names, with ids.
- `sdn`: the 2024-05 SDN excerpt imported and active.
- `screen_client`: the client sending the admin token (which has the screen scope).
- `make_app(**settings)` (tests/conftest.py) builds another app on the same database, as a
  second server process.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.conftest import ADMIN_TOKEN, import_excerpt

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"


def _rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8").rstrip("\x1a\n ")
    return [row for row in csv.reader(io.StringIO(text)) if len(row) > 3]


@cache
def real_names() -> tuple[str, ...]:
    names: list[str] = []
    for version in ("sdn-2021-07", "sdn-2024-05"):
        for row in _rows(EXCERPTS / version / "sdn.csv"):
            names.append(row[1].strip())
            if row[2].strip() == "individual" and ", " in row[1]:
                surname, given = row[1].strip().split(", ", 1)
                names.append(f"{given} {surname.title()}")
        names += [row[3].strip() for row in _rows(EXCERPTS / version / "alt.csv")]
    return tuple(dict.fromkeys(n for n in names if n and n != "-0-"))


def names_csv(count: int) -> str:
    names = real_names()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name"])
    for number in range(count):
        writer.writerow([f"c{number}", names[number % len(names)]])
    return buffer.getvalue()


@pytest.fixture
def sdn(session: Session) -> int:
    return import_excerpt(session, "sdn-2024-05")


@pytest.fixture
def screen_client(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_TOKEN}"
    return client
