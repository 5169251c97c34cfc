"""Withdrawing a wave (``engagement-pipeline drop-wave``): gone from every table, its report and
the trends in one publish; a reader never sees half of it; ``run`` warns about a vanished folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import duckdb

from engagement_pipeline.cli import main
from engagement_pipeline.warehouse.registry import TABLES

DROPPED = "2020-03"

COUNT_EVERY_TABLE = " UNION ALL ".join(
    f"SELECT '{t}' AS t, count(*) FILTER (WHERE wave = '{DROPPED}') AS n FROM {t}" for t in TABLES)

READER = f"""
import os, sys, duckdb
path, stop = sys.argv[1], sys.argv[2]
states = set()
while not os.path.exists(stop):
    try:
        with duckdb.connect(path, read_only=True) as con:
            counts = dict(con.execute({COUNT_EVERY_TABLE!r}).fetchall())
    except duckdb.Error as exc:
        print("error", exc); continue
    state = ("with" if counts["responses"] and counts["waves"] and counts["findings"] else
             "without" if not any(counts.values()) else "half: " + repr(counts))
    if state in ("with", "without") and state not in states:
        open(stop + "." + state, "w").close()  # tell the test what has been seen
    states.add(state)
print(sorted(states))
"""


def _wait_for(path, limit: float = 300.0) -> None:
    deadline = time.monotonic() + limit  # only bounds a hang
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def _run(workspace) -> int:
    return workspace.run()


def test_drop_wave_withdraws_the_wave_everywhere_and_a_reader_sees_it_whole_or_gone(workspace, tmp_path, capsys):
    assert _run(workspace) == 0
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(workspace.warehouse), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        _wait_for(stop.with_name("stop.with"))  # the reader has seen the wave published
        shutil.rmtree(workspace.wave(DROPPED))
        assert main(["drop-wave", DROPPED, "--data-dir", str(workspace.data),
                     "--output-dir", str(workspace.outputs)]) == 0
        _wait_for(stop.with_name("stop.without"))  # ... and then withdrawn
    finally:
        stop.touch()
    states = reader.communicate(timeout=120)[0].strip()
    assert states == "['with', 'without']", states  # never an error, never half a wave
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        assert dict(con.execute(COUNT_EVERY_TABLE).fetchall()) == dict.fromkeys(TABLES, 0)
        assert [w for (w,) in con.execute("SELECT wave FROM waves").fetchall()] == ["2019-03"]
    reports = workspace.outputs / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["2019-03"]  # its report and the two-wave trends gone
    assert f"wave {DROPPED} withdrawn" in capsys.readouterr().out


def test_run_warns_about_a_published_wave_whose_folder_is_gone(workspace, capsys):
    assert _run(workspace) == 0
    shutil.rmtree(workspace.wave(DROPPED))
    capsys.readouterr()
    assert _run(workspace) == 0
    err = capsys.readouterr().err
    assert (f"wave {DROPPED} is published but its folder is gone from {workspace.data / 'raw' / 'waves'}: it stays "
            f"in the warehouse, reports and trends until you run: engagement-pipeline drop-wave {DROPPED}") in err


def test_dropping_a_wave_that_is_not_published_is_a_usage_error(workspace, capsys):
    assert _run(workspace) == 0
    assert main(["drop-wave", "2031-01", "--data-dir", str(workspace.data),
                 "--output-dir", str(workspace.outputs)]) == 2
    assert "wave '2031-01' is not in the warehouse" in capsys.readouterr().err
