"""Benchmark: the whole pipeline on generated waves of growing size, against bare DuckDB.

    python benchmarks/run.py                 # bundled data, then 10k, 100k, 1M respondents, 3 runs each
    python benchmarks/run.py --sizes 10000 100000 --runs 5 --baseline-runs 5
    python benchmarks/run.py --sizes 3000000 --no-bundled

For each size it generates one wave with the project's generator, then runs
``engagement-pipeline run`` in a fresh process per run, and reports medians: wall time as the
README's Quickstart runs it (no DAGSTER_HOME: an in-memory instance), peak resident memory of
the run's processes, rows per second, and a baseline in which bare DuckDB loads the same CSV and
aggregates it (per-group means of every Likert column) in the same benchmark run. One more run
on a persistent instance (SQLite in a temp DAGSTER_HOME, as a deployment with the UI keeps it)
gives its wall time and the per-step times from the Dagster step events. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAVE = "2040-01"


def generate(data: Path, n: int, seed: int) -> Path:
    from engagement_pipeline.synthetic import write_wave

    write_wave(data, WAVE, n, seed)
    return data / "raw" / "waves" / WAVE / "survey_responses.csv"


def pipeline_once(data: Path, root: Path, persistent: bool = True) -> tuple[float, float, dict[str, float]]:
    """(wall seconds, peak RSS in MB of any of its processes, seconds per step) of one CLI run in a
    new process; ``persistent=False`` runs it as the README's Quickstart does (no DAGSTER_HOME,
    so no per-step times)."""
    home, out = root / "home", root / "outputs"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    if not persistent:
        env.pop("DAGSTER_HOME")
    script = ("import resource, subprocess, sys, time\n"
              "t = time.perf_counter()\n"
              "p = subprocess.run(sys.argv[1:])\n"
              "wall = time.perf_counter() - t\n"
              "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
              "print(f'{wall} {rss} {p.returncode}')\n")
    command = [sys.executable, "-c", script, sys.executable, "-m", "engagement_pipeline.cli", "run",
               "--data-dir", str(data), "--output-dir", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    wall, rss, code = done.stdout.strip().splitlines()[-1].split()
    if code != "0":
        raise RuntimeError(f"pipeline run failed: {done.stderr[-2000:]}")
    return float(wall), float(rss), step_seconds(home) if persistent else {}


def step_seconds(home: Path) -> dict[str, float]:
    """Seconds per step of the latest run, from its STEP_START / STEP_SUCCESS events."""
    from dagster import DagsterEventType, DagsterInstance

    os.environ["DAGSTER_HOME"] = str(home)
    with DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        starts, seconds = {}, {}
        for record in instance.all_logs(run.run_id):
            event = record.dagster_event
            if event is None or not record.step_key:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[record.step_key] = record.timestamp
            elif event.event_type == DagsterEventType.STEP_SUCCESS and record.step_key in starts:
                seconds[record.step_key] = record.timestamp - starts[record.step_key]
    return seconds


def duckdb_baseline(csv: Path) -> float:
    """Bare DuckDB: load the CSV into a table and aggregate every Likert column by group."""
    import duckdb

    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true)", [str(csv)])
        likert = [c for (c,) in con.execute("SELECT column_name FROM (DESCRIBE t) WHERE column_name SIMILAR TO "
                                            "'(engagement|channel)_.*'").fetchall()]
        aggregates = ", ".join(f'avg("{c}")' for c in likert)
        con.execute(f"SELECT uses_twitter, count(*), {aggregates} FROM t GROUP BY uses_twitter").fetchall()
    return time.perf_counter() - started


def bundled(runs: int) -> None:
    """The Quickstart's run: the bundled waves, from the CLI, no DAGSTER_HOME; median of ``runs``."""
    data = Path(__file__).resolve().parent.parent / "data"
    results = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-bundled-") as tmp:
            results.append(pipeline_once(data, Path(tmp), persistent=False))
    walls = [wall for wall, _, _ in results]
    print(f"bundled data (every wave, every asset, CLI): wall {statistics.median(walls):.1f} s median of {runs} "
          f"(min {min(walls):.1f}, max {max(walls):.1f}), peak RSS {max(r for _, r, _ in results):.0f} MB\n", flush=True)


def machine() -> str:
    import platform

    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-bundled", dest="bundled", action="store_false",
                        help="skip the bundled-data run (the Quickstart's first line)")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    if args.bundled:
        bundled(args.runs)
    print("| respondents | CSV MB | wall s (median) | peak RSS MB | rows/s | bare DuckDB s | × DuckDB "
          "| wall s, persistent instance | slowest steps (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench{n}-") as tmp:
            root = Path(tmp)
            csv = generate(root / "data", n, args.seed)
            runs = [pipeline_once(root / "data", root / f"run{i}", persistent=False) for i in range(args.runs)]
            persistent_wall, persistent_rss, steps = pipeline_once(root / "data", root / "persistent")
            baseline = statistics.median(duckdb_baseline(csv) for _ in range(args.baseline_runs))
            wall = statistics.median(w for w, _, _ in runs)
            peak = max([r for _, r, _ in runs] + [persistent_rss])
            slowest = sorted(((s, k) for k, s in steps.items()), reverse=True)[:4]
            print(f"| {n:,} | {csv.stat().st_size / 1e6:.0f} | {wall:.1f} | {peak:.0f} | {n / wall:,.0f} | "
                  f"{baseline:.2f} | {wall / baseline:.1f} | {persistent_wall:.1f} | "
                  f"{', '.join(f'{k} {s:.1f}' for s, k in slowest)} |", flush=True)


if __name__ == "__main__":
    main()
