"""Screening and comparison with identifying details, over HTTP, against a real OFAC excerpt
(SDN 10481 gives "DOB 11 Mar 1957; nationality Iran; … Diplomatic Passport 008827")."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from service.matching import details
from tests.conftest import import_excerpt


@pytest.fixture
def client(client: FlaskClient, admin_headers: dict) -> FlaskClient:
    client.environ_base["HTTP_AUTHORIZATION"] = admin_headers["Authorization"]
    return client


@pytest.fixture
def sdn_version(session: Session) -> int:
    return import_excerpt(session, "sdn-2024-05")


def first_match(client: FlaskClient, name: dict) -> dict:
    response = client.post("/v1/screen", json={"names": [name]})
    assert response.status_code == 200, response.get_json()
    matches = response.get_json()["results"][0]["matches"]
    assert matches
    return matches[0]


def by_field(match: dict) -> dict[str, dict]:
    return {item["field"]: item for item in match["explanation"]["details"]}


def test_agreeing_details_strengthen_and_are_explained(client: FlaskClient,
                                                       sdn_version: int) -> None:
    plain = first_match(client, {"name": "Qassem Suleimani"})
    found = first_match(client, {"name": "Qassem Suleimani", "birth_date": "1957-03-11",
                                 "nationality": "Iran (Islamic Republic of)"})
    assert (found["list_key"], found["match"]) == ("10481", True)
    assert found["score"] > plain["score"] or found["score"] == 1.0
    compared = by_field(found)
    assert compared["birth_date"]["outcome"] == "agree"
    assert compared["birth_date"]["list"] == ["1957-03-11"]
    assert compared["birth_date"]["effect"] == details.DOB_DAY_AGREE_BONUS
    assert compared["nationality"] == {
        "field": "nationality", "query": ["IR"], "list": ["IR"], "outcome": "agree",
        "effect": details.COUNTRY_AGREE_BONUS, "reason": "both give IR"}
    assert found["explanation"]["name_score"] == plain["score"]


def test_contradicted_candidate_comes_back_lower_with_the_reason(client: FlaskClient,
                                                                 sdn_version: int) -> None:
    plain = first_match(client, {"name": "Qassem Suleimani"})
    found = first_match(client, {"name": "Qassem Suleimani", "birth_date": ["1990"],
                                 "nationality": "se", "gender": "female"})
    assert found["list_key"] == "10481"
    assert found["match"] is False
    compared = by_field(found)
    assert compared["birth_date"]["outcome"] == "contradict"
    assert compared["birth_date"]["reason"] == "33 year(s) apart"
    assert compared["nationality"]["outcome"] == "contradict"
    # The excerpt gives no gender for 10481: unknown, no effect.
    assert (compared["gender"]["outcome"], compared["gender"]["effect"]) == ("unknown", 0)
    expected = plain["score"] - details.DOB_YEAR_CONTRADICT_PENALTY \
        - details.COUNTRY_CONTRADICT_PENALTY
    assert found["score"] == pytest.approx(expected, abs=1e-4)


def test_a_missing_detail_changes_nothing(client: FlaskClient, sdn_version: int) -> None:
    # An organisation has no birth date; its address in add.csv says Iraq.
    plain = first_match(client, {"name": "Kataib Hizbullah"})
    undated = first_match(client, {"name": "Kataib Hizbullah", "birth_date": "1960"})
    assert undated["list_key"] == plain["list_key"] == "11462"
    assert undated["score"] == plain["score"]
    assert by_field(undated)["birth_date"] == {
        "field": "birth_date", "query": ["1960"], "list": [], "outcome": "unknown",
        "effect": 0, "reason": "the list gives none"}
    located = first_match(client, {"name": "Kataib Hizbullah", "country": "Iraq"})
    assert by_field(located)["country"]["list"] == ["IQ"]
    assert located["score"] == min(1.0, plain["score"] + details.COUNTRY_AGREE_BONUS)


def test_family_name_with_the_passport_number_finds_the_entry(client: FlaskClient,
                                                               sdn_version: int) -> None:
    # The excerpt's 2686 is "NASRALLAH, Hasan" with "Passport 042833 (Lebanon)".
    plain = client.post("/v1/screen", json={"names": [{"name": "Nasrallah"}]}).get_json()
    assert not any(m["match"] for m in plain["results"][0]["matches"])
    found = first_match(client, {"name": "Nasrallah", "id_number": "04-2833"})
    assert (found["list_key"], found["match"]) == ("2686", True)
    assert by_field(found)["id_number"]["outcome"] == "agree"


def test_screen_by_query_string_with_several_values(client: FlaskClient,
                                                    sdn_version: int) -> None:
    response = client.get("/v1/screen", query_string={
        "name": "Qais al Khazali", "birth_date": "1974-06", "nationality": "sy;iq",
        "gender": "male"})
    assert response.status_code == 200, response.get_json()
    found = response.get_json()["results"][0]["matches"][0]
    assert found["list_key"] == "28004"
    compared = by_field(found)
    assert compared["nationality"]["query"] == ["SY", "IQ"]
    assert compared["nationality"]["outcome"] == "agree"
    assert compared["birth_date"]["reason"] == "same month"
    assert compared["gender"]["outcome"] == "agree"
    refused = client.get("/v1/screen", query_string={"name": "Qais al Khazali",
                                                     "birth_date": "1974;June 1974"})
    assert refused.status_code == 422
    assert "birth_date" in refused.get_json()["error"]["details"]["fields"]


@pytest.mark.parametrize(("field", "value"), [
    ("birth_date", "11/03/1957"), ("birth_date", "1957-13"), ("nationality", "Atlantis"),
    ("gender", "x"), ("id_number", "12"), ("country", 5)])
def test_malformed_details_are_refused_naming_the_field_and_the_line(
        client: FlaskClient, field: str, value: object) -> None:
    response = client.post("/v1/screen", json={"names": [
        {"name": "Qassem Suleimani"}, {"name": "Someone", field: value}]})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    # The second name (index 1), and the field.
    assert field in error["details"]["fields"]["names"]["1"]


def test_compare_with_details_on_both_sides(client: FlaskClient) -> None:
    response = client.post("/v1/compare", json={
        "name1": "Qassem Suleimani", "name2": "SOLEIMANI, Qasem", "kind": "person",
        "details1": {"birth_date": "1957", "id_number": "008827"},
        "details2": {"birth_date": "1957-03-11", "id_number": ["D-008827"]}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    compared = {c["field"]: c["outcome"] for c in body["explanation"]["details"]}
    assert compared == {"birth_date": "agree", "id_number": "unknown"}
    contradicted = client.post("/v1/compare", json={
        "name1": "Qassem Suleimani", "name2": "SOLEIMANI, Qasem",
        "details1": {"birth_date": "1970"}, "details2": {"birth_date": "1957-03-11"}})
    assert contradicted.get_json()["score"] < body["score"]
    assert contradicted.get_json()["match"] is False
