"""OFAC's XML exports: SDN_ENHANCED (`<sanctionsData>`) and the classic `<sdnList>`.

Both are read with defusedxml, element by element, so a full export never sits in memory as
one tree. The data date comes from `publicationInfo/dataAsOf` (enhanced) or
`publshInformation/Publish_Date` (classic, written MM/DD/YYYY).

Extra fields kept on each entry (when not empty): `title`, `gender`, `places_of_birth`,
`citizenships`, `call_sign`, `vessel_type`, `vessel_flag`, `vessel_owner`, `tonnage`,
`gross_registered_tonnage`, `features` (every other fact as {"type", "value"}), and for the
enhanced format also `sanctions_lists`, `legal_authorities`, `relationships`
({"type", "entity_id", "name"}) and `linked_to` (the related entities' names).
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
    clean_text,
    date_or_text,
    first_child,
    header_date,
    iter_xml,
    local_name,
    parse_day,
    parse_files,
    path_elements,
    path_texts,
    unique,
)
from service.lists.sources._ofac_vocabulary import canonical_label, is_identifier_type

FORMAT = "ofac_xml"

ENHANCED_ROOT, CLASSIC_ROOT = "sanctionsData", "sdnList"

_KINDS = {
    "individual": "person",
    "entity": "organization",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_ALIAS_TYPES = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}
_LATIN_SCRIPT = "Latin"

# Feature and id types that have a field of their own rather than a place in `features`.
_VESSEL_FIELDS = {
    "Vessel Call Sign": "call_sign",
    "VESSEL TYPE": "vessel_type",
    "Vessel Type": "vessel_type",
    "Vessel Flag": "vessel_flag",
    "Vessel Owner": "vessel_owner",
    "Vessel Tonnage": "tonnage",
    "Vessel Gross Registered Tonnage": "gross_registered_tonnage",
}
_CLASSIC_VESSEL_FIELDS = {
    "callSign": "call_sign",
    "vesselType": "vessel_type",
    "vesselFlag": "vessel_flag",
    "vesselOwner": "vessel_owner",
    "tonnage": "tonnage",
    "grossRegisteredTonnage": "gross_registered_tonnage",
}


def _kind(raw: str, key: str, path: Path) -> str:
    kind = _KINDS.get(raw.strip().lower())
    if kind is None:
        raise ListFormatError(f"entry {key} has unknown type {raw!r}", file=str(path))
    return kind


def _iso_day(text: str) -> str | None:
    """Gives YYYY-MM-DD from an ISO timestamp or date, or None."""
    day = parse_day(text)
    return day.isoformat() if day else None


def _append_extra(extra: dict[str, Any], key: str, value: str) -> None:
    values = extra.setdefault(key, [])
    if value and value not in values:
        values.append(value)


# --- SDN_ENHANCED ------------------------------------------------------------------------


def _translation_name(translation: Element) -> str:
    full = child_text(translation, "formattedFullName")
    if full:
        return full
    parts = [
        child_text(part, "value") for part in path_elements(translation, "nameParts", "namePart")
    ]
    return " ".join(part for part in parts if part)


def _enhanced_names(entity: Element, key: str, path: Path) -> tuple[str, list[EntryName]]:
    primary = ""
    spellings: list[EntryName] = []
    for name in path_elements(entity, "names", "name"):
        is_primary_name = child_text(name, "isPrimary") == "true"
        weak = child_text(name, "isLowQuality") == "true"
        alias_type = _ALIAS_TYPES.get(child_text(name, "aliasType").lower(), "aka")
        translations = path_elements(name, "translations", "translation")
        # The primary translation in Latin script is the name as OFAC prints it; other
        # scripts of the same name are further spellings to match against.
        translations.sort(
            key=lambda t: (
                child_text(t, "isPrimary") != "true",
                child_text(t, "script") != _LATIN_SCRIPT,
            )
        )
        for position, translation in enumerate(translations):
            text = _translation_name(translation)
            if is_primary_name and position == 0 and not primary:
                primary = text
            else:
                spellings.append(EntryName(text, alias_type, weak))
    if not primary:
        raise ListFormatError(f"entity {key} has no primary name", file=str(path))
    aliases: list[EntryName] = []
    for spelling in spellings:
        add_alias(aliases, primary, spelling)
    return primary, aliases


def _enhanced_address(address: Element) -> str:
    parts: list[str] = []
    translations = sorted(
        path_elements(address, "translations", "translation"),
        key=lambda t: child_text(t, "isPrimary") != "true",
    )
    if translations:
        parts_element = first_child(translations[0], "addressParts")
        if parts_element is not None:
            parts = [child_text(part, "value") for part in children(parts_element, "addressPart")]
    parts.append(child_text(address, "country"))
    return ", ".join(part for part in parts if part)


def _date_period(period: Element | None) -> str:
    if period is None:
        return ""
    start = child_text(period, "fromDateBegin")
    end = child_text(period, "toDateEnd") or start
    if not start:
        return ""
    return start if start == end else f"{start}/{end}"


def _enhanced_entry(entity: Element, path: Path) -> ListEntry:
    key = (entity.get("id") or "").strip()
    if not key:
        raise ListFormatError("entity without an id attribute", file=str(path))
    general = first_child(entity, "generalInfo")
    if general is None:
        raise ListFormatError(f"entity {key} has no generalInfo", file=str(path))
    kind = _kind(child_text(general, "entityType"), key, path)
    name, aliases = _enhanced_names(entity, key, path)
    extra: dict[str, Any] = {}
    title = child_text(general, "title")
    if title:
        extra["title"] = title
    entry = ListEntry(
        key=key,
        kind=kind,
        name=name,
        aliases=aliases,
        programs=unique(path_texts(entity, "sanctionsPrograms", "sanctionsProgram")),
        remarks=child_text(general, "remarks") or None,
        extra=extra,
    )
    lists = path_elements(entity, "sanctionsLists", "sanctionsList")
    published = sorted(
        day for day in (_iso_day(item.get("datePublished") or "") for item in lists) if day
    )
    entry.listed_on = published[0] if published else None
    if lists:
        extra["sanctions_lists"] = unique(clean_text(item.text) for item in lists)
    authorities = path_texts(entity, "legalAuthorities", "legalAuthority")
    if authorities:
        extra["legal_authorities"] = unique(authorities)

    for address in path_elements(entity, "addresses", "address"):
        text = _enhanced_address(address)
        if text:
            entry.addresses.append(text)

    for feature in path_elements(entity, "features", "feature"):
        feature_type = canonical_label(child_text(feature, "type"))
        value = child_text(feature, "value")
        if not value:
            continue
        if feature_type == "Birthdate":
            entry.birth_dates.append(date_or_text(value))
        elif feature_type in ("Nationality Country", "Citizenship Country"):
            entry.nationalities.append(value)
            if feature_type == "Citizenship Country":
                _append_extra(extra, "citizenships", value)
        elif feature_type == "Place of Birth":
            _append_extra(extra, "places_of_birth", value)
        elif feature_type == "Gender":
            extra["gender"] = value
        elif feature_type in _VESSEL_FIELDS:
            extra[_VESSEL_FIELDS[feature_type]] = value
        elif is_identifier_type(feature_type):
            entry.identifiers.append({"type": feature_type, "value": value})
        else:
            extra.setdefault("features", []).append({"type": feature_type, "value": value})

    for document in path_elements(entity, "identityDocuments", "identityDocument"):
        number = child_text(document, "documentNumber")
        if not number:
            continue
        identifier = {"type": canonical_label(child_text(document, "type")), "value": number}
        country = child_text(document, "issuingCountry")
        if country:
            identifier["country"] = country
        issued = _date_period(first_child(document, "issueDate"))
        if issued:
            identifier["issued"] = issued
        expires = _date_period(first_child(document, "expirationDate"))
        if expires:
            identifier["expires"] = expires
        entry.identifiers.append(identifier)

    for relationship in path_elements(entity, "relationships", "relationship"):
        related = first_child(relationship, "relatedEntity")
        if related is None:
            continue
        related_name = clean_text(related.text)
        extra.setdefault("relationships", []).append(
            {
                "type": child_text(relationship, "type"),
                "entity_id": (related.get("entityId") or "").strip(),
                "name": related_name,
            }
        )
        _append_extra(extra, "linked_to", related_name)

    entry.birth_dates = unique(entry.birth_dates)
    entry.nationalities = unique(entry.nationalities)
    return entry


# --- classic sdnList ---------------------------------------------------------------------


def _classic_name(element: Element) -> str:
    last = child_text(element, "lastName")
    first = child_text(element, "firstName")
    # The legacy CSV writes individuals as "LAST, First"; keep the XML the same.
    return f"{last}, {first}" if last and first else last or first


def _classic_entry(record: Element, path: Path, skipped: Counter[str]) -> ListEntry:
    key = child_text(record, "uid")
    if not key:
        raise ListFormatError("sdnEntry without a uid", file=str(path))
    name = _classic_name(record)
    if not name:
        raise ListFormatError(f"sdnEntry {key} has no name", file=str(path))
    extra: dict[str, Any] = {}
    title = child_text(record, "title")
    if title:
        extra["title"] = title
    entry = ListEntry(
        key=key,
        kind=_kind(child_text(record, "sdnType"), key, path),
        name=name,
        programs=unique(path_texts(record, "programList", "program")),
        remarks=child_text(record, "remarks") or None,
        extra=extra,
    )
    for aka in path_elements(record, "akaList", "aka"):
        alias_type = _ALIAS_TYPES.get(child_text(aka, "type").lower(), "aka")
        weak = child_text(aka, "category").lower() == "weak"
        if not add_alias(entry.aliases, name, EntryName(_classic_name(aka), alias_type, weak)):
            skipped["duplicate_alias"] += 1

    for address in path_elements(record, "addressList", "address"):
        parts = [
            child_text(address, part)
            for part in (
                "address1",
                "address2",
                "address3",
                "city",
                "stateOrProvince",
                "postalCode",
                "country",
            )
        ]
        text = ", ".join(part for part in parts if part)
        if text:
            entry.addresses.append(text)

    for item in path_elements(record, "idList", "id"):
        id_type = canonical_label(child_text(item, "idType"))
        number = child_text(item, "idNumber")
        if not number:
            continue
        if id_type == "Gender":
            extra["gender"] = number
        elif is_identifier_type(id_type):
            identifier = {"type": id_type, "value": number}
            for field_name, key_name in (
                ("idCountry", "country"),
                ("issueDate", "issued"),
                ("expirationDate", "expires"),
            ):
                value = child_text(item, field_name)
                if value:
                    identifier[key_name] = date_or_text(value) if key_name != "country" else value
            entry.identifiers.append(identifier)
        else:
            extra.setdefault("features", []).append({"type": id_type, "value": number})

    entry.birth_dates = unique(
        date_or_text(text)
        for text in path_texts(record, "dateOfBirthList", "dateOfBirthItem", "dateOfBirth")
    )
    for place in path_texts(record, "placeOfBirthList", "placeOfBirthItem", "placeOfBirth"):
        _append_extra(extra, "places_of_birth", place)
    citizenships = path_texts(record, "citizenshipList", "citizenship", "country")
    entry.nationalities = unique(
        [*path_texts(record, "nationalityList", "nationality", "country"), *citizenships]
    )
    if citizenships:
        extra["citizenships"] = unique(citizenships)

    # Vessel details sit in <vesselInfo> in OFAC's schema; accept them at entry level too.
    vessel_info = first_child(record, "vesselInfo")
    for source in (record, vessel_info):
        if source is None:
            continue
        for element_name, key_name in _CLASSIC_VESSEL_FIELDS.items():
            value = child_text(source, element_name)
            if value:
                extra[key_name] = value
    return entry


# --- both --------------------------------------------------------------------------------


def _parse_file(
    path: Path, skipped: Counter[str], seen: set[str], entries: list[ListEntry]
) -> date | None:
    data_date: date | None = None
    root_name = ""
    for name, element in iter_xml(path, ("entity", "sdnEntry", "dataAsOf", "Publish_Date")):
        if name == "":
            root_name = local_name(element.tag)
            if root_name not in (ENHANCED_ROOT, CLASSIC_ROOT):
                raise ListFormatError(
                    f"not an OFAC XML export: root element is <{root_name}>, expected "
                    f"<{ENHANCED_ROOT}> or <{CLASSIC_ROOT}>",
                    file=str(path),
                )
            continue
        if name in ("dataAsOf", "Publish_Date"):
            data_date = header_date(element.text, name, path)
            continue
        if name == "entity" and root_name == ENHANCED_ROOT:
            entry = _enhanced_entry(element, path)
        elif name == "sdnEntry" and root_name == CLASSIC_ROOT:
            entry = _classic_entry(element, path, skipped)
        else:
            continue
        if entry.key in seen:
            skipped["duplicate_id"] += 1
            continue
        seen.add(entry.key)
        entries.append(entry)
    return data_date


def parse(paths: Sequence[Path]) -> ParseResult:
    """Gives the entries of one or more OFAC XML exports (SDN_ENHANCED or classic sdnList);
    an entry found in two files is kept once and counted as a duplicate.
    """
    return parse_files(paths, _parse_file, FORMAT)
