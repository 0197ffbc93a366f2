"""The index over a whole real list: every listed name, as the list writes it, finds its own
entry, and the saved index answers as the one built in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.matching.index import IndexedName, NameIndex

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sdn(shared_data: Path) -> list[IndexedName]:
    from bench.list_data import sdn_names

    return [name for name in sdn_names() if not name.weak]


@pytest.fixture(scope="module")
def sdn_index(sdn: list[IndexedName]) -> NameIndex:
    return NameIndex.build(sdn)


def test_every_listed_name_finds_its_own_entry(sdn: list[IndexedName],
                                               sdn_index: NameIndex) -> None:
    # Names made only of parts shared by hundreds of entries ("'ALI, Muhammad") were once
    # dropped whenever a rare join of two of their parts was looked up first.
    missed = [name.name for name in sdn
              if name.list_key not in {m.name.list_key
                                       for m in sdn_index.search(name.name, limit=10)}]
    # The few left are initials ("K M A") and names that more than ten entries share.
    assert len(missed) <= len(sdn) // 800, missed[:20]


def test_the_saved_index_answers_as_the_built_one(sdn: list[IndexedName], sdn_index: NameIndex,
                                                  tmp_path: Path) -> None:
    sdn_index.save(tmp_path / "sdn")
    mapped = NameIndex.open(tmp_path / "sdn")
    for name in sdn[::97]:
        assert [(m.name, m.score) for m in mapped.search(name.name, limit=5)] == \
            [(m.name, m.score) for m in sdn_index.search(name.name, limit=5)]


def test_names_normalised_in_other_processes_give_the_same_index(
        sdn: list[IndexedName], sdn_index: NameIndex) -> None:
    import numpy as np

    parallel = NameIndex.build(sdn, workers=2)
    assert parallel.header == sdn_index.header
    assert parallel._arrays.keys() == sdn_index._arrays.keys()
    different = [name for name, values in sdn_index._arrays.items()
                 if not np.array_equal(values, parallel._arrays[name])]
    assert different == []
