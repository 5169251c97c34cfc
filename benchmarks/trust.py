"""Issue 13's table: the pipeline against the plain-script baseline (benchmarks/baseline.py), side by side.

    python benchmarks/trust.py                                   # every workload, 3 runs each
    python benchmarks/trust.py --only waves --runs 5
    python benchmarks/trust.py --waves 3 --respondents 200 --large 20000 --runs 1   # quick check

Workloads (``--only`` picks some):

* ``waves``: ``--waves`` quarterly waves (2021-03, 2021-06, …) of ``--respondents`` each, generated with
  different seeds. ``engagement-pipeline run`` into an empty output folder (full run), the same
  command again with nothing changed, then again after one more wave is added. The baseline has
  no incremental mode: each of its three figures is a full recompute of every wave.
* ``large``: one wave of ``--large`` respondents: the pipeline, the baseline, and bare DuckDB
  loading and aggregating the same CSV (``duckdb_baseline`` of benchmarks/run.py, in this process).
* ``bundled``: the README's run, ``engagement-pipeline run`` on the repository's ``data/`` into an
  empty output folder, against the baseline on the same data.

Every pipeline and baseline figure is a fresh process (``python -m engagement_pipeline.cli run`` as
the CLI runs it: no DAGSTER_HOME, so the CLI keeps its default persistent instance under the output
folder; ``python benchmarks/baseline.py``), wrapped in a small parent that reports wall time and
peak RSS of its children (``getrusage(RUSAGE_CHILDREN)``). Pipeline and baseline alternate within
each repetition, and medians of ``--runs`` repetitions are printed as a markdown table. The
pseudonymisation key lives in the benchmark's temp folder and ``ENGAGEMENT_*`` settings are
cleared, so every run uses the contract's defaults. Every run imports one snapshot of
``engagement_pipeline/`` copied at start: the pipeline's version is a digest of its code, so an
edit to the working tree during the benchmark would otherwise make every wave stale mid-way.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUNDLED = REPO / "data"
BASELINE = HERE / "baseline.py"
WORKLOADS = ("waves", "large", "bundled")


def _benchmarks_run():
    """benchmarks/run.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("benchmarks_run", HERE / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _benchmarks_run()

# Runs the command in its argv[2:], then writes its wall time, its children's peak RSS and exit code to argv[1].
_WRAPPER = """import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
wall = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
with open(sys.argv[1], "w") as f:
    json.dump({"wall": wall, "rss": peak_mb, "code": code}, f)
"""


@dataclass
class Measured:
    wall: float
    rss: float
    stdout: str
    stderr: str = ""

    def reasons(self) -> dict[str, str]:
        """Why the CLI ran each wave it ran ("wave W: running (REASON)" on its stderr)."""
        found = {}
        for line in self.stderr.splitlines():
            head, sep, rest = line.partition(": running (")
            if sep and head.startswith("wave "):
                found[head[5:]] = rest.rstrip(")")
        return found


def measure(command: list[str], env: dict[str, str], scratch: Path) -> Measured:
    """Wall seconds and peak RSS (MB) of ``command`` in a fresh process; raises if it fails."""
    result_file = scratch / "measured.json"
    result_file.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(result_file), *command], env=env, cwd=scratch,
                          capture_output=True, text=True)
    result = json.loads(result_file.read_text())
    if done.returncode or result["code"]:
        raise RuntimeError(f"{' '.join(command)} failed ({result['code']}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return Measured(result["wall"], result["rss"], done.stdout, done.stderr)


def pipeline(data: Path, out: Path, env: dict[str, str], scratch: Path) -> Measured:
    return measure([sys.executable, "-m", "engagement_pipeline.cli", "run", "--data-dir", str(data),
                    "--output-dir", str(out)], env, scratch)


def baseline(data: Path, env: dict[str, str], scratch: Path) -> Measured:
    return measure([sys.executable, str(BASELINE), "--data-dir", str(data), "--out", str(scratch / "baseline.duckdb")],
                   env, scratch)


def clean_env(root: Path, code: Path) -> dict[str, str]:
    """The user's environment without DAGSTER_HOME or ENGAGEMENT_* settings; the key in ``root``;
    the package imported from the snapshot in ``code``."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME" and not k.startswith("ENGAGEMENT_")}
    env["ENGAGEMENT_PSEUDONYM_KEY_FILE"] = str(root / "pseudonym.key")
    env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def snapshot_code(root: Path) -> Path:
    """A copy of the package as it is now, imported by every run of this invocation (and by the
    generator here): the pipeline's version is a digest of its code, so an edit to the working tree
    during a long benchmark would otherwise make every published wave stale mid-way."""
    code = root / "code"
    shutil.copytree(REPO / "engagement_pipeline", code / "engagement_pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(code))
    return code


@dataclass
class Row:
    workload: str
    target: str
    pipeline: list[Measured] = field(default_factory=list)
    baseline: list[Measured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duckdb: list[float] = field(default_factory=list)

    def cells(self) -> list[str]:
        p = statistics.median(m.wall for m in self.pipeline)
        b = statistics.median(m.wall for m in self.baseline)
        rss = f"{max(m.rss for m in self.pipeline):,.0f} / {max(m.rss for m in self.baseline):,.0f}"
        notes = [f"target {self.target}"] if self.target else []
        if self.duckdb:
            d = statistics.median(self.duckdb)
            notes.append(f"bare DuckDB {d:.2f} s: pipeline {p / d:.1f}×, baseline {b / d:.1f}× bare DuckDB")
        if len(self.pipeline) > 1:
            notes.append(f"ranges: pipeline {min(m.wall for m in self.pipeline):.1f}–{max(m.wall for m in self.pipeline):.1f} s, "
                         f"baseline {min(m.wall for m in self.baseline):.1f}–{max(m.wall for m in self.baseline):.1f} s")
        return [self.workload, f"{p:.1f}", f"{b:.2f}", f"{p / b:.2f}", rss, "; ".join([*notes, *self.notes])]


def summary_line(stdout: str) -> str:
    """The CLI's last line of output ("N of N waves published … in X s" or "nothing to run …")."""
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def quarterly(n: int, start_year: int = 2021) -> list[str]:
    """``n`` quarterly wave names: 2021-03, 2021-06, 2021-09, 2021-12, 2022-03, …"""
    return [f"{start_year + i // 4}-{3 * (i % 4 + 1):02d}" for i in range(n)]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- where the time goes ---------------------------------------------------------------------------

def time_breakdown(data: Path, out: Path, full: Measured) -> list[str]:
    """From the CLI's own summary and the Dagster instance it keeps: start-up, runs and steps."""
    lines = [f"- wall {full.wall:.1f} s; the CLI's summary: \"{summary_line(full.stdout)}\""]
    try:
        import warnings

        warnings.filterwarnings("ignore")
        from dagster import DagsterInstance

        from engagement_pipeline.settings import Settings

        home = Settings.from_env(data, out).dagster_home
        steps: dict[str, float] = {}
        in_runs = 0.0
        with DagsterInstance.from_config(str(home)) as instance:
            runs = instance.get_runs()
            for run in runs:
                stats = instance.get_run_stats(run.run_id)
                if stats.start_time and stats.end_time:
                    in_runs += stats.end_time - stats.start_time
                for step in instance.get_run_step_stats(run.run_id):
                    if step.start_time and step.end_time:
                        steps[step.step_key] = steps.get(step.step_key, 0.0) + step.end_time - step.start_time
        waves = max(len(runs), 1)
        lines.append(f"- {len(runs)} Dagster run(s), {in_runs:.1f} s from start to end of each, summed "
                     f"({in_runs / waves:.2f} s per run)")
        match = re.search(r" in ([0-9.]+) s", summary_line(full.stdout))
        if match:
            inside = float(match.group(1))
            before = (f"- {full.wall - inside:.1f} s before the CLI's own timer starts (interpreter start-up, "
                      f"imports); {inside:.1f} s inside it")
            if in_runs > inside:  # two processes ran waves side by side: run times overlap
                lines.append(f"{before}, in which the runs' {in_runs:.1f} s overlapped "
                             f"({in_runs / inside:.2f} runs at a time on average, publishing included)")
            else:
                lines.append(f"{before}, {inside - in_runs:.1f} s of it outside any run (planning, importing "
                             "Dagster, opening the instance, building the job, publishing)")
        total = sum(steps.values())
        lines.append(f"- step time summed over the runs: {total:.1f} s in {len(steps)} distinct steps; "
                     f"{in_runs - total:.1f} s of the runs is between steps (Dagster's own bookkeeping and event writes)")
        slowest = sorted(steps.items(), key=lambda kv: -kv[1])[:10]
        lines.append("- slowest steps, summed over the runs: " +
                     ", ".join(f"{key} {seconds:.1f} s ({seconds / waves:.2f}/run)" for key, seconds in slowest))
        checks = sum(s for k, s in steps.items() if "check" in k or "matches" in k)
        lines.append(f"- of which check steps: {checks:.1f} s")
    except Exception as error:  # the breakdown is a nicety: never fail the benchmark for it
        lines.append(f"- step times not available ({type(error).__name__}: {error})")
    return lines


# --- workloads ---------------------------------------------------------------------------------------

def waves_workload(args: argparse.Namespace, root: Path, env: dict[str, str]) -> tuple[list[Row], list[str]]:
    from engagement_pipeline.synthetic import write_wave

    names = quarterly(args.waves + 1)
    data, extra = root / "waves-data", root / "waves-extra"
    progress(f"generating {args.waves} waves of {args.respondents:,} (+1 for the new-wave run)")
    for i, wave in enumerate(names[:-1]):
        write_wave(data, wave, args.respondents, args.seed + i)
    write_wave(extra, names[-1], args.respondents, args.seed + args.waves)
    # write_wave writes the codebook; the instrument (display names) is copied as the bundled data has it
    shutil.copy2(BUNDLED / "raw" / "instrument.yaml", data / "raw" / "instrument.yaml")
    new_wave = data / "raw" / "waves" / names[-1]
    label = f"{args.waves} waves × {args.respondents:,}"
    recompute = "baseline recomputes all {} waves (it has no incremental mode)"
    full = Row(f"{label}, full run", "≤ 5×", notes=[recompute.format(args.waves)])
    again = Row("same, nothing changed, run again", "≤ 1.5×", notes=[recompute.format(args.waves)])
    plus = Row("same + one new wave", "≤ 2.5×", notes=[recompute.format(args.waves + 1)])
    breakdown: list[str] = []
    for r in range(args.runs):
        out = root / f"waves-out{r}"
        progress(f"{label}: run {r + 1}/{args.runs}: full")
        full.pipeline.append(pipeline(data, out, env, root))
        full.baseline.append(baseline(data, env, root))
        if r == 0:
            breakdown = time_breakdown(data, out, full.pipeline[0])
        progress(f"{label}: run {r + 1}/{args.runs}: nothing changed")
        again.pipeline.append(pipeline(data, out, env, root))
        again.baseline.append(baseline(data, env, root))
        progress(f"{label}: run {r + 1}/{args.runs}: one new wave")
        shutil.copytree(extra / "raw" / "waves" / names[-1], new_wave)
        plus.pipeline.append(pipeline(data, out, env, root))
        plus.baseline.append(baseline(data, env, root))
        shutil.rmtree(new_wave)
        shutil.rmtree(out)
    for row, expected in ((again, 0), (plus, 1)):
        row.notes.append(f"pipeline said: \"{summary_line(row.pipeline[0].stdout)}\"")
        for r, measured in enumerate(row.pipeline):
            reasons = measured.reasons()
            if len(reasons) != expected:
                why = sorted(set(reasons.values()))
                row.notes.append(f"**run {r + 1} re-ran {len(reasons)} wave(s), expected {expected}: "
                                 f"{'; '.join(why)[:200]}**")
    return [full, again, plus], breakdown


def large_workload(args: argparse.Namespace, root: Path, env: dict[str, str]) -> Row:
    data = root / "large-data"
    progress(f"generating one wave of {args.large:,}")
    csv = bench.generate(data, args.large, args.seed)
    row = Row(f"one {args.large:,}-respondent wave", "≤ 0.6× the script, ≤ 6× bare DuckDB, ≤ 1.5 GB",
              notes=[f"CSV {csv.stat().st_size / 1e6:,.0f} MB; bare DuckDB runs in this process (no start-up)"])
    for r in range(args.runs):
        progress(f"large wave: run {r + 1}/{args.runs}")
        out = root / f"large-out{r}"
        row.pipeline.append(pipeline(data, out, env, root))
        row.baseline.append(baseline(data, env, root))
        row.duckdb.append(bench.duckdb_baseline(csv))
        shutil.rmtree(out)
    return row


def bundled_workload(args: argparse.Namespace, root: Path, env: dict[str, str]) -> Row:
    sizes = []
    for csv in sorted((BUNDLED / "raw" / "waves").glob("*/survey_responses.csv")):
        with csv.open(encoding="utf-8") as f:
            sizes.append(sum(1 for _ in f) - 1)
    row = Row(f"bundled data ({len(sizes)} waves of {'–'.join(str(n) for n in sorted(sizes))}), the README's run",
              "≤ 2.5×")
    for r in range(args.runs):
        progress(f"bundled data: run {r + 1}/{args.runs}")
        out = root / f"bundled-out{r}"
        row.pipeline.append(pipeline(BUNDLED, out, env, root))
        row.baseline.append(baseline(BUNDLED, env, root))
        shutil.rmtree(out)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="repetitions per workload; medians are printed (3)")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, default=list(WORKLOADS), metavar="WORKLOAD",
                        help=f"run only these workloads ({', '.join(WORKLOADS)})")
    parser.add_argument("--waves", type=int, default=20, help="waves of the multi-wave workload (20)")
    parser.add_argument("--respondents", type=int, default=2000, help="respondents per wave there (2,000)")
    parser.add_argument("--large", type=int, default=1_000_000, help="respondents of the large wave (1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.waves < 1 or args.respondents < 1 or args.large < 1:
        parser.error("--runs, --waves, --respondents and --large must be at least 1")

    print(f"machine: {bench.machine()}; load average at start {os.getloadavg()[0]:.1f}", flush=True)
    rows: list[Row] = []
    breakdown: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-trust-") as tmp:
        root = Path(tmp)
        code = snapshot_code(root)
        env = clean_env(root, code)
        from engagement_pipeline.version import pipeline_version

        print(f"pipeline: a snapshot of engagement_pipeline/ taken at start, version {pipeline_version()}", flush=True)
        if "waves" in args.only:
            waves_rows, breakdown = waves_workload(args, root, env)
            rows += waves_rows
        if "large" in args.only:
            rows.append(large_workload(args, root, env))
        if "bundled" in args.only:
            rows.append(bundled_workload(args, root, env))

    print(f"\nmedians of {args.runs} run(s) each; every figure a fresh process; peak RSS is pipeline / baseline, "
          f"the largest over the runs; load average at end {os.getloadavg()[0]:.1f}\n")
    print("| workload | pipeline s (median) | baseline s (median) | × baseline | peak RSS MB | notes |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    if breakdown:
        print(f"\nWhere the pipeline's time goes in the {args.waves}-wave full run (first repetition):")
        print("\n".join(breakdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
