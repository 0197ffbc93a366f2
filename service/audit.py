"""The audit log: one append-only record per screening, with the list versions it used.

Every screening — `/v1/screen`, `/v1/compare`, batch jobs, watchlist re-screens and
`xref screen` — appends a record saying when, who (an API key id, "admin-token", "cli" or
"system"), what was asked (the names, or only their sha256 when `XREF_AUDIT_STORE_NAMES` is
off), with which threshold and lists, against which list versions, and what it found. Nothing
here updates a record; `prune` removes those past the retention period, and only the
`xref audit prune` command calls it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from service.matching.algorithm import MATCHER
from service.models import AuditRecord, utcnow
from service.screening.screen import ScreeningResult

# Names a record holds itself; a bigger screening (a job) is identified by `names_sha256` and
# its reference, whose own rows hold the names.
MAX_NAMES_IN_RECORD = 1000
# "review": an analyst's decision on a hit recorded or withdrawn (service/reviews.py).
KINDS = ("screen", "compare", "job", "watchlist", "review")
CSV_COLUMNS = ("id", "at", "actor", "kind", "reference", "name_count", "candidate_count",
               "match_count", "threshold", "lists", "list_versions", "names_sha256", "names",
               "matcher_name", "matcher_version", "review")


@dataclass(frozen=True)
class Counts:
    """What a screening found: names screened, candidates returned, candidates matching."""

    names: int
    candidates: int
    matches: int

    @classmethod
    def of(cls, results: Sequence[ScreeningResult]) -> Counts:
        """Gives the counts of a list of screening results."""
        return cls(len(results), sum(len(r.matches) for r in results),
                   sum(1 for r in results for m in r.matches if m.match))

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.names + other.names, self.candidates + other.candidates,
                      self.matches + other.matches)


def name_sha256(name: str) -> str:
    """Gives the sha256 hex of one name (what a record holds when names are not stored)."""
    return hashlib.sha256(name.encode()).hexdigest()


class NamesDigest:
    """sha256 over names, one per line, fed as they stream by (a job's million names)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def add(self, name: str) -> None:
        self._digest.update(name.encode() + b"\n")

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def names_sha256(names: Iterable[str]) -> str:
    """Gives the sha256 over the names, one per line."""
    digest = NamesDigest()
    for name in names:
        digest.add(name)
    return digest.hexdigest()


def record_screening(
    kind: str,
    names: Sequence[str] | None,
    counts: Counts,
    *,
    session: Session,
    actor: str,
    list_versions: Sequence[dict[str, Any]],
    store_names: bool,
    threshold: float | None = None,
    lists: Sequence[str] | None = None,
    reference: str | None = None,
    digest: str | None = None,
    matcher: tuple[str | None, str | None] = (MATCHER.NAME, MATCHER.VERSION),
    review: dict[str, Any] | None = None,
) -> AuditRecord:
    """Gives the new audit record of a screening, added to the session (the caller commits).

    `names` may be None for a screening too large to hold (give `digest` then). `matcher` is
    the name and version of the matcher that scored: this process's unless the screening
    recorded its own (a job).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    kept: list[str] | None = None
    if names is not None and len(names) <= MAX_NAMES_IN_RECORD:
        kept = list(names) if store_names else [f"sha256:{name_sha256(n)}" for n in names]
    record = AuditRecord(
        actor=actor,
        kind=kind,
        names=kept,
        names_sha256=digest or names_sha256(names or ()),
        lists=list(lists) if lists else None,
        threshold=threshold,
        list_versions=list(list_versions),
        name_count=counts.names,
        candidate_count=counts.candidates,
        match_count=counts.matches,
        reference=reference,
        matcher_name=matcher[0],
        matcher_version=matcher[1],
        review=review,
    )
    session.add(record)
    return record


def _filtered(query: Any, since: datetime | None, until: datetime | None, actor: str | None,
              kind: str | None) -> Any:
    if since is not None:
        query = query.where(col(AuditRecord.at) >= since)
    if until is not None:
        query = query.where(col(AuditRecord.at) < until)
    if actor:
        query = query.where(col(AuditRecord.actor) == actor)
    if kind:
        query = query.where(col(AuditRecord.kind) == kind)
    return query


def search_records(*, session: Session, since: datetime | None = None,
                   until: datetime | None = None, actor: str | None = None,
                   kind: str | None = None, page: int = 1, per_page: int = 50
                   ) -> tuple[list[AuditRecord], int]:
    """Gives one page of the records matching the filters, oldest first, and their total."""
    total = session.exec(_filtered(select(func.count()).select_from(AuditRecord),
                                   since, until, actor, kind)).one()
    records = session.exec(
        _filtered(select(AuditRecord), since, until, actor, kind)
        .order_by(col(AuditRecord.id)).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(records), int(total)


def iter_records(*, session: Session, since: datetime | None = None,
                 until: datetime | None = None, actor: str | None = None,
                 kind: str | None = None, batch: int = 1000) -> Iterator[AuditRecord]:
    """Gives every record matching the filters, oldest first, fetched a batch at a time."""
    last_id = 0
    while True:
        rows = session.exec(
            _filtered(select(AuditRecord), since, until, actor, kind)
            .where(col(AuditRecord.id) > last_id).order_by(col(AuditRecord.id)).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id or last_id


def record_row(record: AuditRecord) -> dict[str, Any]:
    """Gives a record as one CSV row (`CSV_COLUMNS`)."""
    return {
        "id": record.id,
        "at": record.at.isoformat(),
        "actor": record.actor,
        "kind": record.kind,
        "reference": record.reference or "",
        "name_count": record.name_count,
        "candidate_count": record.candidate_count,
        "match_count": record.match_count,
        "threshold": "" if record.threshold is None else record.threshold,
        "lists": ";".join(record.lists or ()),
        "list_versions": ";".join(f"{v['list']}:{v['version']}" for v in record.list_versions),
        "names_sha256": record.names_sha256,
        "names": "|".join(record.names) if record.names is not None else "",
        "matcher_name": record.matcher_name or "",
        "matcher_version": record.matcher_version or "",
        "review": _review_cell(record.review),
    }


def _review_cell(review: dict[str, Any] | None) -> str:
    """Gives a review record's cell: "recorded false_positive us_ofac_sdn:10481 #3: note"."""
    if not review:
        return ""
    cell = (f"{review['action']} {review['decision']} {review['list']}:{review['list_key']}"
            f" #{review['id']}")
    return f"{cell}: {review['note']}" if review.get("note") else cell


def prune(*, session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Gives how many records older than the retention period were deleted (caller commits)."""
    if retention_days < 1:
        raise ValueError("the retention period must be at least one day")
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    result = session.exec(delete(AuditRecord).where(col(AuditRecord.at) < cutoff))
    return int(result.rowcount or 0)
