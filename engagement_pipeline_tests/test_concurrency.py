"""Two overlapping runs and a reader attached throughout: the second run waits for the first's
lock, nobody fails, nothing is corrupted. The overlap is made, not hoped for: the first run is
held at a point of its own progress while the second starts."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time

import duckdb

from .conftest import REPO

READER = """
import sys, time, duckdb
path, stop = sys.argv[1], sys.argv[2]
import os
seen, errors = set(), []
while not os.path.exists(stop):
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


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _wait_for_line(lines: queue.Queue, text: str, limit: float = 300.0) -> list[str]:
    """Lines read until one contains ``text``; ``limit`` only bounds a hang."""
    seen, deadline = [], time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError(f"the run ended without saying {text!r}: {''.join(seen)[-2000:]}")
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"no line with {text!r} within {limit} s")


def _wait_for_file(path, limit: float = 300.0) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def test_overlapping_runs_wait_for_each_other_with_a_reader_attached(workspace, tmp_path):
    assert workspace.run() == 0  # something to read from the start
    args = ["run", "--data-dir", str(workspace.data), "--output-dir", str(workspace.outputs), "-v", "--all"]
    marker, stop = tmp_path / "first-holds-the-lock", tmp_path / "stop-reading"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(workspace.warehouse), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    held = duckdb.connect(str(workspace.warehouse), read_only=True)  # an analyst who never disconnects
    try:
        first = subprocess.Popen([sys.executable, "-m", "engagement_pipeline_tests.kill_points", "survey_staged",
                                  str(marker), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 cwd=REPO)
        _wait_for_file(marker)  # the first run holds the store's lock, half-way through a wave
        second = subprocess.Popen([sys.executable, "-m", "engagement_pipeline.cli", *args],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(second.stderr, lines), daemon=True).start()
        # the CLI's wave runs stage only: the second waits for the first wave's staging lock
        _wait_for_line(lines, "wave 2019-03's staging is busy: waiting for another run to release it")
        assert second.poll() is None  # it waits; it neither fails nor writes
        marker.with_name(marker.name + ".go").touch()  # let the first run finish
        first_out = first.communicate(timeout=600)
        rest = _wait_for_line(lines, "waited ")
        assert second.wait(timeout=600) == 0, "".join(rest)
        assert first.returncode == 0, first_out
        assert held.execute("SELECT count(*) FROM responses").fetchone()[0] == 116
    finally:
        held.close()
        stop.touch()
    out, _ = reader.communicate(timeout=120)
    seen, n_errors, errors = out.strip().splitlines()
    assert n_errors == "0", errors
    assert seen == "['2019-03', '2020-03']"
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM responses").fetchone()[0] == 116
        assert con.execute("SELECT count(*) FROM load_log").fetchone()[0] == 6  # survey, interviews, codebook
