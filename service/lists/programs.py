"""The program table: what each sanctions program code means and its legal basis."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from service.config import SEEDS_DIR


@lru_cache(maxsize=1)
def program_table() -> dict[str, dict[str, Any]]:
    """Gives {code: {"code", "name", "legal_basis"}} from seeds/programs.yaml."""
    rows = yaml.safe_load((SEEDS_DIR / "programs.yaml").read_text(encoding="utf-8")) or []
    return {row["code"]: {"code": row["code"], "name": row["name"],
                          "legal_basis": row.get("legal_basis")} for row in rows}


def explain(codes: list[str]) -> list[dict[str, Any]]:
    """Gives each code with its name and legal basis (name null for a code not in the table)."""
    table = program_table()
    return [table.get(code, {"code": code, "name": None, "legal_basis": None})
            for code in codes]
