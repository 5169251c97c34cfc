"""Two or more waves run two at a time: the CLI runs waves from the front of its list while one
worker process runs waves from the back. What is published must be exactly what one-at-a-time
publishes, a wave failing in the worker must publish nothing of itself while the others publish,
and both processes' runs must be the instance's runs (the UI shows them all)."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest
from dagster import DagsterInstance

from engagement_pipeline.settings import Settings
from engagement_pipeline.synthetic import write_wave

WAVES = ("2031-03", "2031-06", "2031-09", "2031-12")
BROKEN = WAVES[-1]  # the back of the list: the worker's first wave


def _published(warehouse) -> dict[str, list[tuple]]:
    """Every table's rows, without the columns that record when a run happened."""
    tables: dict[str, list[tuple]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
            columns = [name for name, kind in con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [table]).fetchall() if not kind.startswith("TIMESTAMP")]
            select = ", ".join(f'"{c}"' for c in columns)
            tables[table] = con.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall()
    return tables


def _run(data, outputs, workers: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["ENGAGEMENT_WORKERS"] = str(workers)
    return subprocess.run([sys.executable, "-m", "engagement_pipeline.cli", "run", "--data-dir", str(data),
                           "--output-dir", str(outputs)], capture_output=True, text=True, timeout=1200, env=env)


def _run_pids(outputs) -> set[int]:
    """The processes the instance's runs executed in (from their events)."""
    home = Settings.from_env(outputs, outputs).dagster_home
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert len(runs) == len(WAVES)
        return {entry.dagster_event.pid for run in runs for entry in instance.all_logs(run.run_id)
                if entry.dagster_event is not None and entry.dagster_event.pid is not None}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the CLI runs one wave at a time")
def test_two_at_a_time_publishes_what_one_at_a_time_does_and_isolates_a_failing_wave(tmp_path):
    data = tmp_path / "data"
    for seed, wave in enumerate(WAVES):
        write_wave(data, wave, 40, seed=seed)
    survey = data / "raw" / "waves" / BROKEN / "survey_responses.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    drop = lines[0].split(",").index("uses_twitter")
    survey.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines)
                      + "\n", encoding="utf-8")

    one, two = tmp_path / "one", tmp_path / "two"
    done = {workers: _run(data, outputs, workers) for workers, outputs in ((1, one), (2, two))}
    for workers, result in done.items():
        assert result.returncode == 1, (workers, result.stderr)
        assert f"wave {BROKEN} FAILED" in result.stderr and "uses_twitter" in result.stderr, result.stderr
        assert "3 of 4 waves published" in result.stdout, result.stdout

    published = _published(two / "engagement.duckdb")
    assert published == _published(one / "engagement.duckdb")
    assert sorted(wave for (wave, *_) in published["waves"]) == list(WAVES[:-1])
    assert sorted(p.name for p in (two / "reports").iterdir() if not p.name.startswith(".")) == \
        sorted([*WAVES[:-1], "trends"])
    assert len(_run_pids(one)) == 1
    assert len(_run_pids(two)) == 2  # the CLI's own runs and the worker's


@pytest.mark.parametrize(("cores", "setting", "waves", "expected"), [
    (2, 2, 1, 1),   # one wave: nothing to share
    (2, 2, 2, 2),   # the bundled data's two waves already go side by side
    (2, 2, 20, 2),
    (1, 2, 20, 1),  # never more processes than cores
    (8, 1, 20, 1),  # ENGAGEMENT_WORKERS=1 keeps the CLI alone
    (8, 4, 3, 3),   # never more processes than waves
])
def test_how_many_processes_run_the_waves(monkeypatch, tmp_path, cores, setting, waves, expected):
    from dataclasses import replace

    from engagement_pipeline import wave_worker

    monkeypatch.setattr(wave_worker.os, "cpu_count", lambda: cores)
    settings = replace(Settings.from_env(tmp_path, tmp_path), workers=setting)
    assert wave_worker.workers(settings, waves) == expected


class _Instance:
    """What ``execution._run_waves`` asks of a Dagster instance (the runs themselves are replaced)."""

    is_persistent = True

    def __init__(self, root) -> None:
        self.root_directory = str(root)


class _BrokenPool:
    """A worker pool whose process has died: every submission fails at once."""

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def submit(self, fn, settings, wave, log_level):
        from concurrent.futures.process import BrokenProcessPool

        self.submitted.append(wave)
        raise BrokenProcessPool("the worker died")

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def _feed_thread():
    import threading

    return next((t for t in threading.enumerate() if t.name == "wave-worker-feed"), None)


def test_when_the_worker_dies_its_wave_fails_and_the_cli_runs_the_waves_it_never_got(monkeypatch, tmp_path):
    from engagement_pipeline import execution

    ran: list[str] = []

    def run_here(instance, job, selection, wave, log_level):
        feeding = _feed_thread()
        if feeding is not None:
            feeding.join(600)  # let the feed do all it will do before this process takes more waves
        ran.append(wave)
        return execution.WaveOutcome(wave, True, [], "run-" + wave)

    monkeypatch.setattr(execution, "_wave_job", lambda settings: (None, None))
    monkeypatch.setattr(execution, "_run_wave", run_here)
    monkeypatch.setattr(execution, "_publish", lambda settings, instance, passed: None)
    pool = _BrokenPool()
    outcomes = execution._run_waves(Settings.from_env(tmp_path, tmp_path), _Instance(tmp_path),
                                    ["a", "b", "c", "d"], "CRITICAL", pool)
    assert pool.submitted == ["d"]
    assert ran == ["a", "b", "c"]
    assert [(o.wave, o.success) for o in outcomes] == [("a", True), ("b", True), ("c", True), ("d", False)]
    assert "worker process running this wave stopped" in outcomes[-1].problems[0]


def test_an_error_in_the_cli_waits_for_the_workers_running_wave_before_leaving(monkeypatch, tmp_path):
    """The caller releases the waves' staging locks when this returns: the worker must be done with them."""
    import threading
    from concurrent.futures import Future

    from engagement_pipeline import execution

    building, log = threading.Event(), []

    class Pool:
        def submit(self, fn, settings, wave, log_level):
            future = Future()

            def work() -> None:
                building.wait(600)
                log.append(f"worker finished {wave}")
                future.set_result(execution.WaveOutcome(wave, True))

            threading.Thread(target=work).start()
            return future

        def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
            pass

    def broken_job(settings):
        building.set()
        raise RuntimeError("the definitions could not be built")

    monkeypatch.setattr(execution, "_wave_job", broken_job)
    with pytest.raises(RuntimeError, match="definitions"):
        execution._run_waves(Settings.from_env(tmp_path, tmp_path), _Instance(tmp_path), ["a", "b", "c"],
                             "CRITICAL", Pool())
    log.append("left")
    assert log == ["worker finished c", "left"]
    assert _feed_thread() is None
