"""Identifying details beside a name: birth dates, nationalities, countries, identifiers and
gender, normalised the same way on both sides and compared into evidence for or against.

The name score stays the base of every decision. Each detail given on both sides is compared
and adds or subtracts a documented amount (the constants below, each with its reason); a
detail missing on either side changes nothing. The comparison of every detail is kept, with
both values, its outcome and its effect, so that an analyst sees why a score moved.

Pure (no service imports, not compiled): it runs on the few candidates a screening returns,
never on the whole index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

import countrynames
from stdnum import bic, iban, imo, isin, lei
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp, rfc

# --- constants: each a step of evidence, with why it is that size ----------------------------

# An identifier (passport, national ID, registration, tax, IMO, MMSI number) both sides carry
# in the same canonical form names one person or thing: strong evidence on its own. The score
# is raised at least to this value, above the default decision threshold (0.8), so that a weak
# name (a family name alone) with the right passport is a match.
ID_MATCH_SCORE: Final = 0.95
# ...and never by less than this, so that an identifier still counts for a strong name.
ID_MATCH_BONUS: Final = 0.1
# Below this name score no name part aligned at all: the same number then more likely
# belongs to two numbering schemes (a passport here, a tax number there) than to one person,
# so it only adds ID_MATCH_BONUS. It is kept this low because one part of a long name (a
# common family name against a full name with rare given names) often scores only 0.2-0.3
# and must still count: that is the case the identifier is for.
ID_MIN_NAME_SCORE: Final = 0.05
# Identifiers shorter than this (after canonicalisation) are too unselective to count:
# "123" is somebody's number in every registry.
MIN_ID_LENGTH: Final = 5
# A birth date that agrees to the day names few people in the world with the same name.
DOB_DAY_AGREE_BONUS: Final = 0.08
# Agreeing to the month or the year only is weaker: a year is shared by one person in ~80.
DOB_MONTH_AGREE_BONUS: Final = 0.05
DOB_YEAR_AGREE_BONUS: Final = 0.03
# A birth year that differs (beyond the tolerance) is strong evidence of a namesake: with a
# perfect name (1.0) it alone leaves the score at 0.85, still a match, so that a typo in one
# detail is not enough to hide a listed person; with a second contradiction it falls below.
DOB_YEAR_CONTRADICT_PENALTY: Final = 0.15
# The same year but another month or day: the lists often write 1 January for an unknown
# day, and clerks swap day and month, so this weighs little.
DOB_DAY_CONTRADICT_PENALTY: Final = 0.03
# Years this far apart still count as "unknown", not as a contradiction, when the list's date
# is approximate (a range such as 1968/1970, several candidate years, or "circa").
APPROXIMATE_YEAR_TOLERANCE: Final = 2
# A nationality or country both sides give and share: weak support (millions share one).
COUNTRY_AGREE_BONUS: Final = 0.04
# A nationality or country both give but that differ: a real hint of a namesake, but people
# hold several nationalities and live abroad, so less than a contradicting year.
COUNTRY_CONTRADICT_PENALTY: Final = 0.1
# A contradicting gender (female against male): lists record it rarely and reliably.
GENDER_CONTRADICT_PENALTY: Final = 0.1
# Extra candidates a screening with details scores: a namesake pushed down by contradicting
# details leaves room for the next one, which may agree.
DETAIL_EXTRA_CANDIDATES: Final = 3

DETAILS_TUNING: Final = MappingProxyType({
    "ID_MATCH_SCORE": ID_MATCH_SCORE,
    "ID_MATCH_BONUS": ID_MATCH_BONUS,
    "ID_MIN_NAME_SCORE": ID_MIN_NAME_SCORE,
    "MIN_ID_LENGTH": MIN_ID_LENGTH,
    "DOB_DAY_AGREE_BONUS": DOB_DAY_AGREE_BONUS,
    "DOB_MONTH_AGREE_BONUS": DOB_MONTH_AGREE_BONUS,
    "DOB_YEAR_AGREE_BONUS": DOB_YEAR_AGREE_BONUS,
    "DOB_YEAR_CONTRADICT_PENALTY": DOB_YEAR_CONTRADICT_PENALTY,
    "DOB_DAY_CONTRADICT_PENALTY": DOB_DAY_CONTRADICT_PENALTY,
    "APPROXIMATE_YEAR_TOLERANCE": APPROXIMATE_YEAR_TOLERANCE,
    "COUNTRY_AGREE_BONUS": COUNTRY_AGREE_BONUS,
    "COUNTRY_CONTRADICT_PENALTY": COUNTRY_CONTRADICT_PENALTY,
    "GENDER_CONTRADICT_PENALTY": GENDER_CONTRADICT_PENALTY,
    "DETAIL_EXTRA_CANDIDATES": DETAIL_EXTRA_CANDIDATES,
})

# The fields a query may give, in the order explanations list them.
DETAIL_FIELDS: Final = ("id_number", "birth_date", "nationality", "country", "gender")
GENDERS: Final = ("male", "female", "other")

AGREE, CONTRADICT, UNKNOWN = "agree", "contradict", "unknown"

_QUERY_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LIST_DATE = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?!\d)")
_APPROXIMATE = re.compile(r"circa|approx|about|\bca\.?|\bc\.|/|\bor\b|between|\bto\b", re.I)
_NOT_ALNUM = re.compile(r"[\W_]+")

# Identifier schemes python-stdnum knows, by words of the lists' type names: their compact
# form strips the scheme's own prefixes and separators ("IMO 9187629" → "9187629").
_SCHEMES: Final = (
    (("imo",), imo),
    (("swift", "bic"), bic),
    (("iban",), iban),
    (("legal entity", "lei"), lei),
    (("isin",), isin),
    (("c.u.r.p", "curp"), curp),
    (("r.f.c", "rfc"), rfc),
    (("unified social credit", "uscc"), uscc),
)
# Schemes a query value (which has no type) is also tried in, when valid for them: their
# check digits make a false reading unlikely.
_QUERY_SCHEMES: Final = (imo, bic, iban, lei, isin)


class DetailError(ValueError):
    """A query detail that cannot be read: names the field and says what is wrong."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.reason = message


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date at its precision (year, month or day); approximate when the list says so."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def text(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts) + ("~" if self.approximate else "")


@dataclass(frozen=True, slots=True)
class Details:
    """The details of one side (a query or a list entry), normalised."""

    birth_dates: tuple[DateValue, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 (countrynames' codes)
    countries: tuple[str, ...] = ()
    # Canonical identifier forms, each with the text it came from.
    identifiers: tuple[tuple[str, str], ...] = ()
    gender: str | None = None

    def __bool__(self) -> bool:
        return bool(self.birth_dates or self.nationalities or self.countries
                    or self.identifiers or self.gender)

    def id_forms(self) -> set[str]:
        return {form for form, _ in self.identifiers}

    def to_values(self) -> dict[str, list[str]]:
        """Gives the query values these details are read back from (`query_details`), for
        storing a query's details (a job's names, a watchlist's items)."""
        values = {
            "birth_date": [d.text() for d in self.birth_dates],
            "nationality": list(self.nationalities),
            "country": list(self.countries),
            "id_number": list(dict.fromkeys(text for _, text in self.identifiers)),
            "gender": [self.gender] if self.gender else [],
        }
        return {name: found for name, found in values.items() if found}

    def to_stored(self) -> list[Any]:
        """Gives the details as plain JSON values, exactly (the compact index stores each
        entry's details so; `from_stored` reads them back unchanged)."""
        return [[[d.year, d.month, d.day, d.approximate] for d in self.birth_dates],
                list(self.nationalities), list(self.countries),
                [list(pair) for pair in self.identifiers], self.gender]

    @classmethod
    def from_stored(cls, stored: Sequence[Any]) -> Details:
        """Gives the details `to_stored` wrote."""
        dates, nationalities, countries, identifiers, gender = stored
        return cls(tuple(DateValue(*date) for date in dates), tuple(nationalities),
                   tuple(countries), tuple((form, text) for form, text in identifiers),
                   gender)


NO_DETAILS: Final = Details()


@dataclass(frozen=True, slots=True)
class DetailComparison:
    """One detail compared: both sides' values, the outcome and its effect on the score."""

    field: str
    query: tuple[str, ...]
    candidate: tuple[str, ...]
    outcome: str
    effect: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "query": list(self.query), "list": list(self.candidate),
                "outcome": self.outcome, "effect": round(self.effect, 4),
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class DetailScore:
    """The score after the details, and every comparison that made it."""

    name_score: float
    score: float
    comparisons: tuple[DetailComparison, ...] = field(default=())

    def explanation(self) -> dict[str, Any]:
        return {"name_score": round(self.name_score, 4),
                "details": [c.to_dict() for c in self.comparisons]}


# --- reading values ---------------------------------------------------------------------------


def parse_query_date(text: str, field_name: str = "birth_date") -> DateValue:
    """Gives a query date (YYYY, YYYY-MM or YYYY-MM-DD); DetailError if it is not one."""
    found = _QUERY_DATE.match(text.strip())
    if not found:
        raise DetailError(field_name, f"'{text}' is not a date as YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        date(year, month or 1, day or 1)  # a real calendar day (no 30 February)
    except ValueError:
        raise DetailError(field_name, f"'{text}' is not a valid date.") from None
    if not 1000 <= year <= 2999:
        raise DetailError(field_name, f"'{text}' is not a plausible birth year.")
    return DateValue(year, month, day)


def list_dates(text: str) -> list[DateValue]:
    """Gives the dates a list's birth-date text holds; a range (1968/1970) gives every year
    between, marked approximate, as does a word such as "circa"."""
    found = [(int(m.group(1)), int(m.group(2)) if m.group(2) else None,
              int(m.group(3)) if m.group(3) else None) for m in _LIST_DATE.finditer(text)]
    found = [(y, mo if mo and 1 <= mo <= 12 else None, d if mo and d and 1 <= d <= 31 else None)
             for y, mo, d in found if 1000 <= y <= 2999]
    if not found:
        return []
    approximate = bool(_APPROXIMATE.search(text))
    if "/" in text and len(found) == 2 and found[1][0] - found[0][0] in range(1, 30):
        return [DateValue(year, None, None, True) for year in range(found[0][0], found[1][0] + 1)]
    return [DateValue(y, mo, d if mo else None, approximate) for y, mo, d in found]


# The lists spell a few thousand countries and addresses, over and over.
@lru_cache(maxsize=20_000)
def country_code(text: str) -> str | None:
    """Gives the ISO code of a country name, code or adjective in any of the lists'
    spellings ("Iran (Islamic Republic of)", "Iranian", "ir"), or None."""
    text = text.strip()
    if not text:
        return None
    code = countrynames.to_code(text)
    return code.upper() if code else None


def parse_query_country(text: str, field_name: str) -> str:
    """Gives a query country's code; DetailError when it names no country."""
    code = country_code(text)
    if code is None:
        raise DetailError(field_name, f"'{text}' is not a country code or country name.")
    return code


def generic_id(text: str) -> str:
    """Gives an identifier without case or separators ("AB-41 06401" → "AB4106401")."""
    return _NOT_ALNUM.sub("", text).upper()


def list_id_forms(value: str, scheme: str | None) -> set[str]:
    """Gives the canonical forms of a list identifier: its scheme's compact form where
    python-stdnum knows the scheme, and the form without case or separators."""
    forms = {generic_id(value)}
    label = (scheme or "").lower()
    for words, module in _SCHEMES:
        if any(word in label for word in words):
            try:
                forms.add(generic_id(module.compact(value)))
            except StdnumError:
                pass
    return {form for form in forms if len(form) >= MIN_ID_LENGTH}


def query_id_forms(value: str) -> set[str]:
    """Gives the canonical forms of a query identifier (it comes with no scheme): the form
    without case or separators, and the compact form of each scheme it is valid in."""
    forms = {generic_id(value)}
    for module in _QUERY_SCHEMES:
        try:
            if module.is_valid(value):
                forms.add(generic_id(module.compact(value)))
        except StdnumError:
            continue
    return {form for form in forms if len(form) >= MIN_ID_LENGTH}


def parse_gender(text: str, field_name: str = "gender") -> str:
    """Gives male, female or other from the usual spellings; DetailError otherwise."""
    value = text.strip().lower()
    value = {"m": "male", "f": "female", "man": "male", "woman": "female"}.get(value, value)
    if value not in GENDERS:
        raise DetailError(field_name, f"'{text}' is not one of {', '.join(GENDERS)}.")
    return value


def _values(raw: str | Sequence[str] | None) -> list[str]:
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [item.strip() for item in items if item and item.strip()]


def query_details(*, birth_date: str | Sequence[str] | None = None,
                  nationality: str | Sequence[str] | None = None,
                  country: str | Sequence[str] | None = None,
                  id_number: str | Sequence[str] | None = None,
                  gender: str | Sequence[str] | None = None) -> Details:
    """Gives a query's details from the caller's values (each one value or several);
    DetailError names the first field that cannot be read."""
    identifiers: list[tuple[str, str]] = []
    for value in _values(id_number):
        forms = query_id_forms(value)
        if not forms:
            raise DetailError("id_number", f"'{value}' has fewer than {MIN_ID_LENGTH} letters "
                                           "or digits.")
        identifiers.extend((form, value) for form in sorted(forms))
    genders = {parse_gender(value) for value in _values(gender)}
    if len(genders) > 1:
        raise DetailError("gender", "give one gender.")
    return Details(
        birth_dates=tuple(parse_query_date(v) for v in _values(birth_date)),
        nationalities=tuple(dict.fromkeys(parse_query_country(v, "nationality")
                                          for v in _values(nationality))),
        countries=tuple(dict.fromkeys(parse_query_country(v, "country")
                                      for v in _values(country))),
        identifiers=tuple(dict.fromkeys(identifiers)),
        gender=next(iter(genders), None),
    )


def _codes(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for code in map(country_code, texts) if code))


def _address_country(address: str) -> str | None:
    """Gives the country an address ends with ("…, Lahore, Pakistan" → PK)."""
    tail = address.rsplit(",", 1)[-1]
    return country_code(tail)


def entry_details(data: Mapping[str, Any]) -> Details:
    """Gives the normalised details of a list entry from its common model (`ListEntry`
    as a dict), whatever source it came from."""
    extra = data.get("extra") or {}
    nationalities = _codes([*data.get("nationalities", ()),
                            *_strings(extra.get("citizenships"))])
    countries = _codes([*_strings(extra.get("countries")), *_strings(extra.get("vessel_flag")),
                        *_strings(extra.get("jurisdiction"))])
    countries = tuple(dict.fromkeys([
        *countries, *(c for c in map(_address_country, data.get("addresses", ())) if c)]))
    identifiers: list[tuple[str, str]] = []
    for item in data.get("identifiers", ()):
        value = str(item.get("value") or "")
        identifiers.extend((form, value) for form in sorted(
            list_id_forms(value, item.get("type"))))
    dates: list[DateValue] = []
    raw_dates = data.get("birth_dates", ())
    for text in raw_dates:
        dates.extend(list_dates(str(text)))
    if len({d.year for d in dates}) > 2:
        # Several candidate years (OFAC lists 1968, 1969, …, 1975 for one man): the list does
        # not know the year, so each is approximate.
        dates = [DateValue(d.year, d.month, d.day, True) for d in dates]
    gender = None
    raw_gender = extra.get("gender")
    if isinstance(raw_gender, str):
        try:
            gender = parse_gender(raw_gender)
        except DetailError:
            gender = None
    return Details(tuple(dict.fromkeys(dates)), nationalities, countries,
                   tuple(dict.fromkeys(identifiers)), gender)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return []


# --- comparing --------------------------------------------------------------------------------


def _compare_dates(query: Sequence[DateValue], candidate: Sequence[DateValue]
                   ) -> tuple[str, float, str]:
    best: tuple[int, str] | None = None  # (rank of the agreement, its precision)
    ranks = {"year": 1, "month": 2, "day": 3}
    same_year_other_day = False
    closest = min(abs(q.year - c.year) for q in query for c in candidate)
    for q in query:
        for c in candidate:
            if q.year != c.year:
                continue
            if q.month and c.month and q.month != c.month:
                same_year_other_day = True
                continue
            if q.day and c.day and q.day != c.day:
                same_year_other_day = True
                continue
            precision = "day" if q.day and c.day else "month" if q.month and c.month else "year"
            if best is None or ranks[precision] > best[0]:
                best = (ranks[precision], precision)
    if best is not None:
        bonus = {"day": DOB_DAY_AGREE_BONUS, "month": DOB_MONTH_AGREE_BONUS,
                 "year": DOB_YEAR_AGREE_BONUS}[best[1]]
        return AGREE, bonus, f"same {best[1]}"
    if same_year_other_day:
        return CONTRADICT, -DOB_DAY_CONTRADICT_PENALTY, "same year, another month or day"
    approximate = any(c.approximate for c in candidate)
    if approximate and closest <= APPROXIMATE_YEAR_TOLERANCE:
        return UNKNOWN, 0.0, (f"{closest} year(s) apart, within the tolerance of the list's "
                              "approximate date")
    return CONTRADICT, -DOB_YEAR_CONTRADICT_PENALTY, f"{closest} year(s) apart"


def _compare_codes(query: Sequence[str], candidate: Sequence[str]) -> tuple[str, float, str]:
    shared = sorted(set(query) & set(candidate))
    if shared:
        return AGREE, COUNTRY_AGREE_BONUS, f"both give {', '.join(shared)}"
    return CONTRADICT, -COUNTRY_CONTRADICT_PENALTY, "no country in common"


def compare_details(name_score: float, query: Details, candidate: Details) -> DetailScore:
    """Gives the score of a candidate after its details, with each detail compared.

    Only the details the query gives are compared; one the list lacks is `unknown` and
    changes nothing. The score stays within [0, 1].
    """
    if not query:
        return DetailScore(name_score, name_score)
    comparisons: list[DetailComparison] = []

    def add(field_name: str, q: Iterable[str], c: Iterable[str], outcome: str, effect: float,
            reason: str) -> None:
        comparisons.append(DetailComparison(field_name, tuple(dict.fromkeys(q)),
                                            tuple(dict.fromkeys(c)), outcome, effect, reason))

    if query.identifiers:
        shared = query.id_forms() & candidate.id_forms()
        q_texts = [text for _, text in query.identifiers]
        if shared:
            names_agree = name_score >= ID_MIN_NAME_SCORE
            effect = max(ID_MATCH_BONUS, ID_MATCH_SCORE - name_score) if names_agree \
                else ID_MATCH_BONUS
            add("id_number", q_texts, [t for f, t in candidate.identifiers if f in shared],
                AGREE, effect, "the same identifier" if names_agree
                else "the same identifier, but the names share almost nothing")
        else:
            # People hold several passports and lists record few: another number on the list
            # says nothing against the query's.
            add("id_number", q_texts, [t for _, t in candidate.identifiers], UNKNOWN, 0.0,
                "no identifier in common" if candidate.identifiers else "the list gives none")
    if query.birth_dates:
        texts = [d.text() for d in query.birth_dates]
        if candidate.birth_dates:
            outcome, effect, reason = _compare_dates(query.birth_dates, candidate.birth_dates)
            add("birth_date", texts, [d.text() for d in candidate.birth_dates], outcome, effect,
                reason)
        else:
            add("birth_date", texts, [], UNKNOWN, 0.0, "the list gives none")
    for field_name, q_codes, c_codes in (
            ("nationality", query.nationalities, candidate.nationalities),
            # A country of residence or registration is compared with every country the
            # entry is tied to, its nationalities included.
            ("country", query.countries, (*candidate.countries, *candidate.nationalities))):
        if not q_codes:
            continue
        if c_codes:
            outcome, effect, reason = _compare_codes(q_codes, c_codes)
            add(field_name, q_codes, c_codes, outcome, effect, reason)
        else:
            add(field_name, q_codes, [], UNKNOWN, 0.0, "the list gives none")
    if query.gender:
        if candidate.gender and candidate.gender != "other" and query.gender != "other":
            if candidate.gender == query.gender:
                # Half of everyone shares a gender: no evidence for, only against.
                add("gender", [query.gender], [candidate.gender], AGREE, 0.0, "same gender")
            else:
                add("gender", [query.gender], [candidate.gender], CONTRADICT,
                    -GENDER_CONTRADICT_PENALTY, "another gender")
        else:
            add("gender", [query.gender], [candidate.gender] if candidate.gender else [],
                UNKNOWN, 0.0, "the list gives none" if not candidate.gender else "not comparable")
    score = min(1.0, max(0.0, name_score + sum(c.effect for c in comparisons)))
    return DetailScore(name_score, score, tuple(comparisons))
