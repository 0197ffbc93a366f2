"""Versioned, all-or-nothing list imports.

An import reads its inputs an entry at a time where the format allows (a file of a million
OpenSanctions entities is never held in memory whole), writes the new version, its entries and
their names in batches as they come, and switches the list's active version, all in the
caller's one transaction: a failure at any point leaves the previously active version
untouched and active, and takes back what this import wrote. Content identical to the active
version makes no new version (what was written for it is taken back).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from service.errors import NotFound
from service.lists.catalog import LISTS, ensure_lists
from service.lists.entry import EntryStream, ListEntry, ListFormatError, ParseSummary
from service.lists.identifiers import official_identifiers
from service.lists.sources import stream
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
# Entries are also read and written in batches of this size, so that memory stays flat.
_BATCH = 2000

# Told after each batch: entries written so far, and how many the parser expects (or None).
Progress = Callable[[int, int | None], None]


@dataclass
class ImportOutcome:
    """What an import did: the version now active and whether it is new.

    `parsed` says what the parser found besides the entries (format, data date, skipped rows,
    inputs); the entries themselves were written as they were read and are not kept.
    """

    list_id: str
    version: ListVersion
    created: bool
    previous_version_id: int | None
    parsed: ParseSummary


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
    progress: Progress | None = None,
) -> ImportOutcome:
    """Reads the files and makes them the list's active version (in the caller's
    transaction); `progress` is told after each batch of entries written."""
    if list_id not in LISTS:
        raise NotFound(f"Unknown list '{list_id}'.",
                       details={"list": list_id, "known": sorted(LISTS)})
    files = input_files(paths)
    # Detection runs here, so a file of the wrong format is refused before anything is written.
    entries = stream(files, format)
    ensure_lists(session=session)
    sanctions_list = session.get(SanctionsList, list_id)
    assert sanctions_list is not None
    previous_id = sanctions_list.active_version_id
    previous = session.get(ListVersion, previous_id) if previous_id else None

    # The version row comes first, since its entries point at it; what only the whole read
    # can tell (counts, digest, the data date and skipped rows of a streamed file) is filled
    # in at the end.
    version = ListVersion(
        list_id=list_id,
        format=entries.summary.format,
        data_date=data_date,
        fetched_at=fetched_at or utcnow(),
        sha256=inputs_sha256(files),
        content_sha256="",
        entry_count=0,
        name_count=0,
        skipped={},
        sources=list(sources) if sources else [str(f) for f in files],
        etag=etag,
        last_modified=last_modified,
        part_dates=dict(part_dates or {}),
        identifiers_indexed=True,
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    try:
        written = _write_entries(list_id, version.id, entries, session=session,
                                 progress=progress)
    except BaseException:
        _discard(version, session=session)
        raise
    summary = entries.summary
    if previous is not None and written.content_sha256 == previous.content_sha256:
        _discard(version, session=session)
        return ImportOutcome(list_id, previous, False, previous_id, summary)

    version.data_date = data_date or summary.data_date
    version.content_sha256 = written.content_sha256
    version.entry_count = written.entries
    version.name_count = written.names
    version.skipped = dict(summary.skipped)
    session.add(version)
    sanctions_list.active_version_id = version.id
    session.add(sanctions_list)
    session.flush()
    return ImportOutcome(list_id, version, True, previous_id, summary)


@dataclass
class _Written:
    """What was written of a version, counted and digested as the entries went by."""

    entries: int = 0
    names: int = 0
    # sha256 over the entries' own sha256s in order: what tells identical content apart.
    digest: Any = field(default_factory=hashlib.sha256)
    keys: set[str] = field(default_factory=set)
    repeated: set[str] = field(default_factory=set)

    @property
    def content_sha256(self) -> str:
        return str(self.digest.hexdigest())


def _write_entries(list_id: str, version_id: int, entries: EntryStream, *, session: Session,
                   progress: Progress | None) -> _Written:
    """Writes the entries in batches as they are read; raises ListFormatError at the end when
    a key came twice (after reading on, so that the message names every repeat)."""
    written = _Written()
    batch: list[tuple[ListEntry, dict[str, Any], str]] = []
    for entry in entries.entries:
        if entry.key in written.keys:
            # Kept out of the table (its key is unique per version); the import fails below.
            written.repeated.add(entry.key)
            continue
        written.keys.add(entry.key)
        data = entry.to_dict()
        sha = entry_sha256(data)
        written.digest.update(sha.encode())
        batch.append((entry, data, sha))
        if len(batch) >= _BATCH:
            _insert_batch(list_id, version_id, batch, written, session=session)
            batch = []
            if progress is not None:
                progress(written.entries, entries.expected)
    if batch:
        _insert_batch(list_id, version_id, batch, written, session=session)
    if progress is not None:
        progress(written.entries, entries.expected)
    if written.repeated:
        raise ListFormatError(f"the list repeats entry keys {sorted(written.repeated)[:10]}")
    return written


def _insert_batch(list_id: str, version_id: int,
                  batch: list[tuple[ListEntry, dict[str, Any], str]], written: _Written, *,
                  session: Session) -> None:
    connection = session.connection()
    connection.execute(insert(ListEntryRow), [
        {
            "version_id": version_id,
            "key": entry.key,
            "kind": entry.kind,
            "name": entry.name,
            "search_key": search_key(entry.name),
            "programs": entry.programs,
            "content_sha256": sha,
            "data": data,
        }
        for entry, data, sha in batch
    ])
    # By key through the (version, key) unique index: one lookup per row of this batch.
    ids: dict[str, int] = dict(connection.execute(
        select(ListEntryRow.key, ListEntryRow.id)  # type: ignore[call-overload]
        .where(ListEntryRow.version_id == version_id)
        .where(col(ListEntryRow.key).in_([entry.key for entry, _, _ in batch]))
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
        for entry, _, _ in batch
        for name in entry.all_names()
    ]
    if names:
        connection.execute(insert(ListEntryName), names)
    _insert_identifiers(
        version_id,
        ((ids[entry.key], official_identifiers(list_id, entry.key, data))
         for entry, data, _ in batch),
        session=session,
    )
    written.entries += len(batch)
    written.names += len(names)


def _discard(version: ListVersion, *, session: Session) -> None:
    """Takes back the version row and whatever was written for it, leaving the caller's
    transaction as it was before the import."""
    # A database that failed mid-import may refuse these too (PostgreSQL refuses every
    # statement of a failed transaction until it is rolled back); then the caller's rollback
    # takes everything back anyway, and the first error is the one worth reporting.
    with suppress(Exception):
        connection = session.connection()
        connection.execute(delete(ListEntryIdentifier)
                           .where(col(ListEntryIdentifier.version_id) == version.id))
        connection.execute(delete(ListEntryName)
                           .where(col(ListEntryName.version_id) == version.id))
        connection.execute(delete(ListEntryRow).where(col(ListEntryRow.version_id) == version.id))
        session.delete(version)
        session.flush()


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
