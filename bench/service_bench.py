"""Figures of the running service: list import time, server memory and single-name latency.

The import is timed on a fresh SQLite database (the embedded default). The server is the real
`xref serve` (gunicorn, one worker) on loopback with the full SDN loaded; the latency of
`GET /v1/screen` is measured by a client in this process over HTTP, after a warm-up.
"""

from __future__ import annotations

import csv
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SDN_2024 = DATA / "ofac" / "sdn-2024-05" / "sdn.csv"
SDN_2025 = DATA / "ofac" / "sdn-2025-12"
QUERIES = DATA / "matching" / "yente_positives_us_congress_untreated.csv"
XREF = Path(sys.executable).parent / "xref"
Row = dict[str, Any]


def _xref(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(XREF), *args], env=env, check=True, capture_output=True,
                          text=True)


def import_time(repeats: int = 3) -> Row:
    """Gives the median seconds to import the full SDN with its companions on SQLite."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "XREF_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
            _xref(env, "db", "upgrade")
            start = time.perf_counter()
            _xref(env, "lists", "import", "us_ofac_sdn", str(SDN_2024), str(SDN_2025))
            times.append(time.perf_counter() - start)
    return {"figure": "import full 2024-05 SDN + 2025-12 aliases/addresses, SQLite (s)",
            "value": round(statistics.median(times), 2), "target": "< 10",
            "peer": "-", "note": f"median of {repeats}, whole `xref lists import` command"}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def server_figures(requests_count: int = 600) -> list[Row]:
    """Gives the server's RSS with the full SDN loaded and the p50/p99 of GET /v1/screen."""
    with tempfile.TemporaryDirectory() as folder:
        port = "8765"
        env = {**os.environ, "XREF_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
               "XREF_PORT": port, "XREF_WORKERS": "1", "XREF_ADMIN_TOKEN": "bench-token",
               "XREF_RATE_LIMIT": ""}
        _xref(env, "db", "upgrade")
        _xref(env, "seed", "--skip-lists")
        _xref(env, "lists", "import", "us_ofac_sdn", str(SDN_2024), str(SDN_2025))
        server = subprocess.Popen([str(XREF), "serve"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": "Bearer bench-token"}
        try:
            for _ in range(100):
                try:
                    if requests.get(f"{base}/healthz", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            with QUERIES.open(encoding="utf-8") as handle:
                names = [row[0] for row in csv.reader(handle) if row and row[0] != "name"]
            http = requests.Session()
            # The first screening builds the index; warm up before timing.
            http.get(f"{base}/v1/screen", params={"name": names[0]}, headers=headers,
                     timeout=60).raise_for_status()
            for name in names[:50]:
                http.get(f"{base}/v1/screen", params={"name": name}, headers=headers)
            latencies, errors = [], 0
            for position in range(requests_count):
                name = names[position % len(names)]
                start = time.perf_counter()
                response = http.get(f"{base}/v1/screen", params={"name": name},
                                    headers=headers)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 200
            workers = _children(server.pid)
            rss = max((_rss_mb(pid) for pid in workers), default=float("nan"))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return [
        {"figure": "server worker resident memory, full SDN index loaded (MB)",
         "value": round(rss, 1), "target": "<= 300", "peer": "-",
         "note": "gunicorn worker after the timed requests"},
        {"figure": "GET /v1/screen single name over loopback, p50 (ms)",
         "value": round(p50, 2), "target": "-", "peer": "-",
         "note": f"{requests_count} sequential requests, {errors} errors"},
        {"figure": "GET /v1/screen single name over loopback, p99 (ms)",
         "value": round(p99, 2), "target": "<= 20", "peer": "-",
         "note": f"{requests_count} sequential requests, {errors} errors"},
    ]


# The full lists of shared/data, in the order an operator would first import them.
FULL_LISTS: list[tuple[str, list[Path]]] = [
    ("us_ofac_sdn", [SDN_2024, SDN_2025]),
    ("un_sc", [DATA / "un" / "UN_consolidated_2026-02-27.xml"]),
    ("us_csl", [DATA / "csl" / "consolidated.csv.gz"]),
    ("opensanctions", [DATA / "opensanctions" / "yente_entities_from_delta_DERIVED.ftm.json"]),
]


def registry_check_times(repeats: int = 3) -> list[Row]:
    """Gives, per full list, the import's own time and what the registry check adds to it.

    Each repeat seeds a fresh SQLite database (registry and documents, no snapshot), then
    imports the four full lists one after another, timing the import (parse and write) apart
    from the registry check that follows it (identifier bridges, then name matching).
    """
    from sqlmodel import Session

    from service.db import make_engine
    from service.lists.importer import import_list
    from service.usecases.lists import check_registry

    timings: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _ in FULL_LISTS}
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "XREF_DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
            _xref(env, "db", "upgrade")
            _xref(env, "seed", "--skip-lists")
            engine = make_engine(env["XREF_DATABASE_URL"])
            for list_id, paths in FULL_LISTS:
                with Session(engine) as session:
                    start = time.perf_counter()
                    version = import_list(list_id, paths, session=session).version
                    imported = time.perf_counter()
                    check = check_registry([version], session=session)
                    session.commit()
                timings[list_id].append((imported - start, check.bridge_seconds,
                                         check.matching_seconds))
                counts[list_id] = (len(check.bridges.created),
                                   sum(len(s.created) for s in check.suggestions))
            engine.dispose()
    rows = []
    for list_id, runs in timings.items():
        imports = statistics.median(run[0] for run in runs)
        bridges = statistics.median(run[1] for run in runs)
        matching = statistics.median(run[2] for run in runs)
        bridged, suggested = counts[list_id]
        rows.append({
            "figure": f"registry check after importing the full {list_id} list (s)",
            "value": f"{bridges + matching:.2f} (bridges {bridges:.2f}, matching {matching:.2f})",
            "target": "-",
            "peer": "-",
            "note": (f"import itself {imports:.2f} s; {bridged} links bridged, {suggested} "
                     f"suggested; median of {repeats}, SQLite"),
        })
    return rows


def import_rows(quick: bool = False) -> list[Row]:
    """Gives the list-import figures."""
    repeats = 1 if quick else 3
    return [import_time(repeats=repeats), *registry_check_times(repeats=repeats)]
