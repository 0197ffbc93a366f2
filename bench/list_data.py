"""Readers of the real list files for the matching benchmark (names only).

These are deliberately small: the service's own list importers (service/lists/sources/) are
the real parsers. The UN reader switches to ``service.lists.sources.un_xml.parse`` when that
module exists.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from defusedxml import ElementTree

from service.matching.index import IndexedName

DATA_DIR = Path("/work/shared/data")
SDN_CSV = DATA_DIR / "ofac" / "sdn-2024-05" / "sdn.csv"
SDN_ALT_CSV = DATA_DIR / "ofac" / "sdn-2025-12" / "alt.csv"
UN_XML = DATA_DIR / "un" / "UN_consolidated_2026-02-27.xml"

_AKA_IN_REMARKS = re.compile(r"a\.k\.a\.\s+'([^']+)'")
_SDN_KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}


def _empty(value: str) -> bool:
    return value.strip() in ("", "-0-")


def _legacy_rows(path: Path) -> Iterator[list[str]]:
    """Gives the rows of a headerless OFAC legacy CSV (DOS end-of-file mark removed)."""
    text = path.read_text(encoding="utf-8").rstrip("\x1a")
    yield from csv.reader(io.StringIO(text))


def sdn_names(sdn_csv: Path = SDN_CSV, alt_csv: Path = SDN_ALT_CSV) -> list[IndexedName]:
    """Gives every SDN name: primaries, alt.csv aliases joined on ent_num, remark a.k.a.s."""
    names: list[IndexedName] = []
    entries: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for row in _legacy_rows(sdn_csv):
        if len(row) < 12:
            continue
        ent_num, name, sdn_type, programs = row[0].strip(), row[1].strip(), row[2], row[3]
        kind = _SDN_KINDS.get(sdn_type.strip().lower(), "organization")
        program_list = tuple(p.strip() for p in programs.split("] [") if not _empty(p))
        entries[ent_num] = (name, kind, program_list)
        names.append(IndexedName("ofac_sdn", ent_num, name, name, kind, program_list))
        if not _empty(row[11]):
            for alias in _AKA_IN_REMARKS.findall(row[11]):
                names.append(
                    IndexedName("ofac_sdn", ent_num, alias, name, kind, program_list, weak=True)
                )
    for row in _legacy_rows(alt_csv):
        if len(row) < 4 or row[0].strip() not in entries:
            continue  # aliases of entries this older sdn.csv does not have
        primary, kind, program_list = entries[row[0].strip()]
        names.append(IndexedName("ofac_sdn", row[0].strip(), row[3].strip(), primary, kind,
                                 program_list))
    return names


def _text(element: object, tag: str) -> str:
    found = element.find(tag)  # type: ignore[attr-defined]
    return (found.text or "").strip() if found is not None else ""


def un_names(xml_path: Path = UN_XML) -> list[IndexedName]:
    """Gives every UN consolidated-list name (primary, aliases, original-script name)."""
    try:
        from service.lists.sources import un_xml
    except ImportError:
        return _un_names_from_xml(xml_path)
    result = un_xml.parse([xml_path])
    names: list[IndexedName] = []
    for entry in result.entries:
        for entry_name in entry.all_names():
            names.append(IndexedName("un_sc", entry.key, entry_name.name, entry.name,
                                     entry.kind, tuple(entry.programs), weak=entry_name.weak))
    return names


def _un_names_from_xml(xml_path: Path) -> list[IndexedName]:
    """Gives the UN names read with defusedxml (until the service's UN parser exists)."""
    root = ElementTree.parse(str(xml_path)).getroot()
    names: list[IndexedName] = []
    for tag, kind in (("INDIVIDUALS/INDIVIDUAL", "person"), ("ENTITIES/ENTITY", "organization")):
        alias_tag = "INDIVIDUAL_ALIAS" if kind == "person" else "ENTITY_ALIAS"
        for record in root.findall(tag):
            key = _text(record, "REFERENCE_NUMBER") or _text(record, "DATAID")
            programs = (_text(record, "UN_LIST_TYPE"),)
            parts = [_text(record, f) for f in
                     ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            primary = " ".join(p for p in parts if p)
            names.append(IndexedName("un_sc", key, primary, primary, kind, programs))
            original = _text(record, "NAME_ORIGINAL_SCRIPT")
            if original:
                names.append(IndexedName("un_sc", key, original, primary, kind, programs))
            for alias in record.findall(alias_tag):
                alias_name = _text(alias, "ALIAS_NAME")
                if alias_name:
                    weak = _text(alias, "QUALITY").lower() == "low"
                    names.append(IndexedName("un_sc", key, alias_name, primary, kind, programs,
                                             weak=weak))
    return names
