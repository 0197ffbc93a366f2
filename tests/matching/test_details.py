"""Identifying details: read from every list source's real records, read from queries, and
compared into evidence beside the name score."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.lists.sources import parse
from service.matching import details
from service.matching.details import (
    DateValue,
    DetailError,
    compare_details,
    entry_details,
    query_details,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lists"


def details_of(fixture: str, key: str) -> details.Details:
    entry = next(e for e in parse([FIXTURES / fixture]).entries if e.key == key)
    return entry_details(entry.to_dict())


def test_ofac_csv_remarks_give_dates_countries_and_identifiers() -> None:
    # "DOB 31 Jan 1939; Cedula No. 6068015 (Colombia); … Passport T321642 (Colombia)"
    found = details_of("ofac_sdn_2021-07_excerpt", "4107")
    assert found.birth_dates == (DateValue(1939, 1, 31),)
    assert {"6068015", "T321642"} <= found.id_forms()
    assert found.countries == ("CO",)


def test_several_list_years_are_approximate() -> None:
    # 12300 gives three dates of birth in three years: the list does not know which.
    found = details_of("ofac_sdn_2021-07_excerpt", "12300")
    assert {d.year for d in found.birth_dates} == {1964, 1965, 1968}
    assert all(d.approximate for d in found.birth_dates)


def test_ofac_xml_un_csl_and_opensanctions_give_details() -> None:
    yemen = details_of("ofac_enhanced_YEMEN_2024-05-24_excerpt.xml", "30624")
    assert (yemen.nationalities, yemen.gender) == (("YE",), "male")
    un = details_of("un_consolidated_2026-02-27_excerpt.xml", "QDi.001")
    assert {d.text() for d in un.birth_dates} == {"1963-04-11", "1960-04-11"}
    assert un.nationalities == ("EG",)
    csl = details_of("csl_consolidated_2022_excerpt.csv", "9935")
    assert set(csl.nationalities) == {"CA", "SD"} and "BC166787" in csl.id_forms()
    bank = details_of("csl_consolidated_2022_excerpt.csv", "18725")
    assert bank.id_forms() == {"VTBLAOLU"}  # a SWIFT/BIC, python-stdnum's compact form
    person = details_of("opensanctions_yente_t1_entities.ftm.json",
                        "NK-2KeUB68qUJtykm3BuAcazG")
    assert (person.birth_dates, person.gender) == ((DateValue(1967, 12, 19),), "female")


def test_query_values_in_the_lists_spellings() -> None:
    query = query_details(birth_date=["1957", "1957-03"], nationality="Iran (Islamic Republic of)",
                          country=["DE", "Russian Federation"], id_number="IMO 9187629",
                          gender="F")
    assert query.nationalities == ("IR",) and query.countries == ("DE", "RU")
    assert query.gender == "female"
    # The IMO number is valid for its check digit, so its compact form is tried too.
    assert {"IMO9187629", "9187629"} <= query.id_forms()


@pytest.mark.parametrize(("field", "value"), [
    ("birth_date", "57"), ("birth_date", "1957-02-30x"), ("birth_date", "1957-02-30"),
    ("nationality", "Narnia"), ("gender", "unknown"), ("id_number", "1-2")])
def test_malformed_query_values_name_their_field(field: str, value: str) -> None:
    with pytest.raises(DetailError) as error:
        query_details(**{field: value})
    assert error.value.field == field


def test_no_query_details_leave_the_name_score_alone() -> None:
    listed = details_of("ofac_sdn_2021-07_excerpt", "4107")
    assert compare_details(0.83, query_details(), listed).score == 0.83


def test_approximate_list_years_tolerate_a_near_year() -> None:
    listed = details_of("ofac_sdn_2021-07_excerpt", "12300")
    near = compare_details(0.9, query_details(birth_date="1966"), listed)
    assert (near.comparisons[0].outcome, near.score) == ("unknown", 0.9)
    far = compare_details(0.9, query_details(birth_date="1980"), listed)
    assert far.comparisons[0].outcome == "contradict"
    assert far.score == pytest.approx(0.9 - details.DOB_YEAR_CONTRADICT_PENALTY)


def test_an_identifier_alone_makes_a_weak_name_a_match() -> None:
    listed = details_of("ofac_sdnList_consolidated_2024-05-06_excerpt.xml", "26182")
    result = compare_details(0.6, query_details(id_number="u-0024 2309"), listed)
    assert result.score == details.ID_MATCH_SCORE
    assert result.comparisons[0].to_dict()["outcome"] == "agree"
    # Names that share nothing: the same number is more likely another scheme's.
    unrelated = compare_details(0.0, query_details(id_number="U00242309"), listed)
    assert unrelated.score == pytest.approx(details.ID_MATCH_BONUS)


def test_contradicting_gender_weakens_and_agreeing_gender_does_not_strengthen() -> None:
    listed = details_of("ofac_enhanced_YEMEN_2024-05-24_excerpt.xml", "30624")
    assert compare_details(0.9, query_details(gender="male"), listed).score == 0.9
    assert compare_details(0.9, query_details(gender="female"), listed).score == \
        pytest.approx(0.9 - details.GENDER_CONTRADICT_PENALTY)
