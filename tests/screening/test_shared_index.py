"""The machine's shared index files: built once per set of versions, mapped by every process,
switched atomically when a new version is imported, removed when nobody maps them."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from service.cli import main
from service.db import make_engine
from service.registry.entities import create_entity
from service.screening import catalog, shared_index
from service.screening.catalog import IndexHolder, build_index
from service.screening.screen import ScreeningRequest, screen_names
from tests.conftest import import_excerpt


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "index-files"
    monkeypatch.setenv("XREF_INDEX_DIR", str(folder))
    return folder


def _mapped_paths() -> str:
    return Path("/proc/self/maps").read_text()


def _top(session_index: catalog.LoadedIndex, name: str) -> list[tuple[str, str, float]]:
    return [(m.name.list_id, m.name.list_key, m.score)
            for m in session_index.index.search(name, limit=3)]


def test_a_version_set_is_built_once_and_mapped_by_the_next_process(
        session: Session, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_excerpt(session)
    first = build_index(session)
    assert first.shared is not None
    folder = first.shared.folder
    assert folder.parent == index_dir and (folder / "header.json").exists()
    # Another process of the machine: nothing held in memory, and building is not allowed.
    monkeypatch.setattr(shared_index, "_OPEN", type(shared_index._OPEN)())

    def no_build(*_: object) -> None:
        raise AssertionError("the index was built again")

    monkeypatch.setattr(catalog, "_lists_index", no_build)
    second = build_index(session)
    assert second.shared is not None and second.shared is not first.shared
    assert second.shared.folder == folder
    # Its arrays are pages of the files, not copies.
    assert str(folder / "postings.npy") in _mapped_paths()
    for name in ("Qasem Soleimani", "Kata'ib Hizballah", "Qais al-Khazali"):
        assert _top(second, name) == _top(first, name)
    assert ("us_ofac_sdn", "10481") in [hit[:2] for hit in _top(first, "Qasem Soleimani")]


def test_a_new_version_switches_to_a_new_file_and_the_old_goes_when_unused(
        seeded_database_url: str, index_dir: Path) -> None:
    engine = make_engine(seeded_database_url)
    holder = IndexHolder()
    with Session(engine, expire_on_commit=False) as session:
        import_excerpt(session, "sdn-2021-07")
    before = holder.current(engine)
    assert before.shared is not None
    old_folder = before.shared.folder
    with Session(engine, expire_on_commit=False) as session:
        import_excerpt(session, "sdn-2024-05")
    after = holder.current(engine)
    assert after.shared is not None and after.shared.folder != old_folder
    assert after.version_of("us_ofac_sdn") != before.version_of("us_ofac_sdn")
    # Still in use by the screening that holds the old index: kept.
    assert old_folder.exists()
    assert old_folder.name not in shared_index.remove_unused(index_dir, grace_seconds=0)
    del before
    gc.collect()
    assert old_folder.name in shared_index.remove_unused(index_dir, grace_seconds=0)
    assert not old_folder.exists() and after.shared.folder.exists()
    engine.dispose()


def test_a_registry_edit_reuses_the_file(session: Session, index_dir: Path) -> None:
    import_excerpt(session)
    engine = session.get_bind()
    holder = IndexHolder()
    before = holder.current(engine)  # type: ignore[arg-type]
    create_entity({"name": "Harakat Hezbollah al-Nujaba", "kind": "organization",
                   "names": ["Nujaba Movement"]}, session=session)
    session.commit()
    after = holder.current(engine)  # type: ignore[arg-type]
    assert after is not before and after.shared is before.shared
    found = after.index.search("Nujaba Movement", kind="organization")
    assert found and found[0].name.list_id == "registry"


def test_screening_goes_on_while_a_new_version_is_imported(
        seeded_database_url: str, index_dir: Path) -> None:
    engine = make_engine(seeded_database_url)
    holder = IndexHolder()
    with Session(engine, expire_on_commit=False) as session:
        first = import_excerpt(session, "sdn-2021-07")
    holder.current(engine)
    answers: list[tuple[int | None, str]] = []
    failures: list[BaseException] = []
    importing = threading.Event()
    done = threading.Event()

    def screen_until_done() -> None:
        try:
            last_round = False
            while not last_round:
                last_round = done.is_set()  # one more screening after the import committed
                loaded = holder.current(engine)
                result = screen_names([ScreeningRequest("Qasem Soleimani")], loaded=loaded)
                answers.append((loaded.version_of("us_ofac_sdn"),
                                result[0].matches[0].name.list_key))
                importing.set()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
            importing.set()

    screener = threading.Thread(target=screen_until_done)
    screener.start()
    importing.wait(30)
    with Session(engine, expire_on_commit=False) as session:
        second = import_excerpt(session, "sdn-2024-05")
    done.set()
    screener.join(60)
    assert not failures
    assert {version for version, _ in answers} <= {first, second}
    assert answers[-1][0] == second
    assert all(key == "10481" for _, key in answers)
    engine.dispose()


def test_the_cli_builds_the_active_file_and_prunes_the_unused_ones(
        runner: CliRunner, session: Session, index_dir: Path) -> None:
    import_excerpt(session, "sdn-2021-07")
    old = build_index(session).shared
    assert old is not None
    old_key = old.key
    del old
    import_excerpt(session, "sdn-2024-05")
    built = runner.invoke(main, ["index", "build"])
    assert built.exit_code == 0, built.output
    assert "list names" in built.output and "bytes a name" in built.output
    gc.collect()
    pruned = runner.invoke(main, ["index", "prune"])
    assert pruned.exit_code == 0, pruned.output
    assert "removed 1 unused index folder" in pruned.output
    assert not (index_dir / old_key).exists()
    assert len([p for p in index_dir.iterdir() if p.is_dir()]) == 1


def test_entries_without_details_are_skipped_unread_and_no_details_are_lost(
        session: Session) -> None:
    from sqlmodel import select

    from service.matching.details import entry_details
    from service.models import ListEntryRow, ListVersion
    from service.usecases.lists import import_list_version

    fixtures = Path(__file__).parents[1] / "fixtures" / "lists"
    import_excerpt(session)
    for list_id, name in (("un_sc", "un_consolidated_2026-02-27_excerpt.xml"),
                          ("us_csl", "csl_consolidated_2022_excerpt.csv"),
                          ("opensanctions", "opensanctions_yente_t1_entities.ftm.json")):
        import_list_version(list_id, [fixtures / name], session=session)
    session.commit()
    rows = session.exec(select(ListEntryRow)).all()
    list_of = {v.id: v.list_id for v in session.exec(select(ListVersion)).all()}
    # Every stored entry decoded, against the build's reading that skips entries unread.
    expected: dict[tuple[str, str], object] = {}
    for row in rows:
        details = entry_details(row.data or {})
        if details:
            expected[(list_of[row.version_id], row.key)] = details
    found: dict[tuple[str, str], object] = {}
    for version_id in {row.version_id for row in rows}:
        for _ in catalog.version_names(session, list_of[version_id], version_id,
                                       details=found):
            pass
    assert found == expected
    assert len(found) > 50 and len(found) < len(rows)


def _joined_names(session: Session, version_id: int) -> list[tuple[str, str, str, bool]]:
    """The version's names as a join of names and entries gives them, in name order."""
    from sqlmodel import select

    from service.models import ListEntryName, ListEntryRow

    return [(key, name, primary, bool(weak)) for key, name, primary, weak in session.exec(
        select(ListEntryRow.key, ListEntryName.name, ListEntryRow.name, ListEntryName.weak)
        .join(ListEntryRow, ListEntryRow.id == ListEntryName.entry_id)
        .where(ListEntryName.version_id == version_id)
        .order_by(ListEntryName.id)).all()]


def test_names_read_beside_their_entries_are_the_names_a_join_gives(session: Session) -> None:
    from sqlmodel import select

    from service.models import ListEntryName, ListVersion

    import_excerpt(session)
    session.commit()
    version = session.exec(select(ListVersion)).first()
    assert version is not None and version.id is not None

    def read() -> list[tuple[str, str, str, bool]]:
        return [(n.list_key, n.name, n.primary_name, n.weak)
                for n in catalog.version_names(session, version.list_id, version.id)]

    assert read() == _joined_names(session, version.id)
    assert len(read()) > 100
    # A name written again after the others (as an edit would) is out of its entry's order:
    # its entry is still found.
    moved = session.exec(select(ListEntryName).where(ListEntryName.version_id == version.id)
                         .order_by(ListEntryName.id)).first()
    assert moved is not None
    copy = ListEntryName(**moved.model_dump(exclude={"id"}))
    session.delete(moved)
    session.flush()
    session.add(copy)
    session.commit()
    assert read() == _joined_names(session, version.id)
    assert read()[-1][1] == copy.name
