"""FollowTheMoney shapes, for the yente-compatible API: queries in, list entries out.

OpenSanctions' yente and its clients (nomenklatura's `YenteEnricher`, say) speak in
FollowTheMoney entities: a `schema` and `properties`, each a list of strings. A query entity
becomes one screening request per name, with its details; a list entry becomes an entity
whose id is `<list id>-<entry key>` and whose dataset is its list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from service.matching.details import (
    NO_DETAILS,
    DetailError,
    Details,
    country_code,
    query_details,
)
from service.screening.screen import ScreeningRequest
from service.terms import LISTS, MAX_NAME_LENGTH

# A query's schema → the kind screened for (None: any kind).
SCHEMA_KINDS: Mapping[str, str | None] = {
    "Person": "person", "Organization": "organization", "Company": "organization",
    "PublicBody": "organization", "Vessel": "vessel", "Airplane": "aircraft",
    "LegalEntity": None, "Thing": None,
}
# An entry's kind → the schema its entity has.
KIND_SCHEMAS: Mapping[str, str] = {
    "person": "Person", "organization": "Organization", "vessel": "Vessel",
    "aircraft": "Airplane", "other": "LegalEntity",
}
# Query properties read as each detail (FollowTheMoney's names; several are identifiers).
PROPERTY_DETAILS: Mapping[str, str] = {
    "birthDate": "birth_date",
    "nationality": "nationality", "citizenship": "nationality",
    "country": "country", "jurisdiction": "country", "mainCountry": "country",
    "idNumber": "id_number", "passportNumber": "id_number", "imoNumber": "id_number",
    "mmsi": "id_number", "registrationNumber": "id_number", "taxNumber": "id_number",
    "innCode": "id_number", "ogrnCode": "id_number", "leiCode": "id_number",
    "swiftBic": "id_number", "vatCode": "id_number",
    "gender": "gender",
}
# Names of one query screened at most (an entity with hundreds of aliases is not a query).
MAX_QUERY_NAMES = 10
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def entity_id(list_id: str, key: str) -> str:
    """Gives the entity id of a list entry (list ids have no `-`, so the first one splits)."""
    return f"{list_id}-{key}"


def split_entity_id(value: str) -> tuple[str, str] | None:
    """Gives the list and key an entity id names, or None when it names no known list."""
    list_id, _, key = value.partition("-")
    return (list_id, key) if list_id in LISTS and key else None


def _strings(values: Any) -> list[str]:
    items = values if isinstance(values, list) else [values]
    return [str(v).strip() for v in items if isinstance(v, str | int | float) and str(v).strip()]


def query_requests(query_id: str, schema: str, properties: Mapping[str, Any]
                   ) -> list[ScreeningRequest]:
    """Gives the screening requests of one query entity: one per name, each with the
    entity's details. Values that are not readable are left out, as yente's cleaning
    drops them, rather than failing the whole query."""
    names = [name for name in dict.fromkeys(_strings(properties.get("name"))
                                            + _strings(properties.get("alias")))
             if len(name) <= MAX_NAME_LENGTH][:MAX_QUERY_NAMES]
    kind = SCHEMA_KINDS.get(schema)
    details = query_entity_details(properties)
    return [ScreeningRequest(name, query_id, kind, details) for name in names]


def query_entity_details(properties: Mapping[str, Any]) -> Details:
    """Gives the readable details of a query entity's properties."""
    values: dict[str, list[str]] = {}
    for prop, field in PROPERTY_DETAILS.items():
        for value in _strings(properties.get(prop)):
            if field == "birth_date":
                found = _PARTIAL_DATE.match(value)
                if not found:
                    continue
                value = found.group(0)
            try:
                query_details(**{field: value})
            except DetailError:
                continue
            values.setdefault(field, []).append(value)
    if "gender" in values:
        values["gender"] = values["gender"][:1]
    return query_details(**values) if values else NO_DETAILS


def _identifier_property(id_type: str, schema: str) -> str:
    label = id_type.lower()
    if schema == "Vessel":
        if "imo" in label:
            return "imoNumber"
        if "mmsi" in label:
            return "mmsi"
        return "registrationNumber"
    if schema == "Airplane":
        return "registrationNumber"
    if schema == "Person" and "passport" in label:
        return "passportNumber"
    if "tax" in label or "inn" == label.strip(" .#"):
        return "taxNumber"
    return "idNumber"


def entry_entity(list_id: str, data: Mapping[str, Any], *, seen: str | None = None
                 ) -> dict[str, Any]:
    """Gives a list entry (its stored common model) as a FollowTheMoney entity."""
    kind = str(data.get("kind") or "other")
    schema = KIND_SCHEMAS.get(kind, "LegalEntity")
    props: dict[str, list[str]] = {"name": [str(data["name"])], "topics": ["sanction"]}

    def add(prop: str, values: Iterable[str]) -> None:
        for value in values:
            if value and value not in props.setdefault(prop, []):
                props[prop].append(value)

    aliases = data.get("aliases") or []
    add("alias", [a["name"] for a in aliases if not a.get("weak")])
    add("weakAlias", [a["name"] for a in aliases if a.get("weak")])
    add("address", data.get("addresses") or [])
    extra = data.get("extra") or {}
    countries = [c for c in map(country_code, _strings(extra.get("countries"))) if c]
    if schema == "Person":
        add("birthDate", [m.group(0) for d in data.get("birth_dates") or []
                          if (m := _PARTIAL_DATE.match(str(d)))])
        add("nationality", [c.lower() for c in map(country_code, data.get("nationalities")
                                                   or []) if c])
        gender = str(extra.get("gender") or "").lower()
        if gender in ("male", "female", "other"):
            add("gender", [gender])
    elif schema in ("Organization", "LegalEntity"):
        countries += [c for c in map(country_code, data.get("nationalities") or []) if c]
    if schema == "Vessel":
        add("flag", [c.lower() for c in map(country_code, _strings(extra.get("vessel_flag")))
                     if c])
    add("country", [c.lower() for c in countries])
    for identifier in data.get("identifiers") or []:
        value = str(identifier.get("value") or "").strip()
        if value:
            add(_identifier_property(str(identifier.get("type") or ""), schema), [value])
    if data.get("remarks"):
        add("notes", [str(data["remarks"])])
    return {
        "id": entity_id(list_id, str(data["key"])),
        "caption": str(data["name"]),
        "schema": schema,
        "properties": props,
        "datasets": [list_id],
        "referents": [],
        "target": True,
        "first_seen": seen,
        "last_seen": seen,
        "last_change": seen,
    }


def dataset_lists(dataset: str, available: Sequence[str]) -> list[str] | None:
    """Gives the lists a dataset name covers (`default`: every list), or None when it
    names none of them."""
    if dataset == "default":
        return list(available)
    return [dataset] if dataset in available else None
