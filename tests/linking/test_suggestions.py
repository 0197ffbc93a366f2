"""Suggested links from name matching: offered to an admin, never counted as designations."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from service.linking.suggestions import Details, suggest_links
from service.lists.sources import parse
from service.models import EntityLink, ListVersion
from service.registry.designations import designations_for
from service.registry.links import decide_link
from tests.conftest import OFAC_EXCERPTS, import_excerpt

UN = Path(__file__).resolve().parents[1] / "fixtures" / "bridges" / (
    "un_consolidated_2026-02-27_bridges.xml")


def test_suggestions_are_made_once_and_never_designate(session: Session) -> None:
    version_id = import_excerpt(session)
    # Free the pinned Soleimani entry so that matching has something to suggest.
    pinned = session.exec(select(EntityLink).where(
        EntityLink.entity_id == "qassem-soleimani", EntityLink.list_id == "us_ofac_sdn")).one()
    session.delete(pinned)
    session.commit()
    version = session.get(ListVersion, version_id)
    assert version is not None

    made = suggest_links(version, session=session).created
    session.commit()
    suggested = {(link.entity_id, link.list_key) for link in made}
    assert ("qassem-soleimani", "10481") in suggested
    assert all(link.status == "suggested" and link.score and link.matched_name for link in made)
    statuses = designations_for(["qassem-soleimani"], session=session)["qassem-soleimani"]
    sdn = next(d for d in statuses if d.list_id == "us_ofac_sdn")
    assert sdn.status == "possible" and sdn.listed is None

    assert suggest_links(version, session=session).created == []
    decide_link("qassem-soleimani", "us_ofac_sdn", "10481", "rejected", session=session)
    session.commit()
    assert suggest_links(version, session=session).created == []


def test_birth_years_and_nationalities_rule_out_namesakes() -> None:
    sdn = {e.key: e.to_dict() for e in parse([OFAC_EXCERPTS / "sdn-2024-05"], None).entries}
    un = {e.key: e.to_dict() for e in parse([UN], None).entries}
    soleimani = Details.of_entry(sdn["10481"])
    assert soleimani.birth_years == {1957} and soleimani.countries == {"IR"}
    # His UN record gives the same birth date and no nationality: nothing contradicts.
    assert soleimani.conflict(Details.of_entry(un["IRi.039"])) is None
    # Two real people born 17 years apart are not one person, whatever their names.
    assert soleimani.conflict(Details.of_entry(sdn["28004"])) == "birth years differ"
    # Organisations state neither: the name decides alone.
    assert Details.of_entry(un["QDe.004"]).conflict(soleimani) is None
    # Only nationalities on both sides, and they differ.
    assert (Details(countries=frozenset({"IQ"})).conflict(Details(countries=frozenset({"IR"})))
            == "nationalities differ")
