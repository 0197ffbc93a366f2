"""Gunicorn hooks of `xref serve`: each worker starts its job runner and builds its index at boot.

Without this a restarted server would resume its jobs only when the first request arrives.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    import threading

    from service.jobs.serving import start_runner
    from service.web import warm_index

    # The app is loaded in the worker (no --preload), so its threads are not lost to a fork.
    start_runner(worker.wsgi)
    # Build the screening index now rather than during the first request (seconds for the SDN).
    threading.Thread(target=warm_index, args=(worker.wsgi,), name="index-warm-up",
                     daemon=True).start()


def child_exit(_server: Any, worker: Any) -> None:
    from service.metrics import mark_process_dead

    # In the arbiter: a dead worker's live gauges (the index size) must stop counting.
    mark_process_dead(worker.pid)


def worker_exit(_server: Any, worker: Any) -> None:
    from service.jobs.serving import stop_runner

    # A chunk being screened is finished and recorded rather than left to its lease running out.
    stop_runner(worker.wsgi, timeout=float(worker.cfg.graceful_timeout) - 1)
