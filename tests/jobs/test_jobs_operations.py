"""Jobs as an operator sees them: listed with filters and pages, pruned after their retention,
and leases kept short by a heartbeat so that a dead process's chunk is soon taken over."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from click.testing import CliRunner
from flask import Flask
from sqlmodel import Session, col, func, select

from service.cli import main
from service.jobs.execute import Heartbeat, claim_chunk, run_next_chunk
from service.models import AuditRecord, ScreeningJob, ScreeningJobChunk, utcnow
from service.screening.catalog import IndexHolder
from service.security.keys import create_key
from tests.conftest import ADMIN_TOKEN
from tests.jobs.conftest import real_names

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _submit(client, headers: dict[str, str], count: int = 3) -> str:  # type: ignore[no-untyped-def]
    response = client.post("/v1/jobs", json={"names": list(real_names()[:count])},
                           headers=headers)
    assert response.status_code == 202, response.get_json()
    return str(response.get_json()["id"])


def _run_all(app: Flask) -> None:
    holder = IndexHolder()
    while run_next_chunk(engine=app.extensions["xref.engine"], holder=holder,
                         settings=app.config["SETTINGS"], owner="test"):
        pass


def test_jobs_are_listed_with_filters_and_pages(make_app: Callable[..., Flask], sdn: int,
                                                session: Session) -> None:
    app = make_app(job_chunk_size=10)
    client = app.test_client()
    alice, alice_key = create_key("alice", ["screen"], session=session)
    bob, bob_key = create_key("bob", ["screen"], session=session)
    session.commit()
    as_alice = {"Authorization": f"Bearer {alice_key}"}
    as_bob = {"Authorization": f"Bearer {bob_key}"}
    alice_jobs = [_submit(client, as_alice) for _ in range(3)]
    _run_all(app)
    cut = utcnow()
    alice_jobs.append(_submit(client, as_alice))
    bob_job = _submit(client, as_bob)

    mine = client.get("/v1/jobs", headers=as_alice).get_json()
    assert mine["total"] == 4 and mine["page"] == 1 and mine["per_page"] == 20
    # Newest first, only her own.
    assert [j["id"] for j in mine["items"]] == alice_jobs[::-1]
    assert {j["submitted_by"] for j in mine["items"]} == {alice.id}

    done = client.get("/v1/jobs?status=done", headers=as_alice).get_json()
    assert sorted(j["id"] for j in done["items"]) == sorted(alice_jobs[:3])
    recent = client.get("/v1/jobs", query_string={"since": cut.isoformat()},
                        headers=as_alice).get_json()
    assert [j["id"] for j in recent["items"]] == [alice_jobs[3]]
    pages = [client.get(f"/v1/jobs?per_page=3&page={page}", headers=as_alice).get_json()
             for page in (1, 2)]
    assert [len(p["items"]) for p in pages] == [3, 1] and pages[1]["total"] == 4
    assert [j["id"] for p in pages for j in p["items"]] == alice_jobs[::-1]

    # Another key's jobs are the admin's to list.
    refused = client.get(f"/v1/jobs?submitted_by={bob.id}", headers=as_alice)
    assert refused.status_code == 403
    everyone = client.get("/v1/jobs?per_page=200", headers=AUTH).get_json()
    assert everyone["total"] == 5
    assert [j["id"] for j in client.get(f"/v1/jobs?submitted_by={bob.id}",
                                        headers=AUTH).get_json()["items"]] == [bob_job]
    assert client.get("/v1/jobs?status=lost", headers=AUTH).status_code == 422
    assert client.get("/v1/jobs").status_code == 401


def test_prune_removes_old_stopped_jobs_and_keeps_their_audit_records(
        make_app: Callable[..., Flask], sdn: int, session: Session,
        runner: CliRunner) -> None:
    app = make_app(job_chunk_size=2)
    client = app.test_client()
    old_done, recent_done, recent, running = (_submit(client, AUTH) for _ in range(4))
    _run_all(app)
    cancelled = _submit(client, AUTH)
    assert client.delete(f"/v1/jobs/{cancelled}", headers=AUTH).status_code == 200
    long_ago = utcnow() - timedelta(days=40)
    for job_id in (old_done, cancelled):
        job = session.get(ScreeningJob, job_id)
        assert job is not None
        job.finished_at = long_ago
        session.add(job)
    # Queued or running jobs stay whatever their age.
    stuck = session.get(ScreeningJob, running)
    assert stuck is not None
    stuck.status, stuck.finished_at, stuck.created_at = "running", None, long_ago
    session.add(stuck)
    session.commit()
    audit_before = session.exec(select(func.count()).select_from(AuditRecord)).one()

    result = runner.invoke(main, ["jobs", "prune"], env={"XREF_JOB_RETENTION_DAYS": "30"})
    assert result.exit_code == 0, result.output
    assert "removed 2 jobs" in result.output
    session.expire_all()
    left = set(session.exec(select(ScreeningJob.id)).all())
    assert left == {recent_done, recent, running}
    assert not session.exec(select(ScreeningJobChunk).where(
        col(ScreeningJobChunk.job_id).in_([old_done, cancelled]))).all()
    assert session.exec(select(func.count()).select_from(AuditRecord)).one() == audit_before
    assert client.get(f"/v1/jobs/{old_done}", headers=AUTH).status_code == 404
    # Nothing more is old enough.
    assert "removed 0 jobs" in runner.invoke(main, ["jobs", "prune", "--days", "30"]).output


def test_a_heartbeat_keeps_a_short_lease_until_the_chunk_is_done(
        make_app: Callable[..., Flask], sdn: int, session: Session) -> None:
    app = make_app(job_chunk_size=2)
    client = app.test_client()
    _submit(client, AUTH, count=2)
    engine = app.extensions["xref.engine"]
    loaded = IndexHolder().current(engine)
    claim = claim_chunk(session=session, owner="beating", loaded=loaded, lease_seconds=1,
                        store_names=True)
    session.commit()
    assert claim is not None

    def steal() -> object:
        with Session(engine) as other:
            taken = claim_chunk(session=other, owner="thief", loaded=loaded, lease_seconds=1,
                                store_names=True)
            other.commit()
            return taken

    with Heartbeat(engine, claim, lease_seconds=1):
        # Four lease periods: without the beat the lease would have run out three times.
        for _ in range(8):
            time.sleep(0.5)
            assert steal() is None
    # The beat stopped, as it does when a process dies: the lease lapses, another takes over.
    deadline = time.monotonic() + 30
    while (taken := steal()) is None:
        assert time.monotonic() < deadline, "the chunk was never taken over"
        time.sleep(0.2)
    assert taken.seq == claim.seq  # type: ignore[attr-defined]
