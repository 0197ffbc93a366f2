"""Screening and comparison over HTTP, against a real OFAC excerpt and the seeded registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from service.lists.importer import import_list
from service.matching.algorithm import MATCHER
from tests.conftest import import_excerpt

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"


@pytest.fixture
def client(client: FlaskClient, admin_headers: dict) -> FlaskClient:
    # Screening needs a credential with the screen scope; the admin token has every scope.
    client.environ_base["HTTP_AUTHORIZATION"] = admin_headers["Authorization"]
    return client


@pytest.fixture
def sdn_version(session: Session) -> int:
    return import_excerpt(session, "sdn-2024-05")


def screen(client: FlaskClient, *names: str, **options: object) -> dict:
    response = client.post("/v1/screen", json={"names": [{"name": n} for n in names],
                                               **options})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(
    ("query", "key", "entity_id"),
    [
        ("Qassem Suleimani", "10481", "qassem-soleimani"),
        ("Kataib Hizbullah", "11462", "kataib-hezbollah"),
        ("Qays al Khazali", "28004", "qais-al-khazali"),
        ("قاسم سليماني", "10481", "qassem-soleimani"),
    ],
)
def test_right_sdn_entry_comes_first_with_an_explanation(
    client: FlaskClient, sdn_version: int, query: str, key: str, entity_id: str
) -> None:
    body = screen(client, query)
    first = body["results"][0]["matches"][0]
    assert (first["list"], first["list_key"], first["match"]) == ("us_ofac_sdn", key, True)
    assert first["entity_id"] == entity_id
    assert first["explanation"]
    assert body["list_versions"] == [
        {"list": "us_ofac_sdn", "version": sdn_version, "data_date": None}]
    assert body["matcher"] == MATCHER.describe()


def test_a_different_given_name_is_not_a_match(client: FlaskClient, sdn_version: int) -> None:
    matches = screen(client, "Hossein Soleimani")["results"][0]["matches"]
    assert not any(m["match"] and m["list_key"] == "10481" for m in matches)


def test_registry_entities_not_on_a_list_are_found(client: FlaskClient,
                                                   sdn_version: int) -> None:
    matches = screen(client, "Badr Organisation")["results"][0]["matches"]
    assert matches[0]["list"] == "registry" and matches[0]["entity_id"] == "badr-organization"


def test_lists_filter_and_ids_are_kept(client: FlaskClient, sdn_version: int) -> None:
    response = client.post("/v1/screen", json={
        "names": [{"id": "c-1", "name": "Qais al-Khazali", "kind": "person"}],
        "lists": ["registry"], "limit": 1})
    result = response.get_json()["results"][0]
    assert result["id"] == "c-1"
    assert [m["list"] for m in result["matches"]] == ["registry"]
    unknown = client.post("/v1/screen", json={"names": [{"name": "x"}], "lists": ["un_sc"]})
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["details"]["unknown_lists"] == ["un_sc"]


def test_single_name_get(client: FlaskClient, sdn_version: int) -> None:
    body = client.get("/v1/screen", query_string={"name": "Qasem Soleimani", "limit": 1})
    matches = body.get_json()["results"][0]["matches"]
    assert len(matches) == 1 and matches[0]["list_key"] == "10481"


def test_index_follows_a_new_version_without_restart(client: FlaskClient, sdn_version: int,
                                                     session: Session) -> None:
    assert screen(client, "Qasem Soleimani")["list_versions"][0]["version"] == sdn_version
    newer = import_list("us_ofac_sdn", [EXCERPTS / "sdn-2021-07"], session=session).version
    session.commit()
    assert screen(client, "Qasem Soleimani")["list_versions"][0]["version"] == newer.id


def test_compare(client: FlaskClient) -> None:
    same = client.post("/v1/compare", json={"name1": "Qassem Suleimani",
                                            "name2": "SOLEIMANI, Qasem", "kind": "person"})
    body = same.get_json()
    assert body["match"] is True and body["score"] >= body["threshold"]
    assert body["explanation"]
    assert body["matcher"] == {"name": "xref-names", "version": MATCHER.VERSION}
    other = client.post("/v1/compare", json={"name1": "Jihad Mughniyeh",
                                             "name2": "Imad Mughniyeh", "kind": "person"})
    assert other.get_json()["match"] is False


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"names": [{"name": "x"}] * 1001}, 422),
        ({"names": [{"name": "x" * 10_000}]}, 422),
        ({"names": []}, 422),
        ({"names": [{"name": "x", "kind": "planet"}]}, 422),
        ({"names": [{"name": "x"}], "threshold": 2}, 422),
    ],
)
def test_bad_screen_requests(client: FlaskClient, body: dict, status: int) -> None:
    response = client.post("/v1/screen", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == "invalid_input"
