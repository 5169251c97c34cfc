"""One invocation over several waves publishes once: the waves that pass are promoted and
published together (one warehouse copy, the trends drawn once, each report swapped in), a wave
that fails publishes nothing of itself, and an invocation killed between its waves publishes
nothing at all. The Dagster instance records each published wave's publish assets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import duckdb
from dagster import AssetKey, DagsterInstance

from engagement_pipeline import publishing
from engagement_pipeline.settings import Settings
from engagement_pipeline.synthetic import write_wave

from .conftest import REPO
from .test_faults import _command, _run, _snapshot, _wait_for

FIRST, SECOND = "2031-03", "2031-06"


def _respondents(outputs) -> dict[str, int]:
    with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
        return dict(con.execute("SELECT wave, n_respondents FROM waves ORDER BY wave").fetchall())


def _two_waves_published(tmp_path, n: int = 60):
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    write_wave(data, FIRST, n, seed=1)
    write_wave(data, SECOND, n, seed=2)
    done = _run(data, outputs)
    assert done.returncode == 0, done.stderr
    return data, outputs


def test_a_failing_wave_publishes_nothing_of_itself_while_the_others_publish(tmp_path):
    data, outputs = _two_waves_published(tmp_path)
    before = _snapshot(outputs)
    write_wave(data, FIRST, 90, seed=3)
    write_wave(data, SECOND, 90, seed=4)
    survey = data / "raw" / "waves" / SECOND / "survey_responses.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("uses_twitter")
    survey.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines) + "\n",
                      encoding="utf-8")
    done = _run(data, outputs)
    assert done.returncode == 1
    assert f"wave {SECOND} FAILED" in done.stderr and "uses_twitter" in done.stderr
    assert "1 of 2 waves published" in done.stdout
    assert _respondents(outputs) == {FIRST: 90, SECOND: 60}
    after = _snapshot(outputs)
    unchanged = {k: v for k, v in before.items() if k.startswith(f"{SECOND}/")}
    assert unchanged and {k: after[k] for k in unchanged} == unchanged
    changed = [k for k in before if k.startswith(f"{FIRST}/") and after.get(k) != before[k]]
    assert f"{FIRST}/findings.md" in changed


def test_an_invocation_killed_between_its_waves_publishes_nothing(tmp_path):
    data, outputs = _two_waves_published(tmp_path)
    before = _snapshot(outputs)
    write_wave(data, FIRST, 90, seed=3)
    write_wave(data, SECOND, 90, seed=4)
    marker = tmp_path / "reached"
    proc = subprocess.Popen([sys.executable, "-m", "engagement_pipeline_tests.kill_points", "first_wave_done",
                             str(marker), *_command(data, outputs)[3:]],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=REPO)
    assert _wait_for(marker, proc), "the invocation ended before its first wave's run was done"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert _snapshot(outputs) == before  # the first wave had passed, yet nothing of it is public
    assert _respondents(outputs) == {FIRST: 60, SECOND: 60}
    recovered = _run(data, outputs)
    assert recovered.returncode == 0, recovered.stderr
    assert _respondents(outputs) == {FIRST: 90, SECOND: 90}


def test_one_invocation_copies_the_warehouse_and_draws_the_trends_once(tmp_path, monkeypatch, capsys):
    from engagement_pipeline.cli import main

    data, outputs = tmp_path / "data", tmp_path / "outputs"
    for i, wave in enumerate(("2031-03", "2031-06", "2031-09")):
        write_wave(data, wave, 40, seed=i)
    calls = {"publish": 0, "draw_trends": 0}
    for name in calls:
        real = getattr(publishing, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(publishing, name, counted)
    assert main(["run", "--data-dir", str(data), "--output-dir", str(outputs)]) == 0
    assert calls == {"publish": 1, "draw_trends": 1}
    assert (outputs / "reports" / "trends" / "report.html").is_file()
    assert _respondents(outputs) == {"2031-03": 40, "2031-06": 40, "2031-09": 40}
    # The UI shows every wave's publish assets as materialised, by the invocation that published them.
    with DagsterInstance.from_config(str(Settings.from_env(data, outputs).dagster_home)) as instance:
        for key in ("warehouse", "trend_report"):
            records = instance.fetch_materializations(AssetKey(key), limit=10).records
            partitions = sorted(r.event_log_entry.dagster_event.partition for r in records)
            assert partitions == ["2031-03", "2031-06", "2031-09"], key
