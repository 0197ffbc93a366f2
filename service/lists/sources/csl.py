"""The US Consolidated Screening List (trade.gov): the bulk CSV (plain or .csv.gz) and the JSON
answer of its search API (`{"total", "sources_used", "results": [...]}`).

The CSL merges 13 US lists. One record can appear on several of them (an entity on the SDN
list and the CAPTA list) as rows sharing one `_id`; such rows are merged into one entry, the
later rows counted in `skipped["duplicate_id"]`, and every list the entry is on kept in
`extra["sources"]` (`extra["source"]` is the first). Programs, aliases, addresses, documents
and other facts of the merged rows are united.

Rows of lists that give no type (the Entity List, the Denied Persons List, …) get kind
"other": those lists mix people and companies, and guessing would mislead the matcher.

Extra fields kept on each entry (when not empty): `source`, `sources`, `entity_number`,
`title`, `end_date`, `federal_register_notice`, `remarks_url` (`source_information_url`),
`source_list_url`, `places_of_birth`, `citizenships`, `gender`, `features`, `standard_order`,
`license_requirement`, `license_policy`, `call_sign`, `vessel_type`, `tonnage`,
`gross_registered_tonnage`, `vessel_flag`, `vessel_owner`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from service.lists.entry import EntryName, ListEntry, ListFormatError, ParseResult
from service.lists.sources._common import (
    add_alias,
    clean_text,
    date_or_text,
    header_date,
    parse_day,
    read_head,
    read_text,
    unique,
)
from service.lists.sources._ofac_vocabulary import canonical_label, is_identifier_type

FORMAT = "csl"

REQUIRED_COLUMNS = ("_id", "source", "name")
_KINDS = {
    "individual": "person",
    "entity": "organization",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_LIST_SEPARATOR = "; "
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A complete CSV ends with a line break or a closing quote; anything else was cut mid-field.
_COMPLETE_ENDING = re.compile(r'(?:\n|")\Z')
_SIMPLE_FIELDS = {
    "entity_number": "entity_number",
    "title": "title",
    "end_date": "end_date",
    "federal_register_notice": "federal_register_notice",
    "standard_order": "standard_order",
    "license_requirement": "license_requirement",
    "license_policy": "license_policy",
    "call_sign": "call_sign",
    "vessel_type": "vessel_type",
    "gross_tonnage": "tonnage",
    "gross_registered_tonnage": "gross_registered_tonnage",
    "vessel_flag": "vessel_flag",
    "vessel_owner": "vessel_owner",
    "source_list_url": "source_list_url",
    "source_information_url": "remarks_url",
}


def _split(value: Any) -> list[str]:
    """Gives the items of a `; `-joined CSV cell, or of a JSON list, cleaned."""
    if not value:
        return []
    items = value if isinstance(value, list) else str(value).split(_LIST_SEPARATOR)
    return [text for text in (clean_text(str(item)) for item in items) if text]


# --- the `ids` column ----------------------------------------------------------------------
#
# The CSV writes each document as comma-joined parts, in one of two orders: the 2022 files put
# the type last ("JO, 2014-08-30, 2009-08-31, K475336, Passport": country, dates, number,
# type), the 2025 files put it first ("Passport, 836238033, KP"). Which one a file uses is
# decided once per file by where the two-letter country codes sit.


def ids_type_first(cells: Iterable[str]) -> bool:
    """Gives True when the `ids` cells put the document type first, False when last."""
    type_first_votes = type_last_votes = 0
    for cell in cells:
        for item in _split(cell):
            parts = [part.strip() for part in item.split(", ")]
            if len(parts) < 3:
                continue
            if _COUNTRY_CODE.fullmatch(parts[0]):
                type_last_votes += 1
            elif _COUNTRY_CODE.fullmatch(parts[-1]):
                type_first_votes += 1
    return type_first_votes > type_last_votes


def _parse_id_item(item: str, type_first: bool) -> dict[str, str]:
    parts = [part.strip() for part in item.split(", ")]
    if len(parts) == 1:
        return {"type": "", "value": parts[0]}
    record: dict[str, str] = {}
    if type_first:
        record["type"] = parts[0]
        rest = parts[1:]
        if len(rest) >= 2 and _COUNTRY_CODE.fullmatch(rest[-1]):
            record["country"] = rest.pop()
        record["value"] = ", ".join(rest)
        return record
    record["type"] = parts[-1]
    rest = parts[:-1]
    if len(rest) >= 2 and _COUNTRY_CODE.fullmatch(rest[0]):
        record["country"] = rest.pop(0)
    dates = [part for part in rest[:-1] if _ISO_DAY.fullmatch(part)]
    if len(dates) == len(rest) - 1:
        rest = rest[-1:]
        # Issue precedes expiry, whatever order the cell wrote them in.
        if len(dates) == 2:
            record["issued"], record["expires"] = sorted(dates)
        elif len(dates) == 1:
            record["date"] = dates[0]
    record["value"] = ", ".join(rest)
    return record


def _api_id(item: dict[str, Any]) -> dict[str, str]:
    record = {
        "type": clean_text(str(item.get("type") or "")),
        "value": clean_text(str(item.get("number") or "")),
    }
    for api_key, key in (
        ("country", "country"),
        ("issue_date", "issued"),
        ("expiration_date", "expires"),
    ):
        value = clean_text(str(item.get(api_key) or ""))
        if value:
            record[key] = value
    return record


# --- records --------------------------------------------------------------------------------


def _address(value: Any) -> str:
    if isinstance(value, dict):
        parts = [value.get(key) for key in ("address", "city", "state", "postal_code", "country")]
        return ", ".join(clean_text(str(part)) for part in parts if part and clean_text(str(part)))
    return clean_text(str(value))


def _record_entry(
    record: dict[str, Any], type_first: bool, where: tuple[str, int | None]
) -> ListEntry:
    file, line = where
    key = clean_text(str(record.get("_id") or record.get("id") or ""))
    if not key:
        raise ListFormatError("row has no _id", file=file, line=line)
    name = clean_text(str(record.get("name") or ""))
    if not name:
        raise ListFormatError(f"row {key} has no name", file=file, line=line)
    raw_type = clean_text(str(record.get("type") or "")).lower()
    kind = _KINDS.get(raw_type, "other")
    source = clean_text(str(record.get("source") or ""))

    extra: dict[str, Any] = {}
    if source:
        extra["source"] = source
        extra["sources"] = [source]
    for field_name, key_name in _SIMPLE_FIELDS.items():
        value = clean_text(str(record.get(field_name) or ""))
        if value:
            extra[key_name] = value
    places = _split(record.get("places_of_birth"))
    if places:
        extra["places_of_birth"] = unique(places)
    citizenships = _split(record.get("citizenships"))
    if citizenships:
        extra["citizenships"] = unique(citizenships)

    entry = ListEntry(
        key=key,
        kind=kind,
        name=name,
        programs=unique(_split(record.get("programs"))),
        remarks=clean_text(str(record.get("remarks") or "")) or None,
        birth_dates=unique(date_or_text(text) for text in _split(record.get("dates_of_birth"))),
        nationalities=unique([*_split(record.get("nationalities")), *citizenships]),
        extra=extra,
    )
    start = parse_day(str(record.get("start_date") or ""))
    entry.listed_on = start.isoformat() if start else None
    for alias in _split(record.get("alt_names")):
        add_alias(entry.aliases, name, EntryName(alias, "aka", False))

    addresses = record.get("addresses")
    address_items = addresses if isinstance(addresses, list) else _split(addresses)
    entry.addresses = unique(_address(item) for item in address_items)

    ids = record.get("ids")
    if isinstance(ids, list):
        documents = [
            _api_id(item) if isinstance(item, dict) else _parse_id_item(str(item), type_first)
            for item in ids
        ]
    else:
        documents = [_parse_id_item(item, type_first) for item in _split(ids)]
    for document in documents:
        label = canonical_label(document.get("type", ""))
        if label.lower() == "gender":
            extra["gender"] = document.get("value", "")
        elif is_identifier_type(label) and document.get("value"):
            document["type"] = label
            entry.identifiers.append(document)
        elif document.get("value"):
            extra.setdefault("features", []).append({"type": label, "value": document["value"]})
    return entry


def _merge(kept: ListEntry, duplicate: ListEntry) -> None:
    """Adds what a repeated row of the same record says to the entry already kept."""
    kept.programs = unique([*kept.programs, *duplicate.programs])
    for alias in duplicate.aliases:
        add_alias(kept.aliases, kept.name, alias)
    kept.addresses = unique([*kept.addresses, *duplicate.addresses])
    kept.birth_dates = unique([*kept.birth_dates, *duplicate.birth_dates])
    kept.nationalities = unique([*kept.nationalities, *duplicate.nationalities])
    for identifier in duplicate.identifiers:
        if identifier not in kept.identifiers:
            kept.identifiers.append(identifier)
    for key, value in duplicate.extra.items():
        if key not in kept.extra:
            kept.extra[key] = value
        elif isinstance(value, list) and isinstance(kept.extra[key], list):
            kept.extra[key] = kept.extra[key] + [
                item for item in value if item not in kept.extra[key]
            ]


# --- files ----------------------------------------------------------------------------------


def _csv_records(path: Path) -> Iterator[tuple[dict[str, Any], bool, tuple[str, int | None]]]:
    text = read_text(path)
    if text.strip() and not _COMPLETE_ENDING.search(text):
        raise ListFormatError(
            "file ends in the middle of a row (truncated?)",
            file=str(path),
            line=text.count("\n") + 1,
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ListFormatError("file is empty", file=str(path))
        header = [column.strip().lstrip("\ufeff") for column in header]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise ListFormatError(
                f"not a CSL CSV: header lacks {', '.join(missing)}", file=str(path), line=1
            )
        rows: list[tuple[int, list[str]]] = []
        for fields in reader:
            if not fields:
                continue
            if len(fields) != len(header):
                raise ListFormatError(
                    f"row has {len(fields)} fields, the header has {len(header)}",
                    file=str(path),
                    line=reader.line_num,
                )
            rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise ListFormatError(
            f"broken CSV quoting ({exc})", file=str(path), line=reader.line_num
        ) from exc
    ids_column = header.index("ids") if "ids" in header else None
    type_first = ids_column is not None and ids_type_first(
        fields[ids_column] for _line, fields in rows
    )
    for line, fields in rows:
        yield dict(zip(header, fields, strict=True)), type_first, (str(path), line)


def _json_records(
    path: Path, data_dates: list[date]
) -> Iterator[tuple[dict[str, Any], bool, tuple[str, int | None]]]:
    text = read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListFormatError(
            f"JSON is malformed or cut off ({exc.msg})", file=str(path), line=exc.lineno
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        raise ListFormatError('not a CSL search answer: no "results" list', file=str(path))
    for source in document.get("sources_used") or []:
        if isinstance(source, dict):
            updated = header_date(
                str(source.get("source_last_updated") or ""), "source_last_updated", path
            )
            if updated:
                data_dates.append(updated)
    for position, record in enumerate(document["results"]):
        if not isinstance(record, dict):
            raise ListFormatError(f"result {position} is not an object", file=str(path))
        yield record, True, (f"{path} (result {position})", None)


def _is_json(path: Path) -> bool:
    head = read_head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def parse(paths: Sequence[Path]) -> ParseResult:
    """Gives one entry per CSL `_id` from bulk CSV files and/or search-API JSON answers."""
    skipped: Counter[str] = Counter()
    by_key: dict[str, ListEntry] = {}
    data_dates: list[date] = []
    for path in paths:
        records = _json_records(path, data_dates) if _is_json(path) else _csv_records(path)
        for record, type_first, where in records:
            entry = _record_entry(record, type_first, where)
            if entry.key in by_key:
                skipped["duplicate_id"] += 1
                _merge(by_key[entry.key], entry)
            else:
                by_key[entry.key] = entry
    return ParseResult(
        entries=list(by_key.values()),
        format=FORMAT,
        data_date=max(data_dates) if data_dates else None,
        skipped=dict(sorted(skipped.items())),
        inputs=[str(path) for path in paths],
    )
