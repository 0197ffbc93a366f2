"""`make bench`: every speed and quality figure, side by side with the peers, into BENCHMARKS.md.

Each section runs its measurements and the peer's in the same run on this machine; timings
are medians over repeats because the machines are shared and noisy. A section whose module
is missing is reported as not run rather than silently left out.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Row = dict[str, Any]
LOAD_START, LOAD_END = "<!-- load:start -->", "<!-- load:end -->"

SECTIONS: list[tuple[str, str, str]] = [
    ("Lists", "bench.service_bench", "import_rows"),
    ("Matching", "bench.matching_bench", "benchmark_rows"),
    ("Service", "bench.service_bench", "server_figures"),
    ("Jobs", "bench.jobs_bench", "benchmark_rows"),
    ("Documents", "bench.documents_bench", "benchmark_rows"),
]


def machine() -> str:
    """Gives a one-line description of the machine the figures come from."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB"
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}")


def run_section(module_name: str, function: str, quick: bool) -> tuple[list[Row], str]:
    """Gives the section's rows, or no rows and why it did not run."""
    try:
        module = importlib.import_module(module_name)
        produce = getattr(module, function)
    except (ImportError, AttributeError) as error:
        return [], f"not run: {error}"
    try:
        kwargs = {"quick": True} if quick and "quick" in produce.__code__.co_varnames else {}
        return list(produce(**kwargs)), ""
    except Exception:  # noqa: BLE001 - a failing section must not lose the others' figures
        return [], "failed:\n\n```\n" + traceback.format_exc() + "```"


def render(results: list[tuple[str, list[Row], str]], seconds: float) -> str:
    """Gives the Markdown of BENCHMARKS.md."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand. Every figure was measured",
        "in the run below, the peer's beside ours on the same machine in the same run. Timings",
        "are medians over repeats: these machines are shared and noisy.",
        "",
        f"- Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, {seconds:.0f} s",
        f"- Machine: {machine()}",
        "",
    ]
    for title, rows, problem in results:
        lines += [f"## {title}", ""]
        if problem:
            lines += [problem, ""]
            continue
        lines += ["| figure | ours | target | peer | note |", "|---|---|---|---|---|"]
        for row in rows:
            lines.append(f"| {row['figure']} | {row['value']} | {row.get('target', '-')} | "
                         f"{row.get('peer', '-')} | {row.get('note', '')} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--only", action="append", help="run only these sections")
    args = parser.parse_args()
    started = time.perf_counter()
    results = []
    for title, module_name, function in SECTIONS:
        if args.only and title not in args.only:
            continue
        print(f"== {title}", flush=True)
        rows, problem = run_section(module_name, function, args.quick)
        for row in rows:
            print(f"  {row['figure']}: {row['value']} (target {row.get('target', '-')}, "
                  f"peer {row.get('peer', '-')})", flush=True)
        if problem:
            print(f"  {problem}", flush=True)
        results.append((title, rows, problem))
    output = Path(args.output)
    text = render(results, time.perf_counter() - started) + "\n"
    # Keep the figures of the last `make load`, which this run does not measure.
    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    if LOAD_START in previous and LOAD_END in previous:
        load = previous[previous.index(LOAD_START):previous.index(LOAD_END) + len(LOAD_END)]
        text += "\n" + load + "\n"
    output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
