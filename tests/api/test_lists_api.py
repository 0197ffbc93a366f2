"""The lists routes, on a seeded database holding two real OFAC excerpt versions."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from flask.testing import FlaskClient
from sqlmodel import Session

from service.usecases.lists import import_list_version

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"


@pytest.fixture
def versions(session: Session) -> tuple[int, int]:
    old = import_list_version("us_ofac_sdn", [EXCERPTS / "sdn-2021-07"],
                              session=session).outcome.version
    new = import_list_version("us_ofac_sdn", [EXCERPTS / "sdn-2024-05"],
                              session=session).outcome.version
    session.commit()
    assert old.id and new.id
    return old.id, new.id


def test_lists_overview(client: FlaskClient, versions: tuple[int, int]) -> None:
    body = client.get("/v1/lists").get_json()
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {"us_ofac_sdn", "us_ofac_cons", "un_sc", "us_csl", "opensanctions"}
    sdn = by_id["us_ofac_sdn"]
    assert sdn["active_version"]["id"] == versions[1]
    assert sdn["active_version"]["entry_count"] == 131
    assert sdn["stale"] is False
    assert by_id["un_sc"]["active_version"] is None and by_id["un_sc"]["stale"] is True


def test_stale_flag_follows_the_setting(client: FlaskClient, versions: tuple[int, int]) -> None:
    client.application.config["SETTINGS"].stale_after_days = -1
    assert client.get("/v1/lists/us_ofac_sdn").get_json()["stale"] is True


def test_versions_newest_first(client: FlaskClient, versions: tuple[int, int]) -> None:
    items = client.get("/v1/lists/us_ofac_sdn/versions").get_json()["items"]
    assert [v["id"] for v in items] == [versions[1], versions[0]]
    assert [v["active"] for v in items] == [True, False]


def test_entries_search_and_detail(client: FlaskClient, versions: tuple[int, int]) -> None:
    found = client.get("/v1/lists/us_ofac_sdn/entries", query_string={"q": "soleymani"})
    body = found.get_json()
    assert [item["key"] for item in body["items"]] == ["10481"]
    entry = client.get("/v1/lists/us_ofac_sdn/entries/10481").get_json()
    assert entry["name"] == "SOLEIMANI, Qasem" and "IFSR" in entry["programs"]
    assert entry["version"] == versions[1]
    fto = client.get("/v1/lists/us_ofac_sdn/entries", query_string={"program": "fto"})
    assert "11462" in [item["key"] for item in fto.get_json()["items"]]
    older = client.get("/v1/lists/us_ofac_sdn/entries/10481",
                       query_string={"version": versions[0]})
    assert older.get_json()["version"] == versions[0]


def test_diff_route(client: FlaskClient, versions: tuple[int, int]) -> None:
    body = client.get("/v1/lists/us_ofac_sdn/diff").get_json()
    assert (body["from"], body["to"]) == versions
    assert body["counts"]["added"] == len(body["added"])
    assert body["counts"]["removed"] == len(body["removed"]) > 0
    explicit = client.get("/v1/lists/us_ofac_sdn/diff",
                          query_string={"from": versions[0], "to": versions[1],
                                        "details": "false"}).get_json()
    assert explicit["added"] == body["added"] and "changes" not in explicit


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/lists/nope", 404),
        ("/v1/lists/un_sc/entries", 404),
        ("/v1/lists/us_ofac_sdn/entries/does-not-exist", 404),
        ("/v1/lists/us_ofac_sdn/diff?from=999999", 404),
        ("/v1/lists/us_ofac_sdn/entries?page=-1", 422),
    ],
)
def test_errors(client: FlaskClient, versions: tuple[int, int], path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_designations_show_on_entities(client: FlaskClient, versions: tuple[int, int]) -> None:
    entity = client.get("/v1/entities/qassem-soleimani").get_json()
    sdn = next(d for d in entity["designations"] if d["list"] == "us_ofac_sdn")
    assert sdn["listed"] is True and sdn["list_key"] == "10481"
    assert sdn["version"] == versions[1]
    assert entity["designation_status"] == "listed"
    badr = client.get("/v1/entities/badr-organization").get_json()
    badr_sdn = next(d for d in badr["designations"] if d["list"] == "us_ofac_sdn")
    assert badr_sdn["listed"] is False and badr_sdn["version"] == versions[1]
    listed = client.get("/v1/entities", query_string={"designated": "true", "per_page": 200})
    ids = {item["id"] for item in listed.get_json()["items"]}
    assert {"qassem-soleimani", "kataib-hezbollah"} <= ids and "badr-organization" not in ids
    glomag = client.get("/v1/entities", query_string={"program": "GLOMAG"}).get_json()
    assert [item["id"] for item in glomag["items"]] == ["qais-al-khazali"]


def test_admin_confirms_and_rejects_links(client: FlaskClient, admin_headers: dict,
                                          versions: tuple[int, int]) -> None:
    path = "/v1/entities/badr-organization/links"
    assert client.post(path, json={"list": "us_ofac_sdn", "list_key": "10481",
                                   "status": "confirmed"}).status_code == 401
    confirmed = client.post(path, headers=admin_headers, json={
        "list": "us_ofac_sdn", "list_key": "10481", "status": "confirmed"})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["designation_status"] == "listed"
    rejected = client.post(path, headers=admin_headers, json={
        "list": "us_ofac_sdn", "list_key": "10481", "status": "rejected"}).get_json()
    assert rejected["designation_status"] == "not_listed"
    unknown = client.post(path, headers=admin_headers, json={
        "list": "us_ofac_sdn", "list_key": "0", "status": "confirmed"})
    assert unknown.status_code == 422


@responses.activate
def test_refresh_route_reports_upstream_failure(client: FlaskClient, admin_headers: dict,
                                                versions: tuple[int, int]) -> None:
    settings = client.application.config["SETTINGS"]
    settings.http_retries, settings.http_backoff = 0, 0.0
    responses.get("https://www.treasury.gov/ofac/downloads/sdn.csv", status=500)
    response = client.post("/v1/lists/us_ofac_sdn/refresh", headers=admin_headers)
    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "upstream_error"
    assert client.get("/v1/lists/us_ofac_sdn").get_json()["active_version"]["id"] == versions[1]


def test_enrich_route_without_keys_does_nothing(client: FlaskClient,
                                                admin_headers: dict) -> None:
    body = client.post("/v1/entities/qais-al-khazali/enrich", headers=admin_headers).get_json()
    assert body == {"entity_id": "qais-al-khazali", "sources": [], "items": []}


def test_programs_explain_codes(client: FlaskClient, versions: tuple[int, int]) -> None:
    table = {p["code"]: p for p in client.get("/v1/programs").get_json()["items"]}
    assert "13224" in table["SDGT"]["legal_basis"]
    assert "219" in table["FTO"]["legal_basis"]
    entity = client.get("/v1/entities/kataib-hezbollah").get_json()
    sdn = next(d for d in entity["designations"] if d["list"] == "us_ofac_sdn")
    details = {p["code"]: p for p in sdn["program_details"]}
    assert details["IRAQ3"]["legal_basis"] and "13438" in details["IRAQ3"]["legal_basis"]
