"""`make million`: the service at the size of the largest lists, beside today's size.

Run: ``python bench/run.py --only Million``, ``python -m bench.million_bench [--size N]``, or
``python -c 'from bench.million_bench import benchmark_rows; print(benchmark_rows())'``.
The size of the generated list is XREF_MILLION_NAMES (default 1,000,000; `--size` sets it),
so a quick try at 200,000 takes minutes rather than most of an hour.

Two sizes, each on a fresh SQLite database in a temporary folder, with the registry seeded
(`xref seed --skip-lists`) so that each import's reaction does its real work:

- today: the full SDN (2024-05 with the 2025-12 companions), the UN list and the CSL, as
  `bench/service_bench.py` imports them (about 74,000 names);
- N synthetic entities (`bench/million_names.py`: real name parts recombined, labelled
  synthetic, generated into the temporary folder, never kept) imported as the
  `opensanctions` list beside the same real SDN.

For each size: the big import's time and peak memory (the whole `xref lists import`, and its
reaction's steps as the command reports them); the index files' size under XREF_INDEX_DIR
and bytes per name ("n/a" while the service keeps no index files); `xref serve` with 2
workers timed to ready, cold (index folder emptied) and warm (second start); p50/p99 of 600
single `GET /v1/screen` over HTTP after a warm-up; the server's PSS (master and workers,
shared pages counted once) after them; `xref screen` on 20,000 names; SDN variant recall;
and the candidate retrieval per query, measured in a process of its own.

Two sets of queries, both `bench/scale_bench.py`'s variants (as written, reordered, lower
case, a middle part dropped, two letters swapped):

- throughput: the names the other screening figures use, half variants of SDN names and half
  members of the US Congress (real people who are not listed, as most screened names are),
  with `--limit 3`;
- recall: variants of real SDN names (primary names and strong aliases), each knowing its own
  SDN entry, with `--limit 10` (room for the entry's copies in other lists).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402 - after the project root is on the path, like the others

from bench.million_names import write_synthetic_list  # noqa: E402
from bench.scale_bench import _variant, variants  # noqa: E402 - the variants every scale figure uses
from bench.service_bench import FULL_LISTS, SDN_2024, SDN_2025, _children  # noqa: E402

SDN_2021 = SDN_2024.parents[1] / "sdn-2021-07"

SIZE_VARIABLE = "XREF_MILLION_NAMES"
DEFAULT_SIZE = 1_000_000
PORT = int(os.environ.get("XREF_MILLION_PORT", "8767"))
TOKEN = "million-bench-token"
WORKERS = 2
SCREEN_NAMES = 20_000
REQUESTS, WARM_UP = 600, 50
PROBE_QUERIES = 600
LIMIT = 10  # room for an entry and its copies in other lists (the CSL repeats the SDN)
THROUGHPUT_LIMIT = 3  # as the jobs and scale benchmarks screen
# Hang guards, not targets.
READY_WITHIN, IMPORT_WITHIN = 900.0, 3600.0
# Today's lists: the SDN, the UN list and the CSL, as the Lists section imports them.
TODAY = [(list_id, paths) for list_id, paths in FULL_LISTS if list_id != "opensanctions"]
SDN = [("us_ofac_sdn", [SDN_2024, SDN_2025])]
PEER = ("yente: Elasticsearch with 4–16 GB of RAM plus about 800 MB per API worker "
        "(issue 17)")
# What issue 17 measured with a million names before the work on it.
BEFORE = {"pss": "2,994 MB", "throughput": "1,721 names/s", "recall": "0.925",
          "import": "134 s", "ready": "26 s", "p99": "10.3 ms"}
Row = dict[str, Any]


@dataclass
class Imported:
    """One `xref lists import`: wall seconds, peak resident memory and what it printed."""

    list_id: str
    seconds: float
    peak_mb: float
    output: str

    def reaction_seconds(self) -> dict[str, float]:
        """Gives the reaction's steps as the command reports them."""
        found: dict[str, float] = {}
        patterns = {
            "bridges": r"bridges ([\d.]+) s",
            "name matching": r"name matching ([\d.]+) s",
            "claims judged": r"verdicts changed in ([\d.]+) s",
            "watchlists re-screened": r"alerts in ([\d.]+) s",
        }
        for step, pattern in patterns.items():
            match = re.search(pattern, self.output)
            if match:
                found[step] = float(match.group(1))
        return found


@dataclass
class SizeFigures:
    """Everything measured at one size."""

    label: str
    names: int = 0
    imports: list[Imported] = field(default_factory=list)
    index_bytes: int | None = None
    ready_cold: float = float("nan")
    ready_warm: float = float("nan")
    pss_mb: float = float("nan")
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    errors: int = 0
    screen_seconds: float = float("nan")
    recall_seconds: float = float("nan")
    # Requests, failures, and whether the answers moved to the new version (`_switch`).
    switch: tuple[int, int, bool] = (0, 0, False)
    startup_seconds: float = float("nan")
    recall_listed: float = float("nan")
    recall_matched: float = float("nan")
    probe: dict[str, Any] = field(default_factory=dict)

    @property
    def big(self) -> Imported:
        return max(self.imports, key=lambda imported: imported.seconds)


def size_from_environment() -> int:
    """Gives the number of synthetic entities to generate (XREF_MILLION_NAMES)."""
    return int(os.environ.get(SIZE_VARIABLE, str(DEFAULT_SIZE)).replace("_", ""))


def sdn_variants(count: int, seed: int = 17) -> list[tuple[str, str, str]]:
    """Gives `count` (id, variant, SDN key) rows: real SDN names (primary names and strong
    aliases) written as people type them, deterministically."""
    from bench.list_data import sdn_names

    listed = sorted({(n.name, n.list_key) for n in sdn_names() if not n.weak})
    chance = random.Random(seed)
    chance.shuffle(listed)
    rows = []
    for number in range(count):
        name, key = listed[number % len(listed)]
        # As `scale_bench.variants` writes them: as listed, reordered, lower case, a middle
        # part dropped, two letters swapped.
        rows.append((f"q{number}", _variant(name, number % 5, chance), key))
    return rows


def _environment(folder: Path) -> dict[str, str]:
    return {**os.environ,
            "XREF_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            # The shared index's files (issue 17); ignored by a service that keeps none.
            "XREF_INDEX_DIR": str(folder / "index"),
            "XREF_METRICS_DIR": str(folder / "metrics"),
            "XREF_ADMIN_TOKEN": TOKEN, "XREF_RATE_LIMIT": "", "XREF_WORKERS": str(WORKERS),
            "XREF_HOST": "127.0.0.1", "XREF_PORT": str(PORT),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")]))}


def _xref_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "service.cli", *args]


def _run(env: dict[str, str], *args: str) -> str:
    return subprocess.run(_xref_command(*args), env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=IMPORT_WITHIN).stdout


def timed_import(env: dict[str, str], list_id: str, paths: list[Path]) -> Imported:
    """Runs `xref lists import` and gives its wall time and its own peak RSS (wait4's)."""
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(_xref_command("lists", "import", list_id,
                                                 *map(str, paths)),
                                   env=env, cwd=ROOT, stdout=output,
                                   stderr=subprocess.DEVNULL)
        # wait4 gives this child's own rusage: its peak RSS, not the largest of all children.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        printed = output.read()
    if process.returncode != 0:
        raise RuntimeError(f"xref lists import {list_id} failed ({process.returncode})")
    return Imported(list_id, seconds, usage.ru_maxrss / 1024, printed)


def _pss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except (FileNotFoundError, ProcessLookupError):
            # Gone since the tree was listed: the helper multiprocessing starts for a build's
            # pool ends on its own once `xref serve` has become gunicorn.
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    for child in _children(pid):
        found.extend(_process_tree(child))
    return found


class Server:
    """`xref serve` with its workers, timed from start until it says it is ready."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.base = env, f"http://127.0.0.1:{PORT}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Starts the server and gives the seconds until /readyz answers 200 three times in a
        row (a request reaches either worker, so a streak stands for both)."""
        started = time.perf_counter()
        self.process = subprocess.Popen(_xref_command("serve"), env=self.env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        streak = 0
        while streak < 3:
            try:
                ok = requests.get(f"{self.base}/readyz", timeout=60).status_code == 200
            except requests.RequestException:
                ok = False  # not listening yet
            streak = streak + 1 if ok else 0
            if time.perf_counter() - started > READY_WITHIN or self.process.poll() is not None:
                raise RuntimeError("xref serve did not become ready")
            if not ok:
                time.sleep(0.1)
        return time.perf_counter() - started

    def pss_mb(self) -> float:
        assert self.process is not None
        return _pss_mb(_process_tree(self.process.pid))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None


def _latencies(base: str, names: list[str]) -> tuple[list[float], int]:
    http = requests.Session()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for name in names[:WARM_UP]:
        http.get(f"{base}/v1/screen", params={"name": name}, headers=headers, timeout=120)
    latencies, errors = [], 0
    for position in range(REQUESTS):
        name = names[WARM_UP + position % (len(names) - WARM_UP)]
        started = time.perf_counter()
        response = http.get(f"{base}/v1/screen", params={"name": name}, headers=headers,
                            timeout=120)
        latencies.append((time.perf_counter() - started) * 1000)
        errors += response.status_code != 200
    return sorted(latencies), errors


def _screening_through_a_switch(env: dict[str, str], base: str, names: list[str]
                                ) -> tuple[int, int, bool]:
    """Gives (requests, failures, whether the last answers came from the new version): a
    client screens without pause while another SDN version (the real 2021-07 set) is
    imported and made active."""
    http = requests.Session()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    stop = threading.Event()
    answers: list[tuple[int, int | None]] = []

    def screen() -> None:
        position = 0
        while not stop.is_set():
            response = http.get(f"{base}/v1/screen", params={"name": names[position % len(names)]},
                                headers=headers, timeout=300)
            version = None
            if response.status_code == 200:
                version = next((v["version"] for v in response.json().get("list_versions", ())
                                if v["list"] == "us_ofac_sdn"), None)
            answers.append((response.status_code, version))
            position += 1

    client = threading.Thread(target=screen)
    client.start()
    try:
        _run(env, "lists", "import", "us_ofac_sdn", str(SDN_2021))
        # Until both workers have answered from the new version at least once.
        deadline = time.monotonic() + IMPORT_WITHIN
        while time.monotonic() < deadline:
            time.sleep(1.0)
            recent = [version for _, version in answers[-20:]]
            if len(recent) == 20 and len(set(recent)) == 1 and recent[0] != answers[0][1]:
                break
    finally:
        stop.set()
        client.join()
    failures = sum(1 for status, _ in answers if status != 200)
    return len(answers), failures, answers[-1][1] != answers[0][1]


def _index_bytes(folder: Path) -> int | None:
    """Gives the size of the index files, None while the service keeps none."""
    from service.config import Settings

    if "index_dir" not in {f for f in getattr(Settings, "__dataclass_fields__", {})}:
        return None
    if not folder.is_dir():
        return None
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _recall(output: Path, queries: list[tuple[str, str, str]]) -> tuple[float, float]:
    """Gives the share of queries whose own SDN entry is among the results, and among those
    flagged as matches."""
    listed: dict[str, set[str]] = {}
    matched: dict[str, set[str]] = {}
    with output.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["list"] != "us_ofac_sdn":
                continue
            listed.setdefault(row["id"], set()).add(row["list_key"])
            if row["match"] == "true":
                matched.setdefault(row["id"], set()).add(row["list_key"])
    found = sum(1 for qid, _, key in queries if key in listed.get(qid, ()))
    hit = sum(1 for qid, _, key in queries if key in matched.get(qid, ()))
    return found / len(queries), hit / len(queries)


# Run in a process of its own (the figure is the engine's, not the server's): loads the
# index of the active versions, then times each query's search, and where the engine exposes
# its candidate retrieval (today's `NameIndex._candidates`), how many names it retrieves.
_PROBE = r"""
import json, sys, time
from service.config import Settings
from service.db import make_engine
from service.screening.catalog import IndexHolder
queries = json.loads(sys.stdin.read())
started = time.perf_counter()
loaded = IndexHolder().current(make_engine(Settings.from_env().database_url))
built = time.perf_counter() - started
index = loaded.index
figures = {"names": len(index), "load_seconds": built}
for query in queries[:20]:
    index.search(query, limit=5)
search = []
for query in queries:
    started = time.perf_counter()
    index.search(query, limit=5)
    search.append(time.perf_counter() - started)
figures["search_ms"] = 1000 * sum(search) / len(search)
# The lists' shared index (the first of the set; the registry's own is the second).
lists_index = index.segments[0][0]
from service.matching.index import MIN_SHARED_WEIGHT, retrieval_weight
from service.matching.normalize import normalize_name
counts, seconds = [], []
for query in queries:
    normalized = normalize_name(query, None)
    if not normalized.parts:
        continue
    total = retrieval_weight(normalized)
    started = time.perf_counter()
    positions, _ = lists_index._candidates(normalized, MIN_SHARED_WEIGHT * (total or 1.0))
    seconds.append(time.perf_counter() - started)
    counts.append(len(positions))
figures["candidates"] = sum(counts) / len(counts)
figures["retrieval_ms"] = 1000 * sum(seconds) / len(seconds)
print(json.dumps(figures))
"""


def measure_size(label: str, lists: list[tuple[str, list[Path]]],
                 synthetic: int = 0) -> SizeFigures:
    """Gives the figures of one size: `lists` imported in order, then `synthetic` generated
    entities as the opensanctions list."""
    figures = SizeFigures(label)
    queries = sdn_variants(SCREEN_NAMES)
    with tempfile.TemporaryDirectory(prefix="xref-million-") as name:
        folder = Path(name)
        env = _environment(folder)
        _run(env, "db", "upgrade")
        _run(env, "seed", "--skip-lists")
        for list_id, paths in lists:
            figures.imports.append(timed_import(env, list_id, paths))
        if synthetic:
            generated = write_synthetic_list(folder / "synthetic.ftm.json", synthetic)
            figures.imports.append(timed_import(env, "opensanctions", [generated]))
            generated.unlink()
        figures.names = _active_names(env)

        server = Server(env)
        try:
            shutil.rmtree(folder / "index", ignore_errors=True)
            figures.ready_cold = server.start()
            figures.index_bytes = _index_bytes(folder / "index")
            latencies, figures.errors = _latencies(server.base,
                                                   [name for _, name, _ in queries])
            figures.p50_ms = latencies[len(latencies) // 2]
            figures.p99_ms = latencies[int(len(latencies) * 0.99) - 1]
            figures.pss_mb = server.pss_mb()
            server.stop()
            figures.ready_warm = server.start()
        finally:
            server.stop()

        source, output = folder / "queries.csv", folder / "results.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["id", "name"])
            writer.writerows((qid, name) for qid, name, _ in queries)
        one = folder / "one.csv"
        one.write_text(f"id,name\nq0,{queries[0][1]}\n", encoding="utf-8")
        # Start-up alone (index loaded or built, one name), to tell it from screening.
        started = time.perf_counter()
        _run(env, "screen", str(one), "--limit", str(THROUGHPUT_LIMIT),
             "--output", str(folder / "x.csv"))
        figures.startup_seconds = time.perf_counter() - started
        mixed = folder / "mixed.csv"
        with mixed.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["id", "name"])
            writer.writerows(variants(SCREEN_NAMES))
        started = time.perf_counter()
        _run(env, "screen", str(mixed), "--limit", str(THROUGHPUT_LIMIT),
             "--output", str(folder / "mixed-results.csv"))
        figures.screen_seconds = time.perf_counter() - started
        started = time.perf_counter()
        _run(env, "screen", str(source), "--limit", str(LIMIT), "--output", str(output))
        figures.recall_seconds = time.perf_counter() - started
        figures.recall_listed, figures.recall_matched = _recall(output, queries)

        probe = subprocess.run([sys.executable, "-c", _PROBE], env=env, cwd=ROOT, check=True,
                               capture_output=True, text=True, timeout=IMPORT_WITHIN,
                               input=json.dumps([name for _, name, _ in
                                                 queries[:PROBE_QUERIES]]))
        figures.probe = json.loads(probe.stdout.strip().splitlines()[-1])

        # Last, as it changes the active SDN version: screening while a version switches.
        server = Server(env)
        try:
            server.start()
            figures.switch = _screening_through_a_switch(
                env, server.base, [name for _, name, _ in queries])
        finally:
            server.stop()
    return figures


def _active_names(env: dict[str, str]) -> int:
    from sqlalchemy import func, select
    from sqlmodel import Session

    from service.db import make_engine
    from service.models import ListVersion, SanctionsList

    engine = make_engine(env["XREF_DATABASE_URL"])
    with Session(engine) as session:
        total = session.connection().execute(
            select(func.coalesce(func.sum(ListVersion.name_count), 0))
            .join(SanctionsList, SanctionsList.active_version_id == ListVersion.id)
        ).scalar_one()
    engine.dispose()
    return int(total)


def _mb(value: float) -> str:
    return f"{value:,.0f}"


def rows(today: SizeFigures, big: SizeFigures) -> list[Row]:
    """Gives the rows of the two sizes side by side: the value is the large size's, the
    note gives today's."""
    def both(figure: str, pick: Any, target: str, peer: str = "-", note: str = "",
             before: str | None = None) -> Row:
        extra = f"; before this work (issue 17): {before}" if before else ""
        return {"figure": f"{figure}, {big.label}", "value": pick(big), "target": target,
                "peer": peer, "note": f"{today.label}: {pick(today)}{extra}"
                + (f"; {note}" if note else "")}

    def per_name(figures: SizeFigures) -> str:
        if figures.index_bytes is None:
            return "n/a"
        return f"{figures.index_bytes / max(1, figures.names):,.0f}"

    def index_mb(figures: SizeFigures) -> str:
        return "n/a" if figures.index_bytes is None else _mb(figures.index_bytes / 2**20)

    def rate(figures: SizeFigures) -> int:
        return round(SCREEN_NAMES / max(1e-9, figures.screen_seconds
                                        - figures.startup_seconds))

    def steps(figures: SizeFigures) -> str:
        return ", ".join(f"{step} {seconds:.1f} s"
                         for step, seconds in figures.big.reaction_seconds().items()) or "-"

    def growth(key: str) -> str:
        low, high = today.probe.get(key), big.probe.get(key)
        if low is None or high is None:
            return "n/a"
        return (f"{high:,.1f} ({high / max(low, 1e-9):.1f}× for "
                f"{big.names / max(1, today.names):.1f}× names)")

    return [
        both("names indexed", lambda f: f"{f.names:,}", "-"),
        both("big import, whole `xref lists import` (s)", lambda f: round(f.big.seconds, 1),
             "<= 300 (5 min)", before=BEFORE["import"],
             note="the import with its reaction; today's size: the largest of its imports"),
        both("big import's peak memory (MB RSS)", lambda f: _mb(f.big.peak_mb), "<= 2,048"),
        both("big import's reaction steps", steps, "-",
             note="registry check (bridges, name matching), claims judged, watchlists "
                  "re-screened, as the command reports them"),
        both("index files under XREF_INDEX_DIR (MB)", index_mb, "-"),
        both("index bytes per name", per_name, "<= 600"),
        both(f"`xref serve` ({WORKERS} workers) ready, cold (s)",
             lambda f: round(f.ready_cold, 1), "<= 30", before=BEFORE["ready"],
             note="index folder emptied first; /readyz 200 three times in a row"),
        both(f"`xref serve` ({WORKERS} workers) ready, warm (s)",
             lambda f: round(f.ready_warm, 1), "<= 5", note="second start, index files kept"),
        both(f"server PSS, master + {WORKERS} workers (MB)", lambda f: _mb(f.pss_mb),
             "<= 1,536", peer=PEER, before=BEFORE["pss"],
             note="/proc/<pid>/smaps_rollup after the timed requests"),
        both("GET /v1/screen single name, p50 (ms)", lambda f: round(f.p50_ms, 2), "-"),
        both("GET /v1/screen single name, p99 (ms)", lambda f: round(f.p99_ms, 2), "<= 20",
             before=BEFORE["p99"],
             note=f"{REQUESTS} sequential requests of SDN-name variants after {WARM_UP} "
                  f"warm-up; errors {big.errors} / {today.errors}"),
        both("requests failed while a new SDN version is imported and switched to",
             lambda f: f"{f.switch[1]} of {f.switch[0]:,}", "0",
             note="GET /v1/screen without pause from one client while `xref lists import` "
                  "makes the real 2021-07 SDN set active; the answers moved to the new "
                  f"version: {'yes' if big.switch[2] else 'no'} / "
                  f"{'yes' if today.switch[2] else 'no'}"),
        both(f"`xref screen` {SCREEN_NAMES:,} names (names/s)", rate, ">= 5,000",
             before=BEFORE["throughput"],
             note="half SDN-name variants, half US Congress members, `--limit 3`; screening "
                  "alone: the whole command's time less a one-name run's (whole command "
                  f"{big.screen_seconds:.1f} s / {today.screen_seconds:.1f} s); the recall "
                  f"run below (SDN variants only, `--limit 10`) took {big.recall_seconds:.1f} s"
                  f" / {today.recall_seconds:.1f} s"),
        both(f"SDN variant recall (own entry among the {LIMIT} results)",
             lambda f: f"{f.recall_listed:.3f}", ">= 0.97", before=BEFORE["recall"],
             note=f"{SCREEN_NAMES:,} variants (as listed, reordered, lower case, a middle part "
                  f"dropped, two letters swapped); own entry among the results flagged as "
                  f"matches: "
                  f"{big.recall_matched:.3f} / {today.recall_matched:.3f}"),
        both("search per query, in process (ms)",
             lambda f: f"{f.probe.get('search_ms', float('nan')):.2f}", "-",
             note=f"{PROBE_QUERIES} variants; growth {growth('search_ms')}"),
        both("names retrieved as candidates per query",
             lambda f: (f"{f.probe['candidates']:,.0f}" if "candidates" in f.probe
                        else "n/a"), "sub-linear",
             note=f"growth {growth('candidates')}; retrieval alone "
                  f"{growth('retrieval_ms')} ms"),
    ]


def benchmark_rows(size: int | None = None) -> list[Row]:
    """Gives the figures of today's lists and of the generated list with the SDN."""
    count = size or size_from_environment()
    today = measure_size("today (SDN + UN + CSL)", TODAY)
    big = measure_size(f"{count:,} synthetic + SDN", SDN, synthetic=count)
    return rows(today, big)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=None,
                        help=f"synthetic entities to generate (default {SIZE_VARIABLE} "
                             f"or {DEFAULT_SIZE:,})")
    args = parser.parse_args()
    for row in benchmark_rows(size=args.size):
        print(f"{row['figure']}: {row['value']} (target {row['target']}; {row['peer']}) "
              f"- {row['note']}")


if __name__ == "__main__":
    main()
