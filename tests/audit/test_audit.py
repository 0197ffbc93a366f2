"""The audit log: every screening appends a record; admins read and export it; nobody edits it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from service.app import create_app
from service.audit import name_sha256
from service.cli import main
from service.jobs.execute import new_owner, run_next_chunk
from service.matching.algorithm import MATCHER
from service.models import AuditRecord, utcnow
from service.screening.catalog import IndexHolder
from service.security.keys import create_key
from tests.conftest import ADMIN_TOKEN, ContractClient, import_excerpt, make_settings

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def sdn(session: Session) -> int:
    return import_excerpt(session, "sdn-2024-05")


@pytest.fixture
def build(seeded_database_url: str) -> Callable[..., Flask]:
    def make(**overrides: object) -> Flask:
        app = create_app(make_settings(seeded_database_url, **overrides))
        app.config["TESTING"] = True
        app.test_client_class = ContractClient
        return app

    return make


def records(client: FlaskClient, **args: object) -> dict:
    response = client.get("/v1/audit", query_string=args, headers=ADMIN)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_every_screening_is_recorded(client: FlaskClient, runner: CliRunner, sdn: int,
                                     session: Session, tmp_path: Path) -> None:
    key, secret = create_key("analyst", ["screen"], session=session)
    session.commit()
    as_key = {"Authorization": f"Bearer {secret}"}
    assert client.post("/v1/screen", headers=as_key, json={
        "names": [{"name": "Qasem Soleimani"}, {"name": "Hossein Soleimani"}],
        "threshold": 0.8}).status_code == 200
    assert client.get("/v1/screen?name=Qais+al-Khazali&lists=us_ofac_sdn",
                      headers=ADMIN).status_code == 200
    assert client.post("/v1/compare", headers=as_key, json={
        "name1": "Qasem Soleimani", "name2": "Qassem Suleimani"}).status_code == 200
    job = client.post("/v1/jobs", headers=as_key, json={"names": ["Nayif Hawatma"]})
    app = client.application
    run_next_chunk(engine=app.extensions["xref.engine"], holder=IndexHolder(),
                   settings=app.config["SETTINGS"], owner=new_owner())
    assert client.post("/v1/watchlists", headers=as_key, json={
        "name": "w", "names": [{"id": "1", "name": "Ahmad Jabril"}]}).status_code == 201
    source = tmp_path / "in.csv"
    source.write_text("name\nMousa Mohammed Abu Marzook\n", encoding="utf-8")
    assert runner.invoke(main, ["screen", str(source)]).exit_code == 0

    items = records(client)["items"]
    version = [{"list": "us_ofac_sdn", "version": sdn, "data_date": None}]
    summary = [(r["kind"], r["actor"], r["names"], r["list_versions"]) for r in items]
    assert summary == [
        ("screen", key.id, ["Qasem Soleimani", "Hossein Soleimani"], version),
        ("screen", "admin-token", ["Qais al-Khazali"], version),
        ("compare", key.id, ["Qasem Soleimani", "Qassem Suleimani"], []),
        ("job", key.id, ["Nayif Hawatma"], version),
        ("watchlist", "system", ["Ahmad Jabril"], version),
        ("screen", "cli", ["Mousa Mohammed Abu Marzook"], version),
    ]
    first = items[0]
    assert first["threshold"] == 0.8 and first["counts"]["names"] == 2
    assert first["counts"]["matches"] >= 1 and first["counts"]["candidates"] >= 1
    assert items[1]["lists"] == ["us_ofac_sdn"]
    assert items[3]["reference"] == job.get_json()["id"]
    assert items[2]["counts"] == {"names": 2, "candidates": 1, "matches": 1}
    # Each record says which matcher, at which version, produced its scores; so does the job.
    assert all(r["matcher"] == MATCHER.describe() for r in items)
    job_state = client.get(f"/v1/jobs/{job.get_json()['id']}", headers=ADMIN).get_json()
    assert job_state["matcher"] == MATCHER.describe()


def test_names_can_be_kept_as_hashes_only(build: Callable[..., Flask], sdn: int) -> None:
    client = build(audit_store_names=False).test_client()
    client.post("/v1/screen", headers=ADMIN, json={"names": [{"name": "Qasem Soleimani"}]})
    item = records(client)["items"][0]
    assert item["names"] == [f"sha256:{name_sha256('Qasem Soleimani')}"]
    exported = client.get("/v1/audit/export", headers=ADMIN).get_data(as_text=True)
    assert "Soleimani" not in exported and name_sha256("Qasem Soleimani") in exported


def test_filters_pages_and_csv_export(client: FlaskClient, sdn: int, session: Session) -> None:
    for name in ("Qasem Soleimani", "=HYPERLINK(\"x\")", "Ahmad Jabril"):
        client.get("/v1/screen", query_string={"name": name}, headers=ADMIN)
    client.post("/v1/compare", headers=ADMIN, json={"name1": "a", "name2": "b"})
    old = session.exec(select(AuditRecord).order_by(AuditRecord.id)).first()  # type: ignore[arg-type]
    assert old is not None
    old.at = utcnow() - timedelta(days=30)
    session.add(old)
    session.commit()

    page = records(client, kind="screen", per_page=1, page=2)
    assert (page["total"], len(page["items"])) == (3, 1)
    assert page["items"][0]["names"] == ["=HYPERLINK(\"x\")"]
    since = (utcnow() - timedelta(days=1)).isoformat()
    assert records(client, since=since)["total"] == 3
    assert records(client, until=since)["total"] == 1
    assert records(client, actor="cli")["total"] == 0
    assert records(client, actor="admin-token", kind="compare")["total"] == 1

    for url in ("/v1/audit?format=csv&kind=screen", "/v1/audit/export?kind=screen"):
        response = client.get(url, headers=ADMIN)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [r["names"] for r in rows] == ["Qasem Soleimani", "'=HYPERLINK(\"x\")",
                                              "Ahmad Jabril"]
        assert rows[0]["list_versions"] == f"us_ofac_sdn:{sdn}"
        assert (rows[0]["matcher_name"], rows[0]["matcher_version"]) == (MATCHER.NAME,
                                                                         MATCHER.VERSION)
    assert client.get("/v1/audit?kind=delete", headers=ADMIN).status_code == 422
    assert client.get("/v1/audit?since=last+week", headers=ADMIN).status_code == 422


def test_only_admins_read_it_and_nobody_edits_it(client: FlaskClient, session: Session) -> None:
    _, secret = create_key("analyst", ["screen", "read"], session=session)
    session.commit()
    assert client.get("/v1/audit", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 403
    assert client.get("/v1/audit/export").status_code == 401
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/v1/audit", headers=ADMIN).status_code == 405
        assert getattr(client, method)("/v1/audit/1", headers=ADMIN).status_code in (404, 405)


def test_prune_removes_only_records_past_retention(runner: CliRunner, session: Session,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    now = utcnow()
    for days in (4000, 3651, 3649, 1):
        session.add(AuditRecord(at=now - timedelta(days=days), actor="cli", kind="screen",
                                names_sha256="0" * 64))
    session.commit()
    result = runner.invoke(main, ["audit", "prune"])
    assert result.exit_code == 0, result.output
    assert "removed 2 audit records older than 3650 days" in result.output
    monkeypatch.setenv("XREF_AUDIT_RETENTION_DAYS", "30")
    assert "removed 1 " in runner.invoke(main, ["audit", "prune"]).output
    session.expire_all()
    assert [r.at.date() for r in session.exec(select(AuditRecord)).all()] == [
        (now - timedelta(days=1)).date()]
