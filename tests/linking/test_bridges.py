"""Designation status on every list: identifier bridges, suggestions, removals, history.

Every list record here is real: the SDN excerpt of `tests/fixtures/ofac_excerpts/` and the CSL,
UN and OpenSanctions records of `tests/fixtures/bridges/` (see its README).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from service.api.schemas import DesignationOut
from service.lists.identifiers import official_identifiers
from service.lists.importer import import_list
from service.lists.sources import parse
from service.models import EntityLink
from service.registry.designations import Designation, designations_for, overall_status
from service.usecases.lists import check_registry_against_active, import_list_version
from service.usecases.registry import decide_and_bridge
from tests.conftest import OFAC_EXCERPTS, import_excerpt

BRIDGES = Path(__file__).resolve().parents[1] / "fixtures" / "bridges"
CSL = BRIDGES / "csl_consolidated_2022_bridges.csv"
UN = BRIDGES / "un_consolidated_2026-02-27_bridges.xml"
OPENSANCTIONS = BRIDGES / "opensanctions_bridges.ftm.json"


def status_on(session: Session, entity_id: str, list_id: str) -> Designation:
    statuses = designations_for([entity_id], session=session)[entity_id]
    return next(d for d in statuses if d.list_id == list_id)


def link_of(session: Session, entity_id: str, list_id: str, key: str) -> EntityLink | None:
    return session.exec(select(EntityLink).where(
        EntityLink.entity_id == entity_id, EntityLink.list_id == list_id,
        EntityLink.list_key == key)).first()


# --- the identifiers each list publishes ------------------------------------------------------


def test_each_list_gives_its_official_identifiers() -> None:
    csl = {e.key: e for e in parse([CSL], None).entries}
    assert official_identifiers("us_csl", "10481", csl["10481"].to_dict()) == ["ofac-10481"]
    # A Commerce list row has no OFAC key: nothing to bridge through.
    denied = "deb7a1d5743a85c354ca1a2c7f2664e2104b32d7"
    assert official_identifiers("us_csl", denied, csl[denied].to_dict()) == []

    un = {e.key: e for e in parse([UN], None).entries}
    assert official_identifiers("un_sc", "QDe.115", un["QDe.115"].to_dict()) == [
        "unsc-113966", "unsc-ref-QDe.115"]

    merged = {e.key: e for e in parse([OPENSANCTIONS], None).entries}
    assert official_identifiers("opensanctions", "NK-2T3S8Hu29ktYnKSTgQp2wL",
                                merged["NK-2T3S8Hu29ktYnKSTgQp2wL"].to_dict()) == [
        "ofac-8759", "unsc-113966"]
    assert official_identifiers("us_ofac_sdn", "28004", {}) == ["ofac-28004"]


# --- bridges ----------------------------------------------------------------------------------


def test_csl_rows_of_ofac_lists_are_bridged_by_the_ofac_key(session: Session) -> None:
    import_excerpt(session)
    import_list_version("us_csl", [CSL], session=session)
    session.commit()
    for entity_id, key in (("kataib-hezbollah", "11462"), ("qassem-soleimani", "10481"),
                           ("qais-al-khazali", "28004")):
        csl = status_on(session, entity_id, "us_csl")
        assert csl.status == "listed" and csl.listed is True and csl.list_key == key
        assert csl.basis[0].link == "bridged"
        assert csl.basis[0].via == {"list": "us_ofac_sdn", "list_key": key,
                                    "identifier": f"ofac-{key}"}
    # The SDN row of the CSL carries the programs the CSL gives.
    assert "FTO" in status_on(session, "kataib-hezbollah", "us_csl").programs


@pytest.mark.parametrize("order", [("un_sc", "opensanctions"), ("opensanctions", "un_sc")])
def test_opensanctions_referents_join_the_ofac_and_un_lists(session: Session,
                                                            order: tuple[str, str]) -> None:
    import_excerpt(session)
    files = {"un_sc": UN, "opensanctions": OPENSANCTIONS}
    for list_id in order:
        import_list_version(list_id, [files[list_id]], session=session)
        session.commit()
    un = status_on(session, "al-qaeda", "un_sc")
    assert un.status == "listed" and un.list_key == "QDe.004"
    assert un.basis[0].via == {"list": "opensanctions", "list_key": "NK-a2i4tfHdpYoJa9xqHTAfbc",
                               "identifier": "unsc-113458"}
    merged = status_on(session, "islamic-state", "opensanctions")
    assert merged.status == "listed" and merged.basis[0].via == {
        "list": "us_ofac_sdn", "list_key": "8759", "identifier": "ofac-8759"}
    assert status_on(session, "islamic-state", "un_sc").list_key == "QDe.115"


def test_a_rejected_root_drops_what_was_bridged_from_it(session: Session) -> None:
    import_excerpt(session)
    import_list_version("us_csl", [CSL], session=session)
    session.commit()
    assert link_of(session, "kataib-hezbollah", "us_csl", "11462") is not None
    decide_and_bridge("kataib-hezbollah", "us_ofac_sdn", "11462", "rejected", session=session)
    session.commit()
    assert link_of(session, "kataib-hezbollah", "us_csl", "11462") is None
    # And an admin's rejection is never bridged over.
    decide_and_bridge("qassem-soleimani", "us_csl", "10481", "rejected", session=session)
    check_registry_against_active(session=session)
    session.commit()
    rejected = link_of(session, "qassem-soleimani", "us_csl", "10481")
    assert rejected is not None and rejected.status == "rejected"
    assert status_on(session, "qassem-soleimani", "us_csl").status == "not_listed"


def test_a_rejection_travels_to_the_same_designation_on_every_list(session: Session) -> None:
    for list_id, path in (("us_csl", CSL), ("opensanctions", OPENSANCTIONS), ("un_sc", UN)):
        import_list_version(list_id, [path], session=session)
    session.commit()
    # The matcher takes Mohammed Al Ghabra for Mohammed Ghabban on each list.
    assert {status_on(session, "mohammed-ghabban", lst).status
            for lst in ("us_csl", "opensanctions", "un_sc")} == {"possible"}

    decide_and_bridge("mohammed-ghabban", "us_csl", "10114", "rejected", session=session)
    session.commit()
    merged = link_of(session, "mohammed-ghabban", "opensanctions", "NK-jrJ4UKcoWGDozbGwkrKxuf")
    assert merged is not None and merged.status == "rejected"
    assert (merged.via_list_id, merged.via_identifier) == ("us_csl", "ofac-10114")
    un = link_of(session, "mohammed-ghabban", "un_sc", "QDi.228")
    assert un is not None and un.status == "rejected" and un.via_identifier == "unsc-2760967"
    for lst in ("us_csl", "opensanctions", "un_sc"):
        assert status_on(session, "mohammed-ghabban", lst).status == "not_listed"
    # Not suggested again after the next import, and withdrawn with the hand rejection.
    check_registry_against_active(session=session)
    assert status_on(session, "mohammed-ghabban", "un_sc").status == "not_listed"
    decide_and_bridge("mohammed-ghabban", "us_csl", "10114", "confirmed", session=session)
    session.commit()
    assert {status_on(session, "mohammed-ghabban", lst).status
            for lst in ("us_csl", "opensanctions", "un_sc")} == {"listed"}
    assert link_of(session, "mohammed-ghabban", "un_sc", "QDi.228").status == "bridged"


# --- statuses ---------------------------------------------------------------------------------


def test_a_seeded_un_pin_is_listed(session: Session) -> None:
    import_excerpt(session)
    import_list_version("un_sc", [UN], session=session)
    session.commit()
    un = status_on(session, "qassem-soleimani", "un_sc")
    assert un.status == "listed" and un.list_key == "IRi.039" and un.basis[0].link == "pinned"


def test_a_name_match_without_a_bridge_is_possible_until_reviewed(session: Session) -> None:
    # No list publishes a bridge from Soleimani's SDN record to his UN record; without the
    # seed's pin only the matcher connects them.
    pin = link_of(session, "qassem-soleimani", "un_sc", "IRi.039")
    assert pin is not None
    session.delete(pin)
    session.commit()
    import_excerpt(session)
    import_list_version("un_sc", [UN], session=session)
    session.commit()
    un = status_on(session, "qassem-soleimani", "un_sc")
    assert un.status == "possible" and un.listed is None and un.list_key == "IRi.039"
    assert un.basis[0].link == "suggested" and un.basis[0].score
    summary = designations_for(["qassem-soleimani"], session=session)["qassem-soleimani"]
    assert overall_status(summary) == "listed"

    decide_and_bridge("qassem-soleimani", "un_sc", "IRi.039", "confirmed", session=session)
    session.commit()
    assert status_on(session, "qassem-soleimani", "un_sc").status == "listed"
    decide_and_bridge("qassem-soleimani", "un_sc", "IRi.039", "rejected", session=session)
    check_registry_against_active(session=session)
    session.commit()
    assert status_on(session, "qassem-soleimani", "un_sc").status == "not_listed"


def test_not_listed_names_the_version_checked_and_unchecked_is_unknown(session: Session
                                                                        ) -> None:
    # Imported without the registry check: nobody may be said to be not listed on it yet.
    version = import_list("un_sc", [UN], session=session).version
    session.commit()
    unchecked = status_on(session, "badr-organization", "un_sc")
    assert unchecked.status == "unknown" and unchecked.version == version.id
    check_registry_against_active(session=session)
    session.commit()
    for entity_id in ("badr-organization", "hadi-al-amiri"):
        checked = status_on(session, entity_id, "un_sc")
        assert checked.status == "not_listed" and checked.listed is False
        assert checked.version == version.id and checked.data_date is not None


def test_a_pinned_entry_that_leaves_the_list_is_removed(session: Session,
                                                        tmp_path: Path) -> None:
    first = import_excerpt(session)
    import_list_version("us_csl", [CSL], session=session)
    session.commit()
    without = tmp_path / "sdn-without-28004"
    shutil.copytree(OFAC_EXCERPTS / "sdn-2024-05", without)
    rows = (without / "sdn.csv").read_bytes().split(b"\n")
    (without / "sdn.csv").write_bytes(b"\n".join(r for r in rows if not r.startswith(b"28004,")))
    second = import_list_version("us_ofac_sdn", [without], session=session).outcome.version
    session.commit()

    sdn = status_on(session, "qais-al-khazali", "us_ofac_sdn")
    assert sdn.status == "removed" and sdn.listed is False
    assert (sdn.removed_key, sdn.last_version, sdn.left_in_version) == ("28004", first,
                                                                        second.id)
    assert DesignationOut().dump(sdn)["removed"] == {"list_key": "28004", "last_version": first,
                                        "left_in_version": second.id}
    # The CSL still has him: the bridge stands while its pinned link does.
    assert status_on(session, "qais-al-khazali", "us_csl").status == "listed"
    statuses = designations_for(["qais-al-khazali"], session=session)["qais-al-khazali"]
    assert overall_status(statuses) == "listed"


def test_the_summary_is_the_strongest_status() -> None:
    def of(*statuses: str) -> list[Designation]:
        return [Designation(list_id=str(i), status=s, listed=None) for i, s in enumerate(statuses)]

    assert overall_status(of("not_listed", "possible", "unknown")) == "possible"
    assert overall_status(of("not_listed", "removed")) == "removed"
    assert overall_status(of("unknown", "not_listed")) == "not_listed"
    assert overall_status(of("unknown")) == "unknown"
    assert overall_status(of("removed", "listed")) == "listed"


# --- the API ----------------------------------------------------------------------------------


def test_entity_answers_carry_bridges_and_history(client: FlaskClient, app,  # type: ignore[no-untyped-def]
                                                  admin_headers: dict[str, str],
                                                  tmp_path: Path) -> None:
    from service.db import session_scope

    with session_scope(app.extensions["xref.engine"]) as session:
        import_excerpt(session)
        import_list_version("us_csl", [CSL], session=session)
        session.commit()
    body = client.get("/v1/entities/qais-al-khazali").get_json()
    csl = next(d for d in body["designations"] if d["list"] == "us_csl")
    assert csl["status"] == "listed"
    assert csl["basis"][0]["via"]["identifier"] == "ofac-28004"
    assert any(link["status"] == "bridged" and link["via"]["list"] == "us_ofac_sdn"
               for link in body["links"])

    history = client.get("/v1/entities/qais-al-khazali/history").get_json()
    sdn = next(item for item in history["items"] if item["list"] == "us_ofac_sdn")
    assert [e["event"] for e in sdn["events"]] == ["appeared"]
    assert {"SDGT", "GLOMAG"} <= set(sdn["events"][0]["programs"])
    assert client.get("/v1/entities/nobody/history").status_code == 404
