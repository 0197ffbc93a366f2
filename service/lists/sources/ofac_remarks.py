"""Facts pulled out of the free-text Remarks of OFAC's legacy files.

The legacy CSV has no columns for dates of birth, nationalities, documents or the weaker
aliases: OFAC writes them into Remarks as `; `-separated phrases such as
`DOB 09 Feb 1951; POB Gaza, Egypt; Passport 92/664 (Egypt); a.k.a. 'ABU OMAR'.`
Only phrases with a well-known shape are read; the Remarks text itself is kept whole on the
entry, so nothing unrecognised is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from service.lists.entry import EntryName
from service.lists.sources._common import clean_text, date_or_text, date_to_iso, unique
from service.lists.sources._ofac_vocabulary import IDENTIFIER_PREFIX, canonical_label

_ALIAS = re.compile(r"(?P<kind>[afn])\.k\.a\.,? +'?(?P<name>.*?)'?")
_DATE_OF_BIRTH = re.compile(r"DOB:? +(?P<date>.+)")
_PLACE_OF_BIRTH = re.compile(r"POB:? +(?P<place>.+)")
# Lower-case on purpose: "Nationality of Registration" (a vessel's flag) is a different phrase.
_NATIONALITY = re.compile(r"nationality:? +(?P<country>.+)")
_CITIZENSHIP = re.compile(r"citizen:? +(?P<country>.+)")
_GENDER = re.compile(r"Gender:? +(?P<gender>Male|Female)", re.IGNORECASE)
_LINKED_TO = re.compile(r"Linked To: *(?P<name>.+)")
_DOCUMENT_TAIL = re.compile(
    r"(?P<value>.+?)"
    r"(?: \((?P<country>[^()]+)\))?"
    r"(?: issued (?P<issued>.+?))?"
    r"(?: expires (?P<expires>.+?))?"
)
_ALTERNATIVE_PREFIX = "alt. "


@dataclass(slots=True)
class RemarkFacts:
    """What the Remarks say about an entry, in the order the Remarks say it."""

    aliases: list[EntryName] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    places_of_birth: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    identifiers: list[dict[str, str]] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    gender: str | None = None


def split_remarks(remarks: str) -> list[str]:
    """Gives the `; `-separated phrases of a Remarks text, without the closing full stop."""
    text = remarks.strip()
    if text.endswith("."):
        text = text[:-1]
    return [phrase.strip() for phrase in text.split("; ") if phrase.strip()]


def _identifier(label: str, rest: str) -> dict[str, str]:
    match = _DOCUMENT_TAIL.fullmatch(rest)
    if match is None:  # pragma: no cover - the pattern accepts any non-empty text
        return {"type": canonical_label(label), "value": rest}
    identifier = {"type": canonical_label(label), "value": match.group("value").strip()}
    if match.group("country"):
        identifier["country"] = match.group("country").strip()
    if match.group("issued"):
        identifier["issued"] = date_or_text(match.group("issued"))
    if match.group("expires"):
        identifier["expires"] = date_or_text(match.group("expires"))
    return identifier


def parse_remarks(remarks: str | None) -> RemarkFacts:
    """Gives the aliases, dates and places of birth, nationalities, documents, links and gender
    that a legacy OFAC Remarks text states.
    """
    facts = RemarkFacts()
    if not remarks:
        return facts
    for phrase in split_remarks(remarks):
        if phrase.startswith(_ALTERNATIVE_PREFIX):
            phrase = phrase[len(_ALTERNATIVE_PREFIX) :]
        if match := _ALIAS.fullmatch(phrase):
            name = clean_text(match.group("name"))
            if name:
                facts.aliases.append(EntryName(name, f"{match.group('kind')}ka", True))
        elif match := _DATE_OF_BIRTH.fullmatch(phrase):
            facts.birth_dates.append(date_to_iso(match.group("date")) or match.group("date"))
        elif match := _PLACE_OF_BIRTH.fullmatch(phrase):
            facts.places_of_birth.append(clean_text(match.group("place")))
        elif match := _NATIONALITY.fullmatch(phrase):
            facts.nationalities.append(clean_text(match.group("country")))
        elif match := _CITIZENSHIP.fullmatch(phrase):
            facts.citizenships.append(clean_text(match.group("country")))
        elif match := _GENDER.fullmatch(phrase):
            facts.gender = match.group("gender").capitalize()
        elif match := _LINKED_TO.fullmatch(phrase):
            facts.linked_to.append(clean_text(match.group("name")))
        elif match := IDENTIFIER_PREFIX.fullmatch(phrase):
            facts.identifiers.append(_identifier(match.group("label"), match.group("rest")))
    facts.birth_dates = unique(facts.birth_dates)
    facts.places_of_birth = unique(facts.places_of_birth)
    facts.nationalities = unique(facts.nationalities)
    facts.citizenships = unique(facts.citizenships)
    facts.linked_to = unique(facts.linked_to)
    return facts
