"""`make load`: drive `xref serve` (4 workers) on loopback with concurrent clients for 30 s.

The clients mix single-name screenings (`GET /v1/screen`) and registry searches
(`GET /v1/entities`), with real names as queries. The run is bounded in time and in request
count and talks only to 127.0.0.1. Requests per second, p50/p99 latency and the error count
go into the load section of BENCHMARKS.md (the rest of the file is `make bench`'s).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
XREF = Path(sys.executable).parent / "xref"
START, END = "<!-- load:start -->", "<!-- load:end -->"
MAX_REQUESTS = 200_000  # a hard stop whatever the duration


def _names() -> list[str]:
    with (DATA / "matching" / "yente_positives_un_treated.csv").open(encoding="utf-8") as f:
        return [row[0] for row in csv.reader(f) if row and row[0] != "name"]


def _client(base: str, token: str, names: list[str], deadline: float, offset: int,
            latencies: list[float], errors: list[str], lock: threading.Lock,
            counter: list[int]) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    position = offset
    while time.perf_counter() < deadline:
        with lock:
            if counter[0] >= MAX_REQUESTS:
                return
            counter[0] += 1
        name = names[position % len(names)]
        if position % 4 == 3:
            url, params = f"{base}/v1/entities", {"q": name.split()[-1]}
        else:
            url, params = f"{base}/v1/screen", {"name": name}
        position += 7
        start = time.perf_counter()
        try:
            response = http.get(url, params=params, timeout=10)
            ok = response.status_code == 200
            problem = f"HTTP {response.status_code}"
        except requests.RequestException as error:
            ok, problem = False, type(error).__name__
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)
            if not ok:
                errors.append(problem)


def run(duration: float, clients: int, workers: int) -> dict[str, float | int | str]:
    """Gives the load figures of one bounded run."""
    with tempfile.TemporaryDirectory() as folder:
        port, token = "8766", "load-token"
        env = {**os.environ, "XREF_DATABASE_URL": f"sqlite:///{folder}/load.sqlite3",
               "XREF_PORT": port, "XREF_WORKERS": str(workers), "XREF_ADMIN_TOKEN": token,
               "XREF_RATE_LIMIT": "", "XREF_JOB_RUNNER": "off"}
        for args in (["db", "upgrade"], ["seed"]):
            subprocess.run([str(XREF), *args], env=env, check=True, capture_output=True)
        server = subprocess.Popen([str(XREF), "serve"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    if requests.get(f"{base}/healthz", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            names = _names()
            # Every worker builds its index on its first screening: warm them all up.
            for name in names[: workers * 4]:
                requests.get(f"{base}/v1/screen", params={"name": name},
                             headers={"Authorization": f"Bearer {token}"}, timeout=120)
            latencies: list[float] = []
            errors: list[str] = []
            lock, counter = threading.Lock(), [0]
            started = time.perf_counter()
            deadline = started + duration
            threads = [threading.Thread(target=_client, args=(
                base, token, names, deadline, i, latencies, errors, lock, counter))
                for i in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 1),
        "rps": round(len(latencies) / elapsed, 1),
        "p50": round(latencies[len(latencies) // 2], 2),
        "p99": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 2),
        "errors": len(errors),
        "error_kinds": ", ".join(sorted(set(errors))) or "none",
        "clients": clients,
        "workers": workers,
    }


def write_section(figures: dict[str, float | int | str], path: Path) -> None:
    """Writes the load figures into BENCHMARKS.md between the load markers."""
    from bench.run import machine

    block = "\n".join([
        START,
        "## Load (`make load`)",
        "",
        f"`xref serve` with {figures['workers']} workers on loopback, {figures['clients']} "
        f"concurrent clients for {figures['seconds']} s, 3 in 4 requests `GET /v1/screen`, "
        "1 in 4 `GET /v1/entities?q=`, against the bundled SDN snapshot.",
        f"Machine: {machine()}.",
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        f"| requests | {figures['requests']} | - |",
        f"| requests per second | {figures['rps']} | - |",
        f"| p50 latency (ms) | {figures['p50']} | - |",
        f"| p99 latency (ms) | {figures['p99']} | - |",
        f"| errors | {figures['errors']} ({figures['error_kinds']}) | 0 |",
        END,
    ])
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text,
                      flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    figures = run(min(args.duration, 120.0), args.clients, args.workers)
    print(figures)
    write_section(figures, Path(args.output))
    if figures["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
