"""Throughput of a batch job end to end, beside `xref screen` on the same file.

Run: ``python -m bench.jobs_bench [--names N]``. ``benchmark_rows()`` gives the figures as
{figure, value, target, peer} rows for ``make bench``.

Both screen the same CSV against the full 2024-05 SDN (with the 2025-12 aliases and
addresses) on a fresh SQLite database, with the same limit. `xref screen` is timed as the
whole command (it builds its index, reads the file, writes the results). The job is timed
from the upload (`POST /v1/jobs`, multipart, through the app with its index already built,
as in a running server) until its CSV results have been read back in full
(`GET /v1/jobs/{id}/results`), with the in-process runner (one thread) doing the work: that
includes storing the names, each chunk's lease, screening and results, and the export.
The input is real names: half SDN names (mostly hits), half members of the US Congress (the
yente false-positive test set), cycled to the size asked for.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
SDN_2024 = DATA / "ofac" / "sdn-2024-05" / "sdn.csv"
SDN_2025 = DATA / "ofac" / "sdn-2025-12"
CONGRESS = DATA / "matching" / "yente_positives_us_congress_untreated.csv"
XREF = Path(sys.executable).parent / "xref"
LIMIT = 3
Row = dict[str, Any]


def input_csv(count: int) -> str:
    """Gives a CSV of `count` real names: SDN names and Congress members, alternating."""
    from bench.list_data import sdn_names

    listed = list(dict.fromkeys(n.name for n in sdn_names()))
    with CONGRESS.open(encoding="utf-8", newline="") as handle:
        members = [row["full_name"] for row in csv.DictReader(handle) if row["full_name"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "name"])
    for number in range(count):
        pool = listed if number % 2 == 0 else members
        writer.writerow([f"n{number}", pool[(number // 2) % len(pool)]])
    return buffer.getvalue()


def _xref(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(XREF), *args], env=env, check=True, capture_output=True, text=True)


def measure(count: int = 100_000) -> dict[str, float]:
    """Gives the seconds of `xref screen` and of the job on the same `count` names."""
    from service.app import create_app
    from service.config import Settings
    from service.jobs.serving import start_runner, stop_runner

    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/bench.sqlite3"
        env = {**os.environ, "XREF_DATABASE_URL": database}
        _xref(env, "db", "upgrade")
        _xref(env, "lists", "import", "us_ofac_sdn", str(SDN_2024), str(SDN_2025))
        source = Path(folder) / "in.csv"
        source.write_text(input_csv(count), encoding="utf-8")

        start = time.perf_counter()
        _xref(env, "screen", str(source), "--limit", str(LIMIT), "--output",
              f"{folder}/out.csv")
        cli_seconds = time.perf_counter() - start

        token = "bench-admin-token"
        app = create_app(Settings(database_url=database, admin_token=token,
                                  job_poll_seconds=0.2))
        app.config["TESTING"] = True
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        # A running server has its index already; the CLI's figure includes building its own.
        client.get("/v1/screen?name=warm+up", headers=headers)
        start_runner(app)
        start = time.perf_counter()
        with source.open("rb") as upload:
            created = client.post("/v1/jobs", headers=headers,
                                  content_type="multipart/form-data",
                                  data={"file": (upload, "in.csv"), "limit": str(LIMIT)})
        job_id = created.get_json()["id"]
        while client.get(f"/v1/jobs/{job_id}", headers=headers).get_json()["status"] not in (
                "done", "failed", "cancelled"):
            time.sleep(0.2)
        results = client.get(f"/v1/jobs/{job_id}/results", headers=headers).get_data()
        job_seconds = time.perf_counter() - start
        stop_runner(app)
        app.extensions["xref.engine"].dispose()
        agreement = _agreement(results.decode(), (Path(folder) / "out.csv").read_text())
    return {"cli": cli_seconds, "job": job_seconds, "names": count, "agreement": agreement}


def _agreement(job_csv: str, cli_csv: str) -> float:
    """Gives the share of names whose matching entries are the same in both outputs."""

    def matches(text: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for row in csv.DictReader(io.StringIO(text)):
            keys = found.setdefault(row["id"], set())
            if row["match"] == "true":
                keys.add(row["list_key"])
        return found

    job, cli = matches(job_csv), matches(cli_csv)
    return sum(1 for name, keys in cli.items() if job.get(name) == keys) / max(1, len(cli))


def benchmark_rows(names: int = 100_000) -> list[Row]:
    """Gives the job and `xref screen` throughputs and their ratio as rows."""
    figures = measure(names)
    cli_rate, job_rate = names / figures["cli"], names / figures["job"]
    note = f"{names:,} real names, full SDN, limit {LIMIT}, SQLite, one runner thread"
    return [
        {"figure": f"batch job end to end, {names:,} names (names/s)",
         "value": round(job_rate), "target": f">= {round(cli_rate / 2)} (half of xref screen)",
         "peer": f"xref screen: {round(cli_rate)}", "note": note},
        {"figure": "batch job throughput / xref screen throughput",
         "value": round(job_rate / cli_rate, 2), "target": ">= 0.5", "peer": "-",
         "note": f"job {figures['job']:.1f} s, xref screen {figures['cli']:.1f} s"},
        {"figure": "names whose matches agree between the job and xref screen",
         "value": f"{figures['agreement']:.2%}", "target": "100%", "peer": "-",
         # Within one process the CSVs are byte for byte the same (tests/jobs); across
         # processes, candidates tied on score may come out in another order.
         "note": "matching list keys per name"},
    ]


def run_from_command_line(doc: str | None, rows: Callable[[int], list[Row]]) -> None:
    """Runs a names-count benchmark from the command line and prints its rows."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000)
    args = parser.parse_args()
    for row in rows(args.names):
        print(f"{row['figure']}: {row['value']} (target {row['target']}; {row['peer']}) "
              f"- {row['note']}")


def main() -> None:
    run_from_command_line(__doc__, benchmark_rows)


if __name__ == "__main__":
    main()
