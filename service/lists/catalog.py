"""The lists the service knows, by id."""

from __future__ import annotations

from sqlmodel import Session

from service.models import SanctionsList
from service.terms import LISTS

__all__ = ["LISTS", "ensure_lists"]


def ensure_lists(*, session: Session) -> None:
    """Creates the row of every known list that the database does not have yet."""
    for list_id, name in LISTS.items():
        if session.get(SanctionsList, list_id) is None:
            session.add(SanctionsList(id=list_id, name=name))
    session.flush()
