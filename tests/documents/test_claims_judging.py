"""Claims about list entries the registry does not have, cue words around abbreviations, and
judging against every designation status (listed, possible, not_listed, removed, unknown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from flask.testing import FlaskClient

from service.documents.claims import (
    AGREES,
    CONFLICTS,
    NOT_DESIGNATED,
    UNKNOWN,
    _judge,
    find_claims,
)
from service.documents.mentions import Mention
from service.models import DocumentClaim
from service.registry.designations import Designation

# Written for this test: sentences about an SDN entry that no registry entity stands for
# (26446 HARAKAT AL-NUJABA, SDGT, whose alias HARAKAT HEZBOLLAH AL-NUJABA the text uses),
# with the abbreviation "U.S." inside the denial's words.
ENTRY_NOTE = """Militias beyond the registry

Harakat Hezbollah al-Nujaba, which is not on any U.S. sanctions list, sent fighters to \
Aleppo in 2016.
"""


def test_a_denial_about_a_list_entry_alone_conflicts_with_that_entry(
        client: FlaskClient, admin_headers: dict, listed: str) -> None:
    response = client.post("/v1/documents", headers=admin_headers, json={
        "title": "Militias beyond the registry", "text": ENTRY_NOTE})
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    mentions = [m for m in document["mentions"] if m["list_key"] == "26446"]
    assert [(m["text"], m["entity_id"]) for m in mentions] == [
        ("Harakat Hezbollah al-Nujaba", None)]
    [claim] = document["claims"]
    assert (claim["entity_id"], claim["list"], claim["list_key"]) == (None, "us_ofac_sdn",
                                                                      "26446")
    assert claim["claim"] == "not_designated"
    assert claim["cue"] == "not on any U.S. sanctions list"
    assert claim["status"] == "conflicts", claim
    assert "as entry 26446 (SDGT)" in claim["reason"]
    [evidence] = claim["evidence"]
    assert (evidence["list_key"], evidence["listed"], evidence["programs"]) == (
        "26446", True, ["SDGT"])
    conflicts = client.get("/v1/claims", query_string={"status": "conflicts",
                                                       "document_id": document["id"]})
    assert [c["list_key"] for c in conflicts.get_json()["items"]] == ["26446"]


def _mention(text: str, name: str) -> Mention:
    start = text.index(name)
    return Mention(start, start + len(name), name, 1.0, None, "us_ofac_sdn", "1", name.upper())


@pytest.mark.parametrize(("sentence", "cue"), [
    ("Acme Trading is not on any U.S. sanctions list.", "not on any U.S. sanctions list"),
    ("Acme Trading is not on the U.N. Security Council list, its lawyer said.",
     "not on the U.N. Security Council list"),
    ("Acme Trading has not been U.S.-designated.", "not been U.S.-designated"),
    ("Acme Trading was removed from the U.S. list in 2019.", "removed from the U.S. list"),
])
def test_abbreviation_dots_do_not_end_a_denial(sentence: str, cue: str) -> None:
    [claim] = find_claims(sentence, [_mention(sentence, "Acme Trading")])
    assert (claim.claim, claim.cue) == (NOT_DESIGNATED, cue)


def test_a_full_stop_still_ends_a_denial() -> None:
    text = "Acme Trading is not on it. Lists are long."
    assert find_claims(text, [_mention(text, "Acme Trading")]) == []


# --- judging against each designation status ------------------------------------------------


@dataclass
class _Extended(Designation):
    """Designation with the fields the removed status brings (registry/designations.py)."""

    removed_key: str | None = None
    last_version: int | None = None
    left_in_version: int | None = None


def _claim(claim: str, programs: list[str] | None = None) -> DocumentClaim:
    return DocumentClaim(document_id="doc", start=0, end=10, mention_start=0, mention_end=4,
                         cue="cue", claim=claim, programs=programs or [])


LISTED = Designation(list_id="us_ofac_sdn", status="listed", listed=True, programs=["SDGT"],
                     list_key="26446", list_keys=["26446"], matched_name="HARAKAT AL-NUJABA",
                     version=3, data_date=date(2024, 5, 3))
POSSIBLE = Designation(list_id="un_sc", status="possible", listed=None, list_key="QDe.001",
                       matched_name="A NAME", version=5)
NOT_LISTED = Designation(list_id="us_csl", status="not_listed", listed=False, version=7)
NO_VERSION = Designation(list_id="opensanctions", status="unknown", listed=None)


def test_a_listing_on_any_list_settles_a_denial_even_beside_a_possible_match() -> None:
    judgement = _judge(_claim("not_designated"), [LISTED, POSSIBLE, NOT_LISTED, NO_VERSION])
    assert judgement.status == CONFLICTS
    assert [e["list_key"] for e in judgement.evidence] == ["26446"]


@pytest.mark.parametrize("claim", ["designated", "not_designated"])
def test_a_possible_match_and_no_listing_leave_the_claim_open(claim: str) -> None:
    judgement = _judge(_claim(claim), [POSSIBLE, NOT_LISTED, NO_VERSION])
    assert judgement.status == UNKNOWN
    assert judgement.reason.startswith("A possible match awaits review: un_sc version 5")
    assert [(e["list"], e["status"], e["listed"]) for e in judgement.evidence] == [
        ("un_sc", "possible", False)]


@pytest.mark.parametrize("designation", [
    Designation(list_id="us_ofac_sdn", status="removed", listed=False, version=9),
    _Extended(list_id="us_ofac_sdn", status="removed", listed=False, version=9,
              removed_key="26446", last_version=8, left_in_version=9),
])
def test_a_removed_entry_is_not_a_listing_and_the_reason_says_it_was_removed(
        designation: Designation) -> None:
    denial = _judge(_claim("not_designated"), [designation, NOT_LISTED])
    assert denial.status == AGREES
    assert "was removed" in denial.reason
    assert "us_csl version 7" in denial.reason
    assert denial.evidence[0]["status"] == "removed"
    listing = _judge(_claim("designated"), [designation])
    assert listing.status == CONFLICTS and "was removed" in listing.reason
    if isinstance(designation, _Extended):
        assert "entry 26446 was removed in version 9, last listed in version 8" in (
            denial.reason)
        assert denial.evidence[0]["list_key"] == "26446"


def test_only_lists_without_a_version_leave_the_claim_unknown() -> None:
    judgement = _judge(_claim("designated"), [NO_VERSION])
    assert (judgement.status, judgement.evidence) == (UNKNOWN, [])
    assert judgement.reason == "No active list version to check the claim against."


def test_a_version_not_checked_yet_leaves_the_claim_unknown_and_says_so() -> None:
    unchecked = Designation(list_id="us_ofac_sdn", status="unknown", listed=None, version=4)
    judgement = _judge(_claim("not_designated"), [unchecked, NO_VERSION])
    assert judgement.status == UNKNOWN
    assert judgement.reason.startswith("Not checked yet against us_ofac_sdn version 4")


def test_a_cited_program_the_listing_lacks_conflicts() -> None:
    assert _judge(_claim("designated", ["FTO"]), [LISTED]).status == CONFLICTS
    assert _judge(_claim("designated", ["SDGT"]), [LISTED]).status == AGREES
