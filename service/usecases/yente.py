"""Use cases of the yente-compatible API: match and search as OpenSanctions' yente answers
them, an entity by id, the catalog of datasets.

Matching and searching are screenings like any other (`screen_and_record`): the same
matcher, details and audit record. Each list is a dataset; `default` is all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from service.errors import NotFound
from service.matching.algorithm import MATCHER
from service.matching.index import Match
from service.models import ListEntryRow
from service.screening.catalog import LoadedIndex
from service.screening.ftm import (
    dataset_lists,
    entry_entity,
    query_requests,
    split_entity_id,
)
from service.screening.screen import ScreeningRequest
from service.terms import LISTS
from service.usecases.screening import ScreeningOptions, screen_and_record


def _lists_of(dataset: str, loaded: LoadedIndex) -> list[str]:
    lists = dataset_lists(dataset, [v.list_id for v in loaded.versions])
    if lists is None:
        raise NotFound(f"No dataset '{dataset}': use 'default' or a list id with an active "
                       "version.", details={"datasets": ["default",
                                                         *(v.list_id for v in loaded.versions)]})
    return lists


def _seen(loaded: LoadedIndex, list_id: str) -> str | None:
    return next((v.data_date.isoformat() for v in loaded.versions
                 if v.list_id == list_id and v.data_date), None)


def _entities(keys: list[tuple[str, str]], *, session: Session, loaded: LoadedIndex
              ) -> dict[tuple[str, str], dict[str, Any]]:
    """Gives the entity of each (list, key) of the index's active versions."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for list_id, key in keys:
        version = loaded.version_of(list_id)
        if version is None:
            continue
        data = session.exec(select(ListEntryRow.data).where(
            ListEntryRow.version_id == version, ListEntryRow.key == key)).first()
        if data is not None:
            found[(list_id, key)] = entry_entity(list_id, data, seen=_seen(loaded, list_id))
    return found


def _best_per_entry(matches: list[Match]) -> list[Match]:
    best: dict[tuple[str, str], Match] = {}
    for match in matches:
        key = (match.name.list_id, match.name.list_key)
        if key not in best or match.score > best[key].score:
            best[key] = match
    return sorted(best.values(), key=lambda m: (-m.score, m.name.list_id, m.name.list_key))


def match_entities(queries: Mapping[str, Mapping[str, Any]], dataset: str, *,
                   options: ScreeningOptions, cutoff: float, session: Session,
                   loaded: LoadedIndex) -> dict[str, Any]:
    """Gives yente's match answer: per query, the best entries (each name of the query
    screened with its details, the best score per entry), and writes the audit record."""
    options = ScreeningOptions(options.actor, options.store_names, _lists_of(dataset, loaded),
                               options.threshold, options.limit)
    requests: list[ScreeningRequest] = []
    for query_id, query in queries.items():
        requests += query_requests(query_id, str(query.get("schema") or "LegalEntity"),
                                   query.get("properties") or {})
    by_query: dict[str, list[Match]] = {query_id: [] for query_id in queries}
    if requests and options.lists:
        screening = screen_and_record(requests, options, session=session, loaded=loaded)
        for result in screening.results:
            by_query[str(result.request.id)] += result.matches
    chosen = {q: [m for m in _best_per_entry(found) if m.score >= cutoff][:options.limit]
              for q, found in by_query.items()}
    entities = _entities([(m.name.list_id, m.name.list_key) for found in chosen.values()
                          for m in found], session=session, loaded=loaded)
    responses = {}
    for query_id, found in chosen.items():
        results = [{**entities[(m.name.list_id, m.name.list_key)],
                    "score": round(m.score, 4), "match": m.match,
                    "explanations": {MATCHER.NAME: m.explanation}}
                   for m in found if (m.name.list_id, m.name.list_key) in entities]
        responses[query_id] = {"status": 200, "results": results,
                               "total": {"value": len(results), "relation": "eq"},
                               "query": dict(queries[query_id])}
    return {"responses": responses, "limit": options.limit, "matcher": MATCHER.describe()}


def search_entities(q: str, dataset: str, schema: str | None, *, options: ScreeningOptions,
                    session: Session, loaded: LoadedIndex) -> dict[str, Any]:
    """Gives yente's search answer: the entries whose names are nearest to `q`."""
    answer = match_entities({"search": {"schema": schema or "LegalEntity",
                                        "properties": {"name": [q]}}},
                            dataset, options=options, cutoff=0.0, session=session,
                            loaded=loaded)["responses"]["search"]
    return {"results": answer["results"], "total": answer["total"], "limit": options.limit,
            "offset": 0}


def get_entity(value: str, *, session: Session, loaded: LoadedIndex) -> dict[str, Any]:
    """Gives the entity of an entry of an active version, or raises NotFound."""
    where = split_entity_id(value)
    found = _entities([where], session=session, loaded=loaded) if where else {}
    if not where or where not in found:
        raise NotFound(f"No entity '{value}' on an active list version.")
    return found[where]


def catalog(loaded: LoadedIndex) -> dict[str, Any]:
    """Gives yente's catalog: each list with an active version as a dataset, and `default`
    as the collection of them all."""
    datasets: list[dict[str, Any]] = [
        {"name": v.list_id, "title": LISTS.get(v.list_id, v.list_id), "type": "source",
         "version": str(v.version),
         "last_export": v.data_date.isoformat() if v.data_date else None,
         "load": True, "children": []} for v in loaded.versions]
    names = [d["name"] for d in datasets]
    default = {"name": "default", "title": "Every list", "type": "collection",
               "version": ",".join(str(v.version) for v in loaded.versions),
               "last_export": None, "load": True, "children": names}
    return {"datasets": [default, *datasets], "current": ["default", *names],
            "outdated": [], "index_stale": False}
