"""The bundled list snapshots in `seeds/lists/`: the offline first version of each list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from sqlmodel import Session

from service.lists.catalog import ensure_lists
from service.lists.importer import ImportOutcome, import_list
from service.models import SanctionsList


def import_snapshots(folder: Path, *, session: Session,
                     only_if_empty: bool = True) -> list[ImportOutcome]:
    """Imports each snapshot whose list has no version yet; gives what was imported."""
    manifest = folder / "lists.yaml"
    if not manifest.is_file():
        return []
    ensure_lists(session=session)
    outcomes = []
    for item in yaml.safe_load(manifest.read_text(encoding="utf-8")) or []:
        sanctions_list = session.get(SanctionsList, item["list"])
        if only_if_empty and sanctions_list and sanctions_list.active_version_id:
            continue
        data_date = item.get("data_date")
        outcomes.append(import_list(
            item["list"], [folder / item["folder"]], session=session,
            format=item.get("format"), sources=item.get("sources"),
            data_date=date.fromisoformat(str(data_date)) if data_date else None,
            part_dates={str(k): str(v) for k, v in (item.get("part_dates") or {}).items()},
        ))
    return outcomes
