"""End to end with the real dagster-daemon: drop a wave folder, nothing else, and it is published.

Bounded: the daemon is given a few minutes and then killed with its whole process group. The
test is skipped (saying why) only when the daemon cannot start at all.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from .conftest import BUNDLED_DATA

DEADLINE_SECONDS = 300


def _published_waves(warehouse: Path) -> list[str]:
    if not warehouse.exists():
        return []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return [w for (w,) in con.execute("SELECT wave FROM waves ORDER BY wave").fetchall()]
    except duckdb.Error:
        return []


def test_dropping_a_wave_folder_is_all_it_takes(tmp_path):
    daemon = Path(sys.executable).with_name("dagster-daemon")
    if not daemon.exists():
        pytest.skip("dagster-daemon is not installed beside this Python")
    home, data, out = tmp_path / "home", tmp_path / "data", tmp_path / "outputs"
    home.mkdir()
    (data / "raw" / "waves").mkdir(parents=True)
    for name in ("codebook.csv", "instrument.yaml"):
        shutil.copy(BUNDLED_DATA / "raw" / name, data / "raw" / name)
    env = {**os.environ, "DAGSTER_HOME": str(home), "ENGAGEMENT_DATA_DIR": str(data), "ENGAGEMENT_OUTPUT_DIR": str(out),
           "ENGAGEMENT_SENSOR_INTERVAL_SECONDS": "3"}
    log = (tmp_path / "daemon.log").open("w")
    proc = subprocess.Popen([str(daemon), "run", "-m", "engagement_pipeline.definitions"], cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        dropped = time.monotonic()  # no warm-up wait: the loop below polls until published (or the deadline)
        shutil.copytree(BUNDLED_DATA / "raw" / "waves" / "2019-03", data / "raw" / "waves" / "2019-03")
        while time.monotonic() - dropped < DEADLINE_SECONDS:
            if _published_waves(out / "engagement.duckdb") == ["2019-03"]:
                break
            assert proc.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(0.5)  # a poll interval, not a wait for something to happen
        elapsed = time.monotonic() - dropped
        assert _published_waves(out / "engagement.duckdb") == ["2019-03"], (tmp_path / "daemon.log").read_text()[-3000:]
        assert (out / "reports" / "2019-03" / "findings.md").exists()
        print(f"\nwave folder dropped -> published by the daemon in {elapsed:.1f} s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        log.close()
