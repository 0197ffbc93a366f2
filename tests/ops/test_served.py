"""`xref serve` itself (gunicorn, two workers) on the test database: gunicorn's own refusals in
the envelope, the rate limit held across the workers without Redis, and /metrics adding up
both workers (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ADMIN_TOKEN, ROOT, TEST_SECRET_KEY

# A hang guard for the server's start, not a timing target.
START_WITHIN = 90.0
LIMIT = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(seeded_database_url: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "XREF_DATABASE_URL": seeded_database_url, "XREF_PORT": str(port),
           "XREF_HOST": "127.0.0.1", "XREF_WORKERS": "2", "XREF_ADMIN_TOKEN": ADMIN_TOKEN,
           "XREF_SECRET_KEY": TEST_SECRET_KEY, "XREF_PUBLIC_READ": "true",
           "XREF_RATE_LIMIT": f"{LIMIT}/minute", "XREF_REDIS_URL": "",
           "XREF_JOB_RUNNER": "off", "XREF_METRICS_DIR": str(tmp_path / "metrics"),
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_WITHIN
        while True:
            assert server.poll() is None, "xref serve exited"
            try:
                if requests.get(f"{base}/healthz", timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                # Not listening yet, or its workers still booting on a busy machine.
                pass
            assert time.monotonic() < deadline, "xref serve did not start"
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def _envelope(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["details"] == {}


def test_xref_serve_answers_its_limits_in_the_envelope(served: str) -> None:
    _envelope(requests.get(f"{served}/v1/entities", params={"q": "a" * 6000}, timeout=30),
              414, "uri_too_long")
    _envelope(requests.get(f"{served}/healthz", headers={"X-Big": "b" * 9000}, timeout=30),
              431, "header_fields_too_large")
    many = {f"X-Header-{n}": "x" for n in range(150)}
    _envelope(requests.get(f"{served}/healthz", headers=many, timeout=30),
              431, "header_fields_too_large")
    deep = "[" * 5000 + "]" * 5000
    response = requests.post(f"{served}/v1/screen", data=deep, timeout=30,
                             headers={"Content-Type": "application/json",
                                      "Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_the_rate_limit_holds_across_the_workers(served: str) -> None:
    # A fresh connection each time, so the kernel spreads the requests over both workers.
    statuses = [requests.get(f"{served}/v1/entities", timeout=30,
                             headers={"Connection": "close"}).status_code
                for _ in range(4 * LIMIT)]
    assert set(statuses) == {200, 429}
    # Each worker counts its share (LIMIT / 2): together never more than LIMIT.
    assert LIMIT // 2 <= statuses.count(200) <= LIMIT
    refused = statuses.count(429)

    metrics = requests.get(f"{served}/metrics", timeout=30,
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert metrics.status_code == 200
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(metrics.text)
               for s in family.samples}
    # Both workers' counts, added up by the multiprocess collector.
    assert samples[("xref_rate_limited_total", ())] == refused
    assert samples[("xref_http_requests_total", (("method", "GET"), ("route", "/v1/entities"),
                                                 ("status", "200")))] == statuses.count(200)
