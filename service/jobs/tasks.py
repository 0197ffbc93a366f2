"""The RQ path: a job's chunks are enqueued on Redis and screened by `xref worker` processes.

The tasks carry only (job id, chunk number): the names, the lease and the results stay in the
database, so workers on any number of machines sharing it give the same results as the
in-process runner (both call `execute.run_next_chunk`). A task whose chunk is already done or
leased to a live worker does nothing, so enqueuing a chunk twice is harmless: `sweep` relies
on that to re-enqueue chunks whose worker died (lease expired) or whose task was lost.

Workers are `SimpleWorker`s (no fork per task): the index of the active versions is built
once per worker process and kept, not rebuilt for every chunk.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.config import Settings
from service.db import make_engine
from service.jobs.execute import new_owner, run_next_chunk
from service.jobs.runner import housekeeping
from service.jobs.store import ACTIVE_STATES
from service.models import ScreeningJob, ScreeningJobChunk, utcnow
from service.screening.catalog import IndexHolder

log = logging.getLogger(__name__)

QUEUE = "xref-jobs"
# A chunk of a thousand names takes seconds; this only stops a stuck task.
TASK_TIMEOUT = 3600


@dataclass
class WorkerContext:
    """What the tasks of one worker process share: settings, engine and the index."""

    settings: Settings
    engine: Engine
    holder: IndexHolder = field(default_factory=IndexHolder)
    owner: str = field(default_factory=new_owner)


_context: WorkerContext | None = None
_context_lock = threading.Lock()


def configure(settings: Settings, engine: Engine | None = None) -> WorkerContext:
    """Sets (and gives) the context the tasks of this process run with."""
    global _context
    with _context_lock:
        _context = WorkerContext(settings, engine or make_engine(settings.database_url))
        return _context


def context() -> WorkerContext:
    """Gives this process's task context, made from the environment on first use."""
    with _context_lock:
        current = _context
    return current or configure(Settings.from_env())


def queue(settings: Settings, connection: Redis | None = None) -> Queue:
    """Gives the jobs queue on the configured Redis."""
    return Queue(QUEUE, connection=connection or Redis.from_url(settings.redis_url),
                 default_timeout=TASK_TIMEOUT)


def run_chunk(job_id: str, seq: int) -> bool:
    """The task: screens chunk `seq` of the job if nobody has; gives whether it did."""
    ctx = context()
    return run_next_chunk(engine=ctx.engine, holder=ctx.holder, settings=ctx.settings,
                          owner=ctx.owner, job_id=job_id, seq=seq)


def enqueue_chunks(job_id: str, seqs: list[int], *, engine: Engine, jobs: Queue) -> None:
    """Enqueues one task per chunk and notes when (the caller has committed the job)."""
    with jobs.connection.pipeline() as pipe:
        for seq in seqs:
            jobs.enqueue_call(run_chunk, args=(job_id, seq), pipeline=pipe,
                              description=f"job {job_id} chunk {seq}",
                              result_ttl=0, failure_ttl=86400)
        pipe.execute()
    with Session(engine) as session:
        session.exec(update(ScreeningJobChunk)
                     .where(col(ScreeningJobChunk.job_id) == job_id,
                            col(ScreeningJobChunk.seq).in_(seqs))
                     .values(enqueued_at=utcnow()))
        session.commit()


def sweep(*, engine: Engine, jobs: Queue) -> int:
    """Gives how many chunks were re-enqueued: leased by a dead worker, never enqueued, or
    (when the queue is empty, so their tasks were lost with Redis's data) still pending."""
    now = utcnow()
    pending = col(ScreeningJobChunk.status) == "pending"
    if jobs.count:
        pending = pending & col(ScreeningJobChunk.enqueued_at).is_(None)
    with Session(engine) as session:
        rows = session.exec(
            select(ScreeningJobChunk.job_id, ScreeningJobChunk.seq)
            .join(ScreeningJob, col(ScreeningJob.id) == col(ScreeningJobChunk.job_id))
            .where(col(ScreeningJob.status).in_(ACTIVE_STATES),
                   or_(pending,
                       (col(ScreeningJobChunk.status) == "running")
                       & (col(ScreeningJobChunk.lease_expires_at) < now)))
            .order_by(col(ScreeningJob.created_at), col(ScreeningJobChunk.seq))).all()
    by_job: dict[str, list[int]] = {}
    for job_id, seq in rows:
        by_job.setdefault(job_id, []).append(seq)
    for job_id, seqs in by_job.items():
        enqueue_chunks(job_id, seqs, engine=engine, jobs=jobs)
    return len(rows)


def work(settings: Settings, *, burst: bool = False, connection: Redis | None = None) -> None:
    """Runs a worker on the jobs queue; `burst` stops it once the queue is empty.

    Before working, and every `job_poll_seconds` while it works, it sweeps lost chunks back
    onto the queue and re-screens the watchlists against newly activated versions.
    """
    ctx = configure(settings)
    jobs = queue(settings, connection)

    def keep_house() -> None:
        try:
            sweep(engine=ctx.engine, jobs=jobs)
            housekeeping(engine=ctx.engine, holder=ctx.holder, settings=settings)
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("worker housekeeping")

    keep_house()
    stop = threading.Event()
    if not burst:
        def loop() -> None:
            while not stop.wait(settings.job_poll_seconds):
                keep_house()

        threading.Thread(target=loop, daemon=True, name="xref-worker-housekeeping").start()
    try:
        SimpleWorker([jobs], connection=jobs.connection).work(burst=burst)
    finally:
        stop.set()
