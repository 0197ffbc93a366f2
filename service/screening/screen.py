"""Screening names against the lists and the registry, and comparing two names."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from service import metrics
from service.errors import InvalidInput
from service.matching.algorithm import MATCHER
from service.matching.index import Match
from service.matching.scorer import DEFAULT_THRESHOLD, compare
from service.screening.catalog import LoadedIndex
from service.terms import DEFAULT_LIMIT, REGISTRY_LIST


@dataclass(frozen=True)
class ScreeningRequest:
    """A name to screen, with the caller's own id for it and its kind where known."""

    name: str
    id: str | None = None
    kind: str | None = None


@dataclass
class ScreeningResult:
    """The candidates found for one name, best first."""

    request: ScreeningRequest
    matches: list[Match] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Gives the JSON form the API and the job results use."""
        return {
            "id": self.request.id,
            "name": self.request.name,
            "matches": [match_json(m) for m in self.matches],
        }


def match_json(match: Match) -> dict[str, Any]:
    """Gives the JSON form of one candidate, with its explanation."""
    hit = match.name
    return {
        "score": round(match.score, 4),
        "match": match.match,
        "list": hit.list_id,
        "list_key": hit.list_key,
        "matched_name": hit.name,
        "name": hit.primary_name,
        "kind": hit.kind,
        "programs": list(hit.programs),
        "entity_id": hit.entity_id,
        "explanation": match.explanation,
    }


def known_lists(loaded: LoadedIndex) -> set[str]:
    """Gives the list ids an index can screen against (the registry included)."""
    return {v.list_id for v in loaded.versions} | {REGISTRY_LIST}


def screen_names(
    requests: list[ScreeningRequest],
    *,
    loaded: LoadedIndex,
    lists: list[str] | None = None,
    threshold: float | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[ScreeningResult]:
    """Gives the best candidates for each name from the index's lists (or the chosen ones)."""
    chosen: set[str] | None = None
    if lists:
        unknown = sorted(set(lists) - known_lists(loaded))
        if unknown:
            raise InvalidInput(
                f"No active version to screen against for {', '.join(unknown)}.",
                details={"unknown_lists": unknown, "available": sorted(known_lists(loaded))},
            )
        chosen = set(lists)
    results = [
        ScreeningResult(request, _without_echoes(loaded.index.search(
            request.name, kind=request.kind, lists=chosen, limit=limit + 2,
            threshold=threshold))[:limit])
        for request in requests
    ]
    _count(results, chosen or known_lists(loaded))
    return results


def _count(results: list[ScreeningResult], lists: set[str]) -> None:
    for list_id in lists:
        metrics.NAMES_SCREENED.labels(list_id).inc(len(results))
    found: Counter[str] = Counter(m.name.list_id for result in results
                                  for m in result.matches if m.match)
    for list_id, count in found.items():
        metrics.MATCHES.labels(list_id).inc(count)


def _without_echoes(matches: list[Match]) -> list[Match]:
    """Drops registry hits for entities already found through a linked list entry.

    The list entry says more (list, key, programs) and carries the entity id itself, so the
    registry's own spelling of the same entity would only repeat it.
    """
    listed_entities = {m.name.entity_id for m in matches
                       if m.name.list_id != REGISTRY_LIST and m.name.entity_id}
    return [m for m in matches
            if m.name.list_id != REGISTRY_LIST or m.name.entity_id not in listed_entities]


def compare_names(name1: str, name2: str, kind: str | None = None,
                  threshold: float | None = None) -> dict[str, Any]:
    """Gives the score of two names, the decision at the threshold, and why."""
    decision = DEFAULT_THRESHOLD if threshold is None else threshold
    comparison = compare(name1, name2, kind, threshold=decision)
    return {
        "name1": name1,
        "name2": name2,
        "kind": kind,
        "score": round(comparison.score, 4),
        "match": comparison.match,
        "threshold": decision,
        "explanation": comparison.explanation,
        "matcher": MATCHER.describe(),
    }


def list_versions_json(loaded: LoadedIndex, lists: list[str] | None = None
                       ) -> list[dict[str, Any]]:
    """Gives the list versions a screening used."""
    return [v.to_dict() for v in loaded.versions if not lists or v.list_id in lists]
