"""Run the CLI with one point of the run turned into a halt: when the run reaches it, a marker file
is written and the process waits — to be killed, or until a ``<marker>.go`` file appears. Lets the
fault and concurrency tests act at a point taken from the run's own progress, whatever the
machine's speed.

Usage: python -m engagement_pipeline_tests.kill_points <point> <marker-file> <cli args...>
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

#: point -> (module, attribute, when): halt before or after that function runs.
POINTS = {
    "lock_taken": ("engagement_pipeline.warehouse.lock.WriterLock", "acquire", "after"),
    "survey_staged": ("engagement_pipeline.defs.assets_ingest", "stage_file", "after"),
    "analysis_staged": ("engagement_pipeline.defs.assets_analysis", "write_wave_report", "before"),
    "wave_promoted": ("engagement_pipeline.publishing", "publish", "before"),
    "warehouse_copied": ("engagement_pipeline.warehouse.publish", "_fsync", "before"),
    "warehouse_renamed": ("engagement_pipeline.publishing", "publish_folder", "before"),
    # after the first wave's run has passed, before any other wave runs or anything is published
    "first_wave_done": ("engagement_pipeline.execution", "WaveOutcome", "after"),
}


def _owner(path: str):
    module, _, name = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module), name)


def install(point: str, marker: Path) -> None:
    owner_path, attribute, when = POINTS[point]
    owner = _owner(owner_path)
    real = getattr(owner, attribute)

    def halt() -> None:
        marker.write_text(point, encoding="utf-8")
        resume = marker.with_name(marker.name + ".go")
        while not resume.exists():  # until the test kills the process or lets it go on
            time.sleep(0.05)

    def wrapped(*args, **kwargs):
        if when == "before":
            halt()
        result = real(*args, **kwargs)
        halt()
        return result

    setattr(owner, attribute, wrapped)


def main() -> int:
    point, marker, *cli_args = sys.argv[1:]
    install(point, Path(marker))
    from engagement_pipeline.cli import main as cli_main

    return cli_main(cli_args)


if __name__ == "__main__":
    sys.exit(main())
