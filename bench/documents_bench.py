"""Speed of the document mention scan: a 100 KB text against the full OFAC SDN list.

Run: ``python -m bench.documents_bench [--repeats N]``. ``benchmark_rows()`` gives the figures
as {figure, value, target, peer} rows for ``make bench``. The index holds every SDN name
(primaries, alt.csv aliases, remark a.k.a.s: ``bench.list_data.sdn_names``) and the registry's
names from ``seeds/entities.yaml``, with the pinned links, as the service's index would. The
text is the five seed documents concatenated until it reaches 100 KB. Each timed scan is
cold: a new scanner (its own span cache) and an emptied index look-up cache; building the
scanner's vocabulary is timed apart, since a process does it once per index. The peer is the
same scan without the vocabulary pre-filter (every candidate span scored by the engine).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from bench.list_data import sdn_names
from service.documents.mentions import MentionScanner
from service.matching.index import IndexedName, NameIndex
from service.terms import REGISTRY_LIST

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
TEXT_SIZE = 100_000
TARGET_SECONDS = 1.0

Row = dict[str, Any]


def seed_text(size: int = TEXT_SIZE) -> str:
    """Gives the seed documents concatenated (separated by blank lines) up to `size` chars."""
    catalogue = yaml.safe_load((SEEDS / "documents" / "documents.yaml").read_text("utf-8"))
    documents = [(SEEDS / "documents" / item["file"]).read_text("utf-8") for item in catalogue]
    text = ""
    while len(text) < size:
        for document in documents:
            text += document + "\n\n"
    return text[:size]


def full_index() -> NameIndex:
    """Gives the index of every SDN name plus the registry's names, linked as pinned."""
    entities = yaml.safe_load((SEEDS / "entities.yaml").read_text("utf-8"))
    pinned = {str(link["key"]): entity["id"] for entity in entities
              for link in entity.get("links", [])}
    names = [IndexedName("us_ofac_sdn", n.list_key, n.name, n.primary_name, n.kind, n.programs,
                         entity_id=pinned.get(n.list_key), weak=n.weak) for n in sdn_names()]
    for entity in entities:
        for spelling in [entity["name"], *(n["name"] for n in entity.get("names", []))]:
            names.append(IndexedName(REGISTRY_LIST, entity["id"], spelling, entity["name"],
                                     entity["kind"], (), entity_id=entity["id"]))
    return NameIndex.build(names)


def _cold_scan(index: NameIndex, text: str, prefilter: bool) -> tuple[float, float, int]:
    """Gives (vocabulary build seconds, scan seconds, mentions) of one cold scan."""
    index.clear_lookup_cache()
    gc.collect()
    started = time.perf_counter()
    scanner = MentionScanner(index, prefilter=prefilter)
    built = time.perf_counter()
    mentions = scanner.scan(text)
    return built - started, time.perf_counter() - built, len(mentions)


def benchmark_rows(repeats: int = 5, quick: bool = False) -> list[Row]:
    """Gives the scan-time figures as {figure, value, target, peer} rows."""
    repeats = 2 if quick else repeats
    text = seed_text()
    index = full_index()
    ours = [_cold_scan(index, text, prefilter=True) for _ in range(repeats)]
    peer = [_cold_scan(index, text, prefilter=False) for _ in range(max(1, repeats // 2))]
    scan = statistics.median(seconds for _, seconds, _ in ours)
    vocabulary = statistics.median(seconds for seconds, _, _ in ours)
    peer_scan = statistics.median(seconds for _, seconds, _ in peer)
    mentions, peer_mentions = ours[0][2], peer[0][2]
    return [
        {"figure": f"mention scan of a {len(text) // 1000} KB text against the full SDN "
                   f"({len(index):,} names), cold, median of {repeats}",
         "value": f"{scan:.3f} s ({mentions} mentions)",
         "target": f"< {TARGET_SECONDS:.0f} s",
         "peer": f"{peer_scan:.3f} s ({peer_mentions} mentions) without the pre-filter"},
        {"figure": "scanner vocabulary build (once per index and process)",
         "value": f"{vocabulary:.3f} s", "target": "-", "peer": "-"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for row in benchmark_rows(args.repeats):
        print(f"| {row['figure']} | {row['value']} | {row['target']} | {row['peer']} |")


if __name__ == "__main__":
    main()
