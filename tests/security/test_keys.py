"""API keys: shown once, stored as a hash, listed, revoked; from the CLI and the admin routes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from service import migrate
from service.cli import main
from service.db import make_engine
from service.errors import InvalidInput, NotFound
from service.models import ApiKey
from service.security.keys import create_key, identify, revoke_key
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def stored_rows(database_url: str) -> list[dict]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(text("SELECT * FROM api_keys"))]
    engine.dispose()
    return rows


def test_only_the_hash_of_a_key_is_stored(session: Session, seeded_database_url: str) -> None:
    record, key = create_key("ingest", ["read", "admin"], session=session)
    session.commit()
    other, other_key = create_key("ingest", ["read"], session=session)
    session.commit()

    assert key.startswith("xref_") and len(key) >= 45 and key != other_key
    assert record.key_hash == hashlib.sha256(key.encode()).hexdigest()
    [row] = [r for r in stored_rows(seeded_database_url) if r["id"] == record.id]
    # No column holds the key or any long piece of it.
    for value in row.values():
        assert key[5:20] not in str(value)
    assert identify(key, session=session, admin_token="") is not None


def test_scopes_are_checked_and_put_in_order(session: Session) -> None:
    record, _key = create_key("k", ["admin", " read", "read"], session=session)
    assert record.scopes == ["read", "admin"]
    with pytest.raises(InvalidInput) as error:
        create_key("k", ["read", "write"], session=session)
    assert "write" in error.value.message
    with pytest.raises(InvalidInput):
        create_key("k", [""], session=session)
    with pytest.raises(InvalidInput):
        create_key("", ["read"], session=session)


def test_identify_admin_token_keys_and_revocation(session: Session) -> None:
    record, key = create_key("k", ["screen"], session=session)
    session.commit()

    admin = identify("s3cret", session=session, admin_token="s3cret")
    assert admin is not None and admin.actor == "admin-token"
    assert admin.scopes == {"read", "screen", "admin", "metrics"}
    # No admin token configured: nothing, not even an empty credential, matches it.
    assert identify("", session=session, admin_token="") is None

    caller = identify(key, session=session, admin_token="s3cret")
    assert caller is not None and caller.actor == record.id and caller.scopes == {"screen"}
    assert identify(key + "x", session=session, admin_token="s3cret") is None
    assert identify("not-a-key", session=session, admin_token="s3cret") is None

    revoke_key(record.id, session=session)
    session.commit()
    assert identify(key, session=session, admin_token="s3cret") is None
    with pytest.raises(NotFound):
        revoke_key("k_missing", session=session)


def test_last_use_is_recorded_at_most_once_a_minute(session: Session) -> None:
    record, key = create_key("k", ["read"], session=session)
    session.commit()
    assert record.last_used_at is None

    identify(key, session=session, admin_token="")
    session.commit()
    first = session.get(ApiKey, record.id).last_used_at  # type: ignore[union-attr]
    assert first is not None

    identify(key, session=session, admin_token="", now=first + timedelta(seconds=30))
    assert not session.dirty
    later = first + timedelta(minutes=2)
    identify(key, session=session, admin_token="", now=later)
    session.commit()
    assert session.get(ApiKey, record.id).last_used_at == later  # type: ignore[union-attr]


def test_cli_creates_lists_and_revokes_keys(runner: CliRunner, seeded_database_url: str) -> None:
    created = runner.invoke(main, ["keys", "create", "--name", "batch job",
                                   "--scopes", "read,screen", "--json"])
    assert created.exit_code == 0, created.output
    shown = json.loads(created.output)
    assert set(shown) == {"id", "name", "scopes", "key"}
    assert shown["name"] == "batch job" and shown["scopes"] == ["read", "screen"]

    [row] = stored_rows(seeded_database_url)
    assert row["key_hash"] == hashlib.sha256(shown["key"].encode()).hexdigest()
    assert shown["key"] not in json.dumps(row, default=str)

    listed = runner.invoke(main, ["keys", "list"])
    assert listed.exit_code == 0 and shown["id"] in listed.output
    assert shown["key"] not in listed.output and "active" in listed.output

    revoked = runner.invoke(main, ["keys", "revoke", shown["id"]])
    assert revoked.exit_code == 0, revoked.output
    as_json = json.loads(runner.invoke(main, ["keys", "list", "--json"]).output)
    assert as_json[0]["revoked_at"] is not None and "key" not in as_json[0]

    missing = runner.invoke(main, ["keys", "revoke", "k_nope"])
    assert missing.exit_code != 0 and "k_nope" in missing.output


def test_cli_prints_the_bare_key_and_refuses_unknown_scopes(runner: CliRunner,
                                                            session: Session) -> None:
    plain = runner.invoke(main, ["keys", "create", "--name", "n", "--scopes", "admin"])
    assert plain.exit_code == 0, plain.output
    key = plain.stdout.strip()
    assert key.startswith("xref_") and "\n" not in key
    assert identify(key, session=session, admin_token="") is not None

    bad = runner.invoke(main, ["keys", "create", "--name", "n", "--scopes", "read,root"])
    assert bad.exit_code != 0 and "root" in bad.output


def test_admin_routes_create_list_and_revoke(make_app: Callable[..., Flask]) -> None:
    client = make_app().test_client()
    created = client.post("/v1/keys", json={"name": "analyst", "scopes": ["read"]},
                          headers=ADMIN)
    assert created.status_code == 201
    body = created.get_json()
    assert body["scopes"] == ["read"] and body["key"].startswith("xref_")

    listed = client.get("/v1/keys", headers=ADMIN).get_json()
    assert [k["id"] for k in listed["items"]] == [body["id"]]
    assert "key" not in listed["items"][0] and "key_hash" not in listed["items"][0]
    assert body["key"] not in json.dumps(listed)

    reader = {"X-API-Key": body["key"]}
    assert client.get("/v1/entities", headers=reader).status_code == 200
    # A read key may not manage keys.
    assert client.get("/v1/keys", headers=reader).status_code == 403
    assert client.delete(f"/v1/keys/{body['id']}", headers=ADMIN).status_code == 204
    assert client.delete(f"/v1/keys/{body['id']}", headers=ADMIN).status_code == 204
    assert client.get("/v1/entities", headers=reader).status_code == 401
    assert client.delete("/v1/keys/k_nope", headers=ADMIN).status_code == 404


def test_key_route_refuses_bad_bodies_listing_each_field(make_app: Callable[..., Flask]) -> None:
    client = make_app().test_client()
    response = client.post("/v1/keys", json={"name": "", "scopes": ["read", "root"], "x": 1},
                           headers=ADMIN)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]["fields"]) == {"name", "scopes", "x"}


def test_a_key_with_the_admin_scope_can_make_keys(make_app: Callable[..., Flask],
                                                  issue_key: Callable[..., tuple[str, str]],
                                                  session: Session) -> None:
    client = make_app().test_client()
    admin_id, admin_key = issue_key("admin")
    made = client.post("/v1/keys", json={"name": "child", "scopes": ["screen"]},
                       headers={"Authorization": f"Bearer {admin_key}"})
    assert made.status_code == 201
    assert session.exec(select(ApiKey).where(ApiKey.id == made.get_json()["id"])).one()


def schema(database_url: str) -> dict[str, list[dict]]:
    """Gives each table's indexes, read on a fresh connection (SQLite caches the schema)."""
    engine = make_engine(database_url)
    inspector = inspect(engine)
    result = {name: inspector.get_indexes(name) for name in inspector.get_table_names()}
    engine.dispose()
    return result


def test_the_keys_migration_goes_down_and_up(database_url: str) -> None:
    assert "api_keys" in schema(database_url)
    migrate.downgrade(database_url, "0003")
    tables = schema(database_url)
    assert "api_keys" not in tables and "entities" in tables
    migrate.upgrade(database_url, "0004")
    [index] = schema(database_url)["api_keys"]
    assert index["name"] == "ix_api_keys_key_hash" and index["unique"]
    migrate.upgrade(database_url, "heads")
