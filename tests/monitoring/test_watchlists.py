"""Watchlists re-screened when a list version activates, their alerts, and signed webhooks.

The lists are the real OFAC excerpts of 2021-07 and 2024-05: the names below are on one and
not the other (Noriega, Habbash and Herrera Buitrago left the list; Mukhanov, Konoveev and
Vologdin were designated in 2024), and Soleimani is on both.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import responses
from click.testing import CliRunner
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlmodel import Session, select

from service import monitoring
from service.cli import main
from service.config import Settings
from service.lists.importer import import_list
from service.matching.algorithm import MATCHER
from service.models import AlertDelivery, ListVersion, utcnow
from tests.conftest import TEST_SECRET_KEY, import_excerpt

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"
HOOK = "https://hooks.example.org/xref"
SECRET = "a-shared-secret-of-some-length"
NAMES = [
    {"id": "noriega", "name": "Manuel Antonio Noriega", "kind": "person"},
    {"id": "habbash", "name": "George Habbash"},
    {"id": "herrera", "name": "Helmer Herrera Buitrago", "kind": "person"},
    {"id": "mukhanov", "name": "Aleksandr Aleksandrovich Mukhanov", "kind": "person"},
    {"id": "konoveev", "name": "Yuriy Konoveev"},
    {"id": "vologdin", "name": "Boris Yakovlevich Vologdin", "kind": "person"},
    {"id": "soleimani", "name": "Qasem Soleimani", "kind": "person"},
]
LEFT = {("noriega", "1572"), ("habbash", "2680"), ("herrera", "4106")}
ARRIVED = {("mukhanov", "48871"), ("konoveev", "48872"), ("vologdin", "48879")}


@pytest.fixture
def client(client: FlaskClient, admin_headers: dict) -> FlaskClient:
    client.environ_base["HTTP_AUTHORIZATION"] = admin_headers["Authorization"]
    return client


@pytest.fixture
def sdn_2021(session: Session) -> int:
    return import_excerpt(session, "sdn-2021-07")


def create(client: FlaskClient, **extra: object) -> dict:
    response = client.post("/v1/watchlists", json={"name": "customers", "names": NAMES,
                                                   **extra})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(response.get_json()["id"])
    return response.get_json()


def alerts(client: FlaskClient, **args: str) -> list[dict]:
    response = client.get("/v1/alerts", query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def pairs(items: list[dict], kind: str) -> set[tuple[str, str]]:
    return {(a["item_id"], a["list_key"]) for a in items if a["kind"] == kind}


def import_2024(runner: CliRunner) -> None:
    result = runner.invoke(main, ["lists", "import", "us_ofac_sdn",
                                  str(EXCERPTS / "sdn-2024-05")])
    assert result.exit_code == 0, result.output
    assert "watchlists re-screened" in result.output


def test_importing_a_version_raises_new_hits_and_cleared(
        client: FlaskClient, runner: CliRunner, sdn_2021: int, session: Session) -> None:
    watchlist = create(client)
    assert watchlist["screened_versions"][0]["version"] == sdn_2021
    assert watchlist["screened_versions"][0]["matcher"] == MATCHER.describe()
    baseline = alerts(client, watchlist=watchlist["id"])
    # The first screening reports what matches today: those who left the list later, and
    # Soleimani; nobody designated only in 2024.
    assert pairs(baseline, "new_hit") == LEFT | {("soleimani", "10481")}
    before = utcnow()

    import_2024(runner)  # `xref lists import`, another "process" than the server
    new = session.exec(select(ListVersion).order_by(ListVersion.id.desc())).first()  # type: ignore[union-attr]
    assert new is not None and new.id != sdn_2021
    raised = alerts(client, watchlist=watchlist["id"], since=before.isoformat())
    assert pairs(raised, "new_hit") == ARRIVED
    assert pairs(raised, "cleared") == LEFT
    assert {a["version"] for a in raised} == {new.id}
    assert not any(a["item_id"] == "soleimani" for a in raised if a["kind"] != "changed")
    mukhanov = next(a for a in raised if a["item_id"] == "mukhanov")
    assert (mukhanov["name"], mukhanov["list"]) == ("Aleksandr Aleksandrovich Mukhanov",
                                                    "us_ofac_sdn")
    assert mukhanov["score"] >= 0.9

    detail = client.get(f"/v1/watchlists/{watchlist['id']}").get_json()
    assert detail["screened_versions"][0]["version"] == new.id
    assert {(h["item_id"], h["list_key"]) for h in detail["hits"]} >= ARRIVED
    assert not {(h["item_id"], h["list_key"]) for h in detail["hits"]} & LEFT

    # Any other process finds nothing left to do: each watchlist × version is done once.
    assert monitoring.rescreen_pending(session=session) == []
    assert len(alerts(client, watchlist=watchlist["id"])) == len(baseline) + len(raised)
    assert pairs(alerts(client, kind="cleared"), "cleared") == LEFT


def test_rolling_back_a_version_reverses_the_alerts(
        client: FlaskClient, sdn_2021: int, session: Session) -> None:
    create(client)
    newer = import_list("us_ofac_sdn", [EXCERPTS / "sdn-2024-05"], session=session)
    session.flush()
    assert len(monitoring.rescreen_pending(session=session)) >= 6
    session.commit()
    from service.lists.importer import activate_version

    activate_version("us_ofac_sdn", sdn_2021, session=session)
    session.flush()
    back = monitoring.rescreen_pending(session=session)
    session.commit()
    assert {(a.item_id, a.list_key) for a in back if a.kind == "new_hit"} == LEFT
    assert {(a.item_id, a.list_key) for a in back if a.kind == "cleared"} == ARRIVED
    assert newer.version.id != sdn_2021


def test_webhooks_are_signed_retried_and_recorded(
        client: FlaskClient, sdn_2021: int, session: Session) -> None:
    settings = Settings(webhook_attempts=3, webhook_backoff=60, secret_key=TEST_SECRET_KEY)
    before = delivery_counts()
    with responses.RequestsMock() as hooks:
        watchlist = create(client, webhook_url=HOOK, webhook_secret=SECRET)
        assert watchlist["signed"] is True and "webhook_secret" not in watchlist
        hooks.post(HOOK, status=503)
        assert monitoring.deliver_due(session=session, settings=settings) == 4
        deliveries = session.exec(select(AlertDelivery)).all()
        assert {(d.status, d.attempts, d.http_status) for d in deliveries} == {
            ("pending", 1, 503)}
        # Not due again before the backoff has passed…
        assert monitoring.deliver_due(session=session, settings=settings) == 0
        later = utcnow() + timedelta(seconds=61)
        hooks.replace(responses.POST, HOOK, status=204)
        assert monitoring.deliver_due(session=session, settings=settings, now=later) == 4
        bodies = [call.request for call in hooks.calls[-4:]]
    # A webhook receives each alert as the API shows it (no review is in force here).
    shown = {a["id"]: a for a in alerts(client, watchlist=watchlist["id"])}
    for request in bodies:
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert request.headers["X-Xref-Signature"] == f"sha256={expected}"
        sent = json.loads(body)["alert"]
        assert sent["watchlist_id"] == watchlist["id"]
        assert sent == shown[sent["id"]]
    session.expire_all()
    deliveries = session.exec(select(AlertDelivery)).all()
    assert {(d.status, d.attempts, d.error) for d in deliveries} == {("delivered", 2, None)}
    # The metric of deliveries by outcome (GET /metrics) moved with them.
    assert delivery_counts() - before == Counter({"retry": 4, "delivered": 4})


def test_a_webhook_that_keeps_failing_is_given_up(
        client: FlaskClient, sdn_2021: int, session: Session) -> None:
    settings = Settings(webhook_attempts=2, webhook_backoff=0, secret_key=TEST_SECRET_KEY)
    before = delivery_counts()
    with responses.RequestsMock() as hooks:
        create(client, webhook_url=HOOK)
        hooks.post(HOOK, body=requests.ConnectionError("connection refused"))
        monitoring.deliver_due(session=session, settings=settings)
        monitoring.deliver_due(session=session, settings=settings)
        assert monitoring.deliver_due(session=session, settings=settings) == 0
        assert "X-Xref-Signature" not in hooks.calls[0].request.headers
    session.expire_all()
    deliveries = session.exec(select(AlertDelivery)).all()
    assert {(d.status, d.attempts) for d in deliveries} == {("failed", 2)}
    assert all("connection refused" in (d.error or "") for d in deliveries)
    assert delivery_counts() - before == Counter({"retry": len(deliveries),
                                                  "failed": len(deliveries)})


def delivery_counts() -> Counter[str]:
    """Gives this process's webhook deliveries by outcome, as /metrics reports them."""
    return Counter({outcome: int(REGISTRY.get_sample_value(
        "xref_webhook_deliveries_total", {"outcome": outcome}) or 0)
        for outcome in ("delivered", "retry", "failed")})


def test_csv_upload_listing_and_deletion(client: FlaskClient, sdn_2021: int) -> None:
    upload = client.post("/v1/watchlists", content_type="multipart/form-data", data={
        "name": "vessels", "file": (io.BytesIO(b"name,kind\nSAND SWAN,vessel\nTIFON,vessel\n"),
                                    "names.csv")})
    assert upload.status_code == 201, upload.get_json()
    created = upload.get_json()
    detail = client.get(f"/v1/watchlists/{created['id']}").get_json()
    assert [n["id"] for n in detail["names"]] == ["1", "2"]
    assert {h["list_key"] for h in detail["hits"]} == {"4243", "4249"}
    assert [w["id"] for w in client.get("/v1/watchlists").get_json()["items"]] == [
        created["id"]]
    assert client.delete(f"/v1/watchlists/{created['id']}").status_code == 204
    assert client.get(f"/v1/watchlists/{created['id']}").status_code == 404
    assert client.delete(f"/v1/watchlists/{created['id']}").status_code == 404
    assert alerts(client, watchlist=created["id"]) == []


@pytest.mark.parametrize("body", [
    {"name": "x", "names": []},
    {"name": "x", "names": [{"name": "Qasem Soleimani"}]},
    {"name": "x", "names": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]},
    {"name": "x", "names": [{"id": "a", "name": "A"}], "webhook_url": "ftp://example.org"},
    {"name": "x", "names": [{"id": "a", "name": "A"}], "webhook_secret": "short"},
])
def test_invalid_watchlists_are_refused(client: FlaskClient, body: dict) -> None:
    response = client.post("/v1/watchlists", json=body)
    assert response.status_code == 422, body
    assert client.get("/v1/watchlists").get_json()["total"] == 0


def test_bad_alert_filters_and_scope(client: FlaskClient) -> None:
    assert client.get("/v1/alerts?since=yesterday").status_code == 422
    assert client.get("/v1/alerts?kind=gone").status_code == 422
    assert client.get("/v1/watchlists", headers={"Authorization": ""}).status_code == 401


@responses.activate
def test_the_refresh_route_rescreens_after_its_commit(seeded_database_url: str,
                                                      sdn_2021: int) -> None:
    from service.app import create_app
    from tests.conftest import ContractClient, make_settings

    urls = [f"https://ofac.example.org/{name}" for name in ("sdn.csv", "alt.csv", "add.csv")]
    settings = make_settings(seeded_database_url, http_retries=0)
    settings.source_urls["us_ofac_sdn"] = " ".join(urls)
    app = create_app(settings)
    app.config["TESTING"] = True
    app.test_client_class = ContractClient
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer test-admin-token"
    watchlist = create(client)
    for url in urls:
        responses.get(url, body=(EXCERPTS / "sdn-2024-05" / url.rsplit("/", 1)[1]).read_bytes(),
                      content_type="text/csv")
    before = utcnow()
    refreshed = client.post("/v1/lists/us_ofac_sdn/refresh")
    assert refreshed.status_code == 200, refreshed.get_json()
    assert refreshed.get_json()["status"] == "updated"
    raised = alerts(client, watchlist=watchlist["id"], since=before.isoformat())
    assert (pairs(raised, "new_hit"), pairs(raised, "cleared")) == (ARRIVED, LEFT)
    app.extensions["xref.engine"].dispose()


def test_saved_details_are_kept_and_screened_with(client: FlaskClient, sdn_2021: int,
                                                  runner: CliRunner) -> None:
    response = client.post("/v1/watchlists", json={"name": "details", "names": [
        {"id": "born-1990", "name": "Qasem Soleimani", "kind": "person",
         "birth_date": "1990", "nationality": "se"},
        {"id": "born-1957", "name": "Qasem Soleimani", "kind": "person",
         "birth_date": "1957-03-11", "nationality": "Iran (Islamic Republic of)"}]})
    assert response.status_code == 201, response.get_json()
    detail = client.get(f"/v1/watchlists/{response.get_json()['id']}").get_json()
    assert detail["names"][1]["nationality"] == ["IR"]
    assert detail["names"][1]["birth_date"] == ["1957-03-11"]
    # Contradicting details keep the 1990-born namesake from being a hit, on every version.
    assert {h["item_id"] for h in detail["hits"]} == {"born-1957"}
    import_2024(runner)
    detail = client.get(f"/v1/watchlists/{response.get_json()['id']}").get_json()
    assert {h["item_id"] for h in detail["hits"]} == {"born-1957"}
