"""OpenSanctions FollowTheMoney entities, one JSON object a line (`*.ftm.json`, also gzipped).

Listable schemata become entries: Person → person; Organization, Company, LegalEntity,
PublicBody → organization; Vessel → vessel; Airplane → aircraft. Entities marked
`"target": false` (relatives, owners and other context around the sanctioned) are not
entries and are counted in `skipped["not_target"]`; a file without the flag is taken as all
targets. Address, Sanction, Passport and Identification entities are folded into the entries
they point at; any other schema (links such as Ownership) is counted in
`skipped["unsupported_schema"]`.

Programs are the entity's OpenSanctions datasets (`eu_fsf`, `un_sc_sanctions`, …): short,
stable codes naming the source lists. The free-text `program` of the linked Sanction entities
(often long and in the source's language) is kept in `extra["sanction_programs"]`.

Names: the caption is the primary name; other `name` values and `alias` are strong aliases,
`weakAlias` weak ones, `previousName` former names (fka). Country codes are upper-cased.

Extra fields kept on each entry (when not empty): `schema`, `datasets`, `topics`,
`referents`, `first_seen`, `last_seen`, `last_change`, `countries`, `gender`,
`places_of_birth`, `positions`, `sanction_programs`, `sanction_authorities`.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from service.lists.entry import (
    EntryName,
    EntryStream,
    ListEntry,
    ListFormatError,
    ParseResult,
    ParseSummary,
)
from service.lists.sources._common import (
    add_alias,
    clean_text,
    open_binary,
    parse_day,
    read_errors_as_format_errors,
    unique,
)

FORMAT = "opensanctions"

KIND_BY_SCHEMA = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "PublicBody": "organization",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
_DOCUMENT_SCHEMATA = ("Passport", "Identification")
# Identifying properties of listable entities; the property name is kept as the type.
_IDENTIFIER_PROPERTIES = (
    "idNumber",
    "passportNumber",
    "taxNumber",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "kppCode",
    "leiCode",
    "dunsCode",
    "vatCode",
    "swiftBic",
    "bikCode",
    "imoNumber",
    "mmsi",
    "callSign",
    "icaoCode",
    "serialNumber",
    "wikidataId",
)
_ISO_PARTIAL = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass(slots=True)
class _Entity:
    line: int
    file: str
    data: dict[str, Any]

    def values(self, prop: str) -> list[str]:
        """Gives the cleaned, non-empty values of a property (FtM keeps every one a list)."""
        return _texts(self.data["properties"].get(prop))

    def metadata(self, key: str) -> list[str]:
        """Gives the values of a top-level list such as `datasets` or `referents`."""
        return _texts(self.data.get(key))


def _texts(raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    return [text for text in (clean_text(str(item)) for item in items) if text]


def _codes(values: list[str]) -> list[str]:
    return unique(value.upper() if len(value) == 2 else value for value in values)


def _read_entities(path: Path) -> Iterator[_Entity]:
    """Gives the file's entities one at a time, as they are read."""
    line_number = 0
    with read_errors_as_format_errors(path, lambda: line_number + 1), open_binary(path) as stream:
        for line_number, raw_line in enumerate(stream, start=1):
            if not raw_line.strip():
                continue
            try:
                data = json.loads(raw_line)
            except UnicodeDecodeError as exc:
                raise ListFormatError(
                    f"line is not UTF-8 ({exc.reason})", file=str(path), line=line_number
                ) from exc
            except json.JSONDecodeError as exc:
                raise ListFormatError(
                    f"not a JSON object a line, or cut off ({exc.msg})",
                    file=str(path),
                    line=line_number,
                ) from exc
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("id"), str)
                or not isinstance(data.get("schema"), str)
                or not isinstance(data.get("properties", {}), dict)
            ):
                raise ListFormatError(
                    "not a FollowTheMoney entity (needs id, schema and properties)",
                    file=str(path),
                    line=line_number,
                )
            data.setdefault("properties", {})
            yield _Entity(line_number, str(path), data)


def _entry(
    entity: _Entity,
    addresses: dict[str, list[str]],
    sanctions: list[_Entity],
    documents: list[_Entity],
) -> ListEntry:
    data = entity.data
    names = entity.values("name")
    caption = clean_text(str(data.get("caption") or ""))
    primary = caption or (names[0] if names else "")
    if not primary:
        raise ListFormatError(
            f"entity {data['id']} has no name", file=entity.file, line=entity.line
        )
    aliases: list[EntryName] = []
    for prop, alias_type, weak in (
        ("name", "aka", False),
        ("alias", "aka", False),
        ("weakAlias", "aka", True),
        ("previousName", "fka", False),
    ):
        for value in entity.values(prop):
            add_alias(aliases, primary, EntryName(value, alias_type, weak))

    identifiers: list[dict[str, str]] = []
    for prop in _IDENTIFIER_PROPERTIES:
        for value in entity.values(prop):
            identifiers.append({"type": prop, "value": value})
    for document in documents:
        number = next(iter(document.values("number")), "")
        if not number or any(known["value"] == number for known in identifiers):
            continue
        identifier = {
            "type": next(iter(document.values("type")), document.data["schema"]),
            "value": number,
        }
        country = next(iter(_codes(document.values("country"))), "")
        if country:
            identifier["country"] = country
        identifiers.append(identifier)

    entity_addresses = entity.values("address")
    for address_id in entity.values("addressEntity"):
        entity_addresses.extend(addresses.get(address_id, [])[:1])

    datasets = entity.metadata("datasets")
    extra: dict[str, Any] = {"schema": data["schema"]}
    for key, values in (
        ("datasets", datasets),
        ("topics", entity.values("topics")),
        ("referents", entity.metadata("referents")),
        ("countries", _codes(entity.values("country"))),
        ("places_of_birth", entity.values("birthPlace")),
        ("positions", entity.values("position")),
        ("sanction_programs", [p for s in sanctions for p in s.values("program")]),
        ("sanction_authorities", [a for s in sanctions for a in s.values("authority")]),
    ):
        kept = unique(values)
        if kept:
            extra[key] = kept
    for key in ("first_seen", "last_seen", "last_change"):
        if data.get(key):
            extra[key] = str(data[key])
    gender = entity.values("gender")
    if gender:
        extra["gender"] = gender[0]

    created = sorted(day for day in map(parse_day, entity.values("createdAt")) if day)
    birth_dates = [value for value in entity.values("birthDate") if _ISO_PARTIAL.match(value)]
    return ListEntry(
        key=str(data["id"]),
        kind=KIND_BY_SCHEMA[data["schema"]],
        name=primary,
        aliases=aliases,
        programs=unique([*entity.values("program"), *datasets]),
        remarks="\n".join(unique(entity.values("notes"))) or None,
        addresses=unique(entity_addresses),
        identifiers=identifiers,
        birth_dates=unique(birth_dates),
        nationalities=_codes([*entity.values("nationality"), *entity.values("citizenship")]),
        listed_on=created[0].isoformat() if created else None,
        extra=extra,
    )


@dataclass
class _FoldedIn:
    """The entities folded into the entries that point at them, gathered by a first pass."""

    addresses: dict[str, list[str]] = field(default_factory=dict)
    sanctions: defaultdict[str, list[_Entity]] = field(
        default_factory=lambda: defaultdict(list))
    documents: defaultdict[str, list[_Entity]] = field(
        default_factory=lambda: defaultdict(list))
    # Listable targets met, repeats included: what the second pass will make entries of.
    targets: int = 0


def _first_pass(paths: Sequence[Path]) -> _FoldedIn:
    """Keeps only the Address, Sanction and document entities (few, and small) and counts the
    targets: an entry may come before the entities it points at, in any of the files."""
    folded = _FoldedIn()
    for path in paths:
        for entity in _read_entities(path):
            schema = entity.data["schema"]
            if schema == "Address":
                # Entities may point at an address by its id or by one of its merged-away ids.
                for address_id in [entity.data["id"], *entity.metadata("referents")]:
                    folded.addresses[address_id] = entity.values("full")
            elif schema == "Sanction":
                for target in entity.values("entity"):
                    folded.sanctions[target].append(entity)
            elif schema in _DOCUMENT_SCHEMATA:
                for holder in entity.values("holder"):
                    folded.documents[holder].append(entity)
            elif schema in KIND_BY_SCHEMA and entity.data.get("target") is not False:
                folded.targets += 1
    return folded


def stream(paths: Sequence[Path]) -> EntryStream:
    """Gives the target persons, organisations, vessels and aircraft of FtM entity files one
    at a time: the files are read twice (the entities folded in, then the entries), so a
    file of a million entities is never held in memory."""
    summary = ParseSummary(FORMAT, inputs=[str(path) for path in paths])
    result = EntryStream(iter(()), summary)
    result.entries = _entries(paths, result)
    return result


def _entries(paths: Sequence[Path], result: EntryStream) -> Iterator[ListEntry]:
    folded = _first_pass(paths)
    result.expected = folded.targets
    skipped: Counter[str] = Counter()
    last_seen: date | None = None
    keys: set[str] = set()
    for path in paths:
        for entity in _read_entities(path):
            schema = entity.data["schema"]
            seen = parse_day(str(entity.data.get("last_seen") or ""))
            if seen and (last_seen is None or seen > last_seen):
                last_seen = seen
            if schema not in KIND_BY_SCHEMA:
                if schema not in ("Address", "Sanction", *_DOCUMENT_SCHEMATA):
                    skipped["unsupported_schema"] += 1
                continue
            if entity.data.get("target") is False:
                skipped["not_target"] += 1
                continue
            entity_id = entity.data["id"]
            if entity_id in keys:
                skipped["duplicate_id"] += 1
                continue
            keys.add(entity_id)
            yield _entry(entity, folded.addresses, folded.sanctions.get(entity_id, []),
                         folded.documents.get(entity_id, []))
    result.summary.data_date = last_seen
    result.summary.skipped = dict(sorted(skipped.items()))


def parse(paths: Sequence[Path]) -> ParseResult:
    """Gives the target persons, organisations, vessels and aircraft of FtM entity files."""
    streamed = stream(paths)
    entries = list(streamed.entries)
    summary = streamed.summary
    return ParseResult(entries=entries, format=FORMAT, data_date=summary.data_date,
                       skipped=summary.skipped, inputs=summary.inputs)
