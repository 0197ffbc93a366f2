"""The registry's entity routes, on the seeded database."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


def find_one(client: FlaskClient, query: str) -> dict:
    response = client.get("/v1/entities", query_string={"q": query})
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    ("query", "expected_name_part"),
    [
        ("Kataib Hezbollah", "kataib"),
        ("IRGC-QF", "qods"),
        ("Soleimani", "soleimani"),
        ("Badr", "badr"),
        ("Khazali", "khazali"),
    ],
)
def test_search_finds_entity_with_exact_passages(
    client: FlaskClient, query: str, expected_name_part: str
) -> None:
    body = find_one(client, query)
    assert body["total"] >= 1
    names = [item["name"].lower() for item in body["items"]]
    assert any(expected_name_part in name for name in names), names
    entity_id = next(i["id"] for i in body["items"] if expected_name_part in i["name"].lower())
    entity = client.get(f"/v1/entities/{entity_id}").get_json()
    assert entity["passages"], f"{entity_id} has no passages"
    texts = {}
    for passage in entity["passages"]:
        document_id = passage["document_id"]
        if document_id not in texts:
            texts[document_id] = client.get(f"/v1/documents/{document_id}").get_json()["text"]
        assert texts[document_id][passage["start"]:passage["end"]] == passage["text"]
        assert passage["text"] in passage["sentence"]


def test_search_is_case_and_accent_insensitive(client: FlaskClient) -> None:
    plain = find_one(client, "soleimani")
    accented = find_one(client, "SÖLEIMÁNI")
    assert plain["total"] == accented["total"] >= 1


def test_search_filters_by_kind_and_pages(client: FlaskClient) -> None:
    people = client.get("/v1/entities", query_string={"kind": "person", "per_page": 2}).get_json()
    assert people["per_page"] == 2 and len(people["items"]) == 2
    assert people["total"] > 2
    assert all(item["kind"] == "person" for item in people["items"])
    second = client.get("/v1/entities",
                        query_string={"kind": "person", "per_page": 2, "page": 2}).get_json()
    assert {i["id"] for i in second["items"]}.isdisjoint({i["id"] for i in people["items"]})


def test_designation_is_unknown_before_any_list_is_imported(client: FlaskClient) -> None:
    entity_id = find_one(client, "Soleimani")["items"][0]["id"]
    entity = client.get(f"/v1/entities/{entity_id}").get_json()
    assert entity["designation_status"] == "unknown"
    assert all(d["status"] == "unknown" and d["listed"] is None for d in entity["designations"])


def test_passages_route_matches_entity_detail(client: FlaskClient) -> None:
    entity_id = find_one(client, "Khazali")["items"][0]["id"]
    detail = client.get(f"/v1/entities/{entity_id}").get_json()
    passages = client.get(f"/v1/entities/{entity_id}/passages").get_json()
    assert passages["total"] == len(detail["passages"]) == len(passages["items"])


def test_unknown_entity_is_404_in_envelope(client: FlaskClient) -> None:
    response = client.get("/v1/entities/no-such-entity")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_bad_query_arguments_are_422_listing_each(client: FlaskClient) -> None:
    response = client.get("/v1/entities", query_string={"kind": "planet", "page": "zero"})
    assert response.status_code == 422
    fields = response.get_json()["error"]["details"]["fields"]
    assert set(fields) == {"kind", "page"}


def test_writes_need_the_admin_token(client: FlaskClient) -> None:
    body = {"kind": "organization", "name": "Saraya Awliya al-Dam"}
    assert client.post("/v1/entities", json=body).status_code == 401
    # An unknown credential is 401 like a missing one; 403 is a known key without the scope.
    wrong = client.post("/v1/entities", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "unauthorized"


def test_writes_are_refused_when_no_token_is_configured(client: FlaskClient) -> None:
    client.application.config["SETTINGS"].admin_token = ""
    body = {"kind": "organization", "name": "Saraya Awliya al-Dam"}
    assert client.post("/v1/entities", json=body).status_code == 401
    assert client.post("/v1/entities", json=body,
                       headers={"Authorization": "Bearer anything"}).status_code == 401
    assert client.post("/v1/entities", json=body,
                       headers={"Authorization": "Bearer "}).status_code == 401


def test_create_update_delete_entity(client: FlaskClient, admin_headers: dict) -> None:
    created = client.post("/v1/entities", headers=admin_headers, json={
        "kind": "person", "name": "Abu Mahdi al-Muhandis", "names": ["Mohandes"],
    })
    assert created.status_code == 201
    entity = created.get_json()
    assert created.headers["Location"].endswith(f"/v1/entities/{entity['id']}")
    assert {n["name"] for n in entity["names"]} >= {"Abu Mahdi al-Muhandis", "Mohandes"}

    duplicate = client.post("/v1/entities", headers=admin_headers,
                            json={"id": entity["id"], "kind": "person", "name": "x"})
    assert duplicate.status_code == 409

    changed = client.patch(f"/v1/entities/{entity['id']}", headers=admin_headers,
                           json={"summary": "Deputy head of the Popular Mobilization Forces."})
    assert changed.status_code == 200
    assert changed.get_json()["summary"].startswith("Deputy head")

    assert client.delete(f"/v1/entities/{entity['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"/v1/entities/{entity['id']}").status_code == 404


def test_new_entity_gets_passages_from_the_documents(client: FlaskClient,
                                                     admin_headers: dict) -> None:
    created = client.post("/v1/entities", headers=admin_headers, json={
        "id": "test-amerli", "kind": "other", "name": "Amerli",
    }).get_json()
    assert created["passages"], "Amerli is named in the seed documents"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ('["a list"]', "application/json", 400, "malformed_json"),
        ("name=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ('{"kind": "person"}', "application/json", 422, "invalid_input"),
        ('{"kind": "person", "name": "A", "colour": "red"}', "application/json", 422,
         "invalid_input"),
    ],
)
def test_bad_bodies_get_the_envelope(client: FlaskClient, admin_headers: dict, body: str,
                                     content_type: str, status: int, code: str) -> None:
    response = client.post("/v1/entities", data=body, content_type=content_type,
                           headers=admin_headers)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_empty_patch_is_422(client: FlaskClient, admin_headers: dict) -> None:
    entity_id = find_one(client, "Khazali")["items"][0]["id"]
    response = client.patch(f"/v1/entities/{entity_id}", json={}, headers=admin_headers)
    assert response.status_code == 422
