"""Two overlapping runs and a reader attached throughout: nobody fails, nothing is corrupted."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb

READER = """
import sys, time, duckdb
path, seconds = sys.argv[1], float(sys.argv[2])
seen, errors = set(), []
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        with duckdb.connect(path, read_only=True) as con:
            for wave, n, expected in con.execute(
                "SELECT r.wave, count(*), any_value(w.n_respondents) FROM responses r JOIN waves w USING (wave) "
                "GROUP BY r.wave").fetchall():
                if n != expected:
                    errors.append(f"half a wave: {wave} {n} != {expected}")
                seen.add(wave)
    except duckdb.Error as exc:
        errors.append(type(exc).__name__ + ": " + str(exc)[:200])
    time.sleep(0.05)
print(sorted(seen)); print(len(errors)); print(errors[:3])
"""


def test_overlapping_runs_with_a_reader_attached(workspace):
    assert workspace.run() == 0  # something to read from the start
    env = {**os.environ}
    command = [sys.executable, "-m", "engagement_pipeline.cli", "run", "--data-dir", str(workspace.data),
               "--output-dir", str(workspace.outputs)]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(workspace.warehouse), "40"],
                              stdout=subprocess.PIPE, text=True, env=env)
    held = duckdb.connect(str(workspace.warehouse), read_only=True)  # an analyst who never disconnects
    try:
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        time.sleep(2)
        second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        outputs = [p.communicate(timeout=300) for p in (first, second)]
        assert [p.returncode for p in (first, second)] == [0, 0], outputs
        assert held.execute("SELECT count(*) FROM responses").fetchone()[0] == 116
    finally:
        held.close()
    out, _ = reader.communicate(timeout=120)
    seen, n_errors, errors = out.strip().splitlines()
    assert n_errors == "0", errors
    assert seen == "['2019-03', '2020-03']"
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 116
        assert con.execute("SELECT count(*) FROM load_log").fetchone()[0] == 4
