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
import re
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
    ("Scale", "bench.scale_bench", "benchmark_rows"),
    ("Million", "bench.million_bench", "benchmark_rows"),
]
# Run only when named (`make scale` is `--only Scale`, `make million` `--only Million`):
# Scale needs PostgreSQL and Redis and takes minutes; Million generates and imports a list
# of a million names and takes most of an hour. Otherwise their figures are kept from the
# run that measured them.
OPT_IN = {"Scale", "Million"}
RUN_LINE = "- Run: "
# Each section names the machine that measured it: sections kept from an earlier run may come
# from another machine than this run's.
MACHINE_LINE = "Machine: "
HEADER_MACHINE = "- Machine of this run: "


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


def previous_sections(text: str) -> dict[str, str]:
    """Gives the Markdown of each `## Title` section of an earlier BENCHMARKS.md."""
    body = text.split(LOAD_START)[0]
    sections: dict[str, str] = {}
    for block in body.split("\n## ")[1:]:
        title = block.split("\n", 1)[0]
        sections[title] = "## " + block.rstrip("\n") + "\n"
    return sections


def runs_by_section(run_line: str) -> dict[str, str]:
    """Gives, per section, the run (date and duration) the run line says measured it."""
    runs: dict[str, str] = {}
    for part in run_line.split("; "):
        found = re.fullmatch(r"(.+?)((?: \([^()]*\))+)", part.strip())
        if not found:
            continue
        titles = re.findall(r"\(([^()]*)\)", found.group(2))[-1]
        for title in titles.split(", "):
            runs[title] = found.group(1)
    return runs


def render(results: list[tuple[str, list[Row], str]], seconds: float,
           kept: dict[str, str] | None = None, previous_run: str = "",
           previous_machine: str = "") -> str:
    """Gives the Markdown of BENCHMARKS.md; `kept` sections (not run this time) are copied
    from the earlier file, in their place, and the run line says which run measured which.
    A kept section that does not name its machine gets `previous_machine`, the one the
    earlier file gave for all."""
    run = f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, {seconds:.0f} s"
    if kept and previous_run:
        # Which run measured which section: the kept sections keep their earlier run.
        runs = runs_by_section(previous_run)
        for title in kept:
            # A run line from before sections were named: it measured them all.
            runs.setdefault(title, previous_run)
        for title, _, _ in results:
            if title not in kept:
                runs[title] = run
        order = [title for title, _, _ in results if title in runs]
        grouped: dict[str, list[str]] = {}
        for title in order:
            grouped.setdefault(runs[title], []).append(title)
        run = "; ".join(f"{when} ({', '.join(titles)})" for when, titles in grouped.items())
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); do not edit by hand. Every figure was measured",
        "in the run below, the peer's beside ours on the same machine in the same run. Timings",
        "are medians over repeats: these machines are shared and noisy.",
        "",
        f"{RUN_LINE}{run}",
        f"{HEADER_MACHINE}{machine()}",
        "",
    ]
    for title, rows, problem in results:
        if kept and title in kept:
            lines += [_with_machine(kept[title], previous_machine)]
            continue
        lines += [f"## {title}", "", f"{MACHINE_LINE}{machine()}", ""]
        if problem:
            lines += [problem, ""]
            continue
        lines += ["| figure | ours | target | peer | note |", "|---|---|---|---|---|"]
        for row in rows:
            lines.append(f"| {row['figure']} | {row['value']} | {row.get('target', '-')} | "
                         f"{row.get('peer', '-')} | {row.get('note', '')} |")
        lines.append("")
    return "\n".join(lines)


def _with_machine(section: str, machine_name: str) -> str:
    """Gives a kept section naming its machine (`machine_name` when it names none)."""
    heading, _, rest = section.partition("\n")
    if not machine_name or rest.lstrip("\n").startswith(MACHINE_LINE):
        return section
    return f"{heading}\n\n{MACHINE_LINE}{machine_name}\n{rest}"


def previous_machine_of(text: str) -> str:
    """Gives the machine an earlier BENCHMARKS.md gave for all its sections (before sections
    named their own), or ""."""
    return next((line[len("- Machine: "):] for line in text.splitlines()
                 if line.startswith("- Machine: ")), "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--only", action="append", help="run only these sections")
    args = parser.parse_args()
    started = time.perf_counter()
    output = Path(args.output)
    previous = output.read_text(encoding="utf-8") if output.exists() else ""
    # Sections not run this time keep their figures from the earlier run.
    kept = previous_sections(previous)
    previous_run = next((line[len(RUN_LINE):] for line in previous.splitlines()
                         if line.startswith(RUN_LINE)), "")
    results = []
    for title, module_name, function in SECTIONS:
        if (args.only and title not in args.only) or (not args.only and title in OPT_IN):
            if title in kept:
                results.append((title, [], ""))
            continue
        kept.pop(title, None)
        print(f"== {title}", flush=True)
        rows, problem = run_section(module_name, function, args.quick)
        for row in rows:
            print(f"  {row['figure']}: {row['value']} (target {row.get('target', '-')}, "
                  f"peer {row.get('peer', '-')})", flush=True)
        if problem:
            print(f"  {problem}", flush=True)
        results.append((title, rows, problem))
    text = render(results, time.perf_counter() - started, kept, previous_run,
                  previous_machine_of(previous)) + "\n"
    # Keep the figures of the last `make load`, which this run does not measure.
    if LOAD_START in previous and LOAD_END in previous:
        load = previous[previous.index(LOAD_START):previous.index(LOAD_END) + len(LOAD_END)]
        text += "\n" + load + "\n"
    output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
