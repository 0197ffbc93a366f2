"""Use cases of the registry that reach beyond it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from service.documents.claims import record_claim_verdicts
from service.documents.suggestions import accept_suggestion
from service.linking.bridges import follow_bridges
from service.models import Entity, EntityLink
from service.registry.links import decide_link


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
