"""Adding documents as JSON, plain text or HTML; bad input; the annotated HTML view."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

from service.documents.html_text import html_to_text
from service.documents.suggestions import natural_name

PAGE = """<!doctype html><html><head><title>Militia  watch</title>
<style>.x { color: red }</style><script>var kataib = "Kataib Hezbollah";</script></head>
<body><h1>Who is who</h1><p>Fighters of <b>Kata&#39;ib   Hizballah</b> met
Qays al-Khazali &amp; others.</p><ul><li>One</li><li>Two</li></ul></body></html>"""


def test_html_is_reduced_to_the_visible_text() -> None:
    text, title = html_to_text(PAGE)
    assert title == "Militia watch"
    assert text == ("Who is who\n\nFighters of Kata'ib Hizballah met Qays al-Khazali & others."
                    "\n\nOne\n\nTwo")
    assert "var" not in text and "color" not in text


def test_html_upload_offsets_are_into_the_extracted_text(client: FlaskClient,
                                                         admin_headers: dict) -> None:
    response = client.post("/v1/documents", headers=admin_headers, data={
        "file": (io.BytesIO(PAGE.encode()), "page.html", "text/html")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["title"] == "Militia watch"
    texts = {m["text"]: m["entity_id"] for m in document["mentions"]}
    assert texts == {"Kata'ib Hizballah": "kataib-hezbollah", "Qays al-Khazali": "qais-al-khazali"}
    for mention in document["mentions"]:
        assert document["text"][mention["start"]:mention["end"]] == mention["text"]
    # Registry entities get passages in the new document, from the regex finder.
    assert {p["entity_id"] for p in document["passages"]} == {"kataib-hezbollah",
                                                               "qais-al-khazali"}


def test_plain_text_body_with_title_in_the_query(client: FlaskClient,
                                                 admin_headers: dict) -> None:
    body = "Hadi al-Ameri leads the Badr Organisation.\r\n"
    response = client.post("/v1/documents?title=Badr&published_on=2024-01-02",
                           data=body.encode(), content_type="text/plain; charset=utf-8",
                           headers=admin_headers)
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["text"] == body and document["published_on"] == "2024-01-02"
    assert {m["entity_id"] for m in document["mentions"]} == {"hadi-al-amiri",
                                                              "badr-organization"}
    duplicate = client.post("/v1/documents?title=Again", data=body.encode(),
                            content_type="text/plain", headers=admin_headers)
    assert duplicate.status_code == 409
    assert duplicate.get_json()["error"]["details"]["id"] == document["id"]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"title": "x"}}, 422, "invalid_input"),
        ({"json": {"title": "x", "text": "   "}}, 422, "invalid_input"),
        ({"json": {"title": "x", "text": "y", "source_url": "ftp://a"}}, 422, "invalid_input"),
        ({"data": b"no title given", "content_type": "text/plain"}, 422, "invalid_input"),
        ({"data": b"\xff\xfe\x00bad", "content_type": "text/plain",
          "query_string": {"title": "t"}}, 422, "invalid_input"),
        ({"data": b"%PDF-1.4", "content_type": "application/pdf"}, 415,
         "unsupported_media_type"),
        ({"data": {"title": "t"}, "content_type": "multipart/form-data"}, 422, "invalid_input"),
        ({"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
    ],
)
def test_bad_documents_get_the_envelope(client: FlaskClient, admin_headers: dict,
                                        kwargs: dict, status: int, code: str) -> None:
    response = client.post("/v1/documents", headers=admin_headers, **kwargs)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_adding_needs_the_admin_scope(client: FlaskClient) -> None:
    response = client.post("/v1/documents", json={"title": "t", "text": "x"})
    assert response.status_code == 401


def test_annotated_view_links_mentions_and_marks_claims(client: FlaskClient,
                                                        listed: str) -> None:
    document_id = "doc-us-iranian-alliance-hezbollah-ization-of-iraq"
    response = client.get(f"/v1/documents/{document_id}", query_string={"format": "html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<a class="mention entity" href="/v1/entities/kataib-hezbollah"' in page
    assert '<mark class="claim agrees"' in page and "conflicts\"" not in page
    # The text is escaped: the annotations are the only markup in it.
    assert "<script" not in page
    bad = client.get(f"/v1/documents/{document_id}", query_string={"format": "pdf"})
    assert bad.status_code == 422


def test_annotated_view_links_list_entries(client: FlaskClient, admin_headers: dict,
                                           listed: str) -> None:
    created = client.post("/v1/documents", headers=admin_headers, json={
        "title": "Muhandis", "text": "Abu Mehdi al-Mohandes <b> was killed in 2020."})
    document_id = created.get_json()["id"]
    page = client.get(f"/v1/documents/{document_id}?format=html").get_data(as_text=True)
    assert 'href="/v1/lists/us_ofac_sdn/entries/11461"' in page
    assert "&lt;b&gt;" in page


def test_natural_name() -> None:
    assert natural_name("AL-MUHANDIS, Abu Mahdi") == "Abu Mahdi Al-Muhandis"
    assert natural_name("KATA'IB HIZBALLAH") == "Kata'ib Hizballah"
