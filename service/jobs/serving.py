"""The runner's wiring into the Flask app (the one module of service/jobs that knows Flask).

The in-process runner starts with the app's first request, unless the app is under test,
and with gunicorn's `post_worker_init` hook of `xref serve`, so that a restarted server
resumes its jobs before anyone calls it. Under RQ (`XREF_REDIS_URL`), a new job's chunks are
enqueued instead and no thread is started.
"""

from __future__ import annotations

import threading

from flask import Flask

from service.config import Settings
from service.jobs.runner import JobRunner, runner_kind
from service.models import ScreeningJob
from service.web import index_holder

EXTENSION = "xref.job_runner"


def get_runner(app: Flask) -> JobRunner | None:
    """Gives the app's runner, if one was made."""
    return app.extensions.get(EXTENSION)


def start_runner(app: Flask) -> JobRunner | None:
    """Starts the app's in-process runner if the settings say jobs run in threads."""
    runner = get_runner(app)
    if runner is None:
        settings: Settings = app.config["SETTINGS"]
        if runner_kind(settings) != "thread":
            return None
        runner = JobRunner(app.extensions["xref.engine"], settings, index_holder(app))
        app.extensions[EXTENSION] = runner
    return runner.start()


def stop_runner(app: Flask, timeout: float = 30.0) -> None:
    """Stops the app's runner after the chunks it is screening, if it has one."""
    runner = get_runner(app)
    if runner is not None:
        runner.stop(timeout)


def dispatch(app: Flask, job: ScreeningJob) -> None:
    """Hands a committed job to whoever runs jobs: wakes the threads or enqueues its chunks."""
    settings: Settings = app.config["SETTINGS"]
    kind = runner_kind(settings)
    if kind == "rq":
        from service.jobs.tasks import enqueue_chunks, queue

        # If Redis is down the chunks keep enqueued_at empty and a worker's sweep sends them.
        enqueue_chunks(job.id, list(range(job.chunk_count)),
                       engine=app.extensions["xref.engine"], jobs=queue(settings))
    elif kind == "thread":
        runner = get_runner(app)
        if runner is not None:
            runner.wake()


def init_app(app: Flask) -> None:
    """Starts the runner with the app's first request, unless the app is under test."""
    started = threading.Event()

    def _start_once() -> None:
        if started.is_set():
            return
        started.set()
        if not app.testing:
            start_runner(app)

    app.before_request(_start_once)
