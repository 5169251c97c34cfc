"""Benchmark: loading a survey tool's export against the same wave as a canonical CSV.

    python benchmarks/survey_tools.py                    # 100,000 respondents, 5 runs per layout
    python benchmarks/survey_tools.py --respondents 20000 --runs 3

One synthetic wave is written in every layout (canonical CSV, Microsoft Forms .xlsx, SurveyMonkey
CSV, Qualtrics CSV) from the same answers. Each load — read the file (``read_survey``), validate,
type, pseudonymise and scrub (``load_survey``), as the ingest step does — runs in a fresh process,
alternating layouts, and the medians are reported with peak memory and the ratio to canonical.
The target (docs/performance.md): a Qualtrics export loads in under 2x the canonical time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WAVE = "2040-02"
LAYOUTS = ("canonical", "qualtrics", "surveymonkey", "ms_forms")

_LOAD = """
import json, sys, time
from pathlib import Path
from engagement_pipeline.ingest.survey import load_survey
from engagement_pipeline.ingest.survey_tools import read_survey
path, wave = Path(sys.argv[1]), sys.argv[2]
instrument = path.parent / "instrument.yaml"
started = time.perf_counter()
export = read_survey(path, wave, instrument if instrument.exists() else None)
read = time.perf_counter() - started
_, loaded = load_survey(export.table, wave, b"benchmark-key", export.kind, export.set_aside, export.rows_read)
total = time.perf_counter() - started
# VmHWM is this process's own peak (ru_maxrss would carry the parent's over the exec).
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"read": read, "total": total, "rows": loaded.rows_loaded, "peak_mb": hwm / 1024}))
"""


def write_layouts(root: Path, n: int, seed: int) -> dict[str, Path]:
    from engagement_pipeline.synthetic import generate_survey
    from engagement_pipeline.synthetic_exports import write_export

    survey = generate_survey(n, seed)
    return {kind: write_export(survey, kind, root / kind, WAVE, seed) for kind in LAYOUTS}


def load_once(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _LOAD, str(path), WAVE], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), choices=LAYOUTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_layouts(Path(tmp), args.respondents, args.seed)
        results: dict[str, list[dict[str, float]]] = {kind: [] for kind in args.layouts}
        for _ in range(args.runs):
            for kind in args.layouts:  # alternating, so a slow spell of the machine hits every layout
                results[kind].append(load_once(paths[kind]))
        sizes = {kind: paths[kind].stat().st_size / 1e6 for kind in args.layouts}
    base = statistics.median(r["total"] for r in results["canonical"]) if "canonical" in results else None
    print(f"{args.respondents:,} respondents, median of {args.runs} fresh-process loads per layout\n")
    print("| layout | file MB | read s | read + validate s | x canonical | peak MB | rows loaded |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.layouts:
        runs = results[kind]
        total = statistics.median(r["total"] for r in runs)
        ratio = f"{total / base:.2f}" if base else "-"
        print(f"| {kind} | {sizes[kind]:.1f} | {statistics.median(r['read'] for r in runs):.2f} | {total:.2f} | "
              f"{ratio} | {max(r['peak_mb'] for r in runs):.0f} | {int(runs[0]['rows']):,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
