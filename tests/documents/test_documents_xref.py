"""A new text with variant spellings: its mentions, claims, suggestions and annotated view."""

from __future__ import annotations

from flask.testing import FlaskClient

# Written for this test: an analyst's note naming registry entities and SDN entries in
# spellings that neither the registry nor the list uses as such, with true claims, and two
# false ones (al-Ameri was never designated; Asa'ib Ahl al-Haq is on the SDN list).
NOTE = """Iraq’s militias and the sanctions record

In January 2020 a U.S. strike at Baghdad airport killed Qasim Suleimani, the commander of \
the Quds Force, together with Abu Mehdi al-Mohandes, the deputy head of the Popular \
Mobilisation Forces. Abu Mehdi al-Mohandes, who founded Kata'ib Hizballah, is on the SDN \
list. Kata'ib Hizballah has been designated a Foreign Terrorist Organization since 2009. The \
Treasury Department designated Qays al-Khazali, the leader of Asa’ib Ahl al-Haqq, in \
December 2019.

Qasim Suleimani, a man sanctioned by the Treasury for his role in Syria, had worked for \
years with Hizbollah in Lebanon and with Bashar al-Asad in Damascus. Ali Hosseini Khamenei, \
Iran’s supreme leader, praised him. The Islamic Revolutionary Guards Corps honoured Abu \
Mustapha al-Sheybani, the Badr veteran who smuggled bombs into Iraq.

Moqtada al-Sadr has never been designated by the United States. Hadi al-Ameri, the Badr \
chief, was designated by the State Department as a global terrorist in 2019. Asa’ib Ahl \
al-Haqq is not on any sanctions list, its spokesman said.
"""

# Every name the note writes, with what it names: a registry entity, or an SDN entry.
EXPECTED_MENTIONS = {
    "Qasim Suleimani": "qassem-soleimani",
    "Quds Force": "irgc-qods-force",
    "Abu Mehdi al-Mohandes": "us_ofac_sdn:11461",
    "Popular Mobilisation Forces": "popular-mobilization-forces",
    "Kata'ib Hizballah": "kataib-hezbollah",
    "Qays al-Khazali": "qais-al-khazali",
    "Asa’ib Ahl al-Haqq": "asaib-ahl-al-haq",
    "Hizbollah": "hezbollah",
    "Bashar al-Asad": "bashar-al-assad",
    "Ali Hosseini Khamenei": "ali-khamenei",
    "Islamic Revolutionary Guards Corps": "islamic-revolutionary-guard-corps",
    "Abu Mustapha al-Sheybani": "abu-mustafa-al-sheibani",
    "Badr": "badr-organization",
    "Moqtada al-Sadr": "muqtada-al-sadr",
    "Hadi al-Ameri": "hadi-al-amiri",
}


def _target(mention: dict) -> str:
    return mention["entity_id"] or f"{mention['list']}:{mention['list_key']}"


def _post_note(client: FlaskClient, admin_headers: dict) -> dict:
    response = client.post("/v1/documents", headers=admin_headers, json={
        "title": "Iraq's militias and the sanctions record", "text": NOTE,
        "published_on": "2020-02-01", "source_url": "https://example.org/note"})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"/v1/documents/{response.get_json()['id']}")
    return response.get_json()


def test_every_variant_spelling_is_a_mention_with_exact_offsets(
        client: FlaskClient, admin_headers: dict, listed: str) -> None:
    document = _post_note(client, admin_headers)
    text = document["text"]
    assert text == NOTE
    found: dict[str, set[str]] = {}
    for mention in document["mentions"]:
        assert text[mention["start"]:mention["end"]] == mention["text"]
        found.setdefault(" ".join(mention["text"].split()), set()).add(_target(mention))
    for spelling, target in EXPECTED_MENTIONS.items():
        assert found.get(spelling) == {target}, (spelling, found.get(spelling))
    # Nothing else is taken for a name: not "Baghdad", "Treasury Department", "United States".
    assert set(found) == set(EXPECTED_MENTIONS)


def test_claims_agree_when_true_and_conflict_when_false(
        client: FlaskClient, admin_headers: dict, listed: str) -> None:
    document = _post_note(client, admin_headers)
    claims = {(c["mention"]["text"].replace("\n", " "), c["claim"]): c
              for c in document["claims"]}
    assert set(claims) == {
        ("Abu Mehdi al-Mohandes", "designated"),
        ("Kata'ib Hizballah", "designated"),
        ("Qays al-Khazali", "designated"),
        ("Qasim Suleimani", "designated"),
        ("Moqtada al-Sadr", "not_designated"),
        ("Hadi al-Ameri", "designated"),
        ("Asa’ib Ahl al-Haqq", "not_designated"),
    }
    for key in [("Abu Mehdi al-Mohandes", "designated"), ("Kata'ib Hizballah", "designated"),
                ("Qays al-Khazali", "designated"), ("Qasim Suleimani", "designated"),
                ("Moqtada al-Sadr", "not_designated")]:
        assert claims[key]["status"] == "agrees", claims[key]
    kataib = claims[("Kata'ib Hizballah", "designated")]
    assert kataib["programs"] == ["FTO"]
    assert kataib["evidence"][0]["list_key"] == "11462"
    assert "FTO" in kataib["evidence"][0]["programs"]
    assert claims[("Abu Mehdi al-Mohandes", "designated")]["list_key"] == "11461"

    false_listing = claims[("Hadi al-Ameri", "designated")]
    assert false_listing["status"] == "conflicts"
    assert false_listing["entity_id"] == "hadi-al-amiri"
    assert false_listing["evidence"] == [{
        **false_listing["evidence"][0], "list": "us_ofac_sdn", "listed": False}]
    false_denial = claims[("Asa’ib Ahl al-Haqq", "not_designated")]
    assert false_denial["status"] == "conflicts"
    assert false_denial["evidence"][0]["list_key"] == "28283"
    for claim in document["claims"]:
        assert document["text"][claim["start"]:claim["end"]] == claim["text"]

    conflicts = client.get("/v1/claims", query_string={"status": "conflicts"}).get_json()
    assert {(c["document_id"], c["entity_id"]) for c in conflicts["items"]} == {
        (document["id"], "hadi-al-amiri"), (document["id"], "asaib-ahl-al-haq")}
    assert conflicts["counts"]["conflicts"] == conflicts["total"] == 2


def test_seed_documents_claims_agree(client: FlaskClient, listed: str) -> None:
    body = client.get("/v1/claims", query_string={"per_page": 200}).get_json()
    by_entity = {c["entity_id"]: c for c in body["items"]}
    assert body["counts"] == {"agrees": body["total"], "conflicts": 0, "unknown": 0}
    # "Kataib Hezbollah, a U.S.-designated terrorist entity": Kataib, not Asaib before it.
    kataib = by_entity["kataib-hezbollah"]
    assert kataib["cue"] == "designated" and "Asaib Ahl al-Haq and Kataib" in kataib["text"]
    assert "asaib-ahl-al-haq" not in by_entity
    # One sentence, two claims: the IRGC-QF "U.S.-designated", Suleimani "sanctioned".
    assert by_entity["irgc-qods-force"]["text"] == by_entity["qassem-soleimani"]["text"]
    assert by_entity["qassem-soleimani"]["mention"]["text"] == "Qassem Suleimani"


def test_claims_are_unknown_before_any_list_is_imported(client: FlaskClient) -> None:
    body = client.get("/v1/claims").get_json()
    assert body["total"] >= 3
    assert body["counts"]["unknown"] == body["total"]
    assert all(c["evidence"] == [] for c in body["items"])


def test_list_entry_mentions_are_suggestions_an_admin_accepts(
        client: FlaskClient, admin_headers: dict, listed: str) -> None:
    document = _post_note(client, admin_headers)
    suggestions = client.get(f"/v1/documents/{document['id']}/suggestions").get_json()
    assert [s["id"] for s in suggestions["items"]] == ["us_ofac_sdn:11461"]
    suggestion = suggestions["items"][0]
    assert suggestion["name"] == "AL-MUHANDIS, Abu Mahdi"
    assert {m["text"] for m in suggestion["mentions"]} == {"Abu Mehdi al-Mohandes"}

    assert client.post(f"/v1/documents/{document['id']}/suggestions/us_ofac_sdn:11461/accept"
                       ).status_code == 401
    accepted = client.post(
        f"/v1/documents/{document['id']}/suggestions/us_ofac_sdn:11461/accept",
        headers=admin_headers)
    assert accepted.status_code == 201, accepted.get_json()
    entity = accepted.get_json()
    assert entity["id"] == "abu-mahdi-al-muhandis" and entity["kind"] == "person"
    assert entity["links"] == [{**entity["links"][0], "list": "us_ofac_sdn",
                                "list_key": "11461", "status": "confirmed"}]
    assert entity["designation_status"] == "listed"
    passages = [p for p in entity["passages"] if p["document_id"] == document["id"]]
    assert [p["text"] for p in passages] == ["Abu Mehdi al-Mohandes"] * 2
    for passage in passages:
        assert NOTE[passage["start"]:passage["end"]] == passage["text"]

    again = client.get(f"/v1/documents/{document['id']}").get_json()
    assert {m["entity_id"] for m in again["mentions"] if m["list_key"] == "11461"} == {
        entity["id"]}
    assert client.get(f"/v1/documents/{document['id']}/suggestions").get_json()["total"] == 0
    missing = client.post(f"/v1/documents/{document['id']}/suggestions/us_ofac_sdn:11461/accept",
                          headers=admin_headers)
    assert missing.status_code == 404


def test_seeded_passages_cover_the_documents_own_spellings(client: FlaskClient) -> None:
    entity = client.get("/v1/entities/al-qaeda").get_json()
    texts = {p["text"] for p in entity["passages"]}
    # The 2014-09-06 document's "al-Qaida-inspired", a seed spelling of its own.
    assert "al-Qaida" in texts
    # "al-Qaeda in Iraq" is the Islamic State's forerunner, not al-Qaeda itself.
    assert "al-Qaeda" not in texts
    state = client.get("/v1/entities/islamic-state").get_json()
    assert "al-Qaeda in Iraq" in {p["text"] for p in state["passages"]}


def test_variant_spellings_the_matcher_finds_become_passages_not_names(
        client: FlaskClient, admin_headers: dict, listed: str) -> None:
    document = _post_note(client, admin_headers)
    entity = client.get("/v1/entities/hezbollah").get_json()
    # Not a seed spelling: "Hizbollah" differs from "Hezbollah", "Hizbullah" and "Hizballah".
    assert "Hizbollah" in {p["text"] for p in entity["passages"]
                           if p["document_id"] == document["id"]}
    # Learnt spellings find passages; they are not names the registry searches or screens.
    assert "Hizbollah" not in {n["name"] for n in entity["names"]}
