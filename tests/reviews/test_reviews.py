"""Hit reviews: recorded and withdrawn through the API, shown on screening answers, job
results and alerts, kept in the audit log, and obeyed by watchlist re-screens.

The lists are the real OFAC excerpts of 2021-07 and 2024-05; Soleimani (SDN 10481) is on both,
and his entry's aliases and addresses differ between them (the 2024 excerpt carries the
2025-12 alt and add rows).
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from service import monitoring
from service.jobs.serving import start_runner
from service.lists.importer import import_list
from service.reviews import entry_content, reviews_for
from tests.conftest import import_excerpt

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"
ZUMAR = "2677"
SOLEIMANI = {"name": "Qasem Soleimani", "list": "us_ofac_sdn", "list_key": "10481"}


@pytest.fixture
def client(client: FlaskClient, admin_headers: dict) -> FlaskClient:
    client.environ_base["HTTP_AUTHORIZATION"] = admin_headers["Authorization"]
    return client


@pytest.fixture
def sdn_2021(session: Session) -> int:
    return import_excerpt(session, "sdn-2021-07")


def review(client: FlaskClient, decision: str = "false_positive", **extra: str) -> dict:
    response = client.post("/v1/reviews", json={**SOLEIMANI, "decision": decision,
                                                "note": "another man", **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def soleimani_hit(client: FlaskClient, name: str = "Qasem Soleimani") -> dict:
    answer = client.get("/v1/screen", query_string={"name": name}).get_json()
    return next(m for m in answer["results"][0]["matches"] if m["list_key"] == "10481")


def test_a_review_shows_on_the_next_screening_until_withdrawn(
        client: FlaskClient, sdn_2021: int) -> None:
    assert soleimani_hit(client)["review"] is None
    made = review(client)
    assert (made["by"], made["version"], made["withdrawn_at"]) == ("admin-token", sdn_2021, None)
    # Case and spacing do not make another name.
    shown = soleimani_hit(client, "QASEM   soleimani")["review"]
    assert shown["decision"] == "false_positive" and shown["by"] == "admin-token"
    assert shown["note"] == "another man"
    # Another spelling is another pair: the analyst has not judged it.
    assert soleimani_hit(client, "Qassem Suleimani")["review"] is None

    # A newer decision on the pair replaces the older one.
    second = review(client, "true_match", note="")
    items = client.get("/v1/reviews").get_json()["items"]
    assert [(r["id"], r["decision"]) for r in items] == [(second["id"], "true_match")]
    assert soleimani_hit(client)["review"]["decision"] == "true_match"

    withdrawn = client.delete(f"/v1/reviews/{second['id']}")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"]
    assert soleimani_hit(client)["review"] is None
    assert client.get("/v1/reviews").get_json()["total"] == 0
    everything = client.get("/v1/reviews", query_string={"withdrawn": "true"}).get_json()
    assert {r["id"] for r in everything["items"]} == {made["id"], second["id"]}
    assert client.delete(f"/v1/reviews/{second['id']}").status_code == 404


def test_reviews_are_in_the_audit_log_and_its_csv(client: FlaskClient, sdn_2021: int) -> None:
    made = review(client)
    client.delete(f"/v1/reviews/{made['id']}")
    records = client.get("/v1/audit", query_string={"kind": "review"}).get_json()["items"]
    assert [r["review"]["action"] for r in records] == ["recorded", "withdrawn"]
    assert records[0]["names"] == ["Qasem Soleimani"]
    assert records[0]["list_versions"][0]["version"] == sdn_2021
    rows = list(csv.DictReader(io.StringIO(
        client.get("/v1/audit/export", query_string={"kind": "review"}).get_data(as_text=True))))
    assert [row["review"] for row in rows] == [
        f"recorded false_positive us_ofac_sdn:10481 #{made['id']}: another man",
        f"withdrawn false_positive us_ofac_sdn:10481 #{made['id']}: another man"]


def test_a_review_needs_a_real_entry_and_decision(client: FlaskClient, sdn_2021: int) -> None:
    missing = client.post("/v1/reviews", json={**SOLEIMANI, "list_key": "999999999",
                                               "decision": "false_positive"})
    assert missing.status_code == 404
    assert "999999999" in missing.get_json()["error"]["message"]
    wrong = client.post("/v1/reviews", json={**SOLEIMANI, "decision": "maybe"})
    assert wrong.status_code == 422 and "decision" in wrong.get_json()["error"]["details"]["fields"]


def test_reviews_need_the_screen_scope(app, sdn_2021: int) -> None:  # type: ignore[no-untyped-def]
    anonymous = app.test_client()
    assert anonymous.get("/v1/reviews").status_code == 401
    assert anonymous.post("/v1/reviews", json={**SOLEIMANI,
                                               "decision": "true_match"}).status_code == 401


def test_job_results_carry_the_review(app, client: FlaskClient, sdn_2021: int) -> None:  # type: ignore[no-untyped-def]
    start_runner(app)
    review(client)
    job = client.post("/v1/jobs", json={"names": [{"name": "Qasem Soleimani"},
                                                  {"name": "Manuel Antonio Noriega"}]})
    assert job.status_code == 202, job.get_json()
    location = f"/v1/jobs/{job.get_json()['id']}"
    deadline = time.monotonic() + 60
    while client.get(location).get_json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    results = client.get(f"{location}/results", query_string={"format": "json"}).get_json()
    by_key = {m["list_key"]: m for r in results["results"] for m in r["matches"]}
    assert by_key["10481"]["review"]["decision"] == "false_positive"
    assert by_key["1572"]["review"] is None


def test_a_false_positive_raises_no_alert_until_its_entry_changes(
        client: FlaskClient, sdn_2021: int, session: Session) -> None:
    review(client)
    review(client, name="Abbud al-Zumar", list_key=ZUMAR)
    watchlist = client.post("/v1/watchlists", json={"name": "customers", "names": [
        {"id": "soleimani", "name": "Qasem Soleimani", "kind": "person"},
        {"id": "zumar", "name": "Abbud al-Zumar", "kind": "person"},
        {"id": "noriega", "name": "Manuel Antonio Noriega", "kind": "person"}]}).get_json()
    first = client.get("/v1/alerts", query_string={"watchlist": watchlist["id"]}).get_json()
    # Noriega's hit is news; the other two were judged false positives on these very entries.
    assert {(a["item_id"], a["list_key"]) for a in first["items"]} == {("noriega", "1572")}
    hits = client.get(f"/v1/watchlists/{watchlist['id']}").get_json()["hits"]
    assert {("soleimani", "10481"), ("zumar", ZUMAR)} <= {(h["item_id"], h["list_key"])
                                                          for h in hits}

    newer = import_list("us_ofac_sdn", [EXCERPTS / "sdn-2024-05"], session=session)
    new_id = newer.version.id
    # Soleimani's entry is the same in both excerpts; al-Zumar's changed.
    assert entry_content("us_ofac_sdn", "10481", new_id, session=session) == entry_content(
        "us_ofac_sdn", "10481", sdn_2021, session=session)
    assert entry_content("us_ofac_sdn", ZUMAR, new_id, session=session) != entry_content(
        "us_ofac_sdn", ZUMAR, sdn_2021, session=session)
    raised = monitoring.rescreen_pending(session=session)
    session.commit()
    assert not [a for a in raised if a.item_id == "soleimani"]
    zumar = [a for a in raised if a.item_id == "zumar"]
    assert [(a.kind, a.changed_since_review) for a in zumar] == [("changed", True)]
    shown = client.get("/v1/alerts", query_string={"watchlist": watchlist["id"],
                                                   "kind": "changed"}).get_json()["items"]
    assert [(a["item_id"], a["changed_since_review"]) for a in shown] == [("zumar", True)]
    assert shown[0]["review"]["decision"] == "false_positive"
    # Noriega left the list: his hit is cleared, as for any unreviewed pair.
    assert ("noriega", "cleared") in {(a.item_id, a.kind) for a in raised}

    # The change was told once: rolling forward again to the same content says nothing more.
    assert monitoring.rescreen_pending(session=session) == []


def test_many_names_find_their_reviews_without_a_huge_query(
        client: FlaskClient, sdn_2021: int, session: Session) -> None:
    review(client)
    names = [f"Someone {n}" for n in range(2000)] + ["qasem  SOLEIMANI"]
    found = reviews_for(names, session=session)
    assert list(found) == [("qasem soleimani", "us_ofac_sdn", "10481")]
    assert reviews_for(names[:10], session=session) == {}


def test_a_registry_hit_is_reviewed_by_its_entity(client: FlaskClient) -> None:
    made = client.post("/v1/reviews", json={"name": "Kataib Hizbullah", "list": "registry",
                                            "list_key": "kataib-hezbollah",
                                            "decision": "true_match"})
    assert made.status_code == 201 and made.get_json()["version"] is None
    missing = client.post("/v1/reviews", json={"name": "Kataib Hizbullah", "list": "registry",
                                               "list_key": "no-such-entity",
                                               "decision": "true_match"})
    assert missing.status_code == 404
