"""Screening names against the lists and the registry, and comparing two names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from service import metrics
from service.errors import InvalidInput
from service.matching.algorithm import MATCHER
from service.matching.details import (
    DETAIL_EXTRA_CANDIDATES,
    NO_DETAILS,
    Details,
    compare_details,
    query_details,
)
from service.matching.index import IndexedName, Match
from service.matching.normalize import canonical_kind
from service.matching.scorer import DEFAULT_THRESHOLD, compare
from service.screening.catalog import LoadedIndex
from service.terms import DEFAULT_LIMIT, REGISTRY_LIST


@dataclass(frozen=True)
class ScreeningRequest:
    """A name to screen, with the caller's own id for it and its kind where known."""

    name: str
    id: str | None = None
    kind: str | None = None
    # Birth dates, nationalities, countries, identifiers and gender, normalised.
    details: Details = NO_DETAILS


def request_row(request: ScreeningRequest) -> list[Any]:
    """Gives the JSON row a request is stored as (a job's chunk): name, id, kind, and the
    details' values when it has any."""
    row: list[Any] = [request.name, request.id, request.kind]
    if request.details:
        row.append(request.details.to_values())
    return row


def request_of_row(row: Sequence[Any]) -> ScreeningRequest:
    """Gives the request a stored row holds (rows stored before details had three fields)."""
    values = row[3] if len(row) > 3 and row[3] else None
    return ScreeningRequest(row[0] or "", row[1], row[2],
                            query_details(**values) if values else NO_DETAILS)


@dataclass
class ScreeningResult:
    """The candidates found for one name, best first."""

    request: ScreeningRequest
    matches: list[Match] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Gives the JSON form the API and the job results use.

        Also a storage format, which is why it stays here rather than in the API's schemas:
        a job's chunks store each candidate's `MATCH_FIELDS` of `match_json` and
        `jobs.store.result_json` reads them back, so changing a key changes stored jobs.
        """
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
        ScreeningResult(request, _without_echoes(
            _search(request, loaded, chosen, limit, threshold))[:limit])
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


def _search(request: ScreeningRequest, loaded: LoadedIndex, chosen: set[str] | None,
            limit: int, threshold: float | None) -> list[Match]:
    """Gives the candidates of one request by name, then (with details) the entries with
    one of its identifiers, each scored again with the details."""
    if not request.details:
        return loaded.index.search(request.name, kind=request.kind, lists=chosen,
                                   limit=limit + 2, threshold=threshold)
    decision = DEFAULT_THRESHOLD if threshold is None else threshold
    found = loaded.index.search(request.name, kind=request.kind, lists=chosen,
                                limit=limit + 2 + DETAIL_EXTRA_CANDIDATES, threshold=threshold)
    found += _by_identifier(request, loaded, chosen, {(m.name.list_id, m.name.list_key)
                                                      for m in found}, decision)
    rescored = []
    for match in found:
        key = (match.name.list_id, match.name.list_key)
        result = compare_details(match.score, request.details,
                                 loaded.entries.details(key))
        explanation = {**match.explanation, **result.explanation()}
        rescored.append(Match(result.score, result.score >= decision, match.name, explanation))
    rescored.sort(key=lambda m: (-m.score, m.name.list_id, m.name.list_key))
    return rescored


def _by_identifier(request: ScreeningRequest, loaded: LoadedIndex, chosen: set[str] | None,
                   seen: set[tuple[str, str]], decision: float) -> list[Match]:
    """Gives the entries carrying one of the request's identifiers that the name search did
    not find, each at the score of its best name against the request's."""
    query_kind = canonical_kind(request.kind)
    matches = []
    for form in sorted(request.details.id_forms()):
        for key in loaded.entries.with_identifier(form):
            if key in seen or (chosen is not None and key[0] not in chosen):
                continue
            names = loaded.entries.names(key)
            if not names or (query_kind and canonical_kind(names[0].kind) not in (
                    None, query_kind)):
                continue
            seen.add(key)
            best: tuple[float, IndexedName, dict[str, Any]] | None = None
            for name in names:
                comparison = compare(request.name, name.name, request.kind, threshold=decision)
                if best is None or comparison.score > best[0]:
                    best = (comparison.score, name, comparison.explanation)
            assert best is not None
            score, name, explanation = best
            matches.append(Match(score, score >= decision, name,
                                 {**explanation, "found_by": "id_number"}))
    return matches


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
                  threshold: float | None = None, details1: Details = NO_DETAILS,
                  details2: Details = NO_DETAILS) -> dict[str, Any]:
    """Gives the score of two names (and their details), the decision at the threshold,
    and why."""
    decision = DEFAULT_THRESHOLD if threshold is None else threshold
    comparison = compare(name1, name2, kind, threshold=decision)
    score, match, explanation = comparison.score, comparison.match, comparison.explanation
    if details1 or details2:
        # Each detail the first side gives is compared; with details on the second side only,
        # the sides swap, so that they are still listed (as unknown: nothing to compare).
        query, candidate = (details1, details2) if details1 else (details2, details1)
        result = compare_details(score, query, candidate)
        score, match = result.score, result.score >= decision
        explanation = {**explanation, **result.explanation()}
    return {
        "name1": name1,
        "name2": name2,
        "kind": kind,
        "score": round(score, 4),
        "match": match,
        "threshold": decision,
        "explanation": explanation,
        "matcher": MATCHER.describe(),
    }


def list_versions_json(loaded: LoadedIndex, lists: list[str] | None = None
                       ) -> list[dict[str, Any]]:
    """Gives the list versions a screening used."""
    return [v.to_dict() for v in loaded.versions if not lists or v.list_id in lists]
