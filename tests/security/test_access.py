"""Scopes: 401 without a valid key, 403 without the scope, and who the actor is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlmodel import Session

from service.models import ApiKey
from service.security.middleware import current_actor, require_scope
from tests.conftest import ADMIN_TOKEN

NEW_ENTITY = {"kind": "organization", "name": "Kata'ib Sayyid al-Shuhada"}
IssueKey = Callable[..., tuple[str, str]]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_writes_need_the_admin_scope(secure_client: FlaskClient, issue_key: IssueKey) -> None:
    _, read_key = issue_key("read", "screen")
    _, admin_key = issue_key("admin")

    anonymous = secure_client.post("/v1/entities", json=NEW_ENTITY)
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")

    reader = secure_client.post("/v1/entities", json=NEW_ENTITY, headers=bearer(read_key))
    assert reader.status_code == 403
    error = reader.get_json()["error"]
    assert error["code"] == "forbidden" and error["details"]["required_scope"] == "admin"
    assert error["details"]["scopes"] == ["read", "screen"]

    admin = secure_client.post("/v1/entities", json=NEW_ENTITY, headers=bearer(admin_key))
    assert admin.status_code == 201


def test_reads_need_a_read_key_when_not_public(secure_client: FlaskClient,
                                               issue_key: IssueKey) -> None:
    _, read_key = issue_key("read")
    _, screen_key = issue_key("screen")

    assert secure_client.get("/v1/entities").status_code == 401
    assert secure_client.get("/v1/documents").status_code == 401
    assert secure_client.get("/v1/lists").status_code == 401
    assert secure_client.get("/v1/entities", headers=bearer(read_key)).status_code == 200
    assert secure_client.get("/v1/lists", headers={"X-API-Key": read_key}).status_code == 200
    assert secure_client.get("/v1/entities", headers=bearer(screen_key)).status_code == 403
    # The bootstrap admin token holds every scope.
    assert secure_client.get("/v1/documents", headers=bearer(ADMIN_TOKEN)).status_code == 200


def test_public_reads_need_no_key_but_refuse_a_bad_one(make_app: Callable[..., Flask]) -> None:
    client = make_app(public_read=True).test_client()
    assert client.get("/v1/entities").status_code == 200
    assert client.post("/v1/entities", json=NEW_ENTITY).status_code == 401
    bad = client.get("/v1/entities", headers=bearer("xref_not-a-real-key"))
    assert bad.status_code == 401
    assert "revoked" in bad.get_json()["error"]["message"]


def test_unknown_and_revoked_keys_are_401(secure_client: FlaskClient, issue_key: IssueKey
                                          ) -> None:
    key_id, key = issue_key("read", "admin")
    assert secure_client.get("/v1/entities", headers=bearer("xref_" + "A" * 43)).status_code == 401
    assert secure_client.get("/v1/entities", headers=bearer(key)).status_code == 200
    assert secure_client.delete(f"/v1/keys/{key_id}", headers=bearer(key)).status_code == 204
    revoked = secure_client.get("/v1/entities", headers=bearer(key))
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "unauthorized"


def test_health_contract_and_docs_stay_public(secure_client: FlaskClient) -> None:
    assert secure_client.get("/healthz").status_code == 200
    assert secure_client.get("/openapi.yaml").status_code == 200
    assert secure_client.get("/docs/").status_code == 200


def test_use_of_a_key_is_recorded(secure_client: FlaskClient, issue_key: IssueKey,
                                  session: Session) -> None:
    key_id, key = issue_key("read")
    assert session.get(ApiKey, key_id).last_used_at is None  # type: ignore[union-attr]
    secure_client.get("/v1/lists", headers=bearer(key))
    session.expire_all()
    assert session.get(ApiKey, key_id).last_used_at is not None  # type: ignore[union-attr]


def test_the_actor_is_on_g(make_app: Callable[..., Flask], issue_key: IssueKey) -> None:
    app = make_app()
    seen: list[str] = []

    @app.get("/actor-for-test")
    @require_scope("screen")
    def actor() -> dict[str, str]:
        seen.append(current_actor())
        return {"actor": g.actor}

    key_id, key = issue_key("screen")
    client = app.test_client()
    assert client.get("/actor-for-test", headers=bearer(key)).get_json() == {"actor": key_id}
    assert client.get("/actor-for-test", headers=bearer(ADMIN_TOKEN)).get_json() == {
        "actor": "admin-token"}
    assert client.get("/actor-for-test").status_code == 401
    assert seen == [key_id, "admin-token"]
    with app.app_context():
        assert current_actor() == "system"


def test_an_unknown_scope_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        require_scope("write")


def test_every_api_route_declares_its_scope(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    unguarded = sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v1/")
        and not hasattr(app.view_functions[rule.endpoint], "required_scope")
    )
    assert not unguarded, f"/v1 routes without require_scope: {unguarded}"
