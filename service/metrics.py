"""Prometheus metrics: what every process counts, and what is read from the database at scrape.

Counters and histograms are counted where things happen (the request log, the screening, the
index holder, webhook deliveries, the rate limiter) in whichever process does them. Under
`xref serve` and `xref worker`, `PROMETHEUS_MULTIPROC_DIR` is set (from XREF_METRICS_DIR)
before prometheus_client is loaded, so each process writes its samples to a file there and
`/metrics` of any gunicorn worker adds up every process on the machine; without it (tests,
`flask run`) the samples stay in the process.

What the database already knows (the active versions' age and size, chunks by state) is read
when scraped rather than counted: it is the same whichever process answers, and it stays true
across restarts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func
from sqlmodel import Session, col, select

from service.models import ListVersion, SanctionsList, ScreeningJob, ScreeningJobChunk, utcnow

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter("xref_http_requests", "HTTP requests answered, by route and status.",
                   ["method", "route", "status"])
# Buckets from a cached screening (milliseconds) to a large job upload (seconds).
REQUEST_SECONDS = Histogram("xref_http_request_duration_seconds",
                            "Time to answer an HTTP request, by route.", ["method", "route"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                                     30))
NAMES_SCREENED = Counter("xref_names_screened",
                         "Names screened, by list screened against (API, CLI and jobs).",
                         ["list"])
MATCHES = Counter("xref_matches", "Candidates at or above the decision threshold, by list.",
                  ["list"])
INDEX_BUILD_SECONDS = Histogram("xref_index_build_seconds",
                                "Time to build a process's screening index.",
                                buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
# The newest build of any live process: every process builds the same index.
INDEX_NAMES = Gauge("xref_index_names", "Names in the screening index last built.",
                    multiprocess_mode="livemostrecent")
WEBHOOK_DELIVERIES = Counter("xref_webhook_deliveries",
                             "Webhook delivery attempts, by outcome (delivered, retry, failed).",
                             ["outcome"])
RATE_LIMITED = Counter("xref_rate_limited", "Requests refused by the per-key rate limit.")


def multiprocess_dir() -> str | None:
    """Gives the folder the processes share their samples through, if multiprocess mode is on."""
    return os.environ.get(MULTIPROC_ENV) or None


def serve_machine_metrics(host: str, port: int) -> bool:
    """Serves every process's samples of this machine on host:port (for a worker machine,
    which has no `xref serve`); gives False when another process of the machine already does.

    No key is asked there: bind it to an address only Prometheus reaches.
    """
    from prometheus_client import start_http_server

    registry = _processes_registry()
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError:
        return False
    return True


def mark_process_dead(pid: int) -> None:
    """Drops a stopped process's live gauges (gunicorn's child_exit hook calls this)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


class _ThisProcess:
    """The samples of this process alone (when no folder is shared)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class DatabaseCollector:
    """Gauges read from the database at scrape time."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[Metric]:
        now = utcnow()
        age = GaugeMetricFamily("xref_list_version_age_seconds",
                                "Seconds since the active version of each list was fetched.",
                                labels=["list", "version"])
        entries = GaugeMetricFamily("xref_list_version_entries",
                                    "Entries of the active version of each list.",
                                    labels=["list", "version"])
        for list_id, version_id, fetched_at, count in self.session.exec(
            select(SanctionsList.id, ListVersion.id, ListVersion.fetched_at,
                   ListVersion.entry_count)
            .join(ListVersion, col(ListVersion.id) == col(SanctionsList.active_version_id))
            .order_by(col(SanctionsList.id))
        ).all():
            labels = [list_id, str(version_id)]
            age.add_metric(labels, max(0.0, (now - _aware(fetched_at)).total_seconds()))
            entries.add_metric(labels, float(count or 0))
        yield age
        yield entries

        chunks = GaugeMetricFamily("xref_job_chunks",
                                   "Job chunks by state: queued, running, done, failed, cancelled.",
                                   labels=["state"])
        counts = {"queued": 0, "running": 0, "done": 0, "failed": 0, "cancelled": 0}
        for job_status, chunk_status, count in self.session.exec(
            select(ScreeningJob.status, ScreeningJobChunk.status, func.count())
            .join(ScreeningJob, col(ScreeningJob.id) == col(ScreeningJobChunk.job_id))
            .group_by(col(ScreeningJob.status), col(ScreeningJobChunk.status))
        ).all():
            counts[_chunk_state(job_status, chunk_status)] += int(count)
        for state, count in counts.items():
            chunks.add_metric([state], float(count))
        yield chunks
        # The scrape only reads; no transaction stays open behind it.
        self.session.rollback()


def _chunk_state(job_status: str, chunk_status: str) -> str:
    if chunk_status == "done":
        return "done"
    if job_status in ("queued", "running"):
        return "running" if chunk_status == "running" else "queued"
    # Never screened, and never will be: its job failed or was cancelled.
    return "failed" if job_status == "failed" else "cancelled"


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes (stored as UTC), PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def exposition(*, session: Session) -> bytes:
    """Gives every metric in the Prometheus text format: all processes', then the database's."""
    registry = _processes_registry()
    registry.register(DatabaseCollector(session))
    return generate_latest(registry)


def _processes_registry() -> CollectorRegistry:
    """Gives a registry of every process's samples on this machine (multiprocess mode), or
    of this process alone when no shared folder is set."""
    registry = CollectorRegistry()
    folder = multiprocess_dir()
    if folder:
        MultiProcessCollector(registry, path=folder)
    else:
        registry.register(_ThisProcess())
    return registry
