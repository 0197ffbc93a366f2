"""The `xref` command line: migrations and the seed's idempotence."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, inspect
from sqlmodel import Session, select

from service.cli import main
from service.db import make_engine
from service.models import Document, Entity, EntityLink, EntityName, Passage

TABLES = (Document, Entity, EntityName, Passage, EntityLink)


def counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        result = {t.__tablename__: session.exec(select(func.count()).select_from(t)).one()
                  for t in TABLES}
    engine.dispose()
    return result


def test_seed_twice_changes_nothing(runner: CliRunner, seeded_database_url: str) -> None:
    # The first full seed adds the list snapshot, its cross-references and suggested links.
    first = runner.invoke(main, ["seed"])
    assert first.exit_code == 0, first.output
    before = counts(seeded_database_url)
    assert before["documents"] == 5 and before["entities"] > 25 and before["passages"] > 100
    again = runner.invoke(main, ["seed"])
    assert again.exit_code == 0, again.output
    assert "seeded: nothing changed" in again.output
    assert "snapshot imported" not in again.output
    assert counts(seeded_database_url) == before


def test_db_upgrade_then_seed_on_an_empty_database(database_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XREF_DATABASE_URL", database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(main, ["seed"])
    assert first.exit_code == 0, first.output
    assert "entities_created" in first.output
    assert counts(database_url)["documents"] == 5


def test_migrations_go_down_and_up(database_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XREF_DATABASE_URL", database_url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "downgrade", "base"]).exit_code == 0
    engine = make_engine(database_url)
    assert "entities" not in inspect(engine).get_table_names()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert "entities" in inspect(engine).get_table_names()
    engine.dispose()
