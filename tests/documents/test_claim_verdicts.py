"""Claims are judged again when list versions change, and their earlier verdicts are kept."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask.testing import FlaskClient
from sqlmodel import Session, select

from service.db import make_engine
from service.documents.claims import record_claim_verdicts
from service.documents.xref import cross_reference_documents
from service.lists.importer import activate_version
from service.models import ClaimVerdict, DocumentClaim, SanctionsList
from service.usecases.lists import check_registry, import_list_version

# Real SDN rows of 2021-07 (tests/fixtures/ofac_excerpts): the registry's pinned entries,
# and 2680 HABBASH, George (SDGT), who is on the 2021-07 list and no longer on the 2024-05
# one (no row in the full 2024-05 sdn.csv).
OLD_EXCERPT = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts" / "sdn-2021-07"
# Written for this test: a true claim in 2021, a false one once the entry left the list.
HABASH_NOTE = """The PFLP's founder

George Habash, who founded the Popular Front, was designated by the U.S. Treasury.
"""


def _active(session: Session) -> int:
    sanctions_list = session.get(SanctionsList, "us_ofac_sdn")
    assert sanctions_list is not None and sanctions_list.active_version_id is not None
    return sanctions_list.active_version_id


def _history(claim: dict) -> list[tuple[str, dict]]:
    return [(h["status"], h["versions"]) for h in claim["history"]]


def test_claims_are_judged_again_as_versions_activate_and_keep_earlier_verdicts(
        listed: str, client: FlaskClient, admin_headers: dict) -> None:
    engine = make_engine(listed)
    with Session(engine) as session:
        # The fixture's cross-referencing recorded the verdicts against the excerpt already.
        assert record_claim_verdicts(session=session) == 0
        current = _active(session)
        verdicts_before = len(session.exec(select(ClaimVerdict)).all())
        imported = import_list_version("us_ofac_sdn", [OLD_EXCERPT], session=session,
                                       data_date=date(2021, 7, 1))
        older = _active(session)
        assert older != current
        seed_claims = len(session.exec(select(DocumentClaim)).all())
        # The import judged them again: same verdicts, other versions, a row each.
        assert imported.reaction is not None
        assert imported.reaction.claim_verdicts == seed_claims >= 3
        assert len(session.exec(select(ClaimVerdict)).all()) == verdicts_before + seed_claims
        assert record_claim_verdicts(session=session) == 0
        session.commit()
    # Added while the 2021-07 version is active: the claim agrees, its first verdict.
    response = client.post("/v1/documents", headers=admin_headers,
                           json={"title": "The PFLP's founder", "text": HABASH_NOTE})
    assert response.status_code == 201, response.get_json()
    note = response.get_json()
    [habash] = note["claims"]
    assert (habash["list_key"], habash["status"]) == ("2680", "agrees")
    assert _history(habash) == [("agrees", {"us_ofac_sdn": older})]
    with Session(engine) as session:
        ids = {claim.id for claim in session.exec(select(DocumentClaim)).all()}
        # Cross-referencing again finds the same claims: they keep their ids, and history.
        cross_reference_documents(session=session)
        assert {claim.id for claim in session.exec(select(DocumentClaim)).all()} == ids
        # A rollback, then the registry check that follows every activation.
        check_registry([activate_version("us_ofac_sdn", current, session=session)],
                       session=session)
        assert record_claim_verdicts(session=session) == len(ids)
        session.commit()
    engine.dispose()

    body = client.get("/v1/claims", query_string={"per_page": 200}).get_json()
    habash = next(c for c in body["items"] if c["id"] == habash["id"])
    assert habash["status"] == "conflicts"
    assert _history(habash) == [("agrees", {"us_ofac_sdn": older}),
                                ("conflicts", {"us_ofac_sdn": current})]
    assert "as entry 2680 (SDGT)" in habash["history"][0]["reason"]
    assert habash["history"][1]["reason"].startswith(f"No entry on us_ofac_sdn version {current}")
    kataib = next(c for c in body["items"] if c["entity_id"] == "kataib-hezbollah")
    # Seeded before any list, then the excerpt, the 2021-07 excerpt, the excerpt again.
    assert _history(kataib) == [("unknown", {}), ("agrees", {"us_ofac_sdn": current}),
                                ("agrees", {"us_ofac_sdn": older}),
                                ("agrees", {"us_ofac_sdn": current})]
    stamps = [datetime.fromisoformat(h["judged_at"]) for h in kataib["history"]]
    assert stamps == sorted(stamps) and all(s.utcoffset() is not None for s in stamps)
    document = client.get(f"/v1/documents/{kataib['document_id']}").get_json()
    assert next(c for c in document["claims"]
                if c["id"] == kataib["id"])["history"] == kataib["history"]


def test_a_new_documents_claims_get_a_first_verdict(
        client: FlaskClient, admin_headers: dict, listed: str) -> None:
    text = ("Notes\n\nKata'ib Hizballah has been designated a Foreign Terrorist Organization "
            "since 2009.\n")
    response = client.post("/v1/documents", headers=admin_headers,
                           json={"title": "Notes", "text": text})
    assert response.status_code == 201, response.get_json()
    [claim] = response.get_json()["claims"]
    [verdict] = claim["history"]
    assert (verdict["status"], verdict["reason"]) == (claim["status"], claim["reason"])
    assert verdict["status"] == "agrees"


def test_verdicts_go_with_their_claim(listed: str) -> None:
    engine = make_engine(listed)
    with Session(engine) as session:
        claim = session.exec(select(DocumentClaim)).first()
        assert claim is not None
        verdicts = session.exec(select(ClaimVerdict).where(ClaimVerdict.claim_id == claim.id))
        assert verdicts.all()
        session.delete(claim)
        session.commit()
        assert session.exec(
            select(ClaimVerdict).where(ClaimVerdict.claim_id == claim.id)).all() == []
    engine.dispose()


# The shared 2024-05 excerpt (tests/fixtures/ofac_excerpts): the 2024-05 rows of the same
# entries, without 2680, which left the list in between.
NEW_EXCERPT = OLD_EXCERPT.parent / "sdn-2024-05"


def test_a_claim_about_an_entry_that_left_the_list_stays_and_says_it_was_removed(
        listed: str, client: FlaskClient, admin_headers: dict) -> None:
    engine = make_engine(listed)
    with Session(engine) as session:
        import_list_version("us_ofac_sdn", [OLD_EXCERPT], session=session,
                            data_date=date(2021, 7, 1))
        older = _active(session)
        session.commit()
    response = client.post("/v1/documents", headers=admin_headers,
                           json={"title": "The PFLP's founder", "text": HABASH_NOTE})
    [habash] = response.get_json()["claims"]
    assert (habash["list_key"], habash["status"]) == ("2680", "agrees")
    with Session(engine) as session:
        import_list_version("us_ofac_sdn", [NEW_EXCERPT], session=session,
                            data_date=date(2024, 5, 3))
        newer = _active(session)
        assert newer > older
        # As `xref seed` does after an import: the documents are read again. "George Habash"
        # is no longer a mention (no active entry has the name), but the claim stays.
        cross_reference_documents(session=session)
        session.commit()
    engine.dispose()

    document = client.get(f"/v1/documents/{habash['document_id']}").get_json()
    assert "George Habash" not in {m["text"] for m in document["mentions"]}
    [claim] = document["claims"]
    assert (claim["id"], claim["list_key"], claim["status"]) == (habash["id"], "2680",
                                                                 "conflicts")
    assert f"entry 2680 was removed in version {newer}, last listed in version {older}" in (
        claim["reason"])
    assert claim["evidence"][0]["status"] == "removed"
    assert _history(claim) == [("agrees", {"us_ofac_sdn": older}),
                               ("conflicts", {"us_ofac_sdn": newer})]
