"""Rate limits (429 with Retry-After) and input limits (413, 400, 415, 422), in the envelope."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from service.config import Settings
from service.security.middleware import body_limit, require_scope
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
IssueKey = Callable[..., tuple[str, str]]
THIRTY_MB = 30 * 1024 * 1024


def assert_envelope(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


# --- rate limits ------------------------------------------------------------------------------


def test_over_the_limit_is_429_with_retry_after(make_app: Callable[..., Flask],
                                                issue_key: IssueKey) -> None:
    client = make_app(rate_limit="2/minute").test_client()
    _, key = issue_key("read")
    headers = {"X-API-Key": key}
    assert client.get("/v1/lists", headers=headers).status_code == 200
    assert client.get("/v1/entities", headers=headers).status_code == 200
    limited = client.get("/v1/lists", headers=headers)
    error = assert_envelope(limited, 429, "rate_limited")
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert error["details"]["retry_after"] == retry_after
    assert "2 per 1 minute" in error["message"]
    assert limited.headers["X-Request-Id"]


def test_each_key_and_each_address_has_its_own_bucket(make_app: Callable[..., Flask],
                                                      issue_key: IssueKey) -> None:
    client = make_app(rate_limit="1/minute", public_read=True).test_client()
    _, first = issue_key("read")
    _, second = issue_key("read")
    assert client.get("/v1/lists", headers={"X-API-Key": first}).status_code == 200
    assert client.get("/v1/lists", headers={"X-API-Key": first}).status_code == 429
    assert client.get("/v1/lists", headers={"X-API-Key": second}).status_code == 200

    here = {"REMOTE_ADDR": "192.0.2.1"}
    there = {"REMOTE_ADDR": "192.0.2.2"}
    assert client.get("/v1/lists", environ_base=here).status_code == 200
    assert client.get("/v1/lists", environ_base=here).status_code == 429
    assert client.get("/v1/lists", environ_base=there).status_code == 200
    # A made-up key does not buy a fresh bucket: it counts against its address.
    assert client.get("/v1/lists", environ_base=here,
                      headers={"X-API-Key": "xref_made-up"}).status_code == 429


def test_health_is_never_limited(make_app: Callable[..., Flask]) -> None:
    client = make_app(rate_limit="1/minute").test_client()
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_an_empty_limit_turns_limiting_off(make_app: Callable[..., Flask]) -> None:
    client = make_app(rate_limit="", public_read=True).test_client()
    assert all(client.get("/v1/lists").status_code == 200 for _ in range(5))


def test_a_malformed_limit_fails_at_start(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError):
        make_app(rate_limit="lots/fortnight")


@pytest.mark.redis
def test_workers_share_the_counts_in_redis(make_app: Callable[..., Flask],
                                           issue_key: IssueKey) -> None:
    redis_url = os.environ.get("XREF_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("XREF_TEST_REDIS_URL is not set")
    # Two apps stand for two worker processes; a new key keeps the test's counter its own.
    first = make_app(rate_limit="2/minute", redis_url=redis_url).test_client()
    second = make_app(rate_limit="2/minute", redis_url=redis_url).test_client()
    _, key = issue_key("read", name=f"redis {uuid.uuid4()}")
    headers = {"X-API-Key": key}
    assert first.get("/v1/lists", headers=headers).status_code == 200
    assert second.get("/v1/lists", headers=headers).status_code == 200
    assert_envelope(first.get("/v1/lists", headers=headers), 429, "rate_limited")


# --- bodies -----------------------------------------------------------------------------------


def test_a_30_mb_body_is_413(secure_client: FlaskClient) -> None:
    body = b'{"kind": "person", "name": "' + b"x" * THIRTY_MB + b'"}'
    for headers in (ADMIN, {}):
        response = secure_client.post("/v1/entities", data=body, headers=headers,
                                      content_type="application/json")
        error = assert_envelope(response, 413, "payload_too_large")
        assert error["details"] == {"max_bytes": 10 * 1024 * 1024, "content_length": len(body)}
    # Even where the view would refuse the content type first.
    assert_envelope(secure_client.post("/v1/entities", data=body, headers=ADMIN,
                                       content_type="text/plain"), 413, "payload_too_large")


def test_a_chunked_body_over_the_limit_is_413_not_truncated(make_app: Callable[..., Flask]
                                                           ) -> None:
    client = make_app(max_body=1024).test_client()
    # Valid JSON up to the limit: cut off there, it would still parse.
    body = b'{"kind": "person", "name": "Cut Short"}' + b" " * 4096

    def chunked(data: bytes):  # type: ignore[no-untyped-def]
        return client.post("/v1/entities", input_stream=io.BytesIO(data),
                           headers={**ADMIN, "Transfer-Encoding": "chunked",
                                    "Content-Type": "application/json"},
                           environ_overrides={"wsgi.input_terminated": True})

    assert_envelope(chunked(body), 413, "payload_too_large")
    assert chunked(body[:200]).status_code == 201


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (b'{"kind": "person", "name": ', "application/json", 400, "malformed_json"),
    (b'["kind", "person"]', "application/json", 400, "malformed_json"),
    (b'kind=person&name=X', "application/x-www-form-urlencoded", 415,
     "unsupported_media_type"),
    (b'{"kind": "person", "name": "X"}', "text/plain", 415, "unsupported_media_type"),
])
def test_unreadable_bodies_get_the_envelope(secure_client: FlaskClient, data: bytes,
                                            content_type: str, status: int, code: str) -> None:
    response = secure_client.post("/v1/entities", data=data, content_type=content_type,
                                  headers=ADMIN)
    assert_envelope(response, status, code)


def test_bad_fields_are_422_listing_each(secure_client: FlaskClient) -> None:
    response = secure_client.post("/v1/entities", headers=ADMIN, json={
        "kind": "planet", "name": "N" * 10_000, "names": ["ok", ""], "colour": "red"})
    error = assert_envelope(response, 422, "invalid_input")
    fields = error["details"]["fields"]
    assert set(fields) == {"kind", "name", "names", "colour"}
    assert "500" in " ".join(fields["name"])


def test_a_10000_character_name_is_422(secure_client: FlaskClient) -> None:
    response = secure_client.post("/v1/entities", headers=ADMIN,
                                  json={"kind": "person", "name": "N" * 10_000})
    assert set(assert_envelope(response, 422, "invalid_input")["details"]["fields"]) == {"name"}
    search = secure_client.get("/v1/entities", headers=ADMIN, query_string={"q": "N" * 10_000})
    assert set(assert_envelope(search, 422, "invalid_input")["details"]["fields"]) == {"q"}


def test_a_route_may_have_its_own_body_limit(make_app: Callable[..., Flask]) -> None:
    app = make_app(max_body=1024)

    @app.post("/upload-for-test")
    @require_scope("admin")
    @body_limit(lambda: 2048)
    def upload() -> dict[str, int]:
        return {"size": len(request.get_data())}

    client = app.test_client()
    assert client.post("/upload-for-test", data=b"x" * 1500, headers=ADMIN).get_json() == {
        "size": 1500}
    too_big = client.post("/upload-for-test", data=b"x" * 3000, headers=ADMIN)
    assert assert_envelope(too_big, 413, "payload_too_large")["details"]["max_bytes"] == 2048
    # Other routes keep XREF_MAX_BODY.
    assert_envelope(client.post("/v1/entities", data=b"x" * 1500, headers=ADMIN,
                                content_type="application/json"), 413, "payload_too_large")


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_bucket(
        make_app: Callable[..., Flask]) -> None:
    client = make_app(rate_limit="1/minute", public_read=True, trusted_proxies=1).test_client()

    def via_proxy(address: str) -> int:
        return client.get("/v1/lists", headers={"X-Forwarded-For": address}).status_code

    assert via_proxy("198.51.100.7") == 200
    assert via_proxy("198.51.100.8") == 200
    assert via_proxy("198.51.100.7") == 429


def test_the_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"XREF_PUBLIC_READ": "true", "XREF_RATE_LIMIT": "",
                                  "XREF_REDIS_URL": "redis://cache:6379/2",
                                  "XREF_TRUSTED_PROXIES": "2", "XREF_LOG_NAMES": "yes"})
    assert settings.public_read is True and settings.rate_limit == ""
    assert settings.redis_url == "redis://cache:6379/2" and settings.trusted_proxies == 2
    assert settings.log_names is True
    defaults = Settings.from_env({})
    assert defaults.public_read is False and defaults.log_names is False
    assert defaults.rate_limit == "600/minute" and defaults.redis_url == ""
