"""Versioned all-or-nothing imports, diffs and designation status, on real OFAC excerpts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from service.lists.diff import diff_versions
from service.lists.entry import ListFormatError
from service.lists.importer import import_list
from service.models import ListEntryName, ListVersion, SanctionsList
from service.registry.designations import designations_for
from service.usecases.lists import import_list_version

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_excerpts"
OLD, NEW = EXCERPTS / "sdn-2021-07", EXCERPTS / "sdn-2024-05"


def active_id(session: Session, list_id: str = "us_ofac_sdn") -> int | None:
    session.expire_all()
    row = session.get(SanctionsList, list_id)
    return row.active_version_id if row else None


def version_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(ListVersion)).one()


def test_import_creates_an_active_version_with_provenance(session: Session) -> None:
    outcome = import_list("us_ofac_sdn", [NEW], session=session)
    session.commit()
    version = outcome.version
    assert outcome.created and active_id(session) == version.id
    assert version.entry_count == 131
    assert version.skipped["orphan_alias"] == 5
    assert len(version.sha256) == 64
    assert any(source.endswith("sdn.csv") for source in version.sources)
    names = session.exec(select(func.count()).select_from(ListEntryName)
                         .where(ListEntryName.version_id == version.id)).one()
    assert names == version.name_count > version.entry_count


def test_identical_content_makes_no_new_version(session: Session, tmp_path: Path) -> None:
    first = import_list("us_ofac_sdn", [NEW], session=session)
    session.commit()
    # The same files under another folder: same content, so no new version.
    copy = tmp_path / "again"
    shutil.copytree(NEW, copy)
    second = import_list("us_ofac_sdn", [copy], session=session)
    session.commit()
    assert not second.created and second.version.id == first.version.id
    assert version_count(session) == 1


def test_corrupt_file_fails_and_leaves_the_active_version(session: Session,
                                                           tmp_path: Path) -> None:
    good = import_list("us_ofac_sdn", [OLD], session=session)
    session.commit()
    broken = tmp_path / "broken"
    broken.mkdir()
    raw = (NEW / "sdn.csv").read_bytes()
    cut = raw.index(b'"SOLEIMANI') + 5  # inside a quoted name, mid-record
    (broken / "sdn.csv").write_bytes(raw[:cut])
    with pytest.raises(ListFormatError) as failure:
        import_list("us_ofac_sdn", [broken], session=session)
    session.rollback()
    assert failure.value.file and failure.value.file.endswith("sdn.csv")
    assert failure.value.line is not None
    assert active_id(session) == good.version.id
    assert version_count(session) == 1


def test_wrong_format_fails_clearly(session: Session, tmp_path: Path) -> None:
    page = tmp_path / "sdn.csv"
    page.write_text("<!DOCTYPE html><html><body>Service Unavailable</body></html>")
    with pytest.raises(ListFormatError):
        import_list("us_ofac_sdn", [page], session=session)
    session.rollback()
    assert active_id(session) is None


def test_diff_between_versions(session: Session) -> None:
    old = import_list("us_ofac_sdn", [OLD], session=session).version
    new = import_list("us_ofac_sdn", [NEW], session=session).version
    session.commit()
    result = diff_versions("us_ofac_sdn", session=session)
    assert (result.from_version.id, result.to_version.id) == (old.id, new.id)
    old_keys = {line.split(b",")[0].decode() for line in (OLD / "sdn.csv").read_bytes()
                .rstrip(b"\x1a").splitlines()}
    new_keys = {line.split(b",")[0].decode() for line in (NEW / "sdn.csv").read_bytes()
                .rstrip(b"\x1a").splitlines()}
    assert set(result.added) == new_keys - old_keys
    assert set(result.removed) == old_keys - new_keys
    assert result.changed and all(c.fields for c in result.changed)
    unchanged = (new_keys & old_keys) - {c.key for c in result.changed}
    assert unchanged, "some entries are the same in both excerpts"


def test_designation_status_comes_from_the_active_version(session: Session) -> None:
    version = import_list_version("us_ofac_sdn", [NEW], session=session).outcome.version
    session.commit()
    statuses = designations_for(
        ["qassem-soleimani", "kataib-hezbollah", "qais-al-khazali", "badr-organization"],
        session=session)

    def on_sdn(entity_id: str):  # type: ignore[no-untyped-def]
        return next(d for d in statuses[entity_id] if d.list_id == "us_ofac_sdn")

    soleimani = on_sdn("qassem-soleimani")
    assert soleimani.listed and soleimani.version == version.id
    assert {"SDGT", "SYRIA", "NPWMD", "IRGC", "IFSR"} <= set(soleimani.programs)
    assert {"FTO", "SDGT", "IRAQ3"} <= set(on_sdn("kataib-hezbollah").programs)
    assert {"SDGT", "GLOMAG"} <= set(on_sdn("qais-al-khazali").programs)
    badr = on_sdn("badr-organization")
    assert badr.listed is False and badr.status == "not_listed" and badr.version == version.id
    other_list = next(d for d in statuses["qassem-soleimani"] if d.list_id == "un_sc")
    assert other_list.status == "unknown"
