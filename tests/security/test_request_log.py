"""The request log: one JSON line per request, with its id, and never a key or a name."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN_TOKEN

IssueKey = Callable[..., tuple[str, str]]
LogLines = Callable[[], list[str]]
NAME = "Qasem Soleimani"


def test_a_sane_request_id_is_echoed(secure_client: FlaskClient) -> None:
    response = secure_client.get("/healthz", headers={"X-Request-Id": "trace-42.a:b"})
    assert response.headers["X-Request-Id"] == "trace-42.a:b"


def test_a_missing_or_unsafe_request_id_is_replaced(secure_client: FlaskClient) -> None:
    generated = secure_client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    for unsafe in ("a b", "x" * 129, '"}{"status": 200', "-leading-dash"):
        echoed = secure_client.get("/healthz", headers={"X-Request-Id": unsafe})
        assert echoed.headers["X-Request-Id"] != unsafe
        assert re.fullmatch(r"[0-9a-f]{32}", echoed.headers["X-Request-Id"])
    # Errors carry it too.
    assert secure_client.get("/v1/nothing-here").headers["X-Request-Id"]
    assert secure_client.get("/v1/entities").headers["X-Request-Id"]


def test_one_line_per_request_without_key_or_names(secure_client: FlaskClient,
                                                   issue_key: IssueKey,
                                                   log_lines: LogLines) -> None:
    key_id, key = issue_key("read")
    response = secure_client.get("/v1/entities", query_string={"q": NAME, "per_page": 5},
                                 headers={"Authorization": f"Bearer {key}",
                                          "X-Request-Id": "req-1"})
    assert response.status_code == 200
    [raw] = log_lines()
    assert key not in raw and key[5:15] not in raw
    assert "Soleimani" not in raw and "Qasem" not in raw
    line = json.loads(raw)
    assert line["method"] == "GET" and line["path"] == "/v1/entities"
    assert line["status"] == 200 and line["actor"] == key_id
    assert line["request_id"] == "req-1" == response.headers["X-Request-Id"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["query_params"] == ["per_page", "q"]


def test_refused_requests_are_logged_too(make_app: Callable[..., Flask],
                                         log_lines: LogLines) -> None:
    client = make_app(rate_limit="2/minute", max_body=64).test_client()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    client.get("/v1/entities", headers=admin)
    client.post("/v1/entities", data=b"{" + b" " * 100 + b"}", headers=admin,
                content_type="application/json")
    client.get("/v1/entities", headers=admin)
    lines = [json.loads(raw) for raw in log_lines()]
    assert [line["status"] for line in lines] == [200, 413, 429]
    assert all(line["actor"] == "admin-token" for line in lines)
    assert ADMIN_TOKEN not in "".join(log_lines())
    assert all(line["duration_ms"] is not None for line in lines)


def test_names_are_logged_only_when_allowed(make_app: Callable[..., Flask],
                                            log_lines: LogLines) -> None:
    client = make_app(log_names=True, public_read=True).test_client()
    client.get("/v1/entities", query_string={"q": NAME})
    [raw] = log_lines()
    assert json.loads(raw)["query"] == {"q": [NAME]}
