"""Screening with identifying details (birth year, nationality, identifiers), on real lists.

Run: ``python -m bench.details_bench [--repeats N]``. The lists are read with the service's
own parsers (UN XML, the SDN legacy CSV with its remarks), so the list-side details are what
an import gives; queries go through the same screening code as the API
(`service.screening.screen.screen_names`). Timings are medians over ``repeats`` runs.

- UN recall with the fixture's birth year and nationality;
- the same names with a birth year 25 years off and another nationality: how often the
  listed person still matches (aiming at zero);
- US Congress members with their birth year and `us` against the full SDN;
- family name plus the entry's own passport number against the SDN;
- screening speed with and without details, beside nomenklatura's LogicV2 given the same
  properties (on the candidates our index retrieves, as yente scores its search results).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bench.list_data import SDN_CSV, UN_XML
from bench.matching_bench import (
    CONGRESS_CSV,
    UN_TREATED_CSV,
    UN_UNTREATED_CSV,
    Row,
    _clear_caches,
    _csv_rows,
    _median_seconds,
    format_table,
)
from service.lists.entry import ListEntry
from service.lists.sources import parse
from service.matching.details import country_code, entry_details, query_details
from service.matching.index import IndexedName
from service.matching.normalize import normalize_name
from service.screening.catalog import LoadedIndex, loaded_from_names
from service.screening.screen import ScreeningRequest, screen_names

# Years added to the true birth year for the contradicting queries: far beyond any tolerance.
YEARS_OFF = 25
# The nationality given instead of the true one (another, whatever the true one is).
OTHER_NATIONALITIES = ("se", "br")
# Identifier types of the SDN that are a person's passport.
PASSPORT_TYPES = ("passport",)


def loaded_list(list_id: str, entries: list[ListEntry]) -> tuple[LoadedIndex, list[IndexedName]]:
    """Gives an index of a parsed list with its entries' details, as the catalog builds it."""
    names = [IndexedName(list_id, e.key, n.name, e.name, e.kind, tuple(e.programs),
                         weak=n.weak) for e in entries for n in e.all_names()]
    details = {(list_id, e.key): d for e in entries if (d := entry_details(e.to_dict()))}
    return loaded_from_names(names, details), names


def _entries(path: Path) -> list[ListEntry]:
    return parse([path]).entries


def _wanted(names: list[IndexedName]) -> dict[str, set[tuple[str, str]]]:
    keys: dict[str, set[tuple[str, str]]] = {}
    for name in names:
        keys.setdefault(normalize_name(name.name, name.kind).text, set()).add(
            (name.list_id, name.list_key))
    return keys


def _un_queries(names: list[IndexedName]) -> list[tuple[dict[str, str], set[tuple[str, str]]]]:
    """Gives the perturbed UN names whose target is on this list version and that have a
    birth year and a nationality, each with the entries it should find."""
    by_text = _wanted(names)
    found = []
    for row, target in zip(_csv_rows(UN_TREATED_CSV), _csv_rows(UN_UNTREATED_CSV),
                           strict=True):
        wanted = by_text.get(normalize_name(target["full_name"], "person").text) or \
            by_text.get(normalize_name(target["full_name"]).text)
        year = (row["date_of_birth"] or "")[:4]
        if wanted and year.isdigit() and country_code(row["nationality"] or ""):
            found.append((row, wanted))
    return found


def _hit(results: Any, wanted: set[tuple[str, str]]) -> bool:
    return any(m.match and (m.name.list_id, m.name.list_key) in wanted
               for r in results for m in r.matches)


def un_rows(loaded: LoadedIndex, names: list[IndexedName]) -> list[Row]:
    """Gives UN recall with true details, and the match rate with contradicting ones."""
    queries = _un_queries(names)
    plain = agreeing = contradicted = 0
    for row, wanted in queries:
        name, year = row["full_name"], row["date_of_birth"][:4]
        other = next(c for c in OTHER_NATIONALITIES if c != row["nationality"].lower())
        plain += _hit(screen_names([ScreeningRequest(name)], loaded=loaded, limit=10), wanted)
        agreeing += _hit(screen_names([ScreeningRequest(name, details=query_details(
            birth_date=year, nationality=row["nationality"]))], loaded=loaded, limit=10), wanted)
        contradicted += _hit(screen_names([ScreeningRequest(name, details=query_details(
            birth_date=str(int(year) + YEARS_OFF), nationality=other))], loaded=loaded,
            limit=10), wanted)
    count = len(queries)
    return [
        {"figure": f"UN recall, name only ({count} listed people with a known birth year and "
                   "nationality)", "value": round(plain / count, 4), "target": "—",
         "peer": "—"},
        {"figure": f"UN recall with birth year and nationality ({count})",
         "value": round(agreeing / count, 4), "target": "≥ 0.99", "peer": "—"},
        {"figure": f"Same names, birth year {YEARS_OFF} years off and another nationality: "
                   "still a match", "value": round(contradicted / count, 4),
         "target": "≤ 0.03", "peer": "—"},
    ]


def congress_row(loaded: LoadedIndex) -> Row:
    """Gives the share of Congress members with a birth year and `us` matching the SDN."""
    members = [r for r in _csv_rows(CONGRESS_CSV) if (r["date_of_birth"] or "")[:4].isdigit()]
    flagged = 0
    for member in members:
        request = ScreeningRequest(member["full_name"], kind="person", details=query_details(
            birth_date=member["date_of_birth"][:4], nationality="us"))
        flagged += any(m.match for r in screen_names([request], loaded=loaded, limit=3)
                       for m in r.matches)
    return {"figure": f"False positives: {len(members)} Congress members with birth year and "
                      "`us` vs full SDN", "value": round(flagged / len(members), 4),
            "target": "≤ 0.001", "peer": "—"}


def _family_name(entry: ListEntry) -> str | None:
    """Gives the family name of an SDN person ("SOLEIMANI, Qasem" → "SOLEIMANI")."""
    if "," not in entry.name:
        return None
    family = entry.name.split(",", 1)[0].strip()
    return family or None


def passport_row(loaded: LoadedIndex, entries: list[ListEntry]) -> Row:
    """Gives how often a family name plus the entry's own passport number finds it."""
    cases = []
    for entry in entries:
        family = _family_name(entry)
        passports = [i["value"] for i in entry.identifiers
                     if any(t in (i.get("type") or "").lower() for t in PASSPORT_TYPES)
                     and len(i.get("value") or "") >= 5]
        if entry.kind == "person" and family and passports:
            cases.append((family, passports[0], entry.key))
    found = 0
    for family, passport, key in cases:
        results = screen_names([ScreeningRequest(family, kind="person", details=query_details(
            id_number=passport))], loaded=loaded, limit=5)
        found += _hit(results, {("us_ofac_sdn", key)})
    return {"figure": f"Family name plus passport number finds the SDN entry ({len(cases)} "
                      "people with a passport)", "value": round(found / len(cases), 4),
            "target": "≥ 0.95", "peer": "—"}


def speed_rows(loaded: LoadedIndex, repeats: int) -> list[Row]:
    """Gives screening speed against the full SDN without and with details, and LogicV2's
    cost for the same properties."""
    congress = [r for r in _csv_rows(CONGRESS_CSV)]
    un = _csv_rows(UN_TREATED_CSV)
    rows = [*congress, *un]
    plain = [ScreeningRequest(r["full_name"]) for r in rows]
    detailed = [ScreeningRequest(r["full_name"], details=query_details(
        birth_date=(r["date_of_birth"] or "")[:4] or None,
        nationality=r["nationality"] if country_code(r["nationality"] or "") else None))
        for r in rows]

    def cold() -> None:
        _clear_caches()
        loaded.index.clear_lookup_cache()

    without = _median_seconds(lambda: screen_names(plain, loaded=loaded), repeats, cold)
    with_details = _median_seconds(lambda: screen_names(detailed, loaded=loaded), repeats, cold)
    peer = _peer_seconds(loaded, rows, max(1, repeats // 2))
    peer_text = ("nomenklatura not installed" if peer is None else
                 f"LogicV2 with name, birthDate, nationality on the same 5 candidates: "
                 f"{len(rows) / peer:.0f} names/s")
    return [
        {"figure": f"Screening vs full SDN without details ({len(rows)} names, cold caches) "
                   "(names/s, median)", "value": round(len(rows) / without),
         "target": "≥ 5,000", "peer": "—"},
        {"figure": f"Screening vs full SDN with birth year and nationality ({len(rows)} names, "
                   "cold caches) (names/s, median)", "value": round(len(rows) / with_details),
         "target": "≥ 5,000", "peer": peer_text},
    ]


def _peer_seconds(loaded: LoadedIndex, rows: list[dict[str, str]], repeats: int
                  ) -> float | None:
    """Gives LogicV2's time to score each query, with its details, against the candidates
    our index retrieves for it (yente scores its search results the same way)."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError:
        return None
    config = LogicV2.default_config()
    serial = iter(range(10**9))

    def entity(schema: str, props: dict[str, list[str]]) -> Any:
        made = model.make_entity(schema)
        made.id = f"bench-{next(serial)}"
        for prop, values in props.items():
            for value in values:
                made.add(prop, value, quiet=True)
        return made

    pairs = []
    for row in rows:
        query = entity("Person", {"name": [row["full_name"]],
                                  "birthDate": [(row["date_of_birth"] or "")[:4]],
                                  "nationality": [row["nationality"] or ""]})
        for match in loaded.index.search(row["full_name"], limit=5):
            details = loaded.entries.details((match.name.list_id, match.name.list_key))
            props = {"name": [match.name.name]}
            if details:
                props["birthDate"] = [d.text().rstrip("~") for d in details.birth_dates]
                props["nationality"] = [c.lower() for c in details.nationalities]
            pairs.append((query, entity("Person", props)))
    return _median_seconds(
        lambda: [LogicV2.compare(a, b, config) for a, b in pairs], repeats, lambda: None)


def benchmark_rows(repeats: int = 5) -> list[Row]:
    """Gives every figure of screening with details as {figure, value, target, peer} rows."""
    un_loaded, un_names = loaded_list("un_sc", _entries(UN_XML))
    rows = un_rows(un_loaded, un_names)
    del un_loaded
    sdn_entries = _entries(SDN_CSV.parent)
    sdn_loaded, _ = loaded_list("us_ofac_sdn", sdn_entries)
    rows.append(congress_row(sdn_loaded))
    rows.append(passport_row(sdn_loaded, sdn_entries))
    rows += speed_rows(sdn_loaded, repeats)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(format_table(benchmark_rows(args.repeats)))


if __name__ == "__main__":
    main()


