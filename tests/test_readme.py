"""The README documents every setting and keeps the two set-up commands."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from service.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    missing = [f"XREF_{f.name.upper()}" for f in fields(Settings)
               if f.name != "source_urls" and f"`XREF_{f.name.upper()}`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"
    assert "`XREF_SOURCE_URL_<LIST>`" in README


def test_the_two_commands_are_there() -> None:
    assert "make run" in README and "make test" in README
