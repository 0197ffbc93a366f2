"""The registry seed files agree with the documents and with the real OFAC SDN data."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from defusedxml import ElementTree

from service.registry.passages import find_passages
from service.textkeys import search_key

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
SDN_2024 = SHARED / "data" / "ofac" / "sdn-2024-05" / "sdn.csv"
ALT_2025 = SHARED / "data" / "ofac" / "sdn-2025-12" / "alt.csv"

STANDARD_SOURCES = {"OFAC SDN", "common spelling"}
REQUIRED_ENTITIES = {
    "kataib-hezbollah",
    "islamic-revolutionary-guard-corps",
    "irgc-qods-force",
    "qassem-soleimani",
    "badr-organization",
    "qais-al-khazali",
    "asaib-ahl-al-haq",
    "hezbollah",
    "imad-mughniyeh",
    "jihad-mughniyeh",
    "abu-mustafa-al-sheibani",
    "hadi-al-amiri",
    "mohammed-ghabban",
    "muqtada-al-sadr",
    "mahdi-army",
    "saraya-al-salam",
    "islamic-state",
    "popular-mobilization-forces",
    "hamid-taqavi",
    "ahmed-al-zamili",
    "al-qaraa-regiment",
    "bashar-al-assad",
    "ali-khamenei",
    "hassan-rouhani",
    "ali-al-sistani",
    "haidar-al-abadi",
    "nouri-al-maliki",
    "national-defence-forces",
    "syrian-arab-army",
    "syrian-air-force",
    "iraqi-ministry-of-interior",
    "iraqi-security-forces",
    "peshmerga",
}
# Links a reviewer checked by hand against sdn-2024-05/sdn.csv.
EXPECTED_PINS = {
    "kataib-hezbollah": {"11462"},
    "asaib-ahl-al-haq": {"28283"},
    "hezbollah": {"4697"},
    "islamic-state": {"8759"},
    "islamic-revolutionary-guard-corps": {"10391"},
    "irgc-qods-force": {"10465"},
    "qassem-soleimani": {"10481"},
    "qais-al-khazali": {"28004"},
    "abu-mustafa-al-sheibani": {"10485"},
    "bashar-al-assad": {"12735"},
    "ali-khamenei": {"26945"},
    # 30228 NATIONAL DEFENSE FORCES, and 15588 JAYSH AL-SHA'BI, whose aliases are SYRIAN
    # NATIONAL DEFENSE FORCE(S) (see the comment in entities.yaml).
    "national-defence-forces": {"30228", "15588"},
    "syrian-arab-army": {"20954"},
    "syrian-air-force": {"20960"},
}
# Records that look like a registry entity by name but are someone else's.
NEVER_PINNED = {
    "30976": "MINISTRY OF INTERIOR",  # Cuba's (GLOMAG, Havana), not Iraq's
}
NOT_ON_THE_SDN_LIST = {
    "badr-organization",
    "hadi-al-amiri",
    "imad-mughniyeh",
    "mahdi-army",
    "popular-mobilization-forces",
    "muqtada-al-sadr",
    "iraqi-ministry-of-interior",
    "iraqi-security-forces",
    "peshmerga",
}


@cache
def _documents() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load(
        (SEEDS / "documents" / "documents.yaml").read_text("utf-8")
    )
    return items


@cache
def _document_keys() -> dict[str, str]:
    """Gives each document's search key, padded so that whole words can be looked up."""
    return {
        item["id"]: f" {search_key((SEEDS / 'documents' / item['file']).read_text('utf-8'))} "
        for item in _documents()
    }


@cache
def _entities() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load((SEEDS / "entities.yaml").read_text("utf-8"))
    return items


@cache
def _programs() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load((SEEDS / "programs.yaml").read_text("utf-8"))
    return items


def _sdn_rows() -> Iterator[list[str]]:
    with SDN_2024.open(encoding="utf-8", errors="replace", newline="") as handle:
        # The file ends with a lone DOS end-of-file mark, which parses as a one-field row.
        yield from (row for row in csv.reader(handle) if len(row) >= 12)


@cache
def _sdn_by_key() -> dict[str, list[str]]:
    if not SDN_2024.is_file():
        pytest.skip("../shared/data/ofac/sdn-2024-05/sdn.csv is not beside the project")
    return {row[0]: row for row in _sdn_rows()}


def _programs_of(row: list[str]) -> set[str]:
    return {code.strip() for code in row[3].split("] [")}


@cache
def _sdn_spellings(key: str) -> set[frozenset[str]]:
    """Gives the word sets of the record's name, alt.csv aliases and a.k.a. remarks."""
    row = _sdn_by_key()[key]
    spellings = [row[1], *re.findall(r"a\.k\.a\. '([^']+(?:'[^;']+)*)'", row[11])]
    if ALT_2025.is_file():
        with ALT_2025.open(encoding="utf-8", errors="replace", newline="") as handle:
            spellings += [
                alias[3] for alias in csv.reader(handle) if len(alias) >= 4 and alias[0] == key
            ]
    return {_word_set(spelling) for spelling in spellings}


def _word_set(name: str) -> frozenset[str]:
    # SDN names put the surname first after a comma and may open with "THE".
    return frozenset(search_key(name).split()) - {"the"}


def _entity(entity_id: str) -> dict[str, Any]:
    return next(entity for entity in _entities() if entity["id"] == entity_id)


# --- documents.yaml -------------------------------------------------------------------------


def test_documents_yaml_lists_the_five_documents_with_matching_sha256() -> None:
    items = _documents()
    assert len(items) == 5
    assert len({item["id"] for item in items}) == 5
    for item in items:
        assert set(item) == {"id", "file", "title", "published_on", "source", "sha256"}
        raw = (SEEDS / "documents" / item["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == item["sha256"]


def test_document_titles_are_the_documents_own_headlines() -> None:
    for item in _documents():
        text = (SEEDS / "documents" / item["file"]).read_text("utf-8")
        assert item["title"] in text.splitlines()


def test_published_on_is_an_iso_date_or_null() -> None:
    for item in _documents():
        published = item["published_on"]
        assert published is None or date.fromisoformat(published)


def test_documents_are_byte_for_byte_copies_of_the_source_documents() -> None:
    originals = SHARED / "source-documents"
    if not originals.is_dir():
        pytest.skip("../shared/source-documents is not beside the project")
    copies = sorted(path.name for path in (SEEDS / "documents").glob("*.txt"))
    assert copies == sorted(path.name for path in originals.glob("*.txt"))
    for name in copies:
        assert (SEEDS / "documents" / name).read_bytes() == (originals / name).read_bytes()


# --- entities.yaml --------------------------------------------------------------------------


def test_entities_have_the_expected_shape() -> None:
    ids = [entity["id"] for entity in _entities()]
    assert len(ids) == len(set(ids))
    assert REQUIRED_ENTITIES <= set(ids)
    for entity in _entities():
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", entity["id"])
        assert entity["kind"] in {"person", "organization"}
        assert entity["name"] and entity["summary"] and entity["names"]
        assert set(entity) <= {"id", "kind", "name", "summary", "names", "mentions", "links",
                               "rejected_links"}
        pinned = {link["key"] for link in entity["links"]}
        assert pinned.isdisjoint(link["key"] for link in entity.get("rejected_links", []))
        for link in [*entity["links"], *entity.get("rejected_links", [])]:
            assert link["list"] in {"us_ofac_sdn", "un_sc"}
            assert isinstance(link["key"], str)
            assert (link["key"].isdigit() if link["list"] == "us_ofac_sdn"
                    else re.fullmatch(r"[A-Z]{2}[ie]\.\d{3}", link["key"]))


def test_every_spelling_with_a_document_source_occurs_in_that_document() -> None:
    document_keys = _document_keys()
    missing = []
    for entity in _entities():
        quoted = [(n["name"], n["source"]) for n in entity["names"]]
        quoted += [(m["text"], m["source"]) for m in entity.get("mentions", [])]
        for spelling, source in quoted:
            if source in STANDARD_SOURCES:
                continue
            assert source in document_keys, f"{entity['id']}: unknown source {source!r}"
            # Search keys drop apostrophes, so a possessive ("Mr Sadr’s") ends in an "s".
            occurs = re.compile(rf" {re.escape(search_key(spelling))}s? ")
            if not occurs.search(document_keys[source]):
                missing.append((entity["id"], spelling, source))
    assert missing == []


def test_every_document_spelling_is_a_passage_of_its_own_entity_there() -> None:
    """The spelling occurs in its document, with its capitals, outside any longer name of
    another entity: "Revolutionary Guards Corps" inside "…Corps-Quds Force" is the Qods
    Force's, not the IRGC's."""
    texts = {item["id"]: (SEEDS / "documents" / item["file"]).read_text("utf-8")
             for item in _documents()}
    missing = []
    for entity in _entities():
        others = [term for other in _entities() if other["id"] != entity["id"]
                  for term in _terms(other)]
        quoted = [(n["name"], n["source"]) for n in entity["names"]]
        quoted += [(m["text"], m["source"]) for m in entity.get("mentions", [])]
        for spelling, source in quoted:
            if source in STANDARD_SOURCES:
                continue
            if not find_passages(texts[source], [spelling], shadowed_by=others):
                missing.append((entity["id"], spelling, source))
    assert missing == []


def test_the_documents_lowercase_al_qaida_is_a_spelling_of_al_qaeda() -> None:
    names = {n["name"]: n["source"] for n in _entity("al-qaeda")["names"]}
    assert names["al-Qaida"] == "doc-2014-09-06-us-iran-alliance"
    irgc = {n["name"]: n["source"] for n in _entity("islamic-revolutionary-guard-corps")["names"]}
    assert irgc.get("Revolutionary Guards Corps") != (
        "doc-us-iranian-alliance-hezbollah-ization-of-iraq")


def _terms(entity: dict[str, Any]) -> list[str]:
    return [entity["name"], *(n["name"] for n in entity["names"]),
            *(m["text"] for m in entity.get("mentions", []))]


def test_spellings_within_an_entity_are_not_repeated() -> None:
    for entity in _entities():
        spellings = [spelling["name"] for spelling in entity["names"]]
        assert len(spellings) == len(set(spellings)), entity["id"]


def _pins(entity: dict[str, Any], list_id: str = "us_ofac_sdn") -> set[str]:
    return {link["key"] for link in entity["links"] if link["list"] == list_id}


def test_pinned_links_exist_in_the_2024_sdn_file() -> None:
    sdn = _sdn_by_key()
    for entity in _entities():
        for key in _pins(entity):
            assert key in sdn, f"{entity['id']}: {key} not in sdn.csv"


def _un_records() -> dict[str, dict[str, str]]:
    """Gives the UN list's individuals and entities by reference number."""
    tree = ElementTree.parse(SHARED / "data" / "un" / "UN_consolidated_2026-02-27.xml")
    records = {}
    for record in [*tree.iter("INDIVIDUAL"), *tree.iter("ENTITY")]:
        reference = record.findtext("REFERENCE_NUMBER")
        if reference:
            records[reference] = {child.tag: (child.text or "").strip() for child in record}
    return records


def test_un_pins_are_commented_with_the_records_name_type_and_date() -> None:
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared/data is not beside the project")
    records = _un_records()
    lines = (SEEDS / "entities.yaml").read_text("utf-8").splitlines()
    pinned = 0
    for line in lines:
        found = re.match(r'\s*- \{list: un_sc, key: "([^"]+)"\}\s*#(.*)$', line)
        if not found:
            continue
        pinned += 1
        record, comment = records[found.group(1)], found.group(2)
        name = " ".join(record.get(part, "") for part in
                        ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")).split()
        assert " ".join(name) in comment, (found.group(1), comment)
        assert record["UN_LIST_TYPE"] in comment and record["LISTED_ON"] in comment
    assert pinned == sum(len(_pins(entity, "un_sc")) for entity in _entities()) > 0


def test_pins_are_the_records_checked_by_hand() -> None:
    sdn = _sdn_by_key()
    for entity_id, keys in EXPECTED_PINS.items():
        assert _pins(_entity(entity_id)) == keys, entity_id
        assert keys <= set(sdn)
    for entity_id in NOT_ON_THE_SDN_LIST:
        assert _pins(_entity(entity_id)) == set()


def test_records_of_namesakes_are_never_pinned() -> None:
    sdn = _sdn_by_key()
    for key, name in NEVER_PINNED.items():
        assert sdn[key][1] == name
        pinned_to = [entity["id"] for entity in _entities()
                     for link in entity["links"] if link["key"] == key]
        assert pinned_to == [], (key, pinned_to)
    # Cuba's ministry: its address and alias say so, in the 2025-12 companion files too.
    assert "MININT" in sdn["30976"][11]
    # Reviewed as Iraq's ministry's namesake, so never suggested for it.
    assert {link["key"] for link in _entity("iraqi-ministry-of-interior")["rejected_links"]
            } == {"30976"}


def test_every_pin_is_commented_with_the_records_name_and_programs() -> None:
    """The comment on the link's line (and a comment line right above it, for long program
    fields) holds the SDN_Name and the Program field of the 2024-05 record."""
    sdn = _sdn_by_key()
    lines = (SEEDS / "entities.yaml").read_text("utf-8").splitlines()
    pins = 0
    for number, line in enumerate(lines):
        found = re.match(r'\s*- \{list: us_ofac_sdn, key: "(\d+)"\}\s*#(.*)$', line)
        if not found:
            assert "key:" not in line or "#" in line, f"uncommented pin: {line}"
            continue
        pins += 1
        comment = found.group(2)
        above = lines[number - 1].strip()
        if above.startswith("#"):
            comment += " " + above
        row = sdn[found.group(1)]
        assert row[1] in comment, (found.group(1), row[1], comment)
        assert row[3].strip() in comment, (found.group(1), row[3], comment)
    assert pins == sum(len(_pins(entity)) + len(entity.get("rejected_links", []))
                       for entity in _entities())


def test_syrian_army_air_force_and_ndf_records_are_the_syria_program_bodies() -> None:
    sdn = _sdn_by_key()
    assert (sdn["20954"][1], _programs_of(sdn["20954"])) == ("SYRIAN ARAB ARMY", {"SYRIA"})
    assert (sdn["20960"][1], _programs_of(sdn["20960"])) == ("SYRIAN AIR FORCE", {"SYRIA"})
    assert (sdn["30228"][1], _programs_of(sdn["30228"])) == (
        "NATIONAL DEFENSE FORCES", {"SYRIA-EO13894"})
    # 15588's aliases name the force (alt.csv of 2025-12; the same rows as in 2021-07).
    assert frozenset({"syrian", "national", "defense", "force"}) in _sdn_spellings("15588")
    assert frozenset({"syrian", "national", "defense", "forces"}) in _sdn_spellings("15588")


def test_kataib_hezbollah_is_fto_sdgt_and_iraq3_in_the_program_field() -> None:
    row = _sdn_by_key()["11462"]
    assert row[1] == "KATA'IB HIZBALLAH"
    assert _programs_of(row) == {"FTO", "SDGT", "IRAQ3"}


def test_ofac_spellings_are_names_of_the_linked_record() -> None:
    for entity in _entities():
        keys = sorted(_pins(entity))
        for spelling in entity["names"]:
            if spelling["source"] != "OFAC SDN":
                continue
            assert keys, f"{entity['id']}: OFAC spelling without a pinned record"
            assert any(_word_set(spelling["name"]) in _sdn_spellings(key) for key in keys), (
                entity["id"],
                spelling["name"],
            )


# --- programs.yaml --------------------------------------------------------------------------


def test_programs_have_the_expected_shape() -> None:
    codes = [program["code"] for program in _programs()]
    assert len(codes) == len(set(codes))
    for program in _programs():
        assert set(program) == {"code", "name", "legal_basis"}
        assert program["name"]
        assert program["legal_basis"] is None or isinstance(program["legal_basis"], str)


def test_programs_cover_every_code_in_the_2024_sdn_file() -> None:
    used = set().union(*(_programs_of(row) for row in _sdn_by_key().values()))
    listed = {program["code"] for program in _programs()}
    assert used - listed == set()
    assert {"FTO", "SDGT", "IRAQ3", "IRGC", "NPWMD", "GLOMAG", "IFSR"} <= listed
