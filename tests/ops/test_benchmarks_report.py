"""BENCHMARKS.md says which machine measured each section: a section kept from an earlier run
may come from another machine than the run that rewrote the file."""

from __future__ import annotations

from bench import run

EARLIER = """# Benchmarks

- Run: 2026-12-01 18:51 UTC, 205 s
- Machine: Older machine, 2 cores

## Lists

| figure | ours | target | peer | note |
|---|---|---|---|---|
| import (s) | 4.81 | < 10 | - | |

## Million

| figure | ours | target | peer | note |
|---|---|---|---|---|
| ready (s) | 41.6 | <= 30 | - | |
"""


def test_kept_sections_name_the_machine_that_measured_them(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(run, "machine", lambda: "This machine, 2 cores")
    kept = run.previous_sections(EARLIER)
    kept.pop("Million")
    rows = [{"figure": "ready (s)", "value": 30.0, "target": "<= 30"}]
    text = run.render([("Lists", [], ""), ("Million", rows, "")], 10.0, kept,
                      "2026-12-01 18:51 UTC, 205 s (Lists)", run.previous_machine_of(EARLIER))
    lists = text.split("## Lists")[1].split("## Million")[0]
    million = text.split("## Million")[1]
    assert "Machine: Older machine, 2 cores" in lists
    assert "Machine: This machine, 2 cores" in million
    assert "- Machine of this run: This machine, 2 cores" in text
    # Rendered again, a section that names its machine keeps it (named once).
    again = run.render([("Lists", [], ""), ("Million", rows, "")], 10.0,
                       {"Lists": run.previous_sections(text)["Lists"]}, "", "Other machine")
    assert again.count("Machine: Older machine, 2 cores") == 1
    assert "Other machine" not in again
