"""The yente-compatible API, driven by a real yente client: nomenklatura's YenteEnricher
against the app served on a free local port, with the real OFAC excerpt as the SDN list
(SDN 10481: "SOLEIMANI, Qasem", DOB 11 Mar 1957, nationality Iran)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.serving import make_server

from service.matching.algorithm import MATCHER
from tests.conftest import ADMIN_TOKEN, import_excerpt

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def sdn_version(session: Session) -> int:
    return import_excerpt(session, "sdn-2024-05")


@pytest.fixture
def screen_key(client: FlaskClient) -> str:
    created = client.post("/v1/keys", json={"name": "yente client",
                                            "scopes": ["read", "screen"]}, headers=ADMIN)
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["key"])


@pytest.fixture
def live_url(app: Flask, sdn_version: int) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/yente/"
    server.shutdown()
    thread.join(timeout=10)


class NoCache:
    """A cache that never hits: every enricher call reaches the app."""

    def get(self, key: str, max_age: int | None = None) -> None:
        return None

    def get_json(self, key: str, max_age: int | None = None) -> None:
        return None

    def set(self, key: str, value: Any) -> None:
        pass

    def set_json(self, key: str, value: Any) -> None:
        pass

    def has(self, key: str) -> bool:
        return False


def test_yente_enricher_matches_and_expands_soleimani(live_url: str, screen_key: str) -> None:
    from followthemoney import Dataset, StatementEntity
    from nomenklatura.enrich.yente import YenteEnricher

    dataset = Dataset.make({"name": "test", "title": "Test"})
    enricher = YenteEnricher(dataset, NoCache(),  # type: ignore[arg-type]
                             {"api": live_url, "api_key": screen_key})
    query = StatementEntity.from_data(dataset, {
        "id": "q1", "schema": "Person",
        "properties": {"name": ["Qassem Suleimani"], "birthDate": ["1957-03-11"],
                       "nationality": ["ir"]}})
    matches = list(enricher.match_wrapped(query))
    assert matches, "the enricher found nothing"
    best = matches[0]
    assert best.id == "us_ofac_sdn-10481"
    assert best.schema.name == "Person"
    assert "1957-03-11" in best.get("birthDate")
    assert "ir" in best.get("nationality")
    expanded = list(enricher.expand_wrapped(query, best))
    assert [e.id for e in expanded] == ["us_ofac_sdn-10481"]
    assert "SOLEIMANI, Qasem" in expanded[0].get("name")


def test_match_answers_in_yente_form_with_details_explained(
        client: FlaskClient, sdn_version: int, screen_key: str) -> None:
    response = client.post("/yente/match/default", headers={
        "Authorization": f"ApiKey {screen_key}"}, json={"queries": {
            "a": {"schema": "Person", "properties": {
                "name": ["Qassem Suleimani"], "birthDate": ["1957"],
                "nationality": ["ir"]}},
            "b": {"schema": "Person", "properties": {
                "name": ["Qassem Suleimani"], "birthDate": ["1990-01-01"],
                "nationality": ["se"]}}}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["matcher"] == MATCHER.describe() and body["limit"] == 5
    agreeing, contradicted = body["responses"]["a"], body["responses"]["b"]
    top = agreeing["results"][0]
    assert set(top) >= {"id", "caption", "schema", "properties", "datasets", "referents",
                        "target", "first_seen", "last_seen", "last_change", "score",
                        "match", "explanations"}
    assert (top["id"], top["match"], top["datasets"]) == (
        "us_ofac_sdn-10481", True, ["us_ofac_sdn"])
    assert agreeing["total"] == {"value": len(agreeing["results"]), "relation": "eq"}
    assert agreeing["query"]["properties"]["nationality"] == ["ir"]
    # The same name with contradicting details: the entry is still there, lower, no match.
    other = contradicted["results"][0]
    assert (other["id"], other["match"]) == ("us_ofac_sdn-10481", False)
    assert other["score"] < top["score"]
    outcomes = {d["field"]: d["outcome"]
                for d in other["explanations"][MATCHER.NAME]["details"]}
    assert outcomes == {"birth_date": "contradict", "nationality": "contradict"}


def test_datasets_entities_search_catalog_and_algorithms(
        client: FlaskClient, sdn_version: int, screen_key: str) -> None:
    auth = {"Authorization": f"ApiKey {screen_key}"}
    one_list = client.post("/yente/match/us_ofac_sdn?algorithm=xref-names&fuzzy=false",
                           headers=auth, json={"queries": {"q": {
                               "schema": "Organization",
                               "properties": {"name": ["Kataib Hizbullah"]}}}})
    assert one_list.get_json()["responses"]["q"]["results"][0]["id"] == "us_ofac_sdn-11462"
    assert client.post("/yente/match/un_sc", headers=auth, json={"queries": {"q": {
        "schema": "Person", "properties": {"name": ["x"]}}}}).status_code == 404
    unknown = client.post("/yente/match/default?algorithm=logic-v9", headers=auth,
                          json={"queries": {"q": {"schema": "Person",
                                                  "properties": {"name": ["x"]}}}})
    assert unknown.status_code == 400
    assert unknown.get_json()["error"]["code"] == "unknown_algorithm"
    nameless = client.post("/yente/match/default", headers=auth, json={"queries": {"q": {
        "schema": "Person", "properties": {"birthDate": ["1957"]}}}})
    assert nameless.status_code == 422

    entity = client.get("/yente/entities/us_ofac_sdn-28004", headers=auth).get_json()
    assert entity["properties"]["gender"] == ["male"]
    assert client.get("/yente/entities/us_ofac_sdn-0", headers=auth).status_code == 404
    assert client.get("/yente/entities/nolist-1", headers=auth).status_code == 404

    found = client.get("/yente/search/default?q=Qais+al+Khazali&schema=Person",
                       headers=auth).get_json()
    assert found["results"][0]["id"] == "us_ofac_sdn-28004"
    names = [d["name"] for d in client.get("/yente/catalog", headers=auth)
             .get_json()["datasets"]]
    assert names == ["default", "us_ofac_sdn"]
    algorithms = client.get("/yente/algorithms", headers=auth).get_json()
    assert algorithms["best"] == MATCHER.NAME
    assert client.get("/yente/healthz").get_json() == {"status": "ok"}


def test_the_apikey_form_works_on_every_route(client: FlaskClient, sdn_version: int,
                                              screen_key: str) -> None:
    response = client.get("/v1/screen", query_string={"name": "Qassem Suleimani"},
                          headers={"Authorization": f"ApiKey {screen_key}"})
    assert response.status_code == 200
    wrong = client.get("/v1/screen", query_string={"name": "Qassem Suleimani"},
                       headers={"Authorization": "ApiKey xref_not-a-key"})
    assert wrong.status_code == 401


def test_match_needs_the_screen_scope(client: FlaskClient, sdn_version: int) -> None:
    created = client.post("/v1/keys", json={"name": "reader", "scopes": ["read"]},
                          headers=ADMIN).get_json()
    response = client.post("/yente/match/default", headers={
        "Authorization": f"ApiKey {created['key']}"}, json={"queries": {"q": {
            "schema": "Person", "properties": {"name": ["Qassem Suleimani"]}}}})
    assert response.status_code == 403
    assert client.post("/yente/match/default", json={"queries": {}}).status_code == 401
