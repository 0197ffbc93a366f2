"""Batch jobs through the API and the in-process runner, against a real OFAC excerpt."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from service.cli import main
from service.jobs.execute import claim_chunk, new_owner, run_next_chunk
from service.jobs.serving import start_runner
from service.models import ScreeningJob, ScreeningJobChunk
from service.screening.catalog import IndexHolder
from service.screening.csvio import SCREEN_COLUMNS
from tests.conftest import ADMIN_TOKEN
from tests.jobs.conftest import names_csv, real_names

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def submit_csv(client: FlaskClient, text: str, **form: object) -> dict:
    response = client.post("/v1/jobs", data={"file": (io.BytesIO(text.encode()), "in.csv"),
                                             **form},
                           content_type="multipart/form-data", headers=AUTH)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/v1/jobs/{body['id']}")
    return body


def wait_until_done(client: FlaskClient, job_id: str, timeout: float = 120) -> list[dict]:
    """Polls the job until it stops; gives every state seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
        seen.append(state)
        if state["status"] in ("done", "failed", "cancelled"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {seen[-1]}")


def test_5000_name_csv_job_rises_and_agrees_with_screen(
        make_app: Callable[..., Flask], sdn: int, runner: CliRunner, tmp_path: Path) -> None:
    app = make_app(job_chunk_size=500)
    client = app.test_client()
    text = names_csv(5000)
    created = submit_csv(client, text)
    assert (created["status"], created["total"]) == ("queued", 5000)

    start_runner(app)
    states = wait_until_done(client, created["id"])
    done = [s["done"] for s in states]
    assert done == sorted(done), "progress went backwards"
    final = states[-1]
    assert (final["status"], final["done"], final["total"]) == ("done", 5000, 5000)
    assert final["list_versions"] == [{"list": "us_ofac_sdn", "version": sdn,
                                       "data_date": None}]
    assert final["started_at"] and final["finished_at"] and final["error"] is None

    results = client.get(f"/v1/jobs/{created['id']}/results?format=json",
                         headers=AUTH).get_json()["results"]
    assert [r["id"] for r in results] == [f"c{n}" for n in range(5000)]
    # Name for name, the same candidates as /v1/screen (1,000 names per request).
    for start in range(0, 5000, 1000):
        batch = results[start:start + 1000]
        screened = client.post("/v1/screen", headers=AUTH, json={
            "names": [{"id": r["id"], "name": r["name"]} for r in batch]}).get_json()["results"]
        for job_result, screen_result in zip(batch, screened, strict=True):
            assert job_result["matches"] == [
                {k: v for k, v in m.items() if k != "explanation"}
                for m in screen_result["matches"]], job_result["name"]
    hits = sum(1 for r in results if any(m["match"] for m in r["matches"]))
    assert final["hits"] == hits > 1000

    # The CSV is byte for byte what `xref screen` writes for the same file.
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    cli = runner.invoke(main, ["screen", str(source), "--limit", "5",
                               "--output", str(tmp_path / "out.csv")])
    assert cli.exit_code == 0, cli.output
    exported = client.get(f"/v1/jobs/{created['id']}/results", headers=AUTH)
    assert exported.mimetype == "text/csv"
    assert exported.get_data(as_text=True) == (tmp_path / "out.csv").read_text()

    only = client.get(f"/v1/jobs/{created['id']}/results?only=hits", headers=AUTH)
    rows = list(csv.DictReader(io.StringIO(only.get_data(as_text=True))))
    assert rows and all(r["match"] == "true" for r in rows)
    assert len({r["id"] for r in rows}) == hits


def test_json_job_and_formula_cells(make_app: Callable[..., Flask], sdn: int) -> None:
    app = make_app()
    client = app.test_client()
    response = client.post("/v1/jobs", headers=AUTH, json={
        "names": ["Qasem Soleimani", {"id": "=cmd", "name": "=HYPERLINK(\"x\")"},
                  {"id": "k", "name": "Kata'ib Hizballah", "kind": "organization"}],
        "limit": 2})
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    assert run_next_chunk(engine=app.extensions["xref.engine"], holder=IndexHolder(),
                          settings=app.config["SETTINGS"], owner=new_owner())
    rows = list(csv.reader(io.StringIO(
        client.get(f"/v1/jobs/{job_id}/results", headers=AUTH).get_data(as_text=True))))
    assert rows[0] == list(SCREEN_COLUMNS)
    assert [r[0] for r in rows[1:] if r[1].startswith("'")] == ["'=cmd"]
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert {r[6] for r in rows[1:] if r[0] == "k"} >= {"11462"}


def test_bad_input_is_refused_with_the_line(make_app: Callable[..., Flask], sdn: int) -> None:
    client = make_app(job_max_names=3).test_client()

    def post_csv(data: bytes, **form: object) -> dict:
        response = client.post("/v1/jobs", headers=AUTH, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), "in.csv"), **form})
        return {"status": response.status_code, **response.get_json()["error"]}

    empty = post_csv(b"id,name\n1,Qasem Soleimani\n2,\n")
    assert (empty["status"], empty["details"]["line"]) == (422, 3)
    latin1 = post_csv("name\nQasem Soleimani\nJos\u00e9 Santacruz Londo\u00f1o\n".encode("latin-1"))
    assert (latin1["status"], latin1["details"]["line"]) == (422, 3)
    assert post_csv(b"customer\nQasem Soleimani\n")["status"] == 422
    kind = post_csv(b"name,kind\nQasem Soleimani,human\n")
    assert (kind["status"], kind["details"]["line"]) == (422, 2)
    assert post_csv(b"name\nA\nB\nC\nD\n")["code"] == "too_many_names"
    assert post_csv(b"name\nA\nB\nC\nD\n")["status"] == 413
    assert post_csv(b"name\nQasem Soleimani\n", list="un_sc")["details"]["unknown_lists"] == [
        "un_sc"]
    assert post_csv(b"name\nQasem Soleimani\n", limit="0")["status"] == 422
    assert client.post("/v1/jobs", headers=AUTH, content_type="multipart/form-data",
                       data={"limit": "2"}).status_code == 422
    for body in ({"names": []}, {"names": [""]}, {"names": [{"name": "x", "kind": "ship"}]},
                 {"names": [{"nom": "x"}]}, {"names": ["x"], "threshold": 2}):
        response = client.post("/v1/jobs", headers=AUTH, json=body)
        assert response.status_code == 422, body
    assert client.post("/v1/jobs", headers=AUTH, data="name\nx\n",
                       content_type="text/csv").status_code == 415
    assert client.get("/v1/jobs/nope", headers=AUTH).status_code == 404
    assert client.post("/v1/jobs", json={"names": ["x"]}).status_code == 401
    with Session(client.application.extensions["xref.engine"]) as session:
        assert session.exec(select(ScreeningJob)).all() == []


def test_a_job_resumes_after_the_server_stops(make_app: Callable[..., Flask], sdn: int) -> None:
    first = make_app(job_chunk_size=50, job_lease_seconds=1)
    client = first.test_client()
    job_id = submit_csv(client, names_csv(400))["id"]
    engine, settings = first.extensions["xref.engine"], first.config["SETTINGS"]
    holder = IndexHolder()
    owner = new_owner()
    for _ in range(3):
        assert run_next_chunk(engine=engine, holder=holder, settings=settings, owner=owner)
    # The server dies in the middle of its fourth chunk: leased, never recorded.
    with Session(engine) as session:
        claim = claim_chunk(session=session, owner=owner, loaded=holder.current(engine),
                            lease_seconds=1, store_names=True)
        session.commit()
    assert claim is not None and claim.seq == 3
    halfway = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    assert (halfway["status"], halfway["done"]) == ("running", 150)

    time.sleep(1.1)  # the dead server's lease runs out
    second = make_app(job_chunk_size=50, job_lease_seconds=60, job_poll_seconds=0.1)
    start_runner(second)
    states = wait_until_done(second.test_client(), job_id)
    assert states[-1]["status"] == "done" and states[-1]["done"] == 400
    assert all(s["done"] >= 150 for s in states)
    results = second.test_client().get(f"/v1/jobs/{job_id}/results?format=json",
                                       headers=AUTH).get_json()["results"]
    assert [r["id"] for r in results] == [f"c{n}" for n in range(400)]
    with Session(engine) as session:
        attempts = session.exec(select(ScreeningJobChunk.attempts).where(
            col(ScreeningJobChunk.job_id) == job_id).order_by(col(ScreeningJobChunk.seq))).all()
    assert attempts == [1, 1, 1, 2, 1, 1, 1, 1]


def test_the_recorded_chunk_of_a_lost_lease_is_not_counted_twice(
        make_app: Callable[..., Flask], sdn: int) -> None:
    app = make_app(job_chunk_size=100, job_lease_seconds=1)
    client = app.test_client()
    job_id = submit_csv(client, names_csv(100))["id"]
    engine, holder = app.extensions["xref.engine"], IndexHolder()
    with Session(engine) as session:
        slow = claim_chunk(session=session, owner="slow", loaded=holder.current(engine),
                           lease_seconds=1, store_names=True)
        session.commit()
    with Session(engine) as session:
        assert claim_chunk(session=session, owner="other", loaded=holder.current(engine),
                           lease_seconds=1, store_names=True) is None
    time.sleep(1.1)
    assert run_next_chunk(engine=engine, holder=holder, settings=app.config["SETTINGS"],
                          owner="fast")
    from service.jobs.execute import LostLease, complete_chunk, screen_chunk

    assert slow is not None
    outcome = screen_chunk(slow, holder.current(engine))
    with Session(engine) as session:
        try:
            complete_chunk(slow, outcome, session=session, store_names=True)
            raise AssertionError("the slow process recorded a chunk it no longer held")
        except LostLease:
            session.rollback()
    state = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    assert (state["status"], state["done"]) == ("done", 100)


def test_cancel(make_app: Callable[..., Flask], sdn: int) -> None:
    app = make_app(job_chunk_size=10)
    client = app.test_client()
    job_id = submit_csv(client, names_csv(30))["id"]
    engine, settings = app.extensions["xref.engine"], app.config["SETTINGS"]
    assert run_next_chunk(engine=engine, holder=IndexHolder(), settings=settings, owner="a")
    cancelled = client.delete(f"/v1/jobs/{job_id}", headers=AUTH)
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["status"], cancelled.get_json()["done"]) == ("cancelled", 10)
    assert not run_next_chunk(engine=engine, holder=IndexHolder(), settings=settings, owner="a")
    assert client.delete(f"/v1/jobs/{job_id}", headers=AUTH).status_code == 409
    assert client.get(f"/v1/jobs/{job_id}/results", headers=AUTH).status_code == 409
    assert client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()["done"] == 10


def _job_results(client: FlaskClient, job_id: str) -> list[dict]:
    response = client.get(f"/v1/jobs/{job_id}/results?format=json", headers=AUTH)
    assert response.status_code == 200
    return response.get_json()["results"]


# Names of chunk 2 on one excerpt and not the other: designated in 2024, or gone by 2024.
ARRIVED_2024 = ["Aleksandr Aleksandrovich Mukhanov", "Konoveev", "Vologdin"]
LEFT_BY_2024 = ["Manuel Antonio Noriega", "George Habbash"]


def test_a_job_screens_every_chunk_against_the_versions_it_was_submitted_on(
        make_app: Callable[..., Flask], sdn: int, session: Session) -> None:
    from service.lists.importer import import_list
    from tests.jobs.conftest import EXCERPTS

    app = make_app(job_chunk_size=10)
    client = app.test_client()
    names = list(real_names()[:10]) + ARRIVED_2024 + LEFT_BY_2024
    body = {"names": names}
    engine, settings, holder = app.extensions["xref.engine"], app.config["SETTINGS"], IndexHolder()
    reference = client.post("/v1/jobs", json=body, headers=AUTH).get_json()["id"]
    while run_next_chunk(engine=engine, holder=holder, settings=settings, owner="a"):
        pass
    job_id = client.post("/v1/jobs", json=body, headers=AUTH).get_json()["id"]
    pinned = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    # Pinned on submission, before any chunk ran.
    assert pinned["status"] == "queued" and pinned["list_versions"][0]["version"] == sdn
    assert run_next_chunk(engine=engine, holder=holder, settings=settings, owner="a")
    newer = import_list("us_ofac_sdn", [EXCERPTS / "sdn-2021-07"], session=session).version
    session.commit()
    assert run_next_chunk(engine=engine, holder=holder, settings=settings, owner="a")
    state = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    assert state["status"] == "done" and state["note"] is None
    assert [v["version"] for v in state["list_versions"]] == [sdn]
    results = _job_results(client, job_id)
    # The second chunk, screened after 2021-07 became active, still found 2024's designations.
    assert results == _job_results(client, reference)
    assert results[10]["matches"][0]["matched_name"].upper().startswith("MUKHANOV")
    record = client.get("/v1/audit?kind=job&per_page=500", headers=AUTH).get_json()["items"]
    assert [[v["version"] for v in r["list_versions"]] for r in record
            if r["reference"] == job_id] == [[sdn]]
    # A job submitted now is pinned to the newer version.
    later = client.post("/v1/jobs", json=body, headers=AUTH).get_json()["id"]
    assert client.get(f"/v1/jobs/{later}", headers=AUTH).get_json()["list_versions"][0][
        "version"] == newer.id


def test_a_job_whose_pinned_version_is_gone_fails_saying_so(
        make_app: Callable[..., Flask], sdn: int, session: Session) -> None:
    from sqlalchemy import text

    from service.lists.importer import import_list
    from tests.jobs.conftest import EXCERPTS

    app = make_app(job_chunk_size=10)
    client = app.test_client()
    job_id = submit_csv(client, names_csv(20))["id"]
    engine, settings, holder = app.extensions["xref.engine"], app.config["SETTINGS"], IndexHolder()
    assert run_next_chunk(engine=engine, holder=holder, settings=settings, owner="a")
    import_list("us_ofac_sdn", [EXCERPTS / "sdn-2021-07"], session=session)
    # The version the job started on is cleared out (as pruning old versions would).
    session.exec(text("DELETE FROM list_entry_names WHERE version_id = :v").bindparams(v=sdn))
    session.commit()
    assert run_next_chunk(engine=engine, holder=holder, settings=settings, owner="a")
    state = client.get(f"/v1/jobs/{job_id}", headers=AUTH).get_json()
    assert state["status"] == "failed" and state["done"] == 10
    assert f"Version {sdn} of us_ofac_sdn" in state["error"]
    assert "not finished against another version" in state["error"]
    assert not run_next_chunk(engine=engine, holder=holder, settings=settings, owner="a")


def test_real_names_are_real() -> None:
    # The generated inputs use only names printed in the OFAC excerpts.
    assert "SOLEIMANI, Qasem" in real_names() and "Qasem Soleimani" in real_names()


def test_job_names_keep_their_details(make_app: Callable[..., Flask], sdn: int) -> None:
    app = make_app()
    client = app.test_client()
    response = client.post("/v1/jobs", headers=AUTH, json={
        "names": [{"id": "born-1990", "name": "Qasem Soleimani", "birth_date": "1990",
                   "nationality": ["Sweden"]},
                  {"id": "passport", "name": "Nasrallah", "id_number": "042833"}],
        "limit": 1})
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    assert run_next_chunk(engine=app.extensions["xref.engine"], holder=IndexHolder(),
                          settings=app.config["SETTINGS"], owner=new_owner())
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(
        client.get(f"/v1/jobs/{job_id}/results", headers=AUTH).get_data(as_text=True)))}
    # Contradicted details: the entry is still given, not as a match.
    assert (rows["born-1990"]["list_key"], rows["born-1990"]["match"]) == ("10481", "false")
    # SDN 2686's passport with its family name alone.
    assert (rows["passport"]["list_key"], rows["passport"]["match"]) == ("2686", "true")


def test_a_bad_detail_in_a_job_names_the_line_and_field(make_app: Callable[..., Flask],
                                                         sdn: int) -> None:
    client = make_app().test_client()
    response = client.post("/v1/jobs", headers=AUTH, data={"file": (io.BytesIO(
        b"name,nationality\nQasem Soleimani,ir\nAyman,Atlantis\n"), "in.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] == {"line": 3, "field": "nationality"}
    response = client.post("/v1/jobs", headers=AUTH, json={
        "names": ["Qasem Soleimani", {"name": "Ayman", "birth_date": "March 1957"}]})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"index": 1, "field": "birth_date"}
