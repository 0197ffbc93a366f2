"""The benchmark's generated list (`bench/million_names.py`) and its streamed import.

Everything these tests import is SYNTHETIC: a few hundred entities recombined from real name
parts by the generator under test, labelled so, written into the test's temporary folder.
They test the generator and the importer's streaming path only; no test takes them as list
records of any kind.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session

from bench.million_names import NOTE, real_name_parts, write_synthetic_list
from service.lists.importer import import_list
from service.lists.sources import stream

pytestmark = pytest.mark.slow  # the generator reads the real lists for its parts

COUNT = 400


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    return write_synthetic_list(tmp_path_factory.mktemp("synthetic") / "synthetic.ftm.json",
                                COUNT)


def test_the_same_seed_writes_the_same_file(synthetic: Path, tmp_path: Path) -> None:
    again = write_synthetic_list(tmp_path / "again.ftm.json", COUNT)
    assert again.read_bytes() == synthetic.read_bytes()
    other = write_synthetic_list(tmp_path / "other.ftm.json", COUNT, seed=18)
    assert other.read_bytes() != synthetic.read_bytes()


def test_every_entity_says_it_is_synthetic(synthetic: Path) -> None:
    entities = [json.loads(line) for line in synthetic.read_text(encoding="utf-8").splitlines()]
    assert len(entities) == COUNT
    assert [e["id"] for e in entities] == [f"synthetic-{n:07d}" for n in range(1, COUNT + 1)]
    assert all(e["datasets"] == ["synthetic"] and e["properties"]["notes"] == [NOTE]
               for e in entities)
    schemata = Counter(e["schema"] for e in entities)
    assert set(schemata) == {"Person", "Organization"}
    assert 0.6 < schemata["Person"] / COUNT < 0.8
    assert 0.1 < sum("alias" in e["properties"] for e in entities) / COUNT < 0.3


def test_names_are_real_parts_recombined_never_a_real_name(synthetic: Path) -> None:
    parts = real_name_parts()
    given, family = set(parts.given), set(parts.family)
    for line in synthetic.read_text(encoding="utf-8").splitlines():
        entity = json.loads(line)
        for name in [entity["caption"], *entity["properties"].get("alias", [])]:
            assert tuple(sorted(w.casefold() for w in name.split())) not in parts.real, name
            if entity["schema"] == "Person":
                assert name.split()[0] in given
                assert any(name.endswith(" " + f) for f in family), name


def test_the_generated_file_imports_as_a_stream(session: Session, synthetic: Path) -> None:
    streamed = stream([synthetic])
    first = next(streamed.entries)
    assert streamed.expected == COUNT and first.key == "synthetic-0000001"
    assert first.remarks == NOTE and first.programs == ["synthetic"]
    outcome = import_list("opensanctions", [synthetic], session=session)
    session.commit()
    assert outcome.version.entry_count == COUNT
    assert outcome.parsed.format == "opensanctions" and outcome.version.skipped == {}
