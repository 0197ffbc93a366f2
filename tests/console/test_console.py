"""The console without a browser: sessions and their cookie, scopes, CSRF, errors as pages,
link decisions, and nothing loaded from another host. The real OFAC SDN excerpt of 2024-05
and the seeded registry are the data."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from service.jobs.serving import start_runner
from service.models import EntityLink
from service.security.keys import create_key, revoke_key
from tests.conftest import ADMIN_TOKEN, import_excerpt

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def sdn(session: Session) -> int:
    return import_excerpt(session, "sdn-2024-05")


@pytest.fixture
def private(make_app: Any, sdn: int) -> FlaskClient:
    """A client of an app whose reads are not public."""
    return make_app(public_read=False).test_client()


def key_with(session: Session, *scopes: str) -> tuple[str, str]:
    record, key = create_key("console test", scopes, session=session)
    session.commit()
    return record.id, key


def csrf_token(client: FlaskClient, page: str) -> str:
    found = TOKEN.search(client.get(page).get_data(as_text=True))
    assert found, f"no CSRF token on {page}"
    return found.group(1) or found.group(2)


def sign_in(client: FlaskClient, key: str, **extra: Any) -> Any:
    return client.post("/ui/login", data={"key": key,
                                          "csrf_token": csrf_token(client, "/ui/login")},
                       **extra)


def test_every_page_sends_a_stranger_to_sign_in(private: FlaskClient) -> None:
    for page in ("/ui/search?q=kataib", "/ui/entities/kataib-hezbollah", "/ui/screen",
                 "/ui/jobs", "/ui/alerts", "/ui/lists", "/ui/documents"):
        response = private.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"].startswith("/ui/login?next=")
    assert private.get("/ui/login").status_code == 200


def test_public_read_opens_the_reading_pages_only(make_app: Any, sdn: int) -> None:
    client = make_app(public_read=True).test_client()
    page = client.get("/ui/search", query_string={"q": "kataib"})
    assert page.status_code == 200 and "Kataib Hezbollah" in page.get_data(as_text=True)
    assert client.get("/ui/screen").status_code == 302


def test_signing_in_sets_a_guarded_cookie_that_holds_no_key(
        private: FlaskClient, session: Session) -> None:
    _key_id, key = key_with(session, "read", "screen")
    response = sign_in(private, key, query_string={"next": "/ui/search?q=kataib"})
    assert response.status_code == 302 and response.headers["Location"] == "/ui/search?q=kataib"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert key not in cookie
    assert "Kataib Hezbollah" in private.get("/ui/search?q=kataib").get_data(as_text=True)


def test_the_cookie_is_secure_behind_tls(make_app: Any, sdn: int, session: Session) -> None:
    client = make_app(public_read=False).test_client()
    _key_id, key = key_with(session, "read")
    token = TOKEN.search(client.get("/ui/login", base_url="https://xref.example")
                         .get_data(as_text=True))
    assert token
    # Over TLS, Flask-WTF also wants the form to come from this very site (its Referer).
    response = client.post("/ui/login", base_url="https://xref.example",
                           headers={"Referer": "https://xref.example/ui/login"},
                           data={"key": key, "csrf_token": token.group(1) or token.group(2)})
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_key_is_told_in_words(private: FlaskClient) -> None:
    response = sign_in(private, "xref_" + "x" * 43)
    assert response.status_code == 401
    assert "unknown or has been revoked" in response.get_data(as_text=True)


def test_no_redirect_away_from_the_console(private: FlaskClient, session: Session) -> None:
    _key_id, key = key_with(session, "read")
    response = sign_in(private, key, query_string={"next": "https://evil.example/ui/x"})
    assert response.headers["Location"] == "/ui/search"


def test_scopes_govern_what_is_shown_and_allowed(
        private: FlaskClient, session: Session) -> None:
    _key_id, key = key_with(session, "read")
    sign_in(private, key)
    search = private.get("/ui/search").get_data(as_text=True)
    assert 'href="/ui/lists"' in search and 'href="/ui/screen"' not in search
    refused = private.get("/ui/screen", query_string={"name": "Qasem Soleimani"})
    assert refused.status_code == 403
    assert "does not have the &#39;screen&#39; scope" in refused.get_data(as_text=True)


def test_revoking_the_key_ends_its_session(private: FlaskClient, session: Session) -> None:
    key_id, key = key_with(session, "read", "screen")
    sign_in(private, key)
    assert private.get("/ui/jobs").status_code == 200
    revoke_key(key_id, session=session)
    session.commit()
    assert private.get("/ui/jobs").status_code == 302


def test_signing_out_needs_the_token_and_ends_the_session(
        private: FlaskClient, session: Session) -> None:
    _key_id, key = key_with(session, "read")
    sign_in(private, key)
    assert private.post("/ui/logout").status_code == 400
    assert private.get("/ui/lists").status_code == 200
    token = csrf_token(private, "/ui/lists")
    assert private.post("/ui/logout", data={"csrf_token": token}).status_code == 302
    assert private.get("/ui/lists").status_code == 302


def test_errors_are_pages_in_plain_words(private: FlaskClient) -> None:
    sign_in(private, ADMIN_TOKEN)
    for page, status, words in (
            ("/ui/entities/no-such-party", 404, "No entity with id"),
            ("/ui/lists/us_ofac_sdn/entries/999999999", 404, "has no entry"),
            ("/ui/no/such/page", 404, "no such page"),
            ("/ui/jobs/nothing", 404, "No job")):
        response = private.get(page)
        text = response.get_data(as_text=True)
        assert response.status_code == status, page
        assert response.mimetype == "text/html" and words in text, page
        assert "Traceback" not in text and '{"error"' not in text


def test_an_admin_rejects_a_suggestion_from_the_entity_page(
        private: FlaskClient, session: Session) -> None:
    # The excerpt's entries are all pinned, so the matcher suggests nothing; this is the kind
    # of suggestion it makes ("Jaysh" is "army"): the Syrian Arab Army is not that militia.
    suggested = EntityLink(entity_id="syrian-arab-army", list_id="us_ofac_sdn",
                           list_key="15588", status="suggested", score=0.81,
                           matched_name="JAYSH AL-SHA'BI")
    session.add(suggested)
    session.commit()
    sign_in(private, ADMIN_TOKEN)
    page = f"/ui/entities/{suggested.entity_id}"
    shown = private.get(page).get_data(as_text=True)
    assert f'value="{suggested.list_key}"' in shown and ">Confirm<" in shown
    assert ">Reject<" in shown
    response = private.post(f"{page}/links", data={
        "csrf_token": csrf_token(private, page), "list": suggested.list_id,
        "list_key": suggested.list_key, "status": "rejected"})
    assert response.status_code == 302
    session.expire_all()
    decided = session.exec(select(EntityLink).where(
        col(EntityLink.entity_id) == suggested.entity_id,
        col(EntityLink.list_key) == suggested.list_key)).one()
    assert decided.status == "rejected"


def test_pages_load_nothing_from_another_host(private: FlaskClient) -> None:
    sign_in(private, ADMIN_TOKEN)
    for page in ("/ui/search?q=kataib", "/ui/entities/kataib-hezbollah",
                 "/ui/screen?name=Qassem+Suleimani&kind=person", "/ui/jobs", "/ui/lists",
                 "/ui/lists/us_ofac_sdn", "/ui/documents", "/ui/alerts", "/ui/reviews"):
        text = private.get(page).get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]+)"', text)
        assert sources, page
        assert all(s.startswith(("/", "#", "javascript:")) for s in sources), (page, sources)


def test_an_admin_adds_a_document_and_sees_its_mentions(private: FlaskClient) -> None:
    sign_in(private, ADMIN_TOKEN)
    text = ("U.S. warplanes have provided indirect air support to Kataib Hezbollah, "
            "a U.S.-designated terrorist entity.")
    response = private.post("/ui/documents", data={
        "csrf_token": csrf_token(private, "/ui/documents"), "title": "A note", "text": text})
    assert response.status_code == 302
    page = private.get(response.headers["Location"]).get_data(as_text=True)
    assert "A note" in page and 'href="/ui/entities/kataib-hezbollah"' in page


def test_the_alert_inbox_reviews_a_hit(private: FlaskClient, admin_headers: dict) -> None:
    created = private.post("/v1/watchlists", headers=admin_headers, json={
        "name": "customers", "names": [{"id": "s", "name": "Qasem Soleimani"}]})
    assert created.status_code == 201
    sign_in(private, ADMIN_TOKEN)
    inbox = private.get("/ui/alerts").get_data(as_text=True)
    assert "new hit: “Qasem Soleimani”" in inbox and 'value="10481"' in inbox
    response = private.post("/ui/reviews", data={
        "csrf_token": csrf_token(private, "/ui/alerts"), "name": "Qasem Soleimani",
        "list": "us_ofac_sdn", "list_key": "10481", "decision": "true_match",
        "note": "confirmed by passport", "back": "/ui/alerts"})
    assert response.headers["Location"] == "/ui/alerts"
    inbox = private.get("/ui/alerts").get_data(as_text=True)
    assert "Reviewed: <strong>true match</strong>" in inbox and "confirmed by passport" in inbox


def test_a_jobs_progress_lists_its_hits_with_their_reviews(
        make_app: Any, sdn: int, admin_headers: dict) -> None:
    app = make_app(public_read=False, job_chunk_size=2)
    start_runner(app)
    client = app.test_client()
    client.post("/v1/reviews", headers=admin_headers, json={
        "name": "Qasem Soleimani", "list": "us_ofac_sdn", "list_key": "10481",
        "decision": "false_positive"})
    job = client.post("/v1/jobs", headers=admin_headers, json={"names": [
        {"name": "Qasem Soleimani"}, {"name": "Nobody Whatsoever"},
        {"name": "Manuel Antonio Noriega"}]}).get_json()
    sign_in(client, ADMIN_TOKEN)
    deadline = time.monotonic() + 60
    while (state := client.get(f"/ui/jobs/{job['id']}/progress").get_json())["status"] != "done":
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    assert (state["done"], state["total"], state["hits"]) == (3, 3, 1)
    found = {(h["screened"], h["list_key"]): h["review"] for h in state["found"]}
    assert found == {("Qasem Soleimani", "10481"): "false_positive"}
    page = client.get(f"/ui/jobs/{job['id']}").get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and "false positive" in page


def test_two_versions_of_a_list_are_compared(private: FlaskClient, session: Session,
                                             sdn: int) -> None:
    older = import_excerpt(session, "sdn-2021-07")
    sign_in(private, ADMIN_TOKEN)
    page = private.get("/ui/lists/us_ofac_sdn").get_data(as_text=True)
    assert f'<option value="{older}"' in page and f'<option value="{sdn}"' in page
    diff = private.get("/ui/lists/us_ofac_sdn/diff", query_string={"from": sdn, "to": older})
    text = diff.get_data(as_text=True)
    # Going back to 2021-07: Noriega (1572) returns, Mukhanov (48871) was not listed yet.
    added = text[text.index("Added"):text.index("Removed")]
    removed = text[text.index("Removed"):text.index("Changed")]
    assert ">1572<" in added and "48871" in removed


def test_screening_with_details_shows_each_detail_compared(
        private: FlaskClient, session: Session) -> None:
    _key_id, key = key_with(session, "read", "screen")
    sign_in(private, key)
    # Soleimani's SDN record (excerpt of 2024-05) gives DOB 11 Mar 1957 and nationality Iran.
    page = private.get("/ui/screen", query_string={
        "name": "Qasem Soleimani", "birth_date": "1957-03-11", "nationality": "Iran"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Identifying details" in text
    assert re.search(r"<td>birth date</td><td>1957-03-11</td><td>1957-03-11</td><td>agree</td>",
                     text)
    bad = private.get("/ui/screen", query_string={"name": "Qasem Soleimani",
                                                  "birth_date": "eleventh of March"})
    assert bad.status_code == 422 and "birth date could not be read" in bad.get_data(as_text=True)
