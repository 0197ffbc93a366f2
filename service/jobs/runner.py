"""The in-process job runner: threads of the server process screening chunks from the database.

Each server process (every gunicorn worker) may run one; they share the work through chunk
leases, so several processes never screen the same chunk and a process that stops leaves
only its leased chunks behind, which another (or the restarted one) takes over when their
lease runs out. Between chunks the first thread also does the housekeeping every runner
owes: re-screening watchlists against newly activated versions, and webhook deliveries due.

`service.jobs.serving` starts it with the app; tests start and stop one themselves.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service import monitoring
from service.config import Settings
from service.jobs.execute import new_owner, run_next_chunk
from service.screening.catalog import IndexHolder

log = logging.getLogger(__name__)

def runner_kind(settings: Settings) -> str:
    """Gives who runs jobs under these settings: "thread", "rq" or "off"."""
    if settings.job_runner:
        if settings.job_runner not in {"thread", "rq", "off"}:
            raise ValueError(f"XREF_JOB_RUNNER must be thread, rq or off, not "
                             f"{settings.job_runner!r}")
        return settings.job_runner
    return "rq" if settings.redis_url else "thread"


def housekeeping(*, engine: Engine, holder: IndexHolder, settings: Settings) -> int:
    """Gives the number of alerts raised by re-screening watchlists against new versions,
    after delivering the webhooks that are due."""
    loaded = holder.current(engine)
    with Session(engine, expire_on_commit=False) as session:
        alerts = monitoring.rescreen_pending(session=session, loaded=loaded,
                                             store_names=settings.audit_store_names)
        session.commit()
        monitoring.deliver_due(session=session, settings=settings)
    return len(alerts)


class JobRunner:
    """Threads that screen job chunks until stopped."""

    def __init__(self, engine: Engine, settings: Settings, holder: IndexHolder) -> None:
        self.engine, self.settings, self.holder = engine, settings, holder
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> JobRunner:
        """Starts the threads (once)."""
        if self._threads:
            return self
        for number in range(max(1, self.settings.job_threads)):
            thread = threading.Thread(target=self._loop, args=(number == 0,), daemon=True,
                                      name=f"xref-jobs-{number}")
            self._threads.append(thread)
            thread.start()
        return self

    def wake(self) -> None:
        """Tells idle threads to look for work now (a job was just queued)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stops the threads after the chunks they are screening (like a server shutdown)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self, keeps_house: bool) -> None:
        owner = new_owner()
        next_housekeeping = 0.0
        while not self._stop.is_set():
            try:
                if keeps_house and time.monotonic() >= next_housekeeping:
                    housekeeping(engine=self.engine, holder=self.holder, settings=self.settings)
                    next_housekeeping = time.monotonic() + self.settings.job_poll_seconds
                if run_next_chunk(engine=self.engine, holder=self.holder,
                                  settings=self.settings, owner=owner):
                    continue
            except Exception:  # noqa: BLE001 - a database blip must not end the runner
                log.exception("job runner")
            self._wake.wait(self.settings.job_poll_seconds)
            self._wake.clear()
