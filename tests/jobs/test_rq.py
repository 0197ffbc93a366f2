"""The RQ path against the real Redis server: `xref worker --burst` processes screen the chunks.

Skipped when Redis is not reachable, except in CI (CI sets XREF_TEST_REDIS_URL), where it
must run. Redis database 15 is the tests' own.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from sqlmodel import Session, col, select

from service.jobs import tasks
from service.jobs.execute import claim_chunk, new_owner, run_next_chunk
from service.models import ScreeningJobChunk
from service.screening.catalog import IndexHolder
from tests.conftest import ADMIN_TOKEN
from tests.jobs.conftest import names_csv

pytestmark = pytest.mark.redis
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
REDIS_URL = os.environ.get("XREF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> Iterator[str]:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is not usable: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    queue = tasks.Queue(tasks.QUEUE, connection=connection)
    queue.empty()
    yield REDIS_URL
    queue.empty()
    connection.close()


def submit(app: Flask, text: str) -> str:
    response = app.test_client().post(
        "/v1/jobs", headers=AUTH, content_type="multipart/form-data",
        data={"file": (io.BytesIO(text.encode()), "in.csv"), "limit": "3"})
    assert response.status_code == 202, response.get_json()
    return str(response.get_json()["id"])


def run_worker(database_url: str, redis_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XREF_DATABASE_URL": database_url, "XREF_REDIS_URL": redis_url,
           "XREF_JOB_POLL_SECONDS": "1"}
    return subprocess.run([sys.executable, "-m", "service.cli", "worker", "--burst"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


def test_xref_worker_gives_the_in_process_results(
        make_app: Callable[..., Flask], sdn: int, redis_url: str,
        seeded_database_url: str) -> None:
    text = names_csv(450)
    queued = make_app(redis_url=redis_url, job_runner="rq", job_chunk_size=100)
    rq_job = submit(queued, text)
    connection = Redis.from_url(redis_url)
    assert tasks.Queue(tasks.QUEUE, connection=connection).count == 5
    engine = queued.extensions["xref.engine"]
    with Session(engine) as session:
        assert None not in session.exec(select(ScreeningJobChunk.enqueued_at).where(
            col(ScreeningJobChunk.job_id) == rq_job)).all()

    worker = run_worker(seeded_database_url, redis_url)
    assert worker.returncode == 0, worker.stderr[-2000:]
    client = queued.test_client()
    state = client.get(f"/v1/jobs/{rq_job}", headers=AUTH).get_json()
    assert (state["status"], state["done"]) == ("done", 450)

    threaded = make_app(job_chunk_size=100)
    thread_job = submit(threaded, text)
    settings, holder = threaded.config["SETTINGS"], IndexHolder()
    while run_next_chunk(engine=threaded.extensions["xref.engine"], holder=holder,
                         settings=settings, owner=new_owner()):
        pass
    by_rq = client.get(f"/v1/jobs/{rq_job}/results", headers=AUTH).get_data(as_text=True)
    by_thread = threaded.test_client().get(f"/v1/jobs/{thread_job}/results",
                                           headers=AUTH).get_data(as_text=True)
    assert by_rq == by_thread
    assert by_rq.count("\n") > 450


def test_a_worker_sweeps_up_chunks_it_was_never_given(
        make_app: Callable[..., Flask], sdn: int, redis_url: str,
        seeded_database_url: str) -> None:
    # Redis lost the tasks (or was down when the job was queued), and a worker died holding
    # a chunk: the next worker's sweep enqueues both kinds again.
    app = make_app(redis_url=redis_url, job_runner="rq", job_chunk_size=100,
                   job_lease_seconds=1)
    job_id = submit(app, names_csv(300))
    connection = Redis.from_url(redis_url)
    tasks.Queue(tasks.QUEUE, connection=connection).empty()
    engine = app.extensions["xref.engine"]
    with Session(engine) as session:
        for chunk in session.exec(select(ScreeningJobChunk)).all():
            chunk.enqueued_at = None
            session.add(chunk)
        session.commit()
        dead = claim_chunk(session=session, owner="dead-worker",
                           loaded=IndexHolder().current(engine), lease_seconds=-1,
                           store_names=True)
        session.commit()
    assert dead is not None
    jobs = tasks.queue(app.config["SETTINGS"], connection)
    assert tasks.sweep(engine=engine, jobs=jobs) == 3
    # Lost again (say Redis restarted without its data): the worker's own sweep finds the
    # queue empty and the chunks pending, and sends them once more.
    jobs.empty()

    worker = run_worker(seeded_database_url, redis_url)
    assert worker.returncode == 0, worker.stderr[-2000:]
    state = app.test_client().get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    assert (state["status"], state["done"]) == ("done", 300)


def test_the_worker_needs_redis(runner) -> None:  # type: ignore[no-untyped-def]
    from service.cli import main

    result = runner.invoke(main, ["worker", "--burst"], env={"XREF_REDIS_URL": ""})
    assert result.exit_code != 0 and "XREF_REDIS_URL" in result.output


def test_a_killed_workers_chunk_is_taken_over_and_screened_once(
        make_app: Callable[..., Flask], sdn: int, redis_url: str,
        seeded_database_url: str) -> None:
    # Real worker processes with a short lease: the first is SIGKILLed while it screens a
    # chunk (its heartbeat dies with it); the second sweeps the chunk up once the lease lapses.
    # Chunks of thousands of names take the worker seconds each: long enough to be caught
    # holding one.
    total = 6000
    text = names_csv(total)
    app = make_app(redis_url=redis_url, job_runner="rq", job_chunk_size=2000)
    job_id = submit(app, text)
    env = {**os.environ, "XREF_DATABASE_URL": seeded_database_url, "XREF_REDIS_URL": redis_url,
           "XREF_JOB_POLL_SECONDS": "1", "XREF_JOB_LEASE_SECONDS": "3"}
    command = [sys.executable, "-m", "service.cli", "worker"]
    engine = app.extensions["xref.engine"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    second = None
    try:
        deadline = time.monotonic() + 120
        while True:
            with Session(engine) as session:
                held = session.exec(select(ScreeningJobChunk.seq).where(
                    col(ScreeningJobChunk.lease_owner).contains(f":{first.pid}:"),
                    col(ScreeningJobChunk.status) == "running")).first()
                left = session.exec(select(ScreeningJobChunk.seq).where(
                    col(ScreeningJobChunk.job_id) == job_id,
                    col(ScreeningJobChunk.status) != "done")).first()
            if held is not None:
                break
            assert left is not None, "every chunk was done before the worker could be killed"
            assert time.monotonic() < deadline, "the worker never took a chunk"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        client = app.test_client()
        while (state := client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json())[
                "status"] != "done":
            # A hang guard, not a timing target (make scale measures the takeover).
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(30)
    assert state["done"] == state["total"] == total
    with Session(engine) as session:
        chunk = session.exec(select(ScreeningJobChunk).where(
            col(ScreeningJobChunk.job_id) == job_id, col(ScreeningJobChunk.seq) == held)).one()
        assert chunk.status == "done" and chunk.attempts >= 2
    results = client.get(f"/v1/jobs/{job_id}/results?format=json", headers=AUTH).get_json()
    assert [r["id"] for r in results["results"]] == [f"c{n}" for n in range(total)]

    threaded = make_app(job_chunk_size=2000)
    reference = submit(threaded, text)
    holder = IndexHolder()
    while run_next_chunk(engine=threaded.extensions["xref.engine"], holder=holder,
                         settings=threaded.config["SETTINGS"], owner=new_owner()):
        pass
    expected = threaded.test_client().get(f"/v1/jobs/{reference}/results?format=json",
                                          headers=AUTH).get_json()
    assert results["results"] == expected["results"]


def test_a_worker_machine_serves_its_metrics(
        make_app: Callable[..., Flask], sdn: int, redis_url: str,
        seeded_database_url: str, tmp_path: Path) -> None:
    import socket

    import requests
    from prometheus_client.parser import text_string_to_metric_families

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(redis_url=redis_url, job_runner="rq", job_chunk_size=100)
    job_id = submit(app, names_csv(250))
    env = {**os.environ, "XREF_DATABASE_URL": seeded_database_url, "XREF_REDIS_URL": redis_url,
           "XREF_JOB_POLL_SECONDS": "1", "XREF_METRICS_PORT": str(port),
           "XREF_HOST": "127.0.0.1", "XREF_METRICS_DIR": str(tmp_path / "metrics")}
    worker = subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = app.test_client()
        deadline = time.monotonic() + 120
        while client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()["status"] != "done":
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.2)
        text = requests.get(f"http://127.0.0.1:{port}/", timeout=30).text
    finally:
        worker.terminate()
        worker.wait(30)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("xref_names_screened_total", (("list", "us_ofac_sdn"),))] == 250
    assert samples[("xref_matches_total", (("list", "us_ofac_sdn"),))] > 0
