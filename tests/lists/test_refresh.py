"""Refresh from the official URLs, with recorded answers whose bodies are real OFAC files."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses
from responses import matchers
from responses.registries import OrderedRegistry
from sqlmodel import Session, func, select

from service.config import Settings
from service.errors import UpstreamError
from service.lists.importer import import_list
from service.lists.refresh import refresh_list
from service.models import ListVersion, SanctionsList

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"
NEW = EXCERPTS / "sdn-2024-05"
BASE = "https://www.treasury.gov/ofac/downloads"
URLS = [f"{BASE}/sdn.csv", f"{BASE}/alt.csv", f"{BASE}/add.csv"]


@pytest.fixture
def settings() -> Settings:
    settings = Settings(http_retries=2, http_backoff=0.0, http_timeout=2.0)
    settings.source_urls["us_ofac_sdn"] = " ".join(URLS)
    return settings


@pytest.fixture
def old_version(session: Session) -> int:
    version = import_list("us_ofac_sdn", [EXCERPTS / "sdn-2021-07"], session=session).version
    session.commit()
    assert version.id is not None
    return version.id


def body(name: str) -> bytes:
    return (NEW / name).read_bytes()


def serve_all(etag: str = '"v2"') -> None:
    responses.get(URLS[0], body=body("sdn.csv"), content_type="text/csv",
                  headers={"ETag": etag, "Last-Modified": "Fri, 03 May 2024 18:43:23 GMT"})
    responses.get(URLS[1], body=body("alt.csv"), content_type="text/csv")
    responses.get(URLS[2], body=body("add.csv"), content_type="text/csv")


def state(session: Session) -> tuple[int | None, int]:
    session.expire_all()
    active = session.get(SanctionsList, "us_ofac_sdn")
    count = session.exec(select(func.count()).select_from(ListVersion)).one()
    return (active.active_version_id if active else None), count


def refresh_fails(session: Session, settings: Settings) -> UpstreamError:
    with pytest.raises(UpstreamError) as failure:
        refresh_list("us_ofac_sdn", session=session, settings=settings)
    session.rollback()
    return failure.value


@responses.activate
def test_200_imports_a_new_version_and_keeps_validators(session: Session, settings: Settings,
                                                        old_version: int) -> None:
    serve_all()
    outcome = refresh_list("us_ofac_sdn", session=session, settings=settings)
    session.commit()
    assert outcome.status == "updated"
    assert outcome.version is not None and outcome.version.entry_count == 131
    assert outcome.version.etag == '"v2"'
    assert outcome.version.sources == URLS
    assert state(session) == (outcome.version.id, 2)


@responses.activate
def test_304_makes_no_new_version(session: Session, settings: Settings,
                                  old_version: int) -> None:
    serve_all()
    refreshed = refresh_list("us_ofac_sdn", session=session, settings=settings)
    session.commit()
    responses.reset()
    responses.get(URLS[0], status=304,
                  match=[matchers.header_matcher({"If-None-Match": '"v2"'})])
    outcome = refresh_list("us_ofac_sdn", session=session, settings=settings)
    session.commit()
    assert outcome.status == "not_modified"
    assert state(session) == (refreshed.version.id, 2)  # type: ignore[union-attr]


@responses.activate(registry=OrderedRegistry)
def test_503_then_200_is_retried(session: Session, settings: Settings,
                                 old_version: int) -> None:
    responses.get(URLS[0], status=503)
    serve_all()
    outcome = refresh_list("us_ofac_sdn", session=session, settings=settings)
    session.commit()
    assert outcome.status == "updated"
    assert state(session)[1] == 2


@responses.activate
def test_timeout_changes_nothing(session: Session, settings: Settings,
                                 old_version: int) -> None:
    responses.get(URLS[0], body=requests.exceptions.ConnectTimeout("timed out"))
    error = refresh_fails(session, settings)
    assert "sdn.csv" in error.message
    assert state(session) == (old_version, 1)


@responses.activate
def test_truncated_body_changes_nothing(session: Session, settings: Settings,
                                        old_version: int) -> None:
    raw = body("sdn.csv")
    responses.get(URLS[0], body=raw[: raw.index(b'"SOLEIMANI') + 5], content_type="text/csv")
    responses.get(URLS[1], body=body("alt.csv"), content_type="text/csv")
    responses.get(URLS[2], body=body("add.csv"), content_type="text/csv")
    error = refresh_fails(session, settings)
    assert error.details.get("file") == "sdn.csv"
    assert state(session) == (old_version, 1)


@responses.activate
def test_html_error_page_instead_of_csv_changes_nothing(session: Session, settings: Settings,
                                                        old_version: int) -> None:
    page = b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body></body></html>"
    responses.get(URLS[0], body=page, content_type="text/html")
    assert "HTML" in refresh_fails(session, settings).message
    responses.reset()
    # The same page served as if it were CSV: the format check still refuses it.
    responses.get(URLS[0], body=page, content_type="text/csv")
    responses.get(URLS[1], body=body("alt.csv"), content_type="text/csv")
    responses.get(URLS[2], body=body("add.csv"), content_type="text/csv")
    refresh_fails(session, settings)
    assert state(session) == (old_version, 1)


@responses.activate
def test_download_over_the_size_cap_changes_nothing(session: Session, settings: Settings,
                                                    old_version: int) -> None:
    settings.download_max_bytes = 1000
    serve_all()
    assert "cap" in refresh_fails(session, settings).message
    assert state(session) == (old_version, 1)


@responses.activate
def test_persistent_5xx_fails_after_retries(session: Session, settings: Settings,
                                            old_version: int) -> None:
    responses.get(URLS[0], status=502)
    error = refresh_fails(session, settings)
    assert error.details.get("status") == 502 or "502" in error.message
    assert len(responses.calls) == settings.http_retries + 1
    assert state(session) == (old_version, 1)
