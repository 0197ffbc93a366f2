"""The lists the service knows, by id."""

from __future__ import annotations

from sqlmodel import Session

from service.models import SanctionsList

LISTS: dict[str, str] = {
    "us_ofac_sdn": "OFAC Specially Designated Nationals and Blocked Persons List",
    "us_ofac_cons": "OFAC Consolidated Sanctions List (non-SDN)",
    "un_sc": "UN Security Council Consolidated List",
    "us_csl": "US Consolidated Screening List (trade.gov)",
    "opensanctions": "OpenSanctions (FollowTheMoney entities)",
}


def ensure_lists(*, session: Session) -> None:
    """Creates the row of every known list that the database does not have yet."""
    for list_id, name in LISTS.items():
        if session.get(SanctionsList, list_id) is None:
            session.add(SanctionsList(id=list_id, name=name))
    session.flush()
