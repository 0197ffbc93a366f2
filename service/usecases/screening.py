"""Use cases of screening: names against the lists, two names against each other, a batch.

Each screening is recorded in the audit log in the same transaction as it is answered, so
the API, the CLI and the job runner cannot record it differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from service import audit, reviews
from service.jobs import store
from service.matching.details import NO_DETAILS, Details
from service.models import ScreeningJob
from service.screening.catalog import LoadedIndex
from service.screening.screen import (
    ScreeningRequest,
    ScreeningResult,
    compare_names,
    list_versions_json,
    screen_names,
)

# Names screened at a time when the caller streams the results (the CLI's large files).
STREAM_CHUNK = 500


@dataclass(frozen=True)
class ScreeningOptions:
    """What the caller chose: lists, threshold, candidates per name, and who asks."""

    actor: str
    store_names: bool
    lists: list[str] | None = None
    threshold: float | None = None
    limit: int = 5


@dataclass
class Screening:
    """A screening's results (none kept when streamed) and the versions it used."""

    results: list[ScreeningResult]
    list_versions: list[dict[str, Any]]
    counts: audit.Counts
    # The reviews in force for the screened names (none gathered when streamed).
    decisions: dict[reviews.Pair, Any] = field(default_factory=dict)


def screen_and_record(requests: Sequence[ScreeningRequest], options: ScreeningOptions, *,
                      session: Session, loaded: LoadedIndex, kind: str = "screen",
                      on_results: Callable[[list[ScreeningResult]], None] | None = None
                      ) -> Screening:
    """Screens the names against the index's lists and writes the audit record.

    With `on_results`, results go to it a chunk at a time and are not kept, so a file of a
    million names screens in constant memory.
    """
    kept: list[ScreeningResult] = []
    counts = audit.Counts(0, 0, 0)
    step = STREAM_CHUNK if on_results else max(1, len(requests))
    for start in range(0, len(requests), step):
        results = screen_names(list(requests[start:start + step]), loaded=loaded,
                               lists=options.lists, threshold=options.threshold,
                               limit=options.limit)
        counts = counts + audit.Counts.of(results)
        if on_results:
            on_results(results)
        else:
            kept.extend(results)
    versions = list_versions_json(loaded, options.lists)
    audit.record_screening(kind, [r.name for r in requests], counts, session=session,
                           actor=options.actor, list_versions=versions,
                           store_names=options.store_names, threshold=options.threshold,
                           lists=options.lists)
    found = reviews.reviews_for([r.name for r in requests], session=session) if kept else {}
    return Screening(kept, versions, counts, found)


def compare_and_record(name1: str, name2: str, kind: str | None, threshold: float | None,
                       *, session: Session, actor: str, store_names: bool,
                       details: tuple[Details, Details] = (NO_DETAILS, NO_DETAILS)
                       ) -> dict[str, Any]:
    """Scores two names (and their details) with the explanation and writes the audit
    record."""
    result = compare_names(name1, name2, kind, threshold, *details)
    audit.record_screening("compare", [name1, name2],
                           audit.Counts(2, 1, 1 if result["match"] else 0), session=session,
                           actor=actor, list_versions=[], store_names=store_names,
                           threshold=result["threshold"])
    return result


def submit_job(names: Iterable[ScreeningRequest], options: ScreeningOptions, *,
               session: Session, loaded: LoadedIndex, chunk_size: int,
               max_names: int) -> ScreeningJob:
    """Stores a batch of names as a queued job in chunks (the runner or workers screen it)."""
    return store.create_job(names, session=session, actor=options.actor, loaded=loaded,
                            chunk_size=chunk_size, max_names=max_names, lists=options.lists,
                            threshold=options.threshold, limit=options.limit)
