"""Versioned, all-or-nothing list imports.

An import parses every input first, then writes the new version, its entries and their names
and switches the list's active version, all in the caller's one transaction: a failure at any
point leaves the previously active version untouched and active. Content identical to the
active version makes no new version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from service.errors import NotFound
from service.lists.catalog import LISTS, ensure_lists
from service.lists.entry import ListEntry, ListFormatError, ParseResult
from service.lists.identifiers import official_identifiers
from service.lists.sources import parse
from service.models import (
    ListEntryIdentifier,
    ListEntryName,
    ListEntryRow,
    ListVersion,
    SanctionsList,
    utcnow,
)
from service.textkeys import search_key

# Rows per INSERT statement: large enough to be fast, small enough for SQLite's variable limit.
_BATCH = 2000


@dataclass
class ImportOutcome:
    """What an import did: the version now active and whether it is new."""

    list_id: str
    version: ListVersion
    created: bool
    previous_version_id: int | None
    parsed: ParseResult


def input_files(paths: Sequence[Path]) -> list[Path]:
    """Gives the files behind the given files and folders, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file()
                                and not p.name.startswith(".") and p.suffix != ".md"))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"No such file or folder: {path}")
    return sorted(files, key=lambda p: p.name)


def inputs_sha256(files: Sequence[Path]) -> str:
    """Gives one sha256 over the names and bytes of the input files."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda p: p.name):
        digest.update(file.name.encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def entry_sha256(data: dict[str, Any]) -> str:
    """Gives the sha256 of an entry's canonical JSON (what the diff compares)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


def import_list(
    list_id: str,
    paths: Sequence[Path],
    *,
    session: Session,
    format: str | None = None,
    sources: Sequence[str] | None = None,
    data_date: date | None = None,
    fetched_at: datetime | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    part_dates: dict[str, str] | None = None,
) -> ImportOutcome:
    """Parses the files and makes them the list's active version (in the caller's transaction)."""
    if list_id not in LISTS:
        raise NotFound(f"Unknown list '{list_id}'.",
                       details={"list": list_id, "known": sorted(LISTS)})
    files = input_files(paths)
    parsed = parse(files, format)
    ensure_lists(session=session)
    sanctions_list = session.get(SanctionsList, list_id)
    assert sanctions_list is not None
    previous_id = sanctions_list.active_version_id
    previous = session.get(ListVersion, previous_id) if previous_id else None

    entries = [(entry, entry.to_dict()) for entry in parsed.entries]
    keys = [entry.key for entry, _ in entries]
    if len(set(keys)) != len(keys):
        repeated = sorted({k for k in keys if keys.count(k) > 1})[:10]
        raise ListFormatError(f"the list repeats entry keys {repeated}")
    content_digest = hashlib.sha256(
        "".join(entry_sha256(data) for _, data in entries).encode()
    ).hexdigest()
    files_digest = inputs_sha256(files)
    if previous is not None and content_digest == previous.content_sha256:
        return ImportOutcome(list_id, previous, False, previous_id, parsed)

    version = ListVersion(
        list_id=list_id,
        format=parsed.format,
        data_date=data_date or parsed.data_date,
        fetched_at=fetched_at or utcnow(),
        sha256=files_digest,
        content_sha256=content_digest,
        entry_count=len(entries),
        name_count=sum(len(entry.aliases) + 1 for entry, _ in entries),
        skipped=dict(parsed.skipped),
        sources=list(sources) if sources else [str(f) for f in files],
        etag=etag,
        last_modified=last_modified,
        part_dates=dict(part_dates or {}),
        identifiers_indexed=True,
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    _insert_entries(list_id, version.id, entries, session=session)
    sanctions_list.active_version_id = version.id
    session.add(sanctions_list)
    session.flush()
    return ImportOutcome(list_id, version, True, previous_id, parsed)


def _insert_entries(list_id: str, version_id: int,
                    entries: list[tuple[ListEntry, dict[str, Any]]], *, session: Session) -> None:
    connection = session.connection()
    rows = [
        {
            "version_id": version_id,
            "key": entry.key,
            "kind": entry.kind,
            "name": entry.name,
            "search_key": search_key(entry.name),
            "programs": entry.programs,
            "content_sha256": entry_sha256(data),
            "data": data,
        }
        for entry, data in entries
    ]
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(ListEntryRow), rows[start:start + _BATCH])
    ids: dict[str, int] = dict(connection.execute(
        select(ListEntryRow.key, ListEntryRow.id)  # type: ignore[call-overload]
        .where(ListEntryRow.version_id == version_id)
    ).all())
    names = [
        {
            "entry_id": ids[entry.key],
            "version_id": version_id,
            "name": name.name,
            "search_key": search_key(name.name),
            "type": name.type,
            "weak": name.weak,
        }
        for entry, _ in entries
        for name in entry.all_names()
    ]
    for start in range(0, len(names), _BATCH):
        connection.execute(insert(ListEntryName), names[start:start + _BATCH])
    _insert_identifiers(
        version_id,
        ((ids[entry.key], official_identifiers(list_id, entry.key, data))
         for entry, data in entries),
        session=session,
    )


def _insert_identifiers(version_id: int, identifiers: Iterable[tuple[int, list[str]]], *,
                        session: Session) -> None:
    rows = [{"entry_id": entry_id, "version_id": version_id, "identifier": identifier}
            for entry_id, found in identifiers for identifier in found]
    connection = session.connection()
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(ListEntryIdentifier), rows[start:start + _BATCH])


def ensure_identifiers(version: ListVersion, *, session: Session) -> None:
    """Indexes the official identifiers of a version imported before they were indexed."""
    if version.identifiers_indexed or version.id is None:
        return
    rows = session.connection().execute(
        select(ListEntryRow.id, ListEntryRow.key, ListEntryRow.data)  # type: ignore[call-overload]
        .where(ListEntryRow.version_id == version.id)
    ).all()
    _insert_identifiers(
        version.id,
        ((entry_id, official_identifiers(version.list_id, key, data))
         for entry_id, key, data in rows),
        session=session,
    )
    version.identifiers_indexed = True
    session.add(version)
    session.flush()


def activate_version(list_id: str, version_id: int, *, session: Session) -> ListVersion:
    """Makes an earlier version of the list the active one again (a rollback)."""
    version = session.get(ListVersion, version_id)
    if version is None or version.list_id != list_id:
        raise NotFound(f"List '{list_id}' has no version {version_id}.")
    sanctions_list = session.get(SanctionsList, list_id)
    assert sanctions_list is not None
    sanctions_list.active_version_id = version_id
    session.add(sanctions_list)
    return version
