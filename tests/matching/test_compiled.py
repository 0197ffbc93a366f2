"""The matcher modules compiled by setup.py (mypyc) are current and agree with their source.

The compiled extensions are what the service runs; the Python source is what people read and
edit. These tests make sure the two cannot drift apart: an extension older than its source
fails (rebuild with ``make dev``), and the same real names are scored and screened by the
extensions in this process and by the plain source in a child process, with identical
results, explanations included.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import service.matching as matching_package
from service.matching.index import IndexedName, NameIndex
from service.matching.scorer import compare

MATCHING_DIR = Path(matching_package.__file__).resolve().parent
EXCERPT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "ofac_excerpts" / "sdn-2024-05"
EXTENSIONS = sorted(MATCHING_DIR.glob("*.so"))
SDN_KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}

# Run in a child process: the matcher's source modules shadow its compiled extensions, then
# the same work is done.
PURE_PYTHON_CHILD = """
import json, sys
from service.matching.uncompiled import prefer_source
prefer_source()
from tests.matching.test_compiled import matcher_results
import service.matching.scorer as scorer
assert scorer.__file__.endswith(".py"), scorer.__file__
json.dump(matcher_results(), sys.stdout)
"""


def _excerpt_names() -> tuple[list[IndexedName], list[tuple[str, str | None, str]]]:
    """Gives the excerpt's primary names as index entries, and its aliases as queries with
    their kind and entry number."""
    names: list[IndexedName] = []
    kinds: dict[str, str | None] = {}
    with (EXCERPT_DIR / "sdn.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 4:
                continue  # the file's end-of-data mark
            kind = SDN_KINDS.get(row[2].strip(), "organization")
            kinds[row[0]] = kind
            names.append(IndexedName(list_id="sdn", list_key=row[0], name=row[1],
                                     primary_name=row[1], kind=kind, programs=(row[3],)))
    aliases: list[tuple[str, str | None, str]] = []
    with (EXCERPT_DIR / "alt.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 4 and row[0] in kinds:
                aliases.append((row[3], kinds[row[0]], row[0]))
    return names, aliases


def matcher_results() -> dict[str, Any]:
    """Gives scores, decisions, explanations and screening results for the excerpt's names
    (run by whichever matcher modules this process imported)."""
    names, aliases = _excerpt_names()
    primary_of = {name.list_key: name.name for name in names}
    comparisons = []
    for alias, kind, entry in aliases:
        other = names[(int(entry) % len(names))].name
        for listed in (primary_of[entry], other):
            result = compare(alias, listed, kind)
            comparisons.append([result.score, result.match, result.explanation])
    index = NameIndex.build(names)
    screened = [
        [[match.score, match.name.list_key, match.explanation] for match in
         index.search(alias, kind=kind, limit=3)]
        for alias, kind, _ in aliases
    ]
    return {"comparisons": comparisons, "screened": screened}


def _built_at(extension: Path) -> float:
    """Gives when an extension's code was built: mypyc puts the code of all the modules in one
    shared library (a module named ``…__mypyc``) and each module's own file only loads it."""
    libraries = [Path(module.__file__) for name, module in list(sys.modules.items())
                 if name.endswith("__mypyc") and getattr(module, "__file__", None)]
    return max([extension.stat().st_mtime] + [lib.stat().st_mtime for lib in libraries])


def test_compiled_extensions_are_not_older_than_their_source() -> None:
    for extension in EXTENSIONS:
        source = MATCHING_DIR / (extension.name.split(".")[0] + ".py")
        assert source.exists(), extension
        assert _built_at(extension) >= source.stat().st_mtime, (
            f"{extension.name} is older than {source.name}: run `make dev` to recompile")


@pytest.mark.skipif(not EXTENSIONS, reason="installed without compiling (XREF_PURE_PYTHON)")
def test_compiled_matcher_gives_the_same_results_as_its_source() -> None:
    import service.matching.scorer as scorer

    assert not scorer.__file__.endswith(".py"), "the compiled scorer is not the one in use"
    compiled = json.loads(json.dumps(matcher_results()))
    child = subprocess.run(
        [sys.executable, "-c", PURE_PYTHON_CHILD],
        capture_output=True, text=True, check=True, cwd=MATCHING_DIR.parent.parent,
    )
    source = json.loads(child.stdout)
    assert len(compiled["comparisons"]) > 300
    assert any(match for _, match, _ in compiled["comparisons"])
    assert compiled == source
