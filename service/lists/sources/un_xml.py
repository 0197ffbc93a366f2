"""The UN Security Council consolidated list (`<CONSOLIDATED_LIST dateGenerated=…>`).

Individuals become persons and entities organisations; the key is the UN reference number
(`QDi.001`), which is what the Security Council cites. Aliases of quality "Low" are weak.

Extra fields kept on each entry (when not empty): `un_dataid`, `un_version`, `title`,
`designation`, `gender`, `places_of_birth`, `last_updated`, `list_type`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from service.lists.entry import EntryName, ListEntry, ListFormatError, ParseResult
from service.lists.sources._common import (
    add_alias,
    child_text,
    children,
    date_or_text,
    header_date,
    iter_xml,
    local_name,
    parse_day,
    parse_files,
    path_texts,
    unique,
)

FORMAT = "un_xml"

ROOT = "CONSOLIDATED_LIST"
_RECORD_KINDS = {"INDIVIDUAL": "person", "ENTITY": "organization"}
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ADDRESS_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
_PLACE_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")
# QUALITY as the UN writes it: "Good"/"Low" for individuals, "a.k.a."/"f.k.a." for entities.
_ALIAS_QUALITIES = {
    "": ("aka", False),
    "good": ("aka", False),
    "low": ("aka", True),
    "a.k.a.": ("aka", False),
    "f.k.a.": ("fka", False),
    "n.k.a.": ("nka", False),
}


def _joined(element: Element, parts: Sequence[str]) -> str:
    return ", ".join(text for text in (child_text(element, part) for part in parts) if text)


def _birth_date(element: Element) -> str:
    """Gives an ISO date, year or "from/to" interval for one INDIVIDUAL_DATE_OF_BIRTH."""
    exact = child_text(element, "DATE") or child_text(element, "YEAR")
    if exact:
        return date_or_text(exact)
    start, end = child_text(element, "FROM_YEAR"), child_text(element, "TO_YEAR")
    if start and end:
        return start if start == end else f"{start}/{end}"
    return start or end


def _record_entry(record: Element, kind: str, path: Path, skipped: Counter[str]) -> ListEntry:
    tag = local_name(record.tag)
    key = child_text(record, "REFERENCE_NUMBER")
    data_id = child_text(record, "DATAID")
    if not key:
        raise ListFormatError(f"{tag} {data_id or '?'} has no REFERENCE_NUMBER", file=str(path))
    name = " ".join(text for text in (child_text(record, part) for part in _NAME_PARTS) if text)
    if not name:
        raise ListFormatError(f"{tag} {key} has no name", file=str(path))

    aliases: list[EntryName] = []
    for alias in children(record, f"{tag}_ALIAS"):
        alias_name = child_text(alias, "ALIAS_NAME")
        if not alias_name:
            continue  # the UN writes an empty <*_ALIAS> element when there is none
        quality = child_text(alias, "QUALITY").lower()
        alias_type, weak = _ALIAS_QUALITIES.get(quality, ("aka", False))
        if not add_alias(aliases, name, EntryName(alias_name, alias_type, weak)):
            skipped["duplicate_alias"] += 1
    for original in path_texts(record, "NAME_ORIGINAL_SCRIPT"):
        add_alias(aliases, name, EntryName(original, "aka", False))

    extra: dict[str, Any] = {}
    if data_id:
        extra["un_dataid"] = data_id
    version = child_text(record, "VERSIONNUM")
    if version:
        extra["un_version"] = version
    for key_name, element_name in (("title", "TITLE"), ("designation", "DESIGNATION")):
        values = unique(path_texts(record, element_name, "VALUE"))
        if values:
            extra[key_name] = values
    gender = child_text(record, "GENDER")
    if gender:
        extra["gender"] = gender
    places = unique(
        _joined(place, _PLACE_PARTS) for place in children(record, "INDIVIDUAL_PLACE_OF_BIRTH")
    )
    if places:
        extra["places_of_birth"] = places
    updates = sorted(path_texts(record, "LAST_DAY_UPDATED", "VALUE"))
    if updates:
        extra["last_updated"] = updates[-1]
    list_types = unique(path_texts(record, "LIST_TYPE", "VALUE"))
    if list_types:
        extra["list_type"] = list_types

    identifiers: list[dict[str, str]] = []
    for document in children(record, "INDIVIDUAL_DOCUMENT"):
        number = child_text(document, "NUMBER")
        if not number:
            continue
        identifier = {
            "type": child_text(document, "TYPE_OF_DOCUMENT")
            or child_text(document, "TYPE_OF_DOCUMENT2")
            or "Document",
            "value": number,
        }
        country = child_text(document, "ISSUING_COUNTRY") or child_text(
            document, "COUNTRY_OF_ISSUE"
        )
        if country:
            identifier["country"] = country
        issued = child_text(document, "DATE_OF_ISSUE")
        if issued:
            identifier["issued"] = date_or_text(issued)
        note = child_text(document, "NOTE")
        if note:
            identifier["note"] = note
        identifiers.append(identifier)

    birth_dates = [_birth_date(element) for element in children(record, "INDIVIDUAL_DATE_OF_BIRTH")]
    # Some aliases carry their own date of birth (a second identity): keep it too.
    birth_dates += [
        date_or_text(text) for text in path_texts(record, "INDIVIDUAL_ALIAS", "DATE_OF_BIRTH")
    ]
    listed_on = parse_day(child_text(record, "LISTED_ON"))
    return ListEntry(
        key=key,
        kind=kind,
        name=name,
        aliases=aliases,
        programs=unique([child_text(record, "UN_LIST_TYPE")]),
        remarks=child_text(record, "COMMENTS1") or None,
        addresses=unique(
            _joined(address, _ADDRESS_PARTS) for address in children(record, f"{tag}_ADDRESS")
        ),
        identifiers=identifiers,
        birth_dates=unique(birth_dates),
        nationalities=unique(path_texts(record, "NATIONALITY", "VALUE")),
        listed_on=listed_on.isoformat() if listed_on else None,
        extra=extra,
    )


def _parse_file(
    path: Path, skipped: Counter[str], seen: set[str], entries: list[ListEntry]
) -> date | None:
    data_date: date | None = None
    for name, element in iter_xml(path, _RECORD_KINDS):
        if name == "":
            root_name = local_name(element.tag)
            if root_name != ROOT:
                raise ListFormatError(
                    f"not a UN consolidated list: root element is <{root_name}>, expected <{ROOT}>",
                    file=str(path),
                )
            data_date = header_date(element.get("dateGenerated"), "dateGenerated", path)
            continue
        entry = _record_entry(element, _RECORD_KINDS[name], path, skipped)
        if entry.key in seen:
            skipped["duplicate_id"] += 1
            continue
        seen.add(entry.key)
        entries.append(entry)
    return data_date


def parse(paths: Sequence[Path]) -> ParseResult:
    """Gives the individuals then entities of one or more UN consolidated list files, each
    reference number once.
    """
    return parse_files(paths, _parse_file, FORMAT)
