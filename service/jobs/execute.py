"""Screening one chunk of a job: lease it, screen it, record it. Both runners use this.

Every step that two processes could race on is one conditional UPDATE whose row count says
who won: leasing a chunk (pending, or leased to a process whose lease ran out), recording it
(only by the lease's holder), and finishing the job (only once). The job's row is updated
first when a chunk is recorded, which serialises the chunks of one job finishing at the same
moment, so exactly one of them sees that no chunk is left and finishes the job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.config import Settings
from service.errors import ServiceError
from service.jobs.store import ACTIVE_STATES, MATCH_FIELDS, record_job
from service.models import ScreeningJob, ScreeningJobChunk, utcnow
from service.screening.catalog import IndexHolder, LoadedIndex
from service.screening.screen import (
    list_versions_json,
    match_json,
    request_of_row,
    screen_names,
)

log = logging.getLogger(__name__)

# A chunk leased this many times without being recorded (its process died each time, say
# out of memory) fails its job rather than taking down process after process.
MAX_ATTEMPTS = 3
HEARTBEATS_PER_LEASE = 3


class LostLease(Exception):
    """The chunk's lease ran out and another process took the chunk over."""


def new_owner() -> str:
    """Gives a lease-holder id unique to this process and thread of work."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


@dataclass
class Claim:
    """A chunk leased to this process, with what its screening needs."""

    chunk_id: int
    job_id: str
    seq: int
    owner: str
    names: list[list[Any]]
    lists: list[str] | None
    threshold: float | None
    limit: int
    # The versions the job was pinned to when it was submitted: every chunk is screened
    # against these, whatever is active when the chunk runs.
    list_versions: list[dict[str, Any]]

    def pinned(self) -> list[tuple[str, int]]:
        """Gives the (list, version) pairs the chunk must be screened against."""
        return [(v["list"], int(v["version"])) for v in self.list_versions]


@dataclass
class ChunkOutcome:
    """A screened chunk: each name's candidates and the counts."""

    results: list[list[list[Any]]]
    hits: int
    candidates: int
    matches: int
    list_versions: list[dict[str, Any]]


def _claimable(now: Any) -> Any:
    return or_(col(ScreeningJobChunk.status) == "pending",
               (col(ScreeningJobChunk.status) == "running")
               & (col(ScreeningJobChunk.lease_expires_at) < now))


def claim_chunk(*, session: Session, owner: str, loaded: LoadedIndex, lease_seconds: int,
                store_names: bool, job_id: str | None = None, seq: int | None = None
                ) -> Claim | None:
    """Gives the next chunk leased to `owner` (oldest job first), or None if there is none.

    A job submitted before versions were pinned at submission gets them pinned by its first
    chunk, from the index of this process. The caller commits.
    """
    while True:
        now = utcnow()
        query = (select(ScreeningJobChunk.id)
                 .join(ScreeningJob, col(ScreeningJob.id) == col(ScreeningJobChunk.job_id))
                 .where(col(ScreeningJob.status).in_(ACTIVE_STATES), _claimable(now))
                 .order_by(col(ScreeningJob.created_at), col(ScreeningJobChunk.seq))
                 .limit(10))
        if job_id is not None:
            query = query.where(col(ScreeningJobChunk.job_id) == job_id)
        if seq is not None:
            query = query.where(col(ScreeningJobChunk.seq) == seq)
        candidates = session.exec(query).all()
        if not candidates:
            return None
        for chunk_id in candidates:
            won = session.exec(
                update(ScreeningJobChunk)
                .where(col(ScreeningJobChunk.id) == chunk_id, _claimable(now))
                .values(status="running", lease_owner=owner,
                        lease_expires_at=now + timedelta(seconds=lease_seconds),
                        attempts=ScreeningJobChunk.attempts + 1)
            ).rowcount == 1
            if not won:
                continue
            chunk = session.get(ScreeningJobChunk, chunk_id, populate_existing=True)
            assert chunk is not None
            job = session.get(ScreeningJob, chunk.job_id, populate_existing=True)
            assert job is not None
            if chunk.attempts > MAX_ATTEMPTS:
                fail_job(job.id, f"chunk {chunk.seq} was started {MAX_ATTEMPTS} times without "
                         "finishing", session=session, store_names=store_names)
                break
            session.exec(
                update(ScreeningJob)
                .where(col(ScreeningJob.id) == job.id, col(ScreeningJob.status) == "queued")
                .values(status="running", started_at=now))
            if job.list_versions is None:
                session.exec(
                    update(ScreeningJob)
                    .where(col(ScreeningJob.id) == job.id,
                           col(ScreeningJob.list_versions).is_(None))
                    .values(list_versions=list_versions_json(loaded, job.lists)))
                session.refresh(job)
            return Claim(chunk_id or 0, job.id, chunk.seq, owner, chunk.names, job.lists,
                         job.threshold, job.limit, list(job.list_versions or []))
        else:
            # Every candidate was taken by another process meanwhile.
            return None


def screen_chunk(claim: Claim, loaded: LoadedIndex) -> ChunkOutcome:
    """Gives the chunk's screening results (no database access)."""
    requests = [request_of_row(row) for row in claim.names]
    results = screen_names(requests, loaded=loaded, lists=claim.lists,
                           threshold=claim.threshold, limit=claim.limit)
    stored: list[list[list[Any]]] = []
    hits = candidates = matches = 0
    for result in results:
        rows = []
        for match in result.matches:
            data = match_json(match)
            # The full score: the CSV formats it exactly as `xref screen` does.
            data["score"] = match.score
            rows.append([data[field] for field in MATCH_FIELDS])
        stored.append(rows)
        candidates += len(result.matches)
        found = sum(1 for m in result.matches if m.match)
        matches += found
        hits += 1 if found else 0
    return ChunkOutcome(stored, hits, candidates, matches,
                        list_versions_json(loaded, claim.lists))


def complete_chunk(claim: Claim, outcome: ChunkOutcome, *, session: Session,
                   store_names: bool) -> bool:
    """Records the chunk's results and progress; gives whether that finished the job.

    Raises LostLease if the chunk is no longer this claim's (the caller rolls back). A chunk
    of a job cancelled meanwhile is recorded all the same: the names were screened.
    """
    now = utcnow()
    # The job's row first: it serialises this job's chunks being recorded at the same moment.
    session.exec(
        update(ScreeningJob)
        .where(col(ScreeningJob.id) == claim.job_id)
        .values(done=ScreeningJob.done + len(claim.names),
                hits=ScreeningJob.hits + outcome.hits))
    recorded = session.exec(
        update(ScreeningJobChunk)
        .where(col(ScreeningJobChunk.id) == claim.chunk_id,
               col(ScreeningJobChunk.lease_owner) == claim.owner,
               col(ScreeningJobChunk.status) == "running")
        .values(status="done", results=outcome.results, hits=outcome.hits,
                candidates=outcome.candidates, matches=outcome.matches,
                list_versions=outcome.list_versions, finished_at=now, lease_owner=None,
                lease_expires_at=None)
    ).rowcount == 1
    if not recorded:
        raise LostLease(f"chunk {claim.seq} of job {claim.job_id} is no longer leased here")
    job = session.get(ScreeningJob, claim.job_id, populate_existing=True)
    assert job is not None
    remaining = session.exec(
        select(func.count()).select_from(ScreeningJobChunk)
        .where(col(ScreeningJobChunk.job_id) == claim.job_id,
               col(ScreeningJobChunk.status) != "done")).one()
    if remaining:
        return False
    finished = session.exec(
        update(ScreeningJob)
        .where(col(ScreeningJob.id) == claim.job_id, col(ScreeningJob.status) == "running")
        .values(status="done", finished_at=now)).rowcount == 1
    if finished:
        session.refresh(job)
        record_job(job, session=session, store_names=store_names)
    return finished


def fail_job(job_id: str, error: str, *, session: Session, store_names: bool) -> None:
    """Marks an active job failed with the reason, and audits what it had screened."""
    failed = session.exec(
        update(ScreeningJob)
        .where(col(ScreeningJob.id) == job_id, col(ScreeningJob.status).in_(ACTIVE_STATES))
        .values(status="failed", error=error[:2000], finished_at=utcnow())).rowcount == 1
    if failed:
        job = session.get(ScreeningJob, job_id, populate_existing=True)
        assert job is not None
        record_job(job, session=session, store_names=store_names)


class Heartbeat:
    """Renews a chunk's lease while it is screened, so a short lease only runs out when the
    process holding it has died (and another takes the chunk over soon after)."""

    def __init__(self, engine: Engine, claim: Claim, lease_seconds: int) -> None:
        self.engine, self.claim, self.lease_seconds = engine, claim, lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"lease-{claim.job_id[:8]}-{claim.seq}")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        # Three renewals per lease: one missed beat (a slow query) does not lose the chunk.
        while not self._stop.wait(self.lease_seconds / HEARTBEATS_PER_LEASE):
            try:
                with Session(self.engine) as session:
                    renewed = session.exec(
                        update(ScreeningJobChunk)
                        .where(col(ScreeningJobChunk.id) == self.claim.chunk_id,
                               col(ScreeningJobChunk.lease_owner) == self.claim.owner,
                               col(ScreeningJobChunk.status) == "running")
                        .values(lease_expires_at=utcnow()
                                + timedelta(seconds=self.lease_seconds))).rowcount == 1
                    session.commit()
            except Exception:  # noqa: BLE001 - the next beat tries again; the lease may lapse
                log.warning("could not renew the lease of chunk %s of job %s",
                            self.claim.seq, self.claim.job_id, exc_info=True)
                continue
            if not renewed:
                # Taken over (the lease lapsed) or the job stopped: recording will say so.
                return


def run_next_chunk(*, engine: Engine, holder: IndexHolder, settings: Settings, owner: str,
                   job_id: str | None = None, seq: int | None = None) -> bool:
    """Leases, screens and records one chunk; gives False when there was none to take.

    Three short transactions: the lease, then the screening with none open (a chunk takes
    seconds; SQLite would hold its write lock the whole time), then the record.
    """
    loaded = holder.current(engine)
    with Session(engine, expire_on_commit=False) as session:
        claim = claim_chunk(session=session, owner=owner, loaded=loaded,
                            lease_seconds=settings.job_lease_seconds,
                            store_names=settings.audit_store_names, job_id=job_id, seq=seq)
        session.commit()
    if claim is None:
        return False
    try:
        with Heartbeat(engine, claim, settings.job_lease_seconds):
            pinned = holder.for_versions(engine, claim.pinned(), claim.lists)
            outcome = screen_chunk(claim, pinned)
    except Exception as error:  # noqa: BLE001 - whatever it was, the job must not hang
        message = error.message if isinstance(error, ServiceError) else "internal error"
        if not isinstance(error, ServiceError):
            log.exception("job %s chunk %s failed", claim.job_id, claim.seq)
        with Session(engine) as session:
            fail_job(claim.job_id, f"chunk {claim.seq}: {message}", session=session,
                     store_names=settings.audit_store_names)
            session.commit()
        return True
    with Session(engine) as session:
        try:
            complete_chunk(claim, outcome, session=session,
                           store_names=settings.audit_store_names)
            session.commit()
        except LostLease as lost:
            session.rollback()
            log.warning("%s; its results here are dropped", lost)
    return True
