"""Live look-ups against recorded answers in the APIs' documented shapes (real records)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner
from responses import matchers
from responses.registries import OrderedRegistry
from sqlmodel import Session, select

from service.cli import main
from service.config import Settings
from service.models import Enrichment, EntityLink
from service.registry.enrich import enrich_entity

ANSWERS = Path(__file__).resolve().parents[1] / "fixtures" / "enrichment"
CSL = "https://data.trade.gov/consolidated_screening_list/v1/search"
OPENSANCTIONS = "https://api.opensanctions.org/match/default"


@pytest.fixture
def settings() -> Settings:
    return Settings(csl_api_key="csl-test-key", opensanctions_api_key="os-test-key",
                    http_retries=2, http_backoff=0.0, http_timeout=2.0)


def answer(name: str) -> dict:
    return json.loads((ANSWERS / name).read_text())


@responses.activate
def test_records_each_answer_and_suggests_the_sdn_link(session: Session,
                                                       settings: Settings) -> None:
    responses.get(CSL, json=answer("csl_search_kataib_hizballah.json"),
                  match=[matchers.header_matcher({"subscription-key": "csl-test-key"})])
    responses.post(OPENSANCTIONS, json=answer("opensanctions_match_irgc.json"),
                   match=[matchers.header_matcher({"Authorization": "ApiKey os-test-key"})])
    for link in session.exec(select(EntityLink)
                             .where(EntityLink.entity_id == "kataib-hezbollah")).all():
        session.delete(link)  # so that the look-up has a link to suggest
    records = enrich_entity("kataib-hezbollah", session=session, settings=settings)
    session.commit()
    sources = {r.source for r in records}
    assert sources == {"us_csl", "opensanctions"}
    csl = [r for r in records if r.source == "us_csl"]
    assert all(r.http_status == 200 and len(r.body_sha256 or "") == 64 for r in records)
    hit = next(h for r in csl for h in r.hits)
    assert hit["entity_number"] == "11462" and {"FTO", "SDGT", "IRAQ3"} <= set(hit["programs"])
    suggested = session.exec(select(EntityLink).where(
        EntityLink.entity_id == "kataib-hezbollah", EntityLink.status == "suggested")).all()
    assert [(s.list_id, s.list_key) for s in suggested] == [("us_ofac_sdn", "11462")]


@responses.activate(registry=OrderedRegistry)
def test_rate_limit_then_success_is_retried(session: Session, settings: Settings) -> None:
    settings.opensanctions_api_key = ""
    responses.get(CSL, status=429, headers={"Retry-After": "0"})
    responses.get(CSL, json=answer("csl_search_kataib_hizballah.json"))
    records = enrich_entity("qais-al-khazali", session=session, settings=settings)
    assert records[0].http_status == 200


@responses.activate
def test_timeouts_and_persistent_429_are_recorded_not_raised(session: Session,
                                                             settings: Settings) -> None:
    responses.get(CSL, status=429, headers={"Retry-After": "0"})
    responses.post(OPENSANCTIONS, body=requests.exceptions.ReadTimeout("slow"))
    records = enrich_entity("qais-al-khazali", session=session, settings=settings)
    session.commit()
    csl = [r for r in records if r.source == "us_csl"]
    assert csl and all(r.http_status == 429 and "rate limited" in (r.error or "") for r in csl)
    opensanctions = [r for r in records if r.source == "opensanctions"]
    assert opensanctions and all("Timeout" in (r.error or "") for r in opensanctions)
    assert session.exec(select(Enrichment)).all()


def test_without_keys_the_command_says_so_and_does_nothing(runner: CliRunner,
                                                           session: Session) -> None:
    result = runner.invoke(main, ["enrich", "qais-al-khazali"])
    assert result.exit_code == 0
    assert "no look-up API key is configured" in result.output
    assert session.exec(select(Enrichment)).all() == []
