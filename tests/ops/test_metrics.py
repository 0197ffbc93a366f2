"""GET /metrics: the Prometheus text format, parsed by prometheus_client's own parser, with the
screening counters moving on real screenings of a real OFAC excerpt."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from service.models import ListVersion
from service.security.keys import create_key
from tests.conftest import ADMIN_TOKEN, import_excerpt

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def scrape(client: FlaskClient, headers: dict[str, str] | None = None
           ) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Gives every sample of /metrics by name and labels."""
    response = client.get("/metrics", headers=headers if headers is not None else ADMIN)
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_screening_counters_move(client: FlaskClient, session: Session) -> None:
    version_id = import_excerpt(session, "sdn-2024-05")
    before = scrape(client)
    names = ["Qassem Suleimani", "Kataib Hizbullah", "Jane Nobody Ordinaryperson"]
    response = client.post("/v1/screen", json={"names": [{"name": n} for n in names]},
                           headers=ADMIN)
    assert response.status_code == 200
    found = sum(1 for result in response.get_json()["results"]
                for match in result["matches"]
                if match["match"] and match["list"] == "us_ofac_sdn")
    assert found >= 2
    after = scrape(client)

    screened = (value(after, "xref_names_screened_total", list="us_ofac_sdn")
                - value(before, "xref_names_screened_total", list="us_ofac_sdn"))
    assert screened == len(names)
    matches = (value(after, "xref_matches_total", list="us_ofac_sdn")
               - value(before, "xref_matches_total", list="us_ofac_sdn"))
    assert matches == found
    requests = (value(after, "xref_http_requests_total", method="POST", route="/v1/screen",
                      status="200")
                - value(before, "xref_http_requests_total", method="POST",
                        route="/v1/screen", status="200"))
    assert requests == 1
    assert value(after, "xref_http_request_duration_seconds_count", method="POST",
                 route="/v1/screen") >= 1

    # What the database knows: the active version's size and age, and the index built on it.
    version = session.get(ListVersion, version_id)
    assert version is not None and version.entry_count > 0
    assert value(after, "xref_list_version_entries", list="us_ofac_sdn",
                 version=str(version_id)) == version.entry_count
    assert 0 <= value(after, "xref_list_version_age_seconds", list="us_ofac_sdn",
                      version=str(version_id)) < 3600
    assert value(after, "xref_index_names") > version.entry_count
    assert value(after, "xref_index_build_seconds_count") >= 1
    assert {state for (name, labels) in after if name == "xref_job_chunks"
            for _, state in labels} == {"queued", "running", "done", "failed", "cancelled"}


def test_unknown_routes_share_one_series(client: FlaskClient) -> None:
    client.get("/no/such/path/4711")
    samples = scrape(client)
    assert value(samples, "xref_http_requests_total", method="GET", route="unmatched",
                 status="404") >= 1
    assert not any("4711" in str(labels) for _, labels in samples)


def test_metrics_need_the_metrics_scope_unless_public(make_app: Callable[..., Flask],
                                                      session: Session) -> None:
    client = make_app().test_client()
    assert client.get("/metrics").status_code == 401
    screener, screen_key = create_key("screener", ["screen"], session=session)
    scraper, scrape_key = create_key("prometheus", ["metrics"], session=session)
    session.commit()
    refused = client.get("/metrics", headers={"Authorization": f"Bearer {screen_key}"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["details"]["required_scope"] == "metrics"
    scrape(client, {"Authorization": f"Bearer {scrape_key}"})
    # The scraper's key reads nothing else.
    assert client.get("/v1/screen", query_string={"name": "x"},
                      headers={"Authorization": f"Bearer {scrape_key}"}).status_code == 403

    public = make_app(metrics_public=True).test_client()
    scrape(public, {})


def test_rate_limit_refusals_are_counted(make_app: Callable[..., Flask]) -> None:
    client = make_app(rate_limit="2/minute").test_client()
    before = scrape(client)
    statuses = [client.get("/v1/entities").status_code for _ in range(4)]
    assert statuses.count(429) == 2
    after = scrape(client)
    assert value(after, "xref_rate_limited_total") - value(before, "xref_rate_limited_total") == 2
