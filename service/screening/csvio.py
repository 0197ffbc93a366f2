"""Name files in and screening results out, as CSV.

Input: a header row with a `name` column and optional `id` and `kind`. Output: one row per
returned candidate (`SCREEN_COLUMNS`), or one row with empty match fields for a name with no
candidate. Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from service.errors import InvalidInput
from service.screening.screen import ScreeningRequest, ScreeningResult
from service.terms import MAX_NAME_LENGTH, SCREEN_KINDS

SCREEN_COLUMNS = ("id", "name", "rank", "score", "match", "list", "list_key", "matched_name",
                  "entity_id", "programs")
# A leading =, +, -, @, tab or carriage return makes spreadsheets evaluate the cell.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Gives the cell text, prefixed with ' where a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def read_names(handle: IO[str], *, source: str = "input") -> Iterator[ScreeningRequest]:
    """Gives each name of a CSV file with a `name` column (and optional `id`, `kind`)."""
    reader = csv.DictReader(handle)
    columns = {c.strip().lower(): c for c in (reader.fieldnames or []) if c}
    if "name" not in columns:
        raise InvalidInput(f"{source}: the CSV needs a header row with a 'name' column.",
                           details={"columns": list(columns)})
    for row in reader:
        line = reader.line_num
        name = (row.get(columns["name"]) or "").strip()
        if not name:
            raise InvalidInput(f"{source}, line {line}: the name is empty.",
                               details={"line": line})
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"{source}, line {line}: the name is longer than "
                               f"{MAX_NAME_LENGTH} characters.", details={"line": line})
        kind = (row.get(columns["kind"]) or "").strip().lower() if "kind" in columns else ""
        if kind and kind not in SCREEN_KINDS:
            raise InvalidInput(f"{source}, line {line}: unknown kind '{kind}'.",
                               details={"line": line, "kinds": sorted(SCREEN_KINDS)})
        identifier = (row.get(columns["id"]) or "").strip() if "id" in columns else ""
        yield ScreeningRequest(name, identifier or None, kind or None)


def result_rows(result: ScreeningResult) -> list[dict[str, Any]]:
    """Gives the output rows of one screened name: one per candidate, or one empty row."""
    base = {"id": result.request.id or "", "name": result.request.name}
    if not result.matches:
        return [{**base, **{c: "" for c in SCREEN_COLUMNS[2:]}}]
    return [
        {
            **base,
            "rank": rank,
            "score": f"{m.score:.4f}",
            "match": "true" if m.match else "false",
            "list": m.name.list_id,
            "list_key": m.name.list_key,
            "matched_name": m.name.name,
            "entity_id": m.name.entity_id or "",
            "programs": ";".join(m.name.programs),
        }
        for rank, m in enumerate(result.matches, start=1)
    ]


def write_rows(handle: IO[str], rows: Iterable[dict[str, Any]], *, header: bool = True,
               columns: tuple[str, ...] = SCREEN_COLUMNS) -> None:
    """Writes rows as CSV with every cell made safe for spreadsheets."""
    writer = csv.writer(handle, lineterminator="\n")
    if header:
        writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column, "")) for column in columns])
