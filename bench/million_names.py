"""A synthetic list of a million names, recombined at run time from real name parts.

Run: ``python -m bench.million_names OUT.ftm.json [--count N] [--seed S]``, or call
``write_synthetic_list(path, count)``. The file is OpenSanctions FollowTheMoney, one JSON
object a line (what `service/lists/sources/opensanctions.py` reads), so it is imported as the
`opensanctions` list with `xref lists import opensanctions OUT.ftm.json`.

No record in it is real, and each says so: ids `synthetic-0000001`, datasets `["synthetic"]`,
a note saying it was generated. The parts are real, so the names look like the names lists
hold and weigh like them in the matcher:

- persons (about 70 %): a real given name, sometimes a second one, with a real family name,
  taken from the person names of the SDN, the UN list, the CSL, the OpenSanctions files and
  the members of the US Congress. Parts are drawn with their frequency in those lists (a pool
  with repeats), so common parts ("Muhammad", "Ali") are as common as they are in real lists;
- organisations (about 30 %): real organisation words recombined, the last word drawn from
  real last words (so legal forms such as LLC or LTD come at their real rate).

A generated name equal to a real name of the sources (order and case aside) is drawn again:
the real names, the SDN's among them, are the queries of the benchmark, never its distractors.
The file is written into a temporary folder at bench time and never committed; tests use it
only to test the generator and the importer's streaming (say so where they do).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = Path("/work/shared/data")
SDN_CSV = DATA / "ofac" / "sdn-2024-05" / "sdn.csv"
UN_XML = DATA / "un" / "UN_consolidated_2026-02-27.xml"
CSL_CSV = DATA / "csl" / "consolidated.csv.gz"
FTM_DIR = DATA / "opensanctions"
CONGRESS_CSV = DATA / "matching" / "yente_positives_us_congress_untreated.csv"

DEFAULT_COUNT = 1_000_000
DEFAULT_SEED = 17  # the number: any fixed seed gives the same file every run
PERSON_SHARE = 0.7
ALIAS_SHARE = 0.2
NOTE = ("Synthetic entity generated for benchmarking from recombined real name parts; "
        "not a real person, organisation or listing.")

# A part worth keeping: letters (any script) with inner apostrophes or hyphens, two or more.
_PART = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))+$")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


@dataclass
class NameParts:
    """Pools of real name parts, with repeats (drawing uniformly draws by frequency)."""

    given: list[str] = field(default_factory=list)
    family: list[str] = field(default_factory=list)
    org_words: list[str] = field(default_factory=list)
    org_last_words: list[str] = field(default_factory=list)
    # Every real full name seen, as a sorted casefolded tuple of words: never generated.
    real: set[tuple[str, ...]] = field(default_factory=set)

    def add_person(self, given: str, family: str) -> None:
        given_parts = [p for p in given.split() if _PART.match(p)]
        family_parts = [p for p in family.split() if _PART.match(p)]
        if given_parts:
            self.given.append(given_parts[0].title())
        if family_parts:
            # Family names keep their several words ("Al Rahman", "De La Cruz").
            self.family.append(" ".join(p.title() for p in family_parts))
        self.real.add(_words(f"{given} {family}"))

    def add_organization(self, name: str) -> None:
        words = [w.strip(".,()\"'") for w in name.split()]
        words = [w for w in words if _PART.match(w)]
        if len(words) < 2:
            return
        self.org_words.extend(w.upper() for w in words[:-1])
        self.org_last_words.append(words[-1].upper())
        self.real.add(_words(name))


def _words(name: str) -> tuple[str, ...]:
    return tuple(sorted(w.casefold() for w in re.split(r"[\s,]+", name) if w))


def _split_listed(name: str) -> tuple[str, str]:
    """Gives (given, family) of a list's "FAMILY, Given" or "Given Family" person name."""
    if "," in name:
        family, given = name.split(",", 1)
        return given.strip(), family.strip()
    words = [w for w in name.split() if w.lower() not in _SUFFIXES]
    if len(words) < 2:
        return "", ""
    return words[0], words[-1]


def _sdn(parts: NameParts) -> None:
    text = SDN_CSV.read_text(encoding="utf-8").rstrip("\x1a")
    for row in csv.reader(io.StringIO(text)):
        if len(row) < 3:
            continue
        name, sdn_type = row[1].strip(), row[2].strip().lower()
        if sdn_type == "individual":
            parts.add_person(*_split_listed(name))
        elif sdn_type in ("-0-", ""):
            parts.add_organization(name)


def _un(parts: NameParts) -> None:
    from service.lists.sources import un_xml

    for entry in un_xml.parse([UN_XML]).entries:
        if entry.kind == "person":
            words = entry.name.split()
            if len(words) >= 2:
                # UN names run given name first; the last part is the family's.
                parts.add_person(words[0], words[-1])
        else:
            parts.add_organization(entry.name)


def _csl(parts: NameParts) -> None:
    with gzip.open(CSL_CSV, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["type"] == "Individual":
                parts.add_person(*_split_listed(row["name"].strip("'")))
            elif row["type"] == "Entity":
                parts.add_organization(row["name"])


def _ftm(parts: NameParts) -> None:
    for path in sorted(FTM_DIR.glob("*.ftm.json")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                entity = json.loads(line)
                props = entity.get("properties", {})
                if entity.get("schema") == "Person":
                    if props.get("firstName") and props.get("lastName"):
                        parts.add_person(props["firstName"][0], props["lastName"][0])
                    elif entity.get("caption"):
                        parts.add_person(*_split_listed(entity["caption"]))
                elif entity.get("schema") in ("Organization", "Company", "LegalEntity"):
                    if entity.get("caption"):
                        parts.add_organization(entity["caption"])


def _congress(parts: NameParts) -> None:
    with CONGRESS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            parts.add_person(*_split_listed(row["full_name"]))


def real_name_parts() -> NameParts:
    """Gives the pools of real parts, read in a fixed order so the same seed gives the same
    file."""
    parts = NameParts()
    for read in (_sdn, _un, _csl, _ftm, _congress):
        read(parts)
    return parts


class _Namer:
    def __init__(self, parts: NameParts, chance: random.Random) -> None:
        self.parts, self.chance = parts, chance

    def person(self, family: str | None = None) -> tuple[str, str]:
        """Gives a person's name and its family part."""
        pick = self.chance.choice
        while True:
            given = pick(self.parts.given)
            if self.chance.random() < 0.3:
                given = f"{given} {pick(self.parts.given)}"
            chosen = family or pick(self.parts.family)
            name = f"{given} {chosen}"
            if _words(name) not in self.parts.real:
                return name, chosen

    def organization(self) -> str:
        pick = self.chance.choice
        while True:
            size = self.chance.choice((1, 2, 2, 3))
            words = [pick(self.parts.org_words) for _ in range(size)]
            name = " ".join([*words, pick(self.parts.org_last_words)])
            if _words(name) not in self.parts.real:
                return name


def synthetic_entities(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED,
                       parts: NameParts | None = None) -> Iterator[dict[str, object]]:
    """Gives `count` synthetic FtM entities, the same ones for the same seed."""
    parts = parts or real_name_parts()
    chance = random.Random(seed)
    namer = _Namer(parts, chance)
    width = max(7, len(str(count)))
    for number in range(1, count + 1):
        is_person = chance.random() < PERSON_SHARE
        name, family = namer.person() if is_person else (namer.organization(), "")
        aliases: list[str] = []
        if chance.random() < ALIAS_SHARE:
            for _ in range(chance.choice((1, 1, 2))):
                if is_person:
                    # Another given name with the same family, as aliases of people often are.
                    aliases.append(namer.person(family=family)[0])
                else:
                    aliases.append(namer.organization())
        properties: dict[str, list[str]] = {"name": [name], "notes": [NOTE]}
        if aliases:
            properties["alias"] = aliases
        yield {
            "id": f"synthetic-{number:0{width}d}",
            "caption": name,
            "schema": "Person" if is_person else "Organization",
            "properties": properties,
            "datasets": ["synthetic"],
            "target": True,
        }


def write_synthetic_list(path: Path, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED
                         ) -> Path:
    """Writes `count` synthetic entities to `path` (one JSON object a line) and gives it."""
    with path.open("w", encoding="utf-8") as handle:
        for entity in synthetic_entities(count, seed):
            handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    write_synthetic_list(args.output, args.count, args.seed)


if __name__ == "__main__":
    main()
