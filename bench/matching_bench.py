"""Quality and speed of the name matcher, side by side with its peers, in one run.

Run: ``python -m bench.matching_bench [--repeats N] [--quick]``. Prints a table;
``benchmark_rows()`` gives the same figures as a list of {figure, value, target, peer} rows
for the project-wide ``make bench``. Timings are medians over ``repeats`` runs, since the
machines are shared and noisy. The peer is nomenklatura's LogicV2 (the matcher behind
OpenSanctions' yente), run in this process on the same inputs; if it cannot be imported the
frozen scores in nomenklatura_logicv2_scores.csv stand in, and the row says so.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from rapidfuzz import fuzz, process

from bench.list_data import DATA_DIR, UN_XML, sdn_names, un_names
from service.matching import normalize as normalize_module
from service.matching.index import IndexedName, NameIndex
from service.matching.normalize import normalize_name
from service.matching.ofac import ofac_score
from service.matching.scorer import DEFAULT_THRESHOLD, compare

MATCHING_DIR = DATA_DIR / "matching"
CASES_CSV = MATCHING_DIR / "nomenklatura_name_cases.csv"
FROZEN_PEER_CSV = MATCHING_DIR / "nomenklatura_logicv2_scores.csv"
OFAC_SLS_CSV = MATCHING_DIR / "ofac_sls_scores.csv"
UN_TREATED_CSV = MATCHING_DIR / "yente_positives_un_treated.csv"
UN_UNTREATED_CSV = MATCHING_DIR / "yente_positives_un_untreated.csv"
CONGRESS_CSV = MATCHING_DIR / "yente_positives_us_congress_untreated.csv"
PUTIN_TXT = MATCHING_DIR / "putin_names.txt"
CROSS_SCRIPT_CSV = MATCHING_DIR / "watchman_cross_script_pairs.csv"
ALIAS_PAIRS_CSV = MATCHING_DIR / "ofac_sdn_alias_pairs_DERIVED.csv"

PEER_THRESHOLD = 0.7  # LogicV2's own default
CASE_KINDS = {"Person": "person", "Company": "organization", "Organization": "organization",
              "LegalEntity": None, "Vessel": "vessel"}
SDN_ALIAS_KINDS = {"individual": "person", "entity": "organization", "vessel": "vessel",
                   "aircraft": "aircraft"}
ALIAS_PEER_SAMPLE = 2000  # alias pairs scored by the (slow) peer
BRUTE_FORCE_QUERIES = 60  # queries screened by brute force (about 25 ms each)

Row = dict[str, Any]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _f1(predictions: list[bool], labels: list[bool]) -> float:
    true_pos = sum(p and y for p, y in zip(predictions, labels, strict=True))
    false_pos = sum(p and not y for p, y in zip(predictions, labels, strict=True))
    false_neg = sum(y and not p for p, y in zip(predictions, labels, strict=True))
    return 2 * true_pos / (2 * true_pos + false_pos + false_neg)


def _median_seconds(run: Callable[[], object], repeats: int, before: Callable[[], None]) -> float:
    """Gives the median wall time of `run` over `repeats` runs, `before` run untimed first."""
    timings = []
    for _ in range(repeats):
        before()
        gc.collect()
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _clear_caches() -> None:
    """Empties every normaliser cache (names, parts, phonetic keys, weights) so a timed run
    computes each name and each name part at least once."""
    normalize_module.clear_caches()


class Peer:
    """nomenklatura LogicV2, called the way its name benchmark calls it."""

    def __init__(self) -> None:
        from followthemoney import model
        from nomenklatura.matching import LogicV2

        self._model = model
        self._algorithm = LogicV2
        self._config = LogicV2.default_config()
        self._serial = 0

    def _entity(self, schema: str, name: str) -> Any:
        # LogicV2 caches by entity id: every entity gets a fresh one.
        self._serial += 1
        entity = self._model.make_entity(schema)
        entity.id = f"bench-{self._serial}"
        entity.add("name", name)
        return entity

    def entities(self, schema: str, name1: str, name2: str) -> tuple[Any, Any]:
        return self._entity(schema, name1), self._entity(schema, name2)

    def score(self, pair: tuple[Any, Any]) -> float:
        return float(self._algorithm.compare(pair[0], pair[1], self._config).score)


def _load_peer() -> Peer | None:
    try:
        return Peer()
    except ImportError:
        return None


def case_figures(repeats: int, peer: Peer | None) -> list[Row]:
    """Gives F1 and per-pair cost on the 826 labelled cases, ours and the peer's."""
    cases = _csv_rows(CASES_CSV)
    labels = [case["is_match"] == "true" for case in cases]

    def ours() -> list[bool]:
        return [compare(c["name1"], c["name2"], CASE_KINDS.get(c["schema"])).match
                for c in cases]

    our_f1 = _f1(ours(), labels)
    decision_f1 = _f1(_decisions(cases), labels)
    assert decision_f1 == our_f1, "the explanation must not change the decision"
    our_seconds = _median_seconds(lambda: _decisions(cases), repeats, _clear_caches)
    our_us = our_seconds / len(cases) * 1e6
    explained_seconds = _median_seconds(ours, repeats, _clear_caches)
    peer_note = "nomenklatura LogicV2 @0.7, same run"
    warm_seconds = _median_seconds(ours, repeats, lambda: None)
    if peer is not None:
        peer_scores: list[float] = []
        peer_pairs: list[tuple[Any, Any]] = []

        def fresh_entities() -> None:
            # New entity ids each run: LogicV2 remembers results by entity id.
            peer_pairs[:] = [peer.entities(c["schema"], c["name1"], c["name2"]) for c in cases]

        def peers() -> None:
            peer_scores[:] = [peer.score(pair) for pair in peer_pairs]

        fresh_entities()
        peers()  # warm-up: imports and reference data load on first use
        peer_seconds = _median_seconds(peers, max(1, repeats // 2), fresh_entities)
        peer_f1 = _f1([s >= PEER_THRESHOLD for s in peer_scores], labels)
        peer_us = f"{peer_seconds / len(cases) * 1e6:.0f} µs"
        speed_up = f"{peer_seconds / our_seconds:.1f}"
        explained_speed_up = f"{peer_seconds / explained_seconds:.1f}"
    else:
        frozen = _csv_rows(FROZEN_PEER_CSV)
        peer_f1 = _f1([r["predicted_match"] == "true" for r in frozen],
                      [r["is_match"] == "true" for r in frozen])
        peer_us = "n/a (frozen scores)"
        speed_up = explained_speed_up = "n/a (frozen scores)"
        peer_note = "frozen LogicV2 scores (812 cases)"
    return [
        {"figure": f"F1 on nomenklatura name cases (threshold {DEFAULT_THRESHOLD})",
         "value": round(our_f1, 3), "target": "≥ 0.85 (aim 0.90)",
         "peer": f"{peer_f1:.3f} ({peer_note})"},
        {"figure": "compare() cost per pair, score and decision only (explain=False, the "
                   "batch use), every cache (names, parts, phonetic keys, weights) emptied "
                   "before each pass over the pairs (µs, median)",
         "value": round(our_us, 1), "target": "≤ peer / 10", "peer": peer_us},
        {"figure": "compare() speed-up over the peer, score and decision only, cold caches "
                   "as above (×)",
         "value": speed_up, "target": "≥ 10", "peer": "1"},
        {"figure": "compare() cost per pair with explanation (the /v1/compare use), cold "
                   "caches as above (µs, median)",
         "value": round(explained_seconds / len(cases) * 1e6, 1), "target": "—",
         "peer": peer_us},
        {"figure": "compare() speed-up over the peer, with explanation, cold caches (×)",
         "value": explained_speed_up, "target": "—", "peer": "1"},
        {"figure": "compare() cost per pair with explanation, names already normalised "
                   "(µs, median)",
         "value": round(warm_seconds / len(cases) * 1e6, 1), "target": "—",
         "peer": peer_us},
    ]


def _decisions(cases: list[dict[str, str]]) -> list[bool]:
    """Gives the match decisions on the cases: score and match only, no explanation (the
    batch use, `xref compare --pairs`)."""
    return [compare(c["name1"], c["name2"], CASE_KINDS.get(c["schema"]), explain=False).match
            for c in cases]


def _screening_queries() -> list[str]:
    """Gives the screening queries: the Congress names and the perturbed UN names."""
    return [r["full_name"] for r in _csv_rows(CONGRESS_CSV)] + \
        [r["full_name"] for r in _csv_rows(UN_TREATED_CSV)]


def _cold_screening_seconds(index: NameIndex, queries: list[str], repeats: int) -> float:
    """Gives the median time to screen the queries, every cache emptied before each run."""
    def screen() -> None:
        for query in queries:
            index.search(query)

    def cold() -> None:
        _clear_caches()
        index.clear_lookup_cache()

    return _median_seconds(screen, repeats, cold)


def _same_entry_keys(names: list[IndexedName]) -> dict[str, set[tuple[str, str]]]:
    """Gives, per normalised name text, the list entries that carry that name."""
    keys: dict[str, set[tuple[str, str]]] = {}
    for name in names:
        text = normalize_name(name.name, name.kind).text
        keys.setdefault(text, set()).add((name.list_id, name.list_key))
    return keys


def un_recall(un_index: NameIndex, un: list[IndexedName]) -> Row:
    """Gives the recall of screening perturbed UN names against the UN list."""
    treated = [r["full_name"] for r in _csv_rows(UN_TREATED_CSV)]
    untreated = [r["full_name"] for r in _csv_rows(UN_UNTREATED_CSV)]
    entries_by_text = _same_entry_keys(un)
    found = evaluated = 0
    for query, target in zip(treated, untreated, strict=True):
        wanted = entries_by_text.get(normalize_name(target, "person").text) or \
            entries_by_text.get(normalize_name(target).text)
        if not wanted:
            continue  # the fixture's name is not on this list version
        evaluated += 1
        results = un_index.search(query, limit=10)
        if any(m.match and (m.name.list_id, m.name.list_key) in wanted for m in results):
            found += 1
    return {"figure": f"UN recall: perturbed names find their entry ({evaluated} of "
                      f"{len(treated)} on this list version)",
            "value": round(found / evaluated, 4), "target": "≥ 0.98", "peer": "—"}


def congress_false_positives(sdn_index: NameIndex) -> tuple[Row, list[str]]:
    """Gives the share of US Congress members with a match against the full SDN list."""
    members = [r["full_name"] for r in _csv_rows(CONGRESS_CSV)]
    flagged = []
    for member in members:
        results = sdn_index.search(member, kind="person", limit=3)
        if any(m.match for m in results):
            flagged.append(f"{member} → {results[0].name.name} ({results[0].score:.2f})")
    row = {"figure": f"False-positive rate: {len(members)} Congress members vs full SDN",
           "value": round(len(flagged) / len(members), 4), "target": "≤ 0.01", "peer": "—"}
    return row, flagged


def ofac_agreement() -> list[Row]:
    """Gives how closely the OFAC-style score tracks OFAC's own search scores."""
    rows = [r for r in _csv_rows(OFAC_SLS_CSV) if r["ofac_score"] != "-1"]
    ours = [ofac_score(r["query_name"], r["result_name"]) for r in rows]
    theirs = [float(r["ofac_score"]) for r in rows]
    mae = statistics.mean(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    correlation = statistics.correlation(ours, theirs)
    return [
        {"figure": f"OFAC-style score vs OFAC SLS: mean absolute error ({len(rows)} rows)",
         "value": round(mae, 2), "target": "small (points of 100)", "peer": "—"},
        {"figure": "OFAC-style score vs OFAC SLS: Pearson correlation",
         "value": round(correlation, 3), "target": "high", "peer": "—"},
    ]


def cross_script(sdn_index: NameIndex, peer: Peer | None = None) -> list[Row]:
    """Gives cross-script figures: Putin's name in many scripts, hand-written pairs."""
    variants = [line.strip() for line in PUTIN_TXT.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    listed = "PUTIN, Vladimir Vladimirovich"
    compared = sum(compare(v, listed, "person").match for v in variants)
    screened = 0
    for variant in variants:
        results = sdn_index.search(variant, kind="person", limit=5)
        screened += any(m.match and m.name.primary_name.upper() == listed.upper()
                        for m in results)
    pairs = [line for line in CROSS_SCRIPT_CSV.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    pair_hits = 0
    # The scripts the issue names (Persian is written in Arabic script): each written name
    # against its Latin form, from both files.
    named_scripts = [(variant, listed) for variant in variants
                     if _script(variant) in NAMED_SCRIPTS]
    for line in pairs:
        query, expected = next(csv.reader([line]))[:2]
        pair_hits += compare(query, expected, "person").match
        if _script(query) in NAMED_SCRIPTS:
            named_scripts.append((query, expected))
    named_hits = sum(compare(query, expected, "person").match for query, expected in named_scripts)
    peer_text = "—"
    if peer is not None:
        peer_hits = sum(peer.score(peer.entities("Person", variant, listed)) >= PEER_THRESHOLD
                        for variant in variants)
        peer_text = f"{peer_hits / len(variants):.3f} (nomenklatura LogicV2 @0.7, same run)"
    return [
        {"figure": f"Putin's name in {len(variants)} spellings/scripts: compare() match "
                   f"with '{listed}'",
         "value": round(compared / len(variants), 3), "target": "≥ 0.90", "peer": peer_text},
        {"figure": "Putin's name in many scripts: screening the full SDN finds his entry",
         "value": round(screened / len(variants), 3), "target": "high", "peer": "—"},
        {"figure": f"Cross-script pairs (watchman, {len(pairs)}): compare() match",
         "value": round(pair_hits / len(pairs), 3), "target": "high", "peer": "—"},
        {"figure": f"Arabic, Persian and Cyrillic script: the {len(named_scripts)} names of "
                   "the two files above written in them match their Latin form",
         "value": round(named_hits / len(named_scripts), 3),
         "target": "find their Latin entries", "peer": "—"},
    ]


NAMED_SCRIPTS = ("ARABIC", "CYRILLIC")


def un_original_script_pairs(xml_path: Path = UN_XML) -> list[tuple[str, str, str, str]]:
    """Gives (key, original-script name, Latin name, kind) for every UN record that writes its
    name both ways: NAME_ORIGINAL_SCRIPT beside FIRST_NAME…FOURTH_NAME."""
    root = ElementTree.parse(str(xml_path)).getroot()
    pairs = []
    for tag, kind in (("INDIVIDUALS/INDIVIDUAL", "person"), ("ENTITIES/ENTITY", "organization")):
        for record in root.findall(tag):
            original = " ".join((record.findtext("NAME_ORIGINAL_SCRIPT") or "").split())
            if not original:
                continue
            latin = " ".join(" ".join((record.findtext(field) or "") for field in (
                "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")).split())
            key = (record.findtext("REFERENCE_NUMBER") or record.findtext("DATAID") or "")
            pairs.append((key.strip(), original, latin, kind))
    return pairs


def un_original_script(peer: Peer | None, un: list[IndexedName]) -> list[Row]:
    """Gives the match rate of each UN original-script name against its own Latin name (ours
    and the peer's), the Cyrillic ones apart, and the screening recall of the Arabic-script
    ones against the UN list without its original-script names."""
    pairs = un_original_script_pairs()
    hits = [compare(original, latin, kind, explain=False).match
            for _, original, latin, kind in pairs]
    cyrillic = [hit for hit, (_, original, _, _) in zip(hits, pairs, strict=True)
                if _script(original) == "CYRILLIC"]
    peer_text = "— (nomenklatura not installed)"
    if peer is not None:
        schemas = {"person": "Person", "organization": "Organization"}
        peer_hits = sum(peer.score(peer.entities(schemas[kind], original, latin))
                        >= PEER_THRESHOLD for _, original, latin, kind in pairs)
        peer_text = f"{peer_hits / len(pairs):.3f} (nomenklatura LogicV2 @0.7, same run)"
    # The list as screened without the names written in the original script, so that an
    # Arabic-script query must reach the entry through its Latin names.
    latin_index = NameIndex.build([name for name in un if _script(name.name) == "LATIN"])
    arabic = [(key, original, kind) for key, original, _, kind in pairs
              if _script(original) == "ARABIC"]
    first = found = 0
    for key, original, kind in arabic:
        results = latin_index.search(original, kind=kind, limit=5)
        found += any(m.match and m.name.list_key == key for m in results)
        first += bool(results) and results[0].match and results[0].name.list_key == key
    return [
        {"figure": f"UN names written both ways ({len(pairs)} records): the original-script "
                   "name matches the record's own Latin name (compare())",
         "value": round(sum(hits) / len(hits), 3), "target": "≥ 0.90 (aim 0.95)",
         "peer": peer_text},
        {"figure": f"… of them the {len(cyrillic)} Cyrillic ones",
         "value": round(sum(cyrillic) / len(cyrillic), 3), "target": "1.0", "peer": "—"},
        {"figure": f"Screening the {len(arabic)} Arabic-script UN names against the UN list's "
                   "Latin names: the record is a match among the first 5",
         "value": round(found / len(arabic), 3), "target": "high", "peer": "—"},
        {"figure": "… the record comes first", "value": round(first / len(arabic), 3),
         "target": "high", "peer": "—"},
    ]


def _script(text: str) -> str:
    """Gives the Unicode script word of a text's first non-ASCII letter ("LATIN" if none)."""
    for char in text:
        if char.isalpha() and not char.isascii():
            return unicodedata.name(char, "UNKNOWN").split()[0]
    return "LATIN"


def alias_recall(peer: Peer | None) -> Row:
    """Gives the held-out recall on real OFAC (primary, alias) spellings of one entry."""
    pairs = _csv_rows(ALIAS_PAIRS_CSV)
    hits = [compare(p["primary_name"], p["alias_name"], SDN_ALIAS_KINDS.get(p["sdn_type"]),
                    explain=False).match for p in pairs]
    peer_text = "—"
    if peer is not None:
        step = max(1, len(pairs) // ALIAS_PEER_SAMPLE)
        sample = list(range(0, len(pairs), step))
        schemas = {"person": "Person", "organization": "Organization", "vessel": "Vessel",
                   "aircraft": "Airplane"}
        peer_hits = 0
        for i in sample:
            kind = SDN_ALIAS_KINDS.get(pairs[i]["sdn_type"]) or "organization"
            entities = peer.entities(schemas[kind], pairs[i]["primary_name"],
                                     pairs[i]["alias_name"])
            peer_hits += peer.score(entities) >= PEER_THRESHOLD
        ours_on_sample = sum(hits[i] for i in sample) / len(sample)
        peer_text = (f"{peer_hits / len(sample):.3f} LogicV2 on a {len(sample)}-pair sample "
                     f"(ours {ours_on_sample:.3f} on it)")
    return {"figure": f"Held-out: OFAC alias pairs matched ({len(pairs)}; many aliases are "
                      "different names)",
            "value": round(sum(hits) / len(hits), 4), "target": "high", "peer": peer_text}


def speed(sdn: list[IndexedName], repeats: int) -> list[Row]:
    """Gives index build time, screening throughput vs brute force, and process RSS."""
    build_seconds = _median_seconds(lambda: NameIndex.build(sdn), repeats, _clear_caches)
    index = NameIndex.build(sdn)
    queries = _screening_queries()

    def screen() -> None:
        for query in queries:
            index.search(query)

    cold_seconds = _cold_screening_seconds(index, queries, repeats)
    warm_seconds = _median_seconds(screen, repeats, lambda: None)
    names_per_second = len(queries) / cold_seconds

    choices = [normalize_name(n.name, n.kind).text for n in sdn]
    sample = queries[:: max(1, len(queries) // BRUTE_FORCE_QUERIES)][:BRUTE_FORCE_QUERIES]

    def brute_force() -> None:
        for query in sample:
            process.extractOne(normalize_name(query).text, choices, scorer=fuzz.WRatio)

    brute_seconds = _median_seconds(brute_force, max(1, repeats // 2), lambda: None)
    brute_per_second = len(sample) / brute_seconds
    rss_mb = _index_process_rss()
    return [
        {"figure": f"Index build over the full SDN ({len(index)} names) (s, median)",
         "value": round(build_seconds, 2), "target": "≤ 3", "peer": "—"},
        {"figure": f"Screening throughput vs full SDN ({len(queries)} queries, caches "
                   "emptied before each run) (names/s)",
         "value": round(names_per_second), "target": "≥ 5,000",
         "peer": f"{brute_per_second:.0f} names/s brute-force rapidfuzz extractOne(WRatio)"},
        {"figure": "Screening throughput, same queries again (part look-ups remembered) "
                   "(names/s)",
         "value": round(len(queries) / warm_seconds), "target": "≥ 5,000", "peer": "—"},
        {"figure": "Screening speed-up over brute force (×)",
         "value": round(names_per_second / brute_per_second), "target": "≥ 100", "peer": "1"},
        {"figure": "RSS of a process with the SDN names and index loaded (MB)",
         "value": round(rss_mb), "target": "≤ 300", "peer": "—"},
    ]


def uncompiled(repeats: int) -> list[Row]:
    """Gives the cold compare and screening figures of the uncompiled source (what an install
    with XREF_PURE_PYTHON=1 runs), measured in a child process, beside the compiled ones."""
    import service.matching.scorer as scorer

    if scorer.__file__ is None or scorer.__file__.endswith(".py"):
        return []  # this install is not compiled: the figures above are the source's
    probe = subprocess.run(
        [sys.executable, "-c",
         "from service.matching.uncompiled import prefer_source; prefer_source(); "
         f"from bench.matching_bench import _uncompiled_probe; _uncompiled_probe({repeats})"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    compare_us, names_per_second = (float(v) for v in probe.stdout.split()[-2:])
    return [
        {"figure": "compare() cost per pair, score and decision only, cold caches, "
                   "uncompiled source (XREF_PURE_PYTHON=1) (µs, median)",
         "value": round(compare_us, 1), "target": "—", "peer": "—"},
        {"figure": "Screening throughput vs full SDN, cold caches, uncompiled source "
                   "(names/s)", "value": round(names_per_second), "target": "—", "peer": "—"},
    ]


def _uncompiled_probe(repeats: int) -> None:
    import service.matching.scorer as scorer

    assert scorer.__file__ is not None and scorer.__file__.endswith(".py"), scorer.__file__
    cases = _csv_rows(CASES_CSV)
    compare_seconds = _median_seconds(lambda: _decisions(cases), repeats, _clear_caches)
    queries = _screening_queries()
    screening_seconds = _cold_screening_seconds(NameIndex.build(sdn_names()), queries, repeats)
    print(compare_seconds / len(cases) * 1e6, len(queries) / screening_seconds)


def _index_process_rss() -> float:
    """Gives the RSS (MB) of a fresh process that has only loaded the SDN names and index."""
    probe = subprocess.run(
        [sys.executable, "-m", "bench.matching_bench", "--rss-probe"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    return float(probe.stdout.strip().splitlines()[-1])


def _rss_probe() -> None:
    index = NameIndex.build(sdn_names())
    index.search("Qassem Suleimani")
    print(round(_rss_megabytes(), 1))


def _rss_megabytes() -> float:
    try:
        import psutil

        return float(psutil.Process(os.getpid()).memory_info().rss) / 2**20
    except ImportError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def benchmark_rows(repeats: int = 5, quick: bool = False,
                   details: dict[str, Any] | None = None) -> list[Row]:
    """Gives every benchmark figure as {figure, value, target, peer} rows."""
    peer = None if quick else _load_peer()
    sdn = sdn_names()
    un = un_names()
    rows = case_figures(repeats, peer)
    un_index = NameIndex.build(un)
    rows.append(un_recall(un_index, un))
    sdn_index = NameIndex.build(sdn)
    congress_row, flagged = congress_false_positives(sdn_index)
    rows.append(congress_row)
    if details is not None:
        details["congress_flagged"] = flagged
    rows += ofac_agreement()
    rows += cross_script(sdn_index, peer)
    rows += un_original_script(peer, un)
    rows.append(alias_recall(peer))
    del sdn_index, un_index
    rows += speed(sdn, repeats)
    rows += uncompiled(repeats)
    # Screening with identifying details (birth year, nationality, passport): its own module,
    # which reads the lists with the service's parsers for their details.
    from bench.details_bench import benchmark_rows as details_rows

    rows += details_rows(repeats)
    return rows


def format_table(rows: list[Row]) -> str:
    """Gives the rows as a Markdown table."""
    lines = ["| figure | value | target | peer |", "|---|---|---|---|"]
    lines += [f"| {r['figure']} | {r['value']} | {r['target']} | {r['peer']} |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the nomenklatura peer")
    parser.add_argument("--show-flagged", action="store_true")
    parser.add_argument("--rss-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        _rss_probe()
        return
    details: dict[str, Any] = {}
    rows = benchmark_rows(args.repeats, args.quick, details)
    print(format_table(rows))
    if args.show_flagged:
        print("\nCongress members flagged:")
        for line in details.get("congress_flagged", []):
            print("  ", line)


if __name__ == "__main__":
    main()
