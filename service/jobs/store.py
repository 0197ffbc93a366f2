"""Jobs in the database: creating one from its names, reading it, cancelling it, its results.

A job's names are stored in chunks as they are read, so a million-name upload never sits in
memory as a million objects; each chunk later holds its own results.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import IO, Any, cast

from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, col, select

from service import audit
from service.errors import Conflict, InvalidInput, NotFound, ServiceError
from service.matching.algorithm import MATCHER
from service.matching.details import DETAIL_FIELDS, DetailError, query_details
from service.models import ScreeningJob, ScreeningJobChunk, utcnow
from service.screening.catalog import LoadedIndex
from service.screening.csvio import SCREEN_COLUMNS, read_names
from service.screening.screen import (
    ScreeningRequest,
    known_lists,
    list_versions_json,
    request_of_row,
    request_row,
)
from service.terms import MAX_NAME_LENGTH, SCREEN_KINDS

ACTIVE_STATES = ("queued", "running")
JOB_STATES = (*ACTIVE_STATES, "done", "failed", "cancelled")
# Order of a candidate's fields as a chunk stores them (lists, not dicts: a million names'
# results are a lot of JSON).
MATCH_FIELDS = ("score", "match", "list", "list_key", "matched_name", "name", "kind",
                "programs", "entity_id")
# Chunk rows per INSERT while a job's names stream in.
_INSERT_BATCH = 20


class TooManyNames(ServiceError):
    status = 413
    code = "too_many_names"


def requests_from_json(items: Sequence[Any]) -> Iterator[ScreeningRequest]:
    """Gives each name of a JSON `names` array: strings, or {name, id?, kind?} objects with
    the optional details (birth_date, nationality, country, id_number, gender)."""
    for position, item in enumerate(items):
        where = f"names[{position}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or set(item) - {"name", "id", "kind", *DETAIL_FIELDS}:
            raise InvalidInput(f"{where}: give a name, or an object with name, id, kind and "
                               f"details ({', '.join(DETAIL_FIELDS)}).",
                               details={"index": position})
        name, identifier, kind = item.get("name"), item.get("id"), item.get("kind")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"{where}: the name must be 1 to {MAX_NAME_LENGTH} characters.",
                               details={"index": position})
        if identifier is not None and (not isinstance(identifier, str) or len(identifier) > 200):
            raise InvalidInput(f"{where}: the id must be a string of at most 200 characters.",
                               details={"index": position})
        # A kind that is not a string (a list, an object) is unhashable: check the type first.
        if kind is not None and (not isinstance(kind, str) or kind not in SCREEN_KINDS):
            raise InvalidInput(f"{where}: unknown kind {kind!r}.",
                               details={"index": position, "kinds": sorted(SCREEN_KINDS)})
        yield ScreeningRequest(name.strip(), identifier or None, kind,
                               _json_details(item, where, position))


def _json_details(item: dict[str, Any], where: str, position: int) -> Any:
    """Gives the details of one JSON name (InvalidInput naming the name and the field)."""
    values = {field: item.get(field) for field in DETAIL_FIELDS if item.get(field) is not None}
    for field, value in values.items():
        items = value if isinstance(value, list) else [value]
        if not items or len(items) > 20 or not all(
                isinstance(v, str) and len(v) <= 100 for v in items):
            raise InvalidInput(f"{where}: {field} must be a string or a list of at most 20 "
                               "strings of at most 100 characters.",
                               details={"index": position, "field": field})
    try:
        return query_details(**values)
    except DetailError as error:
        raise InvalidInput(f"{where}: {error.field}: {error.reason}",
                           details={"index": position, "field": error.field}) from error


class _CountedLines:
    """The lines of a byte stream decoded as UTF-8, counting them for error messages."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        # Line by line, so that a byte that is not UTF-8 is reported on its own line. The
        # line ending stays on the text: csv needs it for newlines inside quoted fields.
        raw = self._stream.readline()
        if not raw:
            raise StopIteration
        self.line += 1
        try:
            return raw.decode("utf-8-sig" if self.line == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput(f"line {self.line}: the file is not UTF-8 text.",
                               details={"line": self.line}) from error


def requests_from_csv(stream: IO[bytes], *, source: str = "file") -> Iterator[ScreeningRequest]:
    """Gives each name of an uploaded CSV (`name` column, optional `id`, `kind`).

    Errors name the line: not UTF-8, a malformed row, an empty or too long name, a bad kind.
    """
    lines = _CountedLines(stream)
    try:
        yield from read_names(cast(IO[str], lines), source=source)
    except csv.Error as error:
        raise InvalidInput(f"{source}, line {lines.line}: {error}.",
                           details={"line": lines.line}) from error


def create_job(
    requests: Iterable[ScreeningRequest],
    *,
    session: Session,
    actor: str,
    loaded: LoadedIndex,
    lists: list[str] | None = None,
    threshold: float | None = None,
    limit: int = 5,
    chunk_size: int = 1000,
    max_names: int = 1_000_000,
) -> ScreeningJob:
    """Gives a new queued job holding the names in chunks (in the caller's transaction)."""
    if lists:
        unknown = sorted(set(lists) - known_lists(loaded))
        if unknown:
            raise InvalidInput(
                f"No active version to screen against for {', '.join(unknown)}.",
                details={"unknown_lists": unknown, "available": sorted(known_lists(loaded))})
    # Pinned now: every chunk is screened against these versions, whatever is active later.
    job = ScreeningJob(id=uuid.uuid4().hex, actor=actor, lists=lists or None,
                       list_versions=list_versions_json(loaded, lists),
                       threshold=threshold, limit=limit, names_sha256="",
                       matcher_name=MATCHER.NAME, matcher_version=MATCHER.VERSION)
    session.add(job)
    session.flush()
    digest = audit.NamesDigest()
    connection = session.connection()
    pending: list[dict[str, Any]] = []
    chunk: list[list[Any]] = []
    total = seq = 0
    for request in requests:
        total += 1
        if total > max_names:
            raise TooManyNames(f"A job holds at most {max_names:,} names; split the input.",
                               details={"max_names": max_names})
        digest.add(request.name)
        chunk.append(request_row(request))
        if len(chunk) == chunk_size:
            pending.append({"job_id": job.id, "seq": seq, "names": chunk})
            seq, chunk = seq + 1, []
            if len(pending) == _INSERT_BATCH:
                connection.execute(insert(ScreeningJobChunk), pending)
                pending = []
    if chunk:
        pending.append({"job_id": job.id, "seq": seq, "names": chunk})
        seq += 1
    if pending:
        connection.execute(insert(ScreeningJobChunk), pending)
    if total == 0:
        raise InvalidInput("The job has no names to screen.")
    job.total, job.chunk_count, job.names_sha256 = total, seq, digest.hexdigest()
    session.add(job)
    session.flush()
    return job


def get_job(job_id: str, *, session: Session) -> ScreeningJob:
    """Gives the job, or raises NotFound."""
    job = session.get(ScreeningJob, job_id)
    if job is None:
        raise NotFound(f"No job '{job_id}'.")
    return job


def search_jobs(*, session: Session, status: str | None = None, actor: str | None = None,
                since: datetime | None = None, page: int = 1, per_page: int = 50
                ) -> tuple[list[ScreeningJob], int]:
    """Gives one page of the jobs matching the filters, newest first, and their total."""
    def filtered(query: Any) -> Any:
        if status is not None:
            query = query.where(col(ScreeningJob.status) == status)
        if actor is not None:
            query = query.where(col(ScreeningJob.actor) == actor)
        if since is not None:
            query = query.where(col(ScreeningJob.created_at) >= since)
        return query

    total = session.exec(filtered(select(func.count()).select_from(ScreeningJob))).one()
    jobs = session.exec(
        filtered(select(ScreeningJob))
        .order_by(col(ScreeningJob.created_at).desc(), col(ScreeningJob.id))
        .offset((page - 1) * per_page).limit(per_page)).all()
    return list(jobs), int(total)


def prune_jobs(*, session: Session, retention_days: int, now: datetime | None = None) -> int:
    """Gives how many stopped jobs older than the retention period were deleted with their
    names and results (caller commits).

    A job counts from when it stopped; queued and running jobs are never removed. The audit
    record each job left has its own retention (XREF_AUDIT_RETENTION_DAYS).
    """
    if retention_days < 1:
        raise ValueError("the retention period must be at least one day")
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    old = (select(ScreeningJob.id)
           .where(col(ScreeningJob.status).not_in(ACTIVE_STATES),
                  col(ScreeningJob.finished_at) < cutoff))
    # The chunks explicitly, not through ON DELETE CASCADE: SQLite enforces it only with
    # foreign keys on, which a connection made outside the service may not have.
    session.exec(delete(ScreeningJobChunk)
                 .where(col(ScreeningJobChunk.job_id).in_(old)))
    result = session.exec(delete(ScreeningJob).where(col(ScreeningJob.id).in_(old)))
    return int(result.rowcount or 0)


def recent_jobs(*, session: Session, limit: int = 50) -> list[ScreeningJob]:
    """Gives the latest jobs, newest first."""
    return search_jobs(session=session, per_page=limit)[0]


def cancel_job(job_id: str, *, session: Session, store_names: bool) -> ScreeningJob:
    """Gives the job after stopping it: no chunk is started after this commits.

    The names screened so far are the job's screening, so they get their audit record now.
    A finished job is left as it is (409).
    """
    job = get_job(job_id, session=session)
    result = session.exec(
        update(ScreeningJob)
        .where(col(ScreeningJob.id) == job_id, col(ScreeningJob.status).in_(ACTIVE_STATES))
        .values(status="cancelled", finished_at=utcnow()))
    if result.rowcount != 1:
        session.refresh(job)
        raise Conflict(f"The job is already {job.status}.", details={"status": job.status})
    session.refresh(job)
    record_job(job, session=session, store_names=store_names)
    return job


def record_job(job: ScreeningJob, *, session: Session, store_names: bool) -> None:
    """Appends the audit record of a job that has stopped, with what its chunks found."""
    small = job.total <= audit.MAX_NAMES_IN_RECORD
    columns: list[Any] = [ScreeningJobChunk.candidates, ScreeningJobChunk.matches,
                          ScreeningJobChunk.list_versions]
    if small:
        columns.append(ScreeningJobChunk.names)
    chunks = session.exec(
        select(*columns)
        .where(col(ScreeningJobChunk.job_id) == job.id, col(ScreeningJobChunk.status) == "done")
        .order_by(col(ScreeningJobChunk.seq))
    ).all()
    versions: list[dict[str, Any]] = []
    for chunk in chunks:
        versions.extend(v for v in chunk[2] or () if v not in versions)
    names = [n[0] for chunk in chunks for n in chunk[3]] if small else None
    counts = audit.Counts(job.done, sum(c[0] for c in chunks), sum(c[1] for c in chunks))
    audit.record_screening("job", names, counts, session=session, actor=job.actor,
                           list_versions=versions, store_names=store_names,
                           threshold=job.threshold, lists=job.lists, reference=job.id,
                           digest=job.names_sha256,
                           matcher=(job.matcher_name, job.matcher_version))


def finished_job(job_id: str, *, session: Session) -> ScreeningJob:
    """Gives the job if its results can be read (it is done), else raises 404 or 409."""
    job = get_job(job_id, session=session)
    if job.status != "done":
        raise Conflict(f"The job is {job.status}; its results are ready when it is done.",
                       details={"status": job.status, "done": job.done, "total": job.total})
    return job


def iter_results(job: ScreeningJob, *, session: Session
                 ) -> Iterator[tuple[ScreeningRequest, list[dict[str, Any]]]]:
    """Gives each name of the job in input order with its candidates, a chunk at a time."""
    job_id, chunk_count = job.id, job.chunk_count
    for seq in range(chunk_count):
        names, results = session.exec(
            select(ScreeningJobChunk.names, ScreeningJobChunk.results)
            .where(col(ScreeningJobChunk.job_id) == job_id, col(ScreeningJobChunk.seq) == seq)
        ).one()
        # End the read transaction before handing rows out: a slow or abandoned download
        # must not hold locks (or a snapshot) while the client reads.
        session.rollback()
        for row, matches in zip(names, results or (), strict=True):
            yield (request_of_row(row),
                   [dict(zip(MATCH_FIELDS, m, strict=True)) for m in matches])


def hits_so_far(job: ScreeningJob, *, session: Session, limit: int = 200
                ) -> list[tuple[ScreeningRequest, list[dict[str, Any]]]]:
    """Gives the names of the job's finished chunks that have a match, with their matching
    candidates, in input order, at most `limit` names (a running job's hits as they come)."""
    found: list[tuple[ScreeningRequest, list[dict[str, Any]]]] = []
    chunks = session.exec(
        select(ScreeningJobChunk.names, ScreeningJobChunk.results)
        .where(col(ScreeningJobChunk.job_id) == job.id, col(ScreeningJobChunk.status) == "done",
               col(ScreeningJobChunk.hits) > 0)
        .order_by(col(ScreeningJobChunk.seq))).all()
    for names, results in chunks:
        for (name, identifier, kind), matches in zip(names, results or (), strict=True):
            hits = [dict(zip(MATCH_FIELDS, m, strict=True)) for m in matches]
            hits = [m for m in hits if m["match"]]
            if hits:
                found.append((ScreeningRequest(name, identifier, kind), hits))
                if len(found) >= limit:
                    return found
    return found


def result_json(request: ScreeningRequest, matches: list[dict[str, Any]], *,
                only_hits: bool = False) -> dict[str, Any]:
    """Gives one name's result in the form of `/v1/screen` (without the explanations).

    It reads back what a chunk stored (`MATCH_FIELDS` of `screen.match_json`), so it follows
    that storage format and stays beside it rather than in the API's schemas.
    """
    return {
        "id": request.id,
        "name": request.name,
        "matches": [{**m, "score": round(m["score"], 4)} for m in matches
                    if m["match"] or not only_hits],
    }


def result_csv_rows(request: ScreeningRequest, matches: list[dict[str, Any]], *,
                    only_hits: bool = False) -> list[dict[str, Any]]:
    """Gives one name's CSV rows, exactly as `xref screen` writes them."""
    base = {"id": request.id or "", "name": request.name}
    if only_hits:
        return [row for row in result_csv_rows(request, matches) if row["match"] == "true"]
    if not matches:
        return [{**base, **{c: "" for c in SCREEN_COLUMNS[2:]}}]
    return [
        {
            **base,
            "rank": rank,
            "score": f"{m['score']:.4f}",
            "match": "true" if m["match"] else "false",
            "list": m["list"],
            "list_key": m["list_key"],
            "matched_name": m["matched_name"],
            "entity_id": m["entity_id"] or "",
            "programs": ";".join(m["programs"]),
        }
        for rank, m in enumerate(matches, start=1)
    ]
