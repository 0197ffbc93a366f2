"""The Syrian and Iraqi state bodies and the NDF, read against a real SDN excerpt, and their
passages in the seed documents."""

from __future__ import annotations

from flask.testing import FlaskClient


def _sdn(client: FlaskClient, entity_id: str) -> tuple[dict, dict]:
    entity = client.get(f"/v1/entities/{entity_id}").get_json()
    [designation] = [d for d in entity["designations"] if d["list"] == "us_ofac_sdn"]
    return entity, designation


def test_syrian_bodies_are_listed_through_their_pins(client: FlaskClient, listed: str) -> None:
    for entity_id, key in [("syrian-arab-army", "20954"), ("syrian-air-force", "20960")]:
        entity, sdn = _sdn(client, entity_id)
        assert (sdn["status"], sdn["list_keys"], sdn["programs"]) == ("listed", [key],
                                                                      ["SYRIA"])
        assert entity["passages"], entity_id
    _, ndf = _sdn(client, "national-defence-forces")
    assert ndf["status"] == "listed"
    assert sorted(ndf["list_keys"]) == ["15588", "30228"]
    assert sorted(ndf["programs"]) == ["SYRIA", "SYRIA-EO13894"]


def test_iraqs_interior_ministry_is_not_cubas(client: FlaskClient, listed: str) -> None:
    entity, sdn = _sdn(client, "iraqi-ministry-of-interior")
    # 30976 is in the excerpt and matches the name, but its review is in the seeds: rejected,
    # so it is neither suggested nor a "possible" listing.
    assert sdn["status"] == "not_listed", sdn
    assert [(link["list_key"], link["status"]) for link in entity["links"]] == [
        ("30976", "rejected")]
    assert [p["text"] for p in entity["passages"]] == ["Iraq’s Interior Ministry"]


def test_new_entities_have_passages_in_the_documents_that_name_them(
        client: FlaskClient) -> None:
    expected = {
        "syrian-arab-army": {"Syrian army"},
        "syrian-air-force": {"Assad’s air force"},
        "iraqi-security-forces": {"Iraqi Security Forces", "ISF", "Iraqi security forces"},
        "peshmerga": {"Kurdish peshmerga", "peshmerga", "pesh merga", "Peshmerga"},
        "national-defence-forces": {"National Defence Forces"},
    }
    for entity_id, texts in expected.items():
        passages = client.get(f"/v1/entities/{entity_id}").get_json()["passages"]
        assert {p["text"] for p in passages} == texts, entity_id
    # The al-Qaida spelling is al-Qaeda's; "Revolutionary Guards Corps-Quds Force" stays the
    # Qods Force's alone.
    qaeda = client.get("/v1/entities/al-qaeda").get_json()["passages"]
    assert sum(p["text"] == "al-Qaida" for p in qaeda) == 2
    irgc = client.get("/v1/entities/islamic-revolutionary-guard-corps").get_json()["passages"]
    qods = client.get("/v1/entities/irgc-qods-force").get_json()["passages"]
    assert "Revolutionary Guards Corps-Quds Force" in {p["text"] for p in qods}
    assert not [(a["text"], b["text"]) for a in irgc for b in qods
                if a["document_id"] == b["document_id"]
                and a["start"] < b["end"] and b["start"] < a["end"]]
