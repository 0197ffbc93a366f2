"""Suggested links from name matching: offered to an admin, never counted as designations."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from service.lists.importer import import_list
from service.models import EntityLink
from service.registry.designations import designations_for
from service.registry.links import decide_link, suggest_links
from service.screening.catalog import build_index

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"


def test_suggestions_are_made_once_and_do_not_designate(session: Session) -> None:
    import_list("us_ofac_sdn", [EXCERPTS / "sdn-2024-05"], session=session)
    session.commit()
    # Free the pinned Soleimani entry so that matching has something to suggest.
    pinned = session.exec(select(EntityLink).where(
        EntityLink.entity_id == "qassem-soleimani")).one()
    session.delete(pinned)
    session.commit()

    made = suggest_links(session=session, loaded=build_index(session))
    session.commit()
    suggested = {(link.entity_id, link.list_key) for link in made}
    assert ("qassem-soleimani", "10481") in suggested
    assert all(link.status == "suggested" and link.score and link.matched_name for link in made)
    statuses = designations_for(["qassem-soleimani"], session=session)["qassem-soleimani"]
    assert next(d for d in statuses if d.list_id == "us_ofac_sdn").listed is False

    assert suggest_links(session=session, loaded=build_index(session)) == []

    decide_link("qassem-soleimani", "us_ofac_sdn", "10481", "rejected", session=session)
    session.commit()
    assert suggest_links(session=session, loaded=build_index(session)) == []
