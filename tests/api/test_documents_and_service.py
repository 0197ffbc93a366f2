"""Documents, health, and the errors Flask raises itself, all in the one envelope."""

from __future__ import annotations

import hashlib

from flask.testing import FlaskClient


def test_documents_list_the_five_seed_documents(client: FlaskClient) -> None:
    body = client.get("/v1/documents").get_json()
    assert body["total"] == 5
    for item in body["items"]:
        document = client.get(f"/v1/documents/{item['id']}").get_json()
        assert hashlib.sha256(document["text"].encode()).hexdigest() == item["sha256"]
        assert document["length"] == len(document["text"])
        for passage in document["passages"]:
            assert document["text"][passage["start"]:passage["end"]] == passage["text"]


def test_unknown_document_is_404(client: FlaskClient) -> None:
    response = client.get("/v1/documents/nope")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_flask_errors_use_the_envelope(client: FlaskClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong_method = client.put("/v1/documents")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"


def test_oversized_body_is_413(client: FlaskClient, admin_headers: dict) -> None:
    client.application.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/v1/entities", data="x" * 4096, content_type="application/json",
                           headers=admin_headers)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_unexpected_error_is_500_in_envelope(client: FlaskClient) -> None:
    app = client.application

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("kaboom")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "kaboom" not in response.get_data(as_text=True)
