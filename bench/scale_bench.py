"""`make scale`: the production path proven on this machine, PostgreSQL and Redis.

Run: ``python -m bench.scale_bench [--names N]`` or ``python bench/run.py --only Scale``.
``benchmark_rows()`` gives the figures as {figure, value, target, peer} rows for BENCHMARKS.md,
and raises (the section then reports "failed") when a check does not hold.

On a fresh PostgreSQL database (XREF_SCALE_DATABASE_URL, dropped and created) holding the
full 2024-05 SDN with the 2025-12 aliases, it runs `xref serve` and `xref worker`s on Redis
(XREF_SCALE_REDIS_URL) and submits jobs of the same N real-name variants (SDN names and
members of the US Congress, written as people type them: given name first, lower case, a
middle name dropped, two letters swapped) through HTTP:

1. with one worker, then with two: the throughput and the scaling from one to two;
2. with two workers, one SIGKILLed at about a third of the job and another started: the
   dead worker's chunk is taken over when its lease lapses.

Each job's results must hold every name exactly once, and equal those of a single-process
`xref screen` of the same file; the killed run must take less than the clean two-worker
run plus 60 s. A job is timed from its upload until the job is done.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import jobs_bench  # noqa: E402 - the project root is on the path only from here

DATA = ROOT.parent / "shared" / "data"
SDN_2024 = DATA / "ofac" / "sdn-2024-05" / "sdn.csv"
SDN_2025 = DATA / "ofac" / "sdn-2025-12"
CONGRESS = DATA / "matching" / "yente_positives_us_congress_untreated.csv"
DATABASE_URL = os.environ.get("XREF_SCALE_DATABASE_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/xref_scale")
# Not the tests' Redis databases (15 and the ones developers point their runs at).
REDIS_URL = os.environ.get("XREF_SCALE_REDIS_URL", "redis://127.0.0.1:6379/13")
TOKEN = "scale-admin-token"
LIMIT = 3
CHUNK = 1000
# Seconds: a lease without heartbeat, and the workers' sweep for lapsed leases.
LEASE, POLL = 20, 5
# Hang guards, not targets.
START_WITHIN, JOB_WITHIN = 120.0, 1800.0
Row = dict[str, Any]


def variants(count: int) -> list[tuple[str, str]]:
    """Gives `count` (id, name) rows: real names as people write them, deterministically."""
    from bench.list_data import sdn_names

    listed = list(dict.fromkeys(n.name for n in sdn_names()))
    with CONGRESS.open(encoding="utf-8", newline="") as handle:
        members = [row["full_name"] for row in csv.DictReader(handle) if row["full_name"]]
    chance = random.Random(16)
    rows = []
    for number in range(count):
        pool = listed if number % 2 == 0 else members
        rows.append((f"n{number}", _variant(pool[(number // 2) % len(pool)], number % 5, chance)))
    return rows


def _variant(name: str, how: int, chance: random.Random) -> str:
    if how == 1 and ", " in name:
        surname, given = name.split(", ", 1)
        return f"{given} {surname.title()}"
    if how == 2:
        return name.lower()
    parts = name.replace(",", "").split()
    if how == 3 and len(parts) >= 3:
        del parts[chance.randrange(1, len(parts) - 1)]
        return " ".join(parts)
    if how == 4:
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        word = parts[longest]
        if len(word) >= 4:
            at = chance.randrange(1, len(word) - 2)
            parts[longest] = word[:at] + word[at + 1] + word[at] + word[at + 2:]
        return " ".join(parts)
    return name


def _fresh_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _xref(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, cwd=ROOT, check=True,
                   capture_output=True, text=True)


class Cluster:
    """`xref serve` and `xref worker` processes on one database and one Redis."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.base = env, f"http://127.0.0.1:{port}"
        self.workers: list[subprocess.Popen[bytes]] = []
        self.server: subprocess.Popen[bytes] | None = None

    def start_server(self) -> None:
        import requests

        self.server = self._spawn("serve")
        deadline = time.monotonic() + START_WITHIN
        while True:
            try:
                if requests.get(f"{self.base}/readyz", timeout=30).status_code == 200:
                    return
            except requests.RequestException:
                # Not listening yet, or busy building its index.
                pass
            if time.monotonic() > deadline or self.server.poll() is not None:
                raise RuntimeError("xref serve did not become ready")
            time.sleep(0.5)

    def start_worker(self) -> subprocess.Popen[bytes]:
        from redis import Redis
        from rq import Worker

        before = len(Worker.all(connection=Redis.from_url(REDIS_URL)))
        worker = self._spawn("worker")
        self.workers.append(worker)
        # A worker registers with RQ once it has built its index (its first housekeeping).
        deadline = time.monotonic() + START_WITHIN
        while len(Worker.all(connection=Redis.from_url(REDIS_URL))) <= before:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("xref worker did not start")
            time.sleep(0.2)
        return worker

    def _spawn(self, command: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "service.cli", command], env=self.env,
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(10)
        self.workers = []

    def stop(self) -> None:
        self.stop_workers()
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(60)

    def run_job(self, source: Path, *, kill_at: float | None = None) -> tuple[float, str, int]:
        """Gives the seconds from upload to done, the CSV results, and the workers killed."""
        import requests

        headers = {"Authorization": f"Bearer {TOKEN}"}
        started = time.perf_counter()
        with source.open("rb") as upload:
            created = requests.post(f"{self.base}/v1/jobs", headers=headers, timeout=600,
                                    files={"file": ("in.csv", upload, "text/csv")},
                                    data={"limit": str(LIMIT)})
        created.raise_for_status()
        job_id = created.json()["id"]
        killed = 0
        while True:
            state = requests.get(f"{self.base}/v1/jobs/{job_id}", headers=headers,
                                 timeout=60).json()
            if state["status"] != "running" and state["status"] != "queued":
                break
            if kill_at is not None and not killed and state["done"] >= kill_at * state["total"]:
                # One worker dies mid-chunk (its heartbeat with it); another is started.
                self.workers[0].send_signal(signal.SIGKILL)
                self.workers[0].wait(30)
                killed = 1
                self.start_worker()
            if time.perf_counter() - started > JOB_WITHIN:
                raise RuntimeError(f"job {job_id} still {state['status']} after {JOB_WITHIN}s")
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if state["status"] != "done":
            raise RuntimeError(f"job {job_id} ended {state['status']}: {state['error']}")
        results = requests.get(f"{self.base}/v1/jobs/{job_id}/results", headers=headers,
                               timeout=600)
        results.raise_for_status()
        return seconds, results.text, killed


def compare_results(job_csv: str, reference_csv: str, ids: list[str]) -> dict[str, int]:
    """Gives how many names are missing, repeated, or differ from the reference."""
    def by_name(text: str) -> tuple[dict[str, list[tuple[str, ...]]], list[str]]:
        rows: dict[str, list[tuple[str, ...]]] = {}
        order: list[str] = []
        for row in csv.DictReader(io.StringIO(text)):
            if row["id"] not in rows:
                order.append(row["id"])
            rows.setdefault(row["id"], []).append(
                (row["rank"], row["score"], row["match"], row["list"], row["list_key"],
                 row["matched_name"]))
        return rows, order

    job, job_order = by_name(job_csv)
    reference, _ = by_name(reference_csv)
    # A name's rows are consecutive; a name seen again later was written twice.
    return {
        "missing": sum(1 for name in ids if name not in job),
        "repeated": len(job_order) - len(set(job_order)),
        "different": sum(1 for name in ids if job.get(name) != reference.get(name)),
    }


def measure(count: int = 100_000) -> dict[str, Any]:
    """Gives the reference, clean and killed runs' seconds and their checks."""
    _fresh_database(DATABASE_URL)
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XREF_DATABASE_URL": DATABASE_URL, "XREF_REDIS_URL": REDIS_URL,
               "XREF_ADMIN_TOKEN": TOKEN, "XREF_JOB_RUNNER": "rq", "XREF_WORKERS": "2",
               "XREF_JOB_CHUNK_SIZE": str(CHUNK), "XREF_JOB_LEASE_SECONDS": str(LEASE),
               "XREF_JOB_POLL_SECONDS": str(POLL), "XREF_RATE_LIMIT": "",
               "XREF_METRICS_DIR": f"{folder}/metrics", "XREF_HOST": "127.0.0.1",
               "XREF_PORT": os.environ.get("XREF_SCALE_PORT", "8765"),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                           os.environ.get("PYTHONPATH")]))}
        _xref(env, "db", "upgrade")
        _xref(env, "lists", "import", "us_ofac_sdn", str(SDN_2024), str(SDN_2025))
        rows = variants(count)
        ids = [identifier for identifier, _ in rows]
        source = Path(folder) / "in.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["id", "name"])
            writer.writerows(rows)

        started = time.perf_counter()
        _xref(env, "screen", str(source), "--limit", str(LIMIT), "--output",
              f"{folder}/reference.csv")
        reference_seconds = time.perf_counter() - started
        reference = (Path(folder) / "reference.csv").read_text(encoding="utf-8")

        cluster = Cluster(env, int(env["XREF_PORT"]))
        runs: dict[str, Any] = {"names": count, "cli": reference_seconds}
        try:
            cluster.start_server()
            for label, workers, kill_at in (("one", 1, None), ("two", 2, None),
                                            ("killed", 2, 1 / 3)):
                for _ in range(workers):
                    cluster.start_worker()
                seconds, results, killed = cluster.run_job(source, kill_at=kill_at)
                runs[label] = {"seconds": seconds, "killed": killed,
                               **compare_results(results, reference, ids)}
                cluster.stop_workers()
        finally:
            cluster.stop()
    return runs


def benchmark_rows(names: int = 100_000) -> list[Row]:
    """Gives the throughputs, the scaling and the killed run as rows; raises if a check fails."""
    runs = measure(names)
    one, two, killed = runs["one"], runs["two"], runs["killed"]
    problems = [f"{label}: {run['missing']} missing, {run['repeated']} repeated, "
                f"{run['different']} different from xref screen"
                for label, run in (("one worker", one), ("two workers", two),
                                   ("killed", killed))
                if run["missing"] or run["repeated"] or run["different"]]
    if not killed["killed"]:
        problems.append("no worker was killed: the job ended before a third")
    if killed["seconds"] >= two["seconds"] + 60:
        problems.append(f"the killed run took {killed['seconds']:.1f} s, not less than the "
                        f"clean run's {two['seconds']:.1f} s + 60 s")
    if problems:
        raise AssertionError("; ".join(problems))
    note = (f"{names:,} real-name variants, full SDN, PostgreSQL + Redis, `xref serve` + "
            f"`xref worker`s, chunks of {CHUNK}, limit {LIMIT}")
    checked = "every name exactly once, equal to `xref screen`"
    return [
        {"figure": f"job through `xref serve` and 1 `xref worker`, {names:,} names (names/s)",
         "value": round(names / one["seconds"]), "target": "-",
         "peer": f"xref screen: {round(names / runs['cli'])}",
         "note": f"{note}; {one['seconds']:.1f} s; {checked}"},
        {"figure": "same job with 2 `xref worker`s (names/s)",
         "value": round(names / two["seconds"]), "target": "-", "peer": "-",
         "note": f"{two['seconds']:.1f} s; {checked}"},
        {"figure": "scaling from 1 to 2 workers (×)",
         "value": round(one["seconds"] / two["seconds"], 2), "target": "-", "peer": "-",
         "note": f"{os.cpu_count()} cores shared by the server, the workers and PostgreSQL"},
        {"figure": "2 workers, one SIGKILLed at a third and another started (s)",
         "value": round(killed["seconds"], 1),
         "target": f"< {two['seconds'] + 60:.0f} (clean run + 60)", "peer": "-",
         "note": f"lease {LEASE} s renewed by a heartbeat, sweep every {POLL} s; {checked}"},
    ]


def main() -> None:
    jobs_bench.run_from_command_line(__doc__, benchmark_rows)


if __name__ == "__main__":
    main()
