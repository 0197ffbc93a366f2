"""Link suggestions where no bridge exists: the registry's names matched against a version.

Every registry entity's names are screened against the entries of one list version. A
candidate at or above the matcher's decision threshold, not linked to any entity yet and not
rejected for this one, becomes a `suggested` link for an admin to confirm or reject. Where
both sides state them, birth years and nationalities must agree: a namesake born twenty
years apart, or of another nationality with no birth year to vouch for it, is not suggested.
The entity's own details are those of the entries it is already linked to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import countrynames
from sqlmodel import Session, col, select

from service.matching.index import SearchableIndex
from service.models import Entity, EntityLink, EntityName, ListEntryRow, ListVersion, SanctionsList
from service.registry.designations import ACCEPTED_LINK_STATES
from service.screening.catalog import build_index

# Candidates looked at per registry name: a name rarely has more than a few true entries.
CANDIDATES_PER_NAME = 5
# Lists write birth dates to the year at best for many people ("circa 1957"), and disagree
# by one year often enough (a Hijri date converted twice); more than that is another person.
BIRTH_YEAR_TOLERANCE = 1
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class Details:
    """What identifies a person beyond the name: birth years and nationality codes."""

    birth_years: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()

    @classmethod
    def of_entry(cls, data: dict[str, Any]) -> Details:
        """Gives the details a stored list entry states."""
        years = {int(year) for text in data.get("birth_dates") or []
                 for year in _YEAR.findall(str(text))}
        codes = {code for text in data.get("nationalities") or []
                 if (code := countrynames.to_code(str(text)))}
        return cls(frozenset(years), frozenset(codes))

    def __or__(self, other: Details) -> Details:
        return Details(self.birth_years | other.birth_years, self.countries | other.countries)

    def conflict(self, other: Details) -> str | None:
        """Gives why the two cannot be the same person, or None when nothing contradicts."""
        if self.birth_years and other.birth_years:
            if any(abs(a - b) <= BIRTH_YEAR_TOLERANCE
                   for a in self.birth_years for b in other.birth_years):
                return None
            return "birth years differ"
        if self.countries and other.countries and not self.countries & other.countries:
            return "nationalities differ"
        return None


@dataclass
class SuggestionOutcome:
    """What matching the registry against a version did."""

    version_id: int
    list_id: str
    created: list[EntityLink] = field(default_factory=list)
    # Name matches that the details ruled out, per reason.
    ruled_out: dict[str, int] = field(default_factory=dict)


def entity_details(entity_ids: list[str], *, session: Session) -> dict[str, Details]:
    """Gives each entity's details, read from the active entries it is linked to."""
    active = {lst.id: lst.active_version_id for lst in session.exec(select(SanctionsList)).all()}
    details: dict[str, Details] = {}
    links = session.exec(select(EntityLink).where(
        col(EntityLink.entity_id).in_(entity_ids),
        col(EntityLink.status).in_(ACCEPTED_LINK_STATES))).all()
    for link in links:
        version_id = active.get(link.list_id)
        if version_id is None:
            continue
        row = session.exec(select(ListEntryRow).where(
            ListEntryRow.version_id == version_id, ListEntryRow.key == link.list_key)).first()
        if row is not None:
            details[link.entity_id] = (details.get(link.entity_id, Details())
                                       | Details.of_entry(row.data))
    return details


def suggest_links(version: ListVersion, *, session: Session) -> SuggestionOutcome:
    """Matches every registry entity's names against one list version; suggests the matches."""
    assert version.id is not None
    # The index of the active versions (the machine's shared file, which every process needs
    # next anyway); one of the version alone when it is not active.
    loaded = build_index(session)
    if loaded.version_of(version.list_id) != version.id:
        loaded = build_index(session, pinned=[(version.list_id, version.id)])
    index = loaded.index
    entities = list(session.exec(select(Entity).order_by(col(Entity.id))).all())
    outcome = SuggestionOutcome(version.id, version.list_id)
    _suggest(entities, index, version.list_id, version.id, outcome, session=session)
    return outcome


def suggest_links_for(entity_ids: Sequence[str], index: SearchableIndex,
                      versions: dict[str, int], *, session: Session) -> list[EntityLink]:
    """Matches some entities' names against an index of several active versions.

    For an entity created or renamed after the versions were imported: until it has been
    matched against them, "not listed" could not be said of it honestly. `versions` gives
    each list the index holds and its version id.
    """
    entities = list(session.exec(select(Entity).where(col(Entity.id).in_(list(entity_ids)))
                                 .order_by(col(Entity.id))).all())
    made: list[EntityLink] = []
    for list_id, version_id in sorted(versions.items()):
        outcome = SuggestionOutcome(version_id, list_id)
        _suggest(entities, index, list_id, version_id, outcome, session=session)
        made.extend(outcome.created)
    return made


def _suggest(entities: Sequence[Entity], index: SearchableIndex, list_id: str, version_id: int,
             outcome: SuggestionOutcome, *, session: Session) -> None:
    """Suggests, for each entity, the entries of one list version its names match."""
    existing = {(link.entity_id, link.list_key)
                for link in session.exec(select(EntityLink).where(
                    EntityLink.list_id == list_id)).all()}
    details = entity_details([e.id for e in entities], session=session)
    ruled_out: dict[str, int] = defaultdict(int)
    for entity in entities:
        names = session.exec(select(EntityName.name).where(
            EntityName.entity_id == entity.id, EntityName.role == "name")).all()
        best: dict[str, tuple[float, str]] = {}
        for name in names:
            for match in index.search(name, kind=entity.kind, lists={list_id},
                                      limit=CANDIDATES_PER_NAME):
                hit = match.name
                if not match.match or hit.entity_id is not None:
                    continue
                if hit.list_key not in best or match.score > best[hit.list_key][0]:
                    best[hit.list_key] = (match.score, hit.name)
        for list_key, (score, matched_name) in sorted(best.items()):
            if (entity.id, list_key) in existing:
                continue
            row = session.exec(select(ListEntryRow).where(
                ListEntryRow.version_id == version_id, ListEntryRow.key == list_key)).one()
            reason = details.get(entity.id, Details()).conflict(Details.of_entry(row.data))
            if reason:
                ruled_out[reason] += 1
                continue
            link = EntityLink(entity_id=entity.id, list_id=list_id, list_key=list_key,
                              status="suggested", score=round(score, 4),
                              matched_name=matched_name)
            session.add(link)
            outcome.created.append(link)
    outcome.ruled_out = dict(ruled_out)
    session.flush()
