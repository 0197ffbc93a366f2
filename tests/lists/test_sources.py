"""Tests of the list source parsers (service/lists/sources/).

Small real excerpts live in tests/fixtures/lists/ (see its README.md); broken, truncated and
hostile files are made here in tmp_path. Tests marked `slow` read the full real lists in
../shared/data and skip when that folder is not beside the project.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from service.lists.entry import EntryName, ListEntry, ListFormatError, ParseResult
from service.lists.sources import (
    FORMATS,
    collect_files,
    csl,
    detect_format,
    ofac_csv,
    ofac_xml,
    opensanctions,
    parse,
    un_xml,
)
from service.lists.sources._common import date_to_iso
from service.lists.sources.ofac_remarks import parse_remarks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lists"
SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

SDN_EXCERPT = FIXTURES / "ofac_sdn_2021-07_excerpt"
CONS_EXCERPT = FIXTURES / "ofac_cons_2025-12_excerpt"
ENHANCED_EXCERPT = FIXTURES / "ofac_enhanced_YEMEN_2024-05-24_excerpt.xml"
CLASSIC_EXCERPT = FIXTURES / "ofac_sdnList_consolidated_2024-05-06_excerpt.xml"
UN_EXCERPT = FIXTURES / "un_consolidated_2026-02-27_excerpt.xml"
CSL_2022_EXCERPT = FIXTURES / "csl_consolidated_2022_excerpt.csv"
CSL_2025_EXCERPT = FIXTURES / "csl_consolidated_excerpt_2025-06.csv"
FTM_EXCERPT = FIXTURES / "opensanctions_yente_t1_entities.ftm.json"

# One input of every format, for the tests that must hold for all of them.
EVERY_FORMAT_INPUT = {
    "ofac_csv": SDN_EXCERPT,
    "ofac_xml": ENHANCED_EXCERPT,
    "un_xml": UN_EXCERPT,
    "csl": CSL_2022_EXCERPT,
    "opensanctions": FTM_EXCERPT,
}


def real_data(*parts: str) -> Path:
    """Gives a path inside ../shared/data, skipping the test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


def by_key(result: ParseResult) -> dict[str, ListEntry]:
    return {entry.key: entry for entry in result.entries}


def copy_fixture(source: Path, target: Path) -> Path:
    """Gives a writable copy of a fixture file or folder under `target`."""
    destination = target / source.name
    if source.is_dir():
        shutil.copytree(source, destination)
    else:
        shutil.copyfile(source, destination)
    return destination


# --- registry and detection ---------------------------------------------------------------


def test_registry_names_every_format() -> None:
    assert set(FORMATS) == {"ofac_csv", "ofac_xml", "un_xml", "csl", "opensanctions"}
    assert FORMATS["ofac_csv"] is ofac_csv.parse
    assert FORMATS["opensanctions"] is opensanctions.parse


@pytest.mark.parametrize(("expected", "path"), list(EVERY_FORMAT_INPUT.items()))
def test_detect_format_of_each_fixture(expected: str, path: Path) -> None:
    assert detect_format([path]) == expected


def test_detect_format_of_the_other_variants() -> None:
    assert detect_format([CLASSIC_EXCERPT]) == "ofac_xml"
    assert detect_format([CONS_EXCERPT]) == "ofac_csv"
    assert detect_format([CSL_2025_EXCERPT]) == "csl"
    assert detect_format(str(SDN_EXCERPT / "alt.csv")) == "ofac_csv"


def test_folder_contributes_only_list_files(tmp_path: Path) -> None:
    folder = copy_fixture(SDN_EXCERPT, tmp_path)
    (folder / "README.md").write_text("notes about these files\n")
    (folder / ".hidden.csv").write_text("not for us\n")
    files = collect_files(folder)
    assert [file.name for file in files] == ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"]


def test_html_error_page_named_sdn_csv_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "sdn.csv"
    page.write_text(
        "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
        "<body><h1>Service Unavailable</h1></body></html>\n"
    )
    with pytest.raises(ListFormatError, match="HTML") as detected:
        detect_format([page])
    assert detected.value.file == str(page)
    with pytest.raises(ListFormatError, match="HTML"):
        parse([page])
    with pytest.raises(ListFormatError, match="HTML"):
        parse([page], format="ofac_csv")


def test_html_page_without_doctype_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "consolidated.xml"
    page.write_text("\n  <HTML><BODY>Access denied</BODY></HTML>")
    with pytest.raises(ListFormatError, match="HTML"):
        parse([page])


def test_gzipped_html_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "consolidated.csv.gz"
    page.write_bytes(gzip.compress(b"<html><body>Login required</body></html>"))
    with pytest.raises(ListFormatError, match="HTML"):
        parse([page])


def test_explicit_format_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ListFormatError, match="un_xml") as refused:
        parse([UN_EXCERPT], format="ofac_csv")
    assert refused.value.file == str(UN_EXCERPT)
    with pytest.raises(ListFormatError, match="csl"):
        parse([CSL_2025_EXCERPT], format="opensanctions")


def test_unknown_format_name_is_refused() -> None:
    with pytest.raises(ListFormatError, match="unknown format"):
        parse([UN_EXCERPT], format="eu_fsf")


def test_mixed_formats_are_refused() -> None:
    with pytest.raises(ListFormatError, match="different formats"):
        parse([UN_EXCERPT, CSL_2025_EXCERPT])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sdn.csv", b"", "empty"),
        ("sdn.csv", b"   \r\n", "empty"),
        ("list.xml", b"<?xml version='1.0'?><rss><channel/></rss>", "root <rss>"),
        ("list.json", b'{"data": []}', "neither"),
        ("list.csv", b"name,address\nACME,Somewhere\n", "not a list format"),
        ("list.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_unreadable_files_are_refused(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ListFormatError, match=message):
        parse([path])


def test_missing_file_and_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="not found"):
        parse([tmp_path / "sdn.csv"])
    with pytest.raises(ListFormatError, match="no list files"):
        parse([tmp_path])


# --- OFAC legacy CSV ------------------------------------------------------------------------


def test_ofac_sdn_excerpt_entries() -> None:
    result = parse([SDN_EXCERPT])
    assert result.format == "ofac_csv"
    assert result.data_date is None
    assert [entry.key for entry in result.entries] == [
        "36", "306", "2674", "4107", "4234", "12300", "12478", "15431",
    ]  # fmt: skip
    assert Counter(entry.kind for entry in result.entries) == {
        "organization": 3,
        "person": 3,
        "vessel": 1,
        "aircraft": 1,
    }
    # ent_num 173 is not in the excerpt's sdn.csv: its alias and address rows are orphans;
    # ent_num 2674, 4234 and 15431 each have one all-`-0-` address row.
    assert result.skipped == {"empty_address": 3, "orphan_address": 1, "orphan_alias": 1}


def test_ofac_csv_fields_nulls_and_programs() -> None:
    entries = by_key(parse([SDN_EXCERPT]))
    bank = entries["12478"]
    assert bank.programs == ["IRAN", "SDGT", "NPWMD", "IRGC", "IFSR"]
    assert bank.kind == "organization"  # SDN_Type `-0- `
    vessel = entries["4234"]
    assert vessel.remarks is None  # `-0- ` with its trailing space is empty
    assert vessel.extra == {
        "ofac_list": "SDN",
        "call_sign": "CL2685",
        "vessel_type": "General Cargo",
        "tonnage": "2597",
        "gross_registered_tonnage": "1098",
        "vessel_flag": "Cuba",
        "vessel_owner": "Compania Navegacion Golfo S.A.",
    }
    assert entries["2674"].extra["title"] == (
        "Director of PALESTINE LIBERATION FRONT - ABU ABBAS FACTION"
    )


def test_ofac_csv_aliases_strong_from_alt_weak_from_remarks() -> None:
    entries = by_key(parse([SDN_EXCERPT]))
    assert entries["306"].aliases == [
        EntryName("NATIONAL BANK OF CUBA", "aka", False),
        EntryName("BNC", "aka", True),
    ]
    bank_aliases = entries["12478"].aliases
    assert EntryName("BANK ANSAR", "aka", False) in bank_aliases
    assert EntryName("ANSAR INSTITUTE", "fka", True) in bank_aliases
    assert entries["4107"].aliases == [
        EntryName("THE CHESS PLAYER", "aka", True),
        EntryName("LUCAS", "aka", True),
    ]


def test_ofac_csv_remarks_give_dates_documents_and_links() -> None:
    entries = by_key(parse([SDN_EXCERPT]))
    person = entries["4107"]
    assert person.birth_dates == ["1939-01-31"]
    assert {"type": "Passport", "value": "T321642", "country": "Colombia"} in person.identifiers
    assert {"type": "Cedula No.", "value": "6067015", "country": "Colombia"} in person.identifiers
    assert len(person.identifiers) == 6
    aircraft = entries["15431"]
    assert aircraft.extra["linked_to"] == ["POUYA AIR"]
    assert {
        "type": "Aircraft Manufacturer's Serial Number (MSN)",
        "value": "1023409321",
    } in aircraft.identifiers


def test_ofac_csv_addresses_join_their_parts() -> None:
    entries = by_key(parse([SDN_EXCERPT]))
    assert entries["36"].addresses == ["Havana, Cuba"]
    assert entries["306"].addresses[0] == "Zweierstrasse 35, Zurich CH-8022, Switzerland"
    assert len(entries["12300"].addresses) == 11


def test_ofac_comments_continue_the_cut_remarks() -> None:
    person = by_key(parse([SDN_EXCERPT]))["12300"]
    comment = (SDN_EXCERPT / "sdn_comments.csv").read_text().split(",", 1)[1].strip()[1:-1]
    assert person.remarks is not None
    assert len(person.remarks) == 1000 + len(comment)
    assert person.remarks.endswith(comment)
    # The phrase cut in two ("…PROMO RAI" + "Z S.A.S.") is whole again, and the phrases of the
    # continuation are read like the rest.
    links = person.extra["linked_to"]
    assert "PROMO RAIZ S.A.S." in links
    assert "RED MUNDIAL INMOBILIARIA, S.A. DE C.V." in links


def test_ofac_comment_joined_across_a_cut_before_a_space() -> None:
    gazprom = by_key(parse([CONS_EXCERPT]))["17250"]
    assert gazprom.remarks is not None
    assert "Registration Number 1027700070518 (Russia)" in gazprom.remarks
    assert {
        "type": "Registration Number",
        "value": "1027700070518",
        "country": "Russia",
    } in gazprom.identifiers


def test_ofac_consolidated_set_uses_the_same_parser() -> None:
    result = parse([CONS_EXCERPT])
    assert result.format == "ofac_csv"
    entries = by_key(result)
    assert list(entries) == ["9639", "17250", "30930"]
    assert entries["9639"].extra["ofac_list"] == "Consolidated"
    assert entries["9639"].birth_dates == ["1962"]
    assert EntryName("CCCC", "aka", True) in entries["30930"].aliases


def test_ofac_files_given_one_by_one_in_any_order(tmp_path: Path) -> None:
    files = sorted(SDN_EXCERPT.iterdir(), reverse=True)
    as_files = parse(files)
    as_folder = parse([SDN_EXCERPT])
    assert [entry.to_dict() for entry in as_files.entries] == [
        entry.to_dict() for entry in as_folder.entries
    ]
    assert as_files.skipped == as_folder.skipped


def test_ofac_file_with_unknown_name_is_placed_by_field_count(tmp_path: Path) -> None:
    renamed = tmp_path / "sdn-2021-07-07.csv"
    shutil.copyfile(SDN_EXCERPT / "sdn.csv", renamed)
    result = parse([renamed])
    assert len(result.entries) == 8


def test_ofac_companions_without_primary_are_refused() -> None:
    with pytest.raises(ListFormatError, match="no primary"):
        parse([SDN_EXCERPT / "alt.csv", SDN_EXCERPT / "add.csv"])


def test_ofac_two_primaries_of_one_set_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(SDN_EXCERPT / "sdn.csv", other / "sdn.csv")
    with pytest.raises(ListFormatError, match="two primary"):
        parse([SDN_EXCERPT / "sdn.csv", other / "sdn.csv"])


def test_ofac_csv_without_end_of_file_mark_is_whole(tmp_path: Path) -> None:
    folder = copy_fixture(SDN_EXCERPT, tmp_path)
    for file in folder.iterdir():
        data = file.read_bytes()
        file.write_bytes(data.rstrip(b"\x1a"))
        assert not file.read_bytes().endswith(b"\x1a")
    with_mark = parse([SDN_EXCERPT])
    without_mark = parse([folder])
    assert [e.to_dict() for e in without_mark.entries] == [e.to_dict() for e in with_mark.entries]


def _last_row_start(data: bytes) -> int:
    body = data.rstrip(b"\x1a").rstrip(b"\r\n")
    return body.rindex(b"\n") + 1


@pytest.mark.parametrize(
    "cut",
    [
        "inside_quoted_remarks",
        "inside_null",
        "after_comma",
        "after_ent_num",
        "after_closing_quote_of_middle_field",
    ],
)
def test_ofac_csv_cut_mid_row_is_refused_with_file_and_line(tmp_path: Path, cut: str) -> None:
    data = (SDN_EXCERPT / "sdn.csv").read_bytes()
    start = _last_row_start(data)
    last_row = data[start:].rstrip(b"\x1a").rstrip(b"\r\n")
    # The last row: 15431,"EP-GOM","aircraft","SDGT",-0- ,…,-0- ,"Aircraft Construction …"
    positions = {
        "inside_quoted_remarks": len(last_row) - 20,
        "inside_null": last_row.index(b"-0-") + 2,
        "after_comma": last_row.index(b"-0-"),
        "after_ent_num": last_row.index(b","),
        "after_closing_quote_of_middle_field": last_row.index(b'"EP-GOM"') + len(b'"EP-GOM"'),
    }
    truncated = tmp_path / "sdn.csv"
    truncated.write_bytes(data[: start + positions[cut]])
    expected_line = data[:start].count(b"\n") + 1
    with pytest.raises(ListFormatError) as refused:
        parse([truncated])
    assert refused.value.file == str(truncated)
    assert refused.value.line == expected_line
    assert "sdn.csv" in str(refused.value) and f"line {expected_line}" in str(refused.value)


def test_ofac_csv_cut_at_a_row_boundary_still_parses(tmp_path: Path) -> None:
    # Undetectable by design (every remaining row is whole): the file just has fewer rows.
    data = (SDN_EXCERPT / "sdn.csv").read_bytes()
    truncated = tmp_path / "sdn.csv"
    truncated.write_bytes(data[: _last_row_start(data)])
    assert len(parse([truncated]).entries) == 7


def test_ofac_csv_stray_quote_is_refused_with_line(tmp_path: Path) -> None:
    lines = (SDN_EXCERPT / "sdn.csv").read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b'"individual"', b'"indiv"idual"', 1)
    broken = tmp_path / "sdn.csv"
    broken.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ListFormatError, match="quoting") as refused:
        parse([broken])
    assert refused.value.line == 3


def test_ofac_csv_wrong_field_count_in_a_companion_is_refused(tmp_path: Path) -> None:
    folder = copy_fixture(SDN_EXCERPT, tmp_path)
    alt = folder / "alt.csv"
    lines = alt.read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b",-0- ", b"", 1)
    alt.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ListFormatError, match="4 fields") as refused:
        parse([folder])
    assert refused.value.file == str(alt)
    assert refused.value.line == 2


def test_ofac_csv_end_of_file_mark_in_the_middle_is_refused(tmp_path: Path) -> None:
    data = (SDN_EXCERPT / "alt.csv").read_bytes().rstrip(b"\x1a")
    first_end = data.index(b"\r\n") + 2
    broken = tmp_path / "alt.csv"
    broken.write_bytes(data[:first_end] + b"\x1a" + data[first_end:])
    with pytest.raises(ListFormatError, match="0x1A"):
        ofac_csv.parse([SDN_EXCERPT / "sdn.csv", broken])


def test_ofac_csv_not_utf8_is_refused_with_line(tmp_path: Path) -> None:
    lines = (SDN_EXCERPT / "sdn.csv").read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace(b"ABBAS", b"ABB\xffAS", 1)
    broken = tmp_path / "sdn.csv"
    broken.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ListFormatError, match="UTF-8") as refused:
        parse([broken])
    assert refused.value.line == 3


@pytest.mark.parametrize(
    ("remarks", "expected"),
    [
        ("DOB 09 Feb 1951", ["1951-02-09"]),
        ("DOB circa 1951", ["1951"]),
        ("DOB 1958 to 1963", ["1958/1963"]),
        ("DOB 01 Jan 1960 to 31 Dec 1962", ["1960-01-01/1962-12-31"]),
        ("DOB Dec 1948; alt. DOB 1949", ["1948-12", "1949"]),
    ],
)
def test_remarks_dates_of_birth(remarks: str, expected: list[str]) -> None:
    assert parse_remarks(remarks).birth_dates == expected


def test_remarks_real_phrases() -> None:
    # Remarks of ent_num 3754 in ofac/sdn-2024-05/sdn.csv, and of 30624 (same file).
    facts = parse_remarks(
        "DOB 09 Feb 1951; POB Gaza, Egypt; Passport 92/664 (Egypt); SSN 523-33-8386 (United "
        "States); Political Leader in Amman, Jordan and Damascus, Syria for HAMAS; a.k.a. "
        "'ABU-'UMAR'."
    )
    assert facts.places_of_birth == ["Gaza, Egypt"]
    assert facts.identifiers == [
        {"type": "Passport", "value": "92/664", "country": "Egypt"},
        {"type": "SSN", "value": "523-33-8386", "country": "United States"},
    ]
    assert facts.aliases == [EntryName("ABU-'UMAR", "aka", True)]
    facts = parse_remarks(
        "DOB 1986; POB Razih District, Sana'a, Yemen; nationality Yemen; Gender Male; National "
        "ID No. 10010095104 (Yemen); Identification Number 20322 (Yemen); a.k.a. 'SAQAR, Abu'; "
        "a.k.a. 'SAGAR, Abu'."
    )
    assert facts.nationalities == ["Yemen"]
    assert facts.gender == "Male"
    assert [alias.name for alias in facts.aliases] == ["SAQAR, Abu", "SAGAR, Abu"]
    assert {"type": "National ID No.", "value": "10010095104", "country": "Yemen"} in (
        facts.identifiers
    )


def test_remarks_document_with_dates() -> None:
    facts = parse_remarks("Identification Number AO 2879097 (Italy) expires 30 Oct 2012.")
    assert facts.identifiers == [
        {"type": "Identification Number", "value": "AO 2879097", "country": "Italy",
         "expires": "2012-10-30"},
    ]  # fmt: skip


def test_date_to_iso_rejects_what_is_not_a_date() -> None:
    assert date_to_iso("unknown") is None
    assert date_to_iso("05/06/2024") == "2024-05-06"
    assert date_to_iso("1962-03-04") == "1962-03-04"


# --- OFAC XML -------------------------------------------------------------------------------


def test_ofac_enhanced_excerpt() -> None:
    result = parse([ENHANCED_EXCERPT])
    assert result.format == "ofac_xml"
    assert result.data_date == date(2024, 5, 24)
    entries = by_key(result)
    assert list(entries) == ["30624", "31192"]
    zabin = entries["30624"]
    assert zabin.kind == "person"
    assert zabin.name == "ZABIN, Sultan"
    assert zabin.programs == ["GLOMAG", "YEMEN"]
    assert zabin.listed_on == "2020-12-10"
    assert zabin.birth_dates == ["1986"]
    assert zabin.nationalities == ["Yemen"]
    assert EntryName("SAQAR, Abu", "aka", True) in zabin.aliases  # isLowQuality
    assert EntryName("ZABIN, Sultan Saleh Aida Aida", "aka", False) in zabin.aliases
    # The Arabic spelling arrives without OFAC's right-to-left embedding marks.
    assert EntryName("سلطان صالح عیضة عیضة زابن", "aka", False) in zabin.aliases
    assert {"type": "National ID No.", "value": "10010095104", "country": "Yemen"} in (
        zabin.identifiers
    )
    assert zabin.extra["gender"] == "Male"
    assert entries["31192"].birth_dates == ["1965", "1966", "1967"]


def test_ofac_classic_excerpt() -> None:
    result = parse([CLASSIC_EXCERPT])
    assert result.data_date == date(2024, 5, 6)
    entries = by_key(result)
    assert list(entries) == ["9639", "17250", "26182"]
    haniya = entries["9639"]
    assert haniya.name == "HANIYA, Ismail Abdul Salah"
    assert haniya.aliases[0] == EntryName("HANIYA, Ismail", "aka", False)
    assert haniya.birth_dates == ["1962"]
    gazprom = entries["17250"]
    assert gazprom.kind == "organization"
    assert gazprom.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    evader = entries["26182"]
    assert evader.identifiers == [{"type": "Passport", "value": "U00242309", "country": "Turkey"}]
    assert evader.nationalities == ["Turkey"]


def test_ofac_xml_and_csv_agree_on_a_shared_entry() -> None:
    from_xml = by_key(parse([CLASSIC_EXCERPT]))["9639"]
    from_csv = by_key(parse([CONS_EXCERPT]))["9639"]
    assert from_xml.name == from_csv.name
    assert from_xml.kind == from_csv.kind
    assert [alias.name for alias in from_xml.aliases] == [alias.name for alias in from_csv.aliases]
    assert from_xml.birth_dates == from_csv.birth_dates


def test_un_parser_refuses_an_ofac_document() -> None:
    with pytest.raises(ListFormatError, match="root element is <sanctionsData>"):
        un_xml.parse([ENHANCED_EXCERPT])
    with pytest.raises(ListFormatError, match="not an OFAC XML"):
        ofac_xml.parse([UN_EXCERPT])


# --- UN -------------------------------------------------------------------------------------


def test_un_excerpt() -> None:
    result = parse([UN_EXCERPT])
    assert result.format == "un_xml"
    assert result.data_date == date(2026, 2, 27)
    entries = by_key(result)
    assert list(entries) == ["CDi.002", "QDi.001", "CDe.001"]
    person = entries["QDi.001"]
    assert person.kind == "person"
    assert person.name == "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE"
    assert person.programs == ["Al-Qaida"]
    assert person.listed_on == "2001-01-25"
    assert person.birth_dates == ["1963-04-11", "1960-04-11"]
    assert EntryName("Ibrahim al-Madani", "aka", True) in person.aliases  # quality Low
    assert EntryName("محمد صلاح الدين عبدالحليم زيدان", "aka", False) in person.aliases
    group = entries["CDe.001"]
    assert group.kind == "organization"
    assert EntryName("NALU", "fka", False) in group.aliases


# --- hostile and broken XML -------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&lol9;</FIRST_NAME><REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


def _external_entity_document(target: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE sdnList [ <!ENTITY secret SYSTEM "file://{target}"> ]>
<sdnList><publshInformation><Publish_Date>05/06/2024</Publish_Date></publshInformation>
<sdnEntry><uid>1</uid><lastName>&secret;</lastName><sdnType>Entity</sdnType></sdnEntry>
</sdnList>
"""


def _secret_file(tmp_path: Path) -> tuple[Path, str]:
    """Gives a real local file for external-entity tests (/etc/hostname when it has text)."""
    hostname = Path("/etc/hostname")
    if hostname.is_file() and hostname.read_text().strip():
        return hostname, hostname.read_text().strip()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return secret, "TOP-SECRET-CONTENT"


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    bomb = tmp_path / "consolidated.xml"
    bomb.write_text(BILLION_LAUGHS)
    started = time.perf_counter()
    with pytest.raises(ListFormatError, match="DTD or entities") as refused:
        parse([bomb])
    assert time.perf_counter() - started < 5.0  # refused up front, not after expanding
    assert refused.value.file == str(bomb)
    with pytest.raises(ListFormatError):
        un_xml.parse([bomb])


def test_external_entity_is_refused_unread(tmp_path: Path) -> None:
    target, content = _secret_file(tmp_path)
    attack = tmp_path / "sdn.xml"
    attack.write_text(_external_entity_document(target))
    started = time.perf_counter()
    with pytest.raises(ListFormatError, match="DTD or entities") as refused:
        parse([attack])
    assert time.perf_counter() - started < 5.0  # refused up front, not after expanding
    assert content not in str(refused.value)
    assert content not in repr(refused.value.__cause__)
    with pytest.raises(ListFormatError):
        ofac_xml.parse([attack])


def test_external_dtd_is_refused(tmp_path: Path) -> None:
    target, content = _secret_file(tmp_path)
    attack = tmp_path / "un.xml"
    attack.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST SYSTEM "file://{target}">\n'
        '<CONSOLIDATED_LIST dateGenerated="2026-02-27"><INDIVIDUALS/></CONSOLIDATED_LIST>\n'
    )
    with pytest.raises(ListFormatError, match="DTD") as refused:
        parse([attack])
    assert content not in str(refused.value)


def test_parameter_entity_is_refused(tmp_path: Path) -> None:
    target, content = _secret_file(tmp_path)
    attack = tmp_path / "un.xml"
    attack.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [ <!ENTITY % remote SYSTEM '
        f'"file://{target}"> %remote; ]>\n<CONSOLIDATED_LIST dateGenerated="2026-02-27"/>\n'
    )
    with pytest.raises(ListFormatError, match="DTD or entities") as refused:
        parse([attack])
    assert content not in str(refused.value)


@pytest.mark.parametrize("source", [ENHANCED_EXCERPT, CLASSIC_EXCERPT, UN_EXCERPT])
def test_xml_cut_off_is_refused_with_line(tmp_path: Path, source: Path) -> None:
    data = source.read_bytes()
    truncated = tmp_path / source.name
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ListFormatError, match="cut off") as refused:
        parse([truncated])
    assert refused.value.file == str(truncated)
    assert refused.value.line is not None and refused.value.line > 1


def test_gzipped_xml_is_read_and_a_truncated_one_refused(tmp_path: Path) -> None:
    packed = tmp_path / "consolidated.xml.gz"
    packed.write_bytes(gzip.compress(UN_EXCERPT.read_bytes()))
    assert [entry.key for entry in parse([packed]).entries] == ["CDi.002", "QDi.001", "CDe.001"]
    data = packed.read_bytes()
    packed.write_bytes(data[: len(data) - 30])
    with pytest.raises(ListFormatError):
        parse([packed])


def test_xml_record_without_key_is_refused(tmp_path: Path) -> None:
    text = UN_EXCERPT.read_text(encoding="utf-8")
    broken = tmp_path / "un.xml"
    broken.write_text(text.replace("<REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>", "", 1))
    with pytest.raises(ListFormatError, match="REFERENCE_NUMBER"):
        parse([broken])


def test_header_date_that_is_no_date_is_refused(tmp_path: Path) -> None:
    text = ENHANCED_EXCERPT.read_text(encoding="utf-8")
    broken = tmp_path / "enhanced.xml"
    broken.write_text(text.replace("<dataAsOf>2024-05-24", "<dataAsOf>2024-13-45", 1))
    with pytest.raises(ListFormatError, match="dataAsOf"):
        parse([broken])
    text = UN_EXCERPT.read_text(encoding="utf-8")
    broken = tmp_path / "un.xml"
    broken.write_text(text.replace('dateGenerated="2026-02-27', 'dateGenerated="yesterday', 1))
    with pytest.raises(ListFormatError, match="dateGenerated"):
        parse([broken])


# --- US CSL ---------------------------------------------------------------------------------


def test_csl_2022_excerpt_merges_repeated_ids() -> None:
    result = parse([CSL_2022_EXCERPT])
    assert result.format == "csl"
    entries = by_key(result)
    assert len(entries) == 6
    assert result.skipped == {"duplicate_id": 3}
    vtb = entries["18725"]
    assert vtb.extra["source"] == "Capta List (CAP) - Treasury Department"
    assert vtb.extra["sources"] == [
        "Capta List (CAP) - Treasury Department",
        "Specially Designated Nationals (SDN) - Treasury Department",
        "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
    ]
    assert vtb.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert {"type": "SWIFT/BIC", "value": "VTBLAOLU"} in vtb.identifiers


def test_csl_fields() -> None:
    entries = by_key(parse([CSL_2022_EXCERPT]))
    fighter = entries["17291"]
    assert fighter.kind == "person"
    assert fighter.birth_dates == ["1989-07-13"]
    assert fighter.identifiers == [
        {"type": "National ID No.", "country": "QA", "value": "28940000602"},
        {"type": "Passport", "country": "JO", "issued": "2009-08-31", "expires": "2014-08-30",
         "value": "K475336"},
    ]  # fmt: skip
    denied = entries["deb7a1d5743a85c354ca1a2c7f2664e2104b32d7"]
    assert denied.kind == "other"  # the Denied Persons List gives no type
    assert denied.listed_on == "2003-06-19"
    assert denied.extra["source"] == "Denied Persons List (DPL) - Bureau of Industry and Security"


def test_csl_2025_excerpt_type_first_ids() -> None:
    result = parse([CSL_2025_EXCERPT])
    assert len(result.entries) == 13
    assert result.skipped == {}
    entries = by_key(result)
    assert entries["52291"].identifiers == [
        {"type": "Passport", "value": "836238033", "country": "KP"}
    ]
    assert entries["52291"].extra["gender"] == "Male"
    assert entries["28603"].identifiers[0] == {
        "type": "V.A.T. Number",
        "value": "CHE-267.936.404",
        "country": "CH",
    }


def test_csl_gzip_reads_like_plain(tmp_path: Path) -> None:
    packed = tmp_path / "consolidated.csv.gz"
    packed.write_bytes(gzip.compress(CSL_2022_EXCERPT.read_bytes()))
    assert detect_format([packed]) == "csl"
    plain, zipped = parse([CSL_2022_EXCERPT]), parse([packed])
    assert [e.to_dict() for e in zipped.entries] == [e.to_dict() for e in plain.entries]


def test_csl_truncated_gzip_is_refused(tmp_path: Path) -> None:
    data = gzip.compress(CSL_2022_EXCERPT.read_bytes())
    packed = tmp_path / "consolidated.csv.gz"
    packed.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="truncated or corrupt") as refused:
        parse([packed])
    assert refused.value.file == str(packed)


def test_csl_csv_cut_mid_row_is_refused(tmp_path: Path) -> None:
    data = CSL_2025_EXCERPT.read_bytes()
    truncated = tmp_path / "consolidated.csv"
    truncated.write_bytes(data[: len(data) - 40])
    with pytest.raises(ListFormatError) as refused:
        parse([truncated])
    assert refused.value.file == str(truncated)
    assert refused.value.line is not None


def test_csl_csv_without_required_columns_is_refused(tmp_path: Path) -> None:
    lines = CSL_2025_EXCERPT.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace("_id,source,", "key,source,", 1)
    broken = tmp_path / "consolidated.csv"
    broken.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ListFormatError, match="_id"):
        csl.parse([broken])


def _api_answer_from_csv(path: Path) -> dict[str, object]:
    """Gives the CSL search API's documented answer shape holding the rows of a real CSV."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    results = []
    for row in rows:
        result: dict[str, object] = {key: value for key, value in row.items() if key != "_id"}
        result["id"] = row["_id"]
        result["programs"] = [p for p in row["programs"].split("; ") if p]
        result["alt_names"] = [a for a in row["alt_names"].split("; ") if a]
        result["addresses"] = [{"address": a} for a in row["addresses"].split("; ") if a]
        result["ids"] = []
        results.append(result)
    return {"total": len(results), "sources_used": [], "results": results}


def test_csl_search_api_json(tmp_path: Path) -> None:
    answer = _api_answer_from_csv(CSL_2025_EXCERPT)
    answer["sources_used"] = [
        {"source": "SDN", "source_last_updated": "2025-06-20T10:00:00Z", "import_rate": "Hourly"}
    ]
    answer_file = tmp_path / "search.json"
    answer_file.write_text(json.dumps(answer), encoding="utf-8")
    assert detect_format([answer_file]) == "csl"
    result = parse([answer_file])
    from_csv = by_key(parse([CSL_2025_EXCERPT]))
    assert result.data_date == date(2025, 6, 20)
    assert [entry.key for entry in result.entries] == list(from_csv)
    for entry in result.entries:
        assert entry.name == from_csv[entry.key].name
        assert entry.aliases == from_csv[entry.key].aliases
        assert entry.programs == from_csv[entry.key].programs
        assert entry.addresses == from_csv[entry.key].addresses


def test_csl_api_json_with_typed_ids(tmp_path: Path) -> None:
    answer = _api_answer_from_csv(CSL_2025_EXCERPT)
    results = answer["results"]
    assert isinstance(results, list)
    # The ids of _id 52291 as the API documents them (the CSV cell: "Passport, 836238033, KP").
    results[4]["ids"] = [{"type": "Passport", "number": "836238033", "country": "KP",
                          "issue_date": None, "expiration_date": None}]  # fmt: skip
    answer_file = tmp_path / "search.json"
    answer_file.write_text(json.dumps(answer), encoding="utf-8")
    entry = by_key(parse([answer_file]))["52291"]
    assert entry.identifiers == [{"type": "Passport", "value": "836238033", "country": "KP"}]


def test_csl_api_json_cut_off_is_refused(tmp_path: Path) -> None:
    text = json.dumps(_api_answer_from_csv(CSL_2025_EXCERPT), indent=1)
    answer_file = tmp_path / "search.json"
    answer_file.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ListFormatError, match="JSON") as refused:
        parse([answer_file])
    assert refused.value.line is not None


# --- OpenSanctions --------------------------------------------------------------------------


def test_opensanctions_excerpt() -> None:
    result = parse([FTM_EXCERPT])
    assert result.format == "opensanctions"
    assert result.data_date == date(2024, 6, 1)
    assert len(result.entries) == 6  # the seventh entity is an Address
    assert result.skipped == {}
    assert Counter(entry.kind for entry in result.entries) == {"person": 4, "organization": 2}
    entries = by_key(result)
    irgc = entries["NK-2PacmNpiLUmoz4XD2mSt7A"]
    assert irgc.name == "IRGC"
    assert irgc.programs == ["eu_fsf"]
    assert EntryName("Iranian Revolutionary Guard Corps", "aka", False) in irgc.aliases
    assert "ofac-10465" in irgc.extra["referents"]
    person = entries["NK-2Ka3UvopqbpZmVDFjWd4LA"]
    assert person.name == "Vitaly Yurievich KUZMENKO"
    assert person.birth_dates == ["1971-01-22"]
    assert person.nationalities == ["RU"]
    assert person.identifiers == [{"type": "taxNumber", "value": "366510784303"}]
    assert person.listed_on == "2024-02-23"


def test_opensanctions_non_targets_and_links_are_counted(tmp_path: Path) -> None:
    lines = FTM_EXCERPT.read_text(encoding="utf-8").splitlines()
    entities = [json.loads(line) for line in lines]
    entities[1]["target"] = False
    entities.append(
        {"id": "link-1", "schema": "UnknownLink", "properties": {"subject": [entities[0]["id"]]}}
    )
    changed = tmp_path / "entities.ftm.json"
    changed.write_text("\n".join(json.dumps(e) for e in entities) + "\n", encoding="utf-8")
    result = parse([changed])
    assert len(result.entries) == 5
    assert result.skipped == {"not_target": 1, "unsupported_schema": 1}


def test_opensanctions_cut_line_is_refused_with_line(tmp_path: Path) -> None:
    data = FTM_EXCERPT.read_bytes()
    truncated = tmp_path / "entities.ftm.json"
    truncated.write_bytes(data[: len(data) - 50])
    with pytest.raises(ListFormatError, match="cut off") as refused:
        parse([truncated])
    assert refused.value.line == 7


def test_opensanctions_line_that_is_not_an_entity_is_refused(tmp_path: Path) -> None:
    lines = FTM_EXCERPT.read_text(encoding="utf-8").splitlines()
    lines.insert(2, json.dumps({"id": "x", "caption": "no schema"}))
    broken = tmp_path / "entities.ftm.json"
    broken.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ListFormatError, match="FollowTheMoney") as refused:
        opensanctions.parse([broken])
    assert refused.value.line == 3


# --- properties every format must have ------------------------------------------------------


@pytest.mark.parametrize("source", list(EVERY_FORMAT_INPUT.values()), ids=list(EVERY_FORMAT_INPUT))
def test_same_input_gives_same_entries_in_same_order(source: Path) -> None:
    first, second = parse([source]), parse([source])
    assert [e.to_dict() for e in first.entries] == [e.to_dict() for e in second.entries]
    assert first.skipped == second.skipped


@pytest.mark.parametrize("source", list(EVERY_FORMAT_INPUT.values()), ids=list(EVERY_FORMAT_INPUT))
def test_entries_survive_the_dict_round_trip(source: Path) -> None:
    for entry in parse([source]).entries:
        assert ListEntry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
        assert entry.kind in ("person", "organization", "vessel", "aircraft", "other")
        assert entry.name and entry.name == entry.name.strip()
        assert all(alias.type in ("aka", "fka", "nka") for alias in entry.aliases)


def _files_of(source: Path) -> list[Path]:
    return sorted(source.iterdir()) if source.is_dir() else [source]


@pytest.mark.parametrize("source", list(EVERY_FORMAT_INPUT.values()), ids=list(EVERY_FORMAT_INPUT))
def test_damaged_files_raise_only_list_format_errors(tmp_path: Path, source: Path) -> None:
    """Cuts every file at many points and flips bytes: the parse either succeeds or raises
    ListFormatError, never any other exception."""
    rng = random.Random(20240503)
    for file in _files_of(source):
        original = file.read_bytes()
        variants = [original[:cut] for cut in range(1, len(original), max(1, len(original) // 25))]
        for _ in range(15):
            damaged = bytearray(original)
            for _ in range(3):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            variants.append(bytes(damaged))
        for number, variant in enumerate(variants):
            case = tmp_path / f"case{number}"
            shutil.rmtree(case, ignore_errors=True)
            case.mkdir()
            for other in _files_of(source):
                shutil.copyfile(other, case / other.name)
            (case / file.name).write_bytes(variant)
            try:
                parse([case])
            except ListFormatError:
                pass


# --- the full real lists ----------------------------------------------------------------------


def _timed_parse(*paths: Path) -> tuple[ParseResult, float]:
    started = time.perf_counter()
    result = parse(list(paths))
    return result, time.perf_counter() - started


@pytest.mark.slow
def test_full_sdn_2024_05() -> None:
    result, _seconds = _timed_parse(real_data("ofac", "sdn-2024-05", "sdn.csv"))
    assert len(result.entries) == 14_965
    assert Counter(entry.kind for entry in result.entries) == {
        "organization": 6_884,
        "person": 6_854,
        "vessel": 851,
        "aircraft": 376,
    }
    assert result.skipped == {}


@pytest.mark.slow
def test_full_sdn_2021_07_set() -> None:
    result, _seconds = _timed_parse(real_data("ofac", "sdn-2021-07"))
    assert len(result.entries) == 8_976
    strong_aliases = sum(1 for e in result.entries for a in e.aliases if not a.weak)
    addresses = sum(len(e.addresses) for e in result.entries)
    # Every alt.csv and add.csv row is accounted for: attached, or counted as skipped.
    assert strong_aliases + result.skipped["duplicate_alias"] == 11_910
    assert addresses + result.skipped["empty_address"] == 13_837
    assert result.skipped == {"duplicate_alias": 6, "empty_address": 2_397}


@pytest.mark.slow
def test_full_sdn_2024_05_with_newer_companions_counts_orphans() -> None:
    result, _seconds = _timed_parse(
        real_data("ofac", "sdn-2024-05", "sdn.csv"), real_data("ofac", "sdn-2025-12")
    )
    assert len(result.entries) == 14_965
    assert result.skipped["orphan_alias"] == 2_460
    assert result.skipped["orphan_address"] == 4_893
    assert result.skipped["orphan_comment"] == 6


@pytest.mark.slow
def test_full_consolidated_csv_2025_12() -> None:
    result, _seconds = _timed_parse(real_data("ofac", "cons-2025-12"))
    assert len(result.entries) == 442
    assert not any(key.startswith("orphan") for key in result.skipped)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "count", "data_date"),
    [
        ("SDN_ENHANCED_program-IRGC_2024-08-28.xml", 293, date(2024, 8, 28)),
        ("SDN_ENHANCED_program-YEMEN_2024-05-24.xml", 10, date(2024, 5, 24)),
        ("consolidated_nonSDN_2024-05-06.xml", 443, date(2024, 5, 6)),
    ],
)
def test_full_ofac_xml(name: str, count: int, data_date: date) -> None:
    result, seconds = _timed_parse(real_data("ofac", "xml", name))
    assert len(result.entries) == count
    assert result.data_date == data_date
    assert seconds < 10.0  # a guard against a pathological parse, not a benchmark


@pytest.mark.slow
def test_full_un_list() -> None:
    result, seconds = _timed_parse(real_data("un", "UN_consolidated_2026-02-27.xml"))
    assert Counter(entry.kind for entry in result.entries) == {"person": 730, "organization": 273}
    assert len({entry.key for entry in result.entries}) == 1_003
    assert result.data_date == date(2026, 2, 27)
    assert seconds < 10.0  # a guard against a pathological parse, not a benchmark


@pytest.mark.slow
def test_full_csl_gz() -> None:
    result, _seconds = _timed_parse(real_data("csl", "consolidated.csv.gz"))
    assert len(result.entries) == 14_048
    assert result.skipped == {"duplicate_id": 112}
    assert len(result.entries) + result.skipped["duplicate_id"] == 14_160
    assert len({source for e in result.entries for source in e.extra["sources"]}) == 13


@pytest.mark.slow
def test_full_opensanctions_delta() -> None:
    result, _seconds = _timed_parse(
        real_data("opensanctions", "yente_entities_from_delta_DERIVED.ftm.json")
    )
    # 451 Person + 97 Organization + 27 LegalEntity + 1 Company, all targets.
    assert Counter(entry.kind for entry in result.entries) == {"person": 451, "organization": 125}
    assert result.skipped == {"unsupported_schema": 3}


@pytest.mark.slow
def test_enhanced_xml_ids_are_legacy_ent_nums() -> None:
    csv_entries = by_key(parse([real_data("ofac", "sdn-2024-05", "sdn.csv")]))
    xml_entries = parse([real_data("ofac", "xml", "SDN_ENHANCED_program-YEMEN_2024-05-24.xml")])
    for entry in xml_entries.entries:
        assert entry.key in csv_entries
        assert entry.name == csv_entries[entry.key].name
