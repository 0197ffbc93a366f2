"""The one entry model every list source parses into.

Every source format (OFAC CSV and XML, UN XML, US CSL, OpenSanctions FtM) yields the same
`ListEntry` records, so the importer, the diff, the matcher and the API never look at a file
format again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class EntryName:
    """One spelling of an entry's name: its type and whether the list calls it weak."""

    name: str
    type: str = "aka"
    weak: bool = False


@dataclass(slots=True)
class ListEntry:
    """One record of a list, whatever file it came from."""

    key: str
    kind: str
    name: str
    aliases: list[EntryName] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    remarks: str | None = None
    addresses: list[str] = field(default_factory=list)
    # Each identifier: {"type": ..., "value": ..., "country": ...} (country optional).
    identifiers: list[dict[str, str]] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    listed_on: str | None = None  # ISO date where the list gives one
    # Source-specific fields worth keeping (title, call sign, vessel flag, source list, …).
    extra: dict[str, Any] = field(default_factory=dict)

    def all_names(self) -> list[EntryName]:
        """Gives the primary name followed by every alias."""
        return [EntryName(self.name, "primary", False), *self.aliases]

    def to_dict(self) -> dict[str, Any]:
        """Gives a JSON-ready dict (stored with the entry and compared by the diff).

        The same dict as `dataclasses.asdict`, written out: asdict's generic recursion was a
        third of the time of importing a million entries.
        """
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "aliases": [{"name": alias.name, "type": alias.type, "weak": alias.weak}
                        for alias in self.aliases],
            "programs": _copied(self.programs),
            "remarks": self.remarks,
            "addresses": _copied(self.addresses),
            "identifiers": _copied(self.identifiers),
            "birth_dates": _copied(self.birth_dates),
            "nationalities": _copied(self.nationalities),
            "listed_on": self.listed_on,
            "extra": _copied(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListEntry:
        """Gives the entry back from `to_dict` output."""
        values = dict(data)
        values["aliases"] = [EntryName(**a) for a in values.get("aliases", [])]
        return cls(**values)


def _copied(value: Any) -> Any:
    """Gives a copy of nested lists and dicts; their leaves (text, numbers) are immutable."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    return value


@dataclass(slots=True)
class ParseResult:
    """What a source parser gives back: entries plus what it knows of the file set."""

    entries: list[ListEntry]
    format: str
    data_date: date | None = None
    # Rows deliberately skipped, by reason ("orphan_alias", "duplicate_id", …) → count.
    skipped: dict[str, int] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)

    def summary(self) -> ParseSummary:
        """Gives what the parse found besides the entries."""
        return ParseSummary(self.format, self.data_date, dict(self.skipped), list(self.inputs))


@dataclass(slots=True)
class ParseSummary:
    """What a parser knows of its files besides the entries; a stream's `data_date` and
    `skipped` are final only once its entries have all been read."""

    format: str
    data_date: date | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class EntryStream:
    """A parser's entries, given one at a time as they are read, so that a list of a million
    entries is never held in memory whole; iterate `entries` once.

    `expected` is how many entries the parser expects to give (for a progress bar), set
    before the first entry when the parser can tell, else None.
    """

    entries: Iterator[ListEntry]
    summary: ParseSummary
    expected: int | None = None

    @classmethod
    def of(cls, result: ParseResult) -> EntryStream:
        """Gives the stream of a parse already done in memory."""
        return cls(iter(result.entries), result.summary(), len(result.entries))


class ListFormatError(ValueError):
    """A list file could not be read: says what went wrong and where (file, line)."""

    # What the API answers with (the web edge reads these, so the error tree need not know
    # about list files); a ValueError still, as the parsers' callers catch it as one.
    status = 422
    code = "invalid_list_file"

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        self.file = file
        self.line = line
        where = ""
        if file:
            where = f" ({file}" + (f", line {line}" if line else "") + ")"
        super().__init__(message + where)
        self.reason = message

    @property
    def details(self) -> dict[str, Any]:
        """Gives where the file went wrong, for the error envelope."""
        return {"file": self.file, "line": self.line}
