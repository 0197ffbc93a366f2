"""OFAC's legacy CSV files: the SDN set and the consolidated (non-SDN) set.

A set is one primary file (`sdn.csv` or `cons_prim.csv`: one row an entry) and up to three
companions keyed by `ent_num`: aliases (`alt.csv` / `cons_alt.csv`), addresses (`add.csv` /
`cons_add.csv`) and Remarks overflow (`sdn_comments.csv` / `cons_comments.csv`). The files have
no header row, write an empty field as `-0-` (often `-0- `), end with a DOS end-of-file byte
0x1A, and carry no date. Files are told apart by name; a file with an unknown name is placed
by its field count (12, 5, 6 or 2 fields a row).

Extra fields kept on each entry (when not empty): `title`, `call_sign`, `vessel_type`,
`tonnage`, `gross_registered_tonnage`, `vessel_flag`, `vessel_owner`, `sdn_type` (only when it
is not one of the four known types), `places_of_birth`, `citizenships`, `gender`, `linked_to`,
`ofac_list` ("SDN" or "Consolidated": which file set the entry came from).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from service.lists.entry import EntryName, ListEntry, ListFormatError, ParseResult
from service.lists.sources._common import add_alias, clean_text, read_text, unique
from service.lists.sources.ofac_remarks import parse_remarks

FORMAT = "ofac_csv"

PRIMARY, ALIASES, ADDRESSES, COMMENTS = "primary", "aliases", "addresses", "comments"
FIELD_COUNTS = {PRIMARY: 12, ALIASES: 5, ADDRESSES: 6, COMMENTS: 2}
_ROLE_BY_FIELD_COUNT = {count: role for role, count in FIELD_COUNTS.items()}

SDN_SET, CONSOLIDATED_SET = "SDN", "Consolidated"
# File stem → (file set, role in the set).
FILE_ROLES: dict[str, tuple[str, str]] = {
    "sdn": (SDN_SET, PRIMARY),
    "alt": (SDN_SET, ALIASES),
    "add": (SDN_SET, ADDRESSES),
    "sdn_comments": (SDN_SET, COMMENTS),
    "cons_prim": (CONSOLIDATED_SET, PRIMARY),
    "cons_alt": (CONSOLIDATED_SET, ALIASES),
    "cons_add": (CONSOLIDATED_SET, ADDRESSES),
    "cons_comments": (CONSOLIDATED_SET, COMMENTS),
}

# OFAC cuts Remarks at this many characters and carries the rest in the comments file.
REMARKS_CUT_LENGTH = 1000

_KIND_BY_SDN_TYPE = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": ""}
_ALIAS_TYPES = {
    "aka": "aka",
    "fka": "fka",
    "nka": "nka",
    "a.k.a.": "aka",
    "f.k.a.": "fka",
    "n.k.a.": "nka",
}
_NULL = "-0-"
_END_OF_FILE_MARK = "\x1a"
_PROGRAM_SEPARATOR = re.compile(r"\]\s*\[")
_INTEGER = re.compile(r"[0-9]+")
# A complete file ends with a line break, a closing quote or an unquoted `-0-`; anything else
# means the last row was cut off mid-field.
_COMPLETE_ENDING = re.compile(r'(?:\n|"|-0- *)\Z')


@dataclass(slots=True)
class _FileSet:
    name: str
    files: dict[str, Path] = field(default_factory=dict)


def _value(raw: str) -> str:
    """Gives the field's text, or "" for OFAC's `-0-` null."""
    text = raw.strip()
    return "" if text == _NULL else text


def _stem(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".gz", ".csv", ".txt"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _read_rows(path: Path, role: str) -> Iterator[tuple[int, list[str]]]:
    """Gives (line number, fields) for each row, after checking the file is whole."""
    text = read_text(path)
    body = text.rstrip()
    ends_with_mark = body.endswith(_END_OF_FILE_MARK)
    if ends_with_mark:
        body = body[: -len(_END_OF_FILE_MARK)].rstrip()
    if _END_OF_FILE_MARK in body:
        line = body.count("\n", 0, body.index(_END_OF_FILE_MARK)) + 1
        raise ListFormatError(
            "end-of-file mark 0x1A before the end of the file", file=str(path), line=line
        )
    last_line = body.count("\n") + 1
    # The 0x1A mark is written after the last row, so a file that still has it is whole; one
    # without it (allowed) must at least not stop in the middle of a field.
    if body and not ends_with_mark and not _COMPLETE_ENDING.search(text):
        raise ListFormatError(
            "file ends in the middle of a row (truncated?)", file=str(path), line=last_line
        )
    expected = FIELD_COUNTS[role]
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    try:
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) != expected:
                hint = " (truncated?)" if reader.line_num >= last_line else ""
                raise ListFormatError(
                    f"row has {len(fields)} fields; OFAC {role} rows have {expected}{hint}",
                    file=str(path),
                    line=reader.line_num,
                )
            if not _INTEGER.fullmatch(fields[0].strip()):
                raise ListFormatError(
                    f"ent_num {fields[0][:40]!r} is not a number",
                    file=str(path),
                    line=reader.line_num,
                )
            yield reader.line_num, fields
    except csv.Error as exc:
        raise ListFormatError(
            f"broken CSV quoting ({exc})", file=str(path), line=reader.line_num
        ) from exc


def _role_of(path: Path) -> tuple[str, str]:
    known = FILE_ROLES.get(_stem(path))
    if known:
        return known
    # Unknown name: the field count of the first row says which kind of file it is.
    text = read_text(path)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        first_row = next(csv.reader([first_line]))
    except (csv.Error, StopIteration) as exc:
        raise ListFormatError("not an OFAC legacy CSV file", file=str(path), line=1) from exc
    role = _ROLE_BY_FIELD_COUNT.get(len(first_row))
    if role is None:
        raise ListFormatError(
            f"cannot tell which OFAC CSV file this is: name not one of "
            f"{', '.join(sorted(name + '.csv' for name in FILE_ROLES))} and "
            f"{len(first_row)} fields a row",
            file=str(path),
            line=1,
        )
    file_set = CONSOLIDATED_SET if _stem(path).startswith("cons") else SDN_SET
    return file_set, role


def group_files(paths: Sequence[Path]) -> list[_FileSet]:
    """Gives the file sets (SDN first, then consolidated) with each file in its role."""
    sets: dict[str, _FileSet] = {}
    for path in paths:
        set_name, role = _role_of(path)
        file_set = sets.setdefault(set_name, _FileSet(set_name))
        if role in file_set.files:
            raise ListFormatError(
                f"two {role} files for the {set_name} set: {file_set.files[role]} and {path}",
                file=str(path),
            )
        file_set.files[role] = path
    ordered = [sets[name] for name in (SDN_SET, CONSOLIDATED_SET) if name in sets]
    for file_set in ordered:
        if PRIMARY not in file_set.files:
            companions = ", ".join(str(path) for path in file_set.files.values())
            raise ListFormatError(
                f"the {file_set.name} set has companion files ({companions}) but no primary "
                f"file ({'sdn.csv' if file_set.name == SDN_SET else 'cons_prim.csv'})"
            )
    return ordered


def _programs(raw: str) -> list[str]:
    return unique(part.strip(" []") for part in _PROGRAM_SEPARATOR.split(_value(raw)))


def _primary_entry(path: Path, line: int, fields: list[str], set_name: str) -> ListEntry:
    ent_num = str(int(fields[0]))
    name = clean_text(_value(fields[1]))
    if not name:
        raise ListFormatError(f"entry {ent_num} has no name", file=str(path), line=line)
    sdn_type = _value(fields[2]).lower()
    kind = _KIND_BY_SDN_TYPE.get(sdn_type, "other") or "organization"
    extra: dict[str, object] = {"ofac_list": set_name}
    if kind == "other":
        extra["sdn_type"] = _value(fields[2])
    for key, raw in zip(
        (
            "title",
            "call_sign",
            "vessel_type",
            "tonnage",
            "gross_registered_tonnage",
            "vessel_flag",
            "vessel_owner",
        ),
        fields[4:11],
        strict=True,
    ):
        value = clean_text(_value(raw))
        if value:
            extra[key] = value
    # Kept unstripped until the comments file is joined on: OFAC cuts Remarks at a fixed
    # length, sometimes right before a space that the continuation then lacks.
    remarks = fields[11] if _value(fields[11]) else ""
    return ListEntry(
        key=ent_num,
        kind=kind,
        name=name,
        programs=_programs(fields[3]),
        remarks=remarks or None,
        extra=extra,
    )


def _apply_remarks(entry: ListEntry) -> None:
    entry.remarks = (entry.remarks or "").strip() or None
    facts = parse_remarks(entry.remarks)
    for alias in facts.aliases:
        add_alias(entry.aliases, entry.name, alias)
    entry.birth_dates = unique([*entry.birth_dates, *facts.birth_dates])
    entry.nationalities = unique([*entry.nationalities, *facts.nationalities, *facts.citizenships])
    entry.identifiers.extend(facts.identifiers)
    for key, values in (
        ("places_of_birth", facts.places_of_birth),
        ("citizenships", facts.citizenships),
        ("linked_to", facts.linked_to),
    ):
        if values:
            entry.extra[key] = values
    if facts.gender:
        entry.extra["gender"] = facts.gender


def _attach_comments(path: Path, entries: dict[str, ListEntry], skipped: Counter[str]) -> None:
    for _line, fields in _read_rows(path, COMMENTS):
        owner = entries.get(str(int(fields[0])))
        if owner is None:
            skipped["orphan_comment"] += 1
        elif len(owner.remarks or "") < REMARKS_CUT_LENGTH:
            # A comment continues Remarks that were cut at 1,000 characters; these Remarks
            # were not cut, so the comment belongs to another edition of the list (a primary
            # file older or newer than its companions) and would only splice in garbage.
            skipped["comment_for_uncut_remarks"] += 1
        else:
            owner.remarks = (owner.remarks or "") + fields[1]


def _attach_aliases(path: Path, entries: dict[str, ListEntry], skipped: Counter[str]) -> None:
    for line, fields in _read_rows(path, ALIASES):
        owner = entries.get(str(int(fields[0])))
        if owner is None:
            skipped["orphan_alias"] += 1
            continue
        alias_type = _ALIAS_TYPES.get(_value(fields[2]).lower())
        if alias_type is None:
            raise ListFormatError(f"unknown alias type {fields[2]!r}", file=str(path), line=line)
        alias = EntryName(clean_text(_value(fields[3])), alias_type, False)
        if not add_alias(owner.aliases, owner.name, alias):
            # OFAC itself repeats a few spellings, or lists the primary name as an alias.
            skipped["duplicate_alias"] += 1


def _attach_addresses(path: Path, entries: dict[str, ListEntry], skipped: Counter[str]) -> None:
    for _line, fields in _read_rows(path, ADDRESSES):
        owner = entries.get(str(int(fields[0])))
        if owner is None:
            skipped["orphan_address"] += 1
            continue
        parts = (clean_text(_value(raw)) for raw in fields[2:5])
        address = ", ".join(part for part in parts if part)
        if address:
            owner.addresses.append(address)
        else:
            # OFAC keeps address rows whose every field is -0- (an address id with no data).
            skipped["empty_address"] += 1


def _parse_set(file_set: _FileSet, skipped: Counter[str]) -> list[ListEntry]:
    primary_path = file_set.files[PRIMARY]
    entries: dict[str, ListEntry] = {}
    for line, fields in _read_rows(primary_path, PRIMARY):
        entry = _primary_entry(primary_path, line, fields, file_set.name)
        if entry.key in entries:
            skipped["duplicate_id"] += 1
            continue
        entries[entry.key] = entry
    # Comments first: they complete the Remarks, which are read for aliases and facts last.
    if COMMENTS in file_set.files:
        _attach_comments(file_set.files[COMMENTS], entries, skipped)
    if ALIASES in file_set.files:
        _attach_aliases(file_set.files[ALIASES], entries, skipped)
    if ADDRESSES in file_set.files:
        _attach_addresses(file_set.files[ADDRESSES], entries, skipped)
    for entry in entries.values():
        _apply_remarks(entry)
    return list(entries.values())


def parse(paths: Sequence[Path]) -> ParseResult:
    """Gives the entries of one or two legacy OFAC CSV sets (SDN and/or consolidated)."""
    skipped: Counter[str] = Counter()
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for file_set in group_files(paths):
        for entry in _parse_set(file_set, skipped):
            if entry.key in seen:
                skipped["duplicate_id"] += 1
                continue
            seen.add(entry.key)
            entries.append(entry)
    return ParseResult(
        entries=entries,
        format=FORMAT,
        data_date=None,  # the legacy files carry no date
        skipped=dict(sorted(skipped.items())),
        inputs=[str(path) for path in paths],
    )
