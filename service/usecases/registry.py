"""Use cases of the registry that reach beyond it: links, bridges, matching, claims."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from service.documents.claims import record_claim_verdicts
from service.documents.suggestions import accept_suggestion
from service.linking.bridges import follow_bridges
from service.linking.suggestions import suggest_links_for
from service.models import Entity, EntityLink
from service.registry.entities import create_entity, update_entity
from service.registry.links import decide_link
from service.screening.catalog import LoadedIndex


def decide_and_bridge(entity_id: str, list_id: str, list_key: str, status: str, *,
                      session: Session) -> EntityLink:
    """Records an admin's decision on a link, then follows the entity's bridges again.

    Confirming a link reaches the same designation on the other lists; rejecting or
    withdrawing one drops the links bridged from it.
    """
    link = decide_link(entity_id, list_id, list_key, status, session=session)
    session.flush()
    follow_bridges(session=session, entity_ids=[entity_id])
    # The entity's status may have changed, and with it what its documents' claims deserve.
    record_claim_verdicts(session=session)
    return link


def accept_document_suggestion(document_id: str, suggestion_id: str, data: dict[str, Any], *,
                               session: Session) -> Entity:
    """Makes a list entry a document names into a registry entity, linked to its entry and,
    through the identifiers that entry carries, to the same designation on other lists."""
    entity = accept_suggestion(document_id, suggestion_id, data, session=session)
    session.flush()
    follow_bridges(session=session, entity_ids=[entity.id])
    return entity


def create_entity_and_match(data: dict[str, Any], *, session: Session,
                            loaded: LoadedIndex) -> Entity:
    """Creates an entity, then matches its names against every active version.

    The versions were checked against the registry before the entity existed; without this
    its status would read "not listed" on lists nobody searched for it.
    """
    entity = create_entity(data, session=session)
    session.flush()
    _match_against_active([entity.id], session=session, loaded=loaded)
    return entity


def update_entity_and_match(entity_id: str, changes: dict[str, Any], *, session: Session,
                            loaded: LoadedIndex) -> Entity:
    """Changes an entity; new names or a new kind are matched against every active version."""
    entity = update_entity(entity_id, changes, session=session)
    session.flush()
    if {"name", "names", "kind"} & set(changes):
        _match_against_active([entity_id], session=session, loaded=loaded)
    return entity


def _match_against_active(entity_ids: list[str], *, session: Session,
                          loaded: LoadedIndex) -> None:
    suggest_links_for(entity_ids, loaded.index,
                      {v.list_id: v.version for v in loaded.versions}, session=session)
    record_claim_verdicts(session=session)
