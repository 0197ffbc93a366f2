"""Imports of the full real list files: the counts the issue names, and the 2021→2024 diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from service.lists.diff import diff_versions
from service.lists.importer import import_list

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("list_id", "relative_paths", "entries"),
    [
        ("us_ofac_sdn", ["ofac/sdn-2024-05/sdn.csv"], 14_965),
        ("un_sc", ["un/UN_consolidated_2026-02-27.xml"], 1_003),
        ("us_ofac_sdn", ["ofac/xml/SDN_ENHANCED_program-IRGC_2024-08-28.xml"], 293),
        ("us_ofac_cons", ["ofac/xml/consolidated_nonSDN_2024-05-06.xml"], 443),
        ("us_ofac_cons", ["ofac/cons-2025-12"], 442),
        ("us_csl", ["csl/consolidated.csv.gz"], 14_048),
        ("opensanctions", ["opensanctions/yente_entities_from_delta_DERIVED.ftm.json"], 576),
    ],
)
def test_real_file_counts(session: Session, shared_data: Path, list_id: str,
                          relative_paths: list[str], entries: int) -> None:
    outcome = import_list(list_id, [shared_data / p for p in relative_paths], session=session)
    session.commit()
    assert outcome.version.entry_count == entries
    if list_id == "us_csl":
        assert outcome.version.skipped["duplicate_id"] == 14_160 - 14_048


def test_sdn_with_newer_aliases_skips_orphans(session: Session, shared_data: Path) -> None:
    outcome = import_list("us_ofac_sdn", [shared_data / "ofac/sdn-2024-05/sdn.csv",
                                          shared_data / "ofac/sdn-2025-12"], session=session)
    session.commit()
    assert outcome.version.entry_count == 14_965
    assert outcome.version.skipped["orphan_alias"] == 2_460


def test_diff_2021_07_to_2024_05(session: Session, shared_data: Path) -> None:
    old = import_list("us_ofac_sdn", [shared_data / "ofac/sdn-2021-07/sdn.csv"],
                      session=session).version
    new = import_list("us_ofac_sdn", [shared_data / "ofac/sdn-2024-05/sdn.csv"],
                      session=session).version
    session.commit()
    result = diff_versions("us_ofac_sdn", old.id, new.id, session=session)
    assert len(result.added) == 6_870
    assert len(result.removed) == 881
    assert len(result.changed) >= 170
    renamed = [c for c in result.changed if c.old_name]
    assert len(renamed) == 60
