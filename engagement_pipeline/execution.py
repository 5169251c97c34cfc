"""Executing the wave job for the command line, and explaining its failures plainly.

The CLI runs the same ``wave_job`` the UI shows, from the same Definitions, one run per wave
partition, on the persistent instance (DAGSTER_HOME, else one under the output root). Its fixed
costs are paid once per invocation, not per wave: each wave's run only stages its wave (its own
staging file, no store lock), and every wave that passed is then promoted and published together
— one warehouse copy, the trends drawn once, each report swapped in — and recorded in the
instance as the publish assets' materialisations. A wave that fails publishes nothing of itself;
a killed invocation publishes nothing at all.

Because a wave's run touches nothing but its own staging, two or more waves are run two at a
time (``Settings.workers``, ``wave_worker.PARALLEL_FROM``): the CLI runs waves itself while one
worker process (``wave_worker``), started before the CLI imports Dagster, runs others from the
same list.
"""

import os
import sqlite3
import sys
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from dataclasses import dataclass, field

from dagster import AssetMaterialization, DagsterInstance, ExecuteInProcessResult

from .defs.assets_analysis import trend_report
from .defs.assets_publish import warehouse
from .defs.build import build_definitions
from .defs.jobs import WAVE_JOB
from .defs.partitions import waves_partitions
from .instance import instance_for_cli
from .settings import Settings
from .startup import collector_paused

#: The assets the CLI's wave runs leave out: it publishes every passing wave once, at the end.
PUBLISH_ASSETS = (trend_report.key, warehouse.key)


@dataclass
class WaveOutcome:
    wave: str
    success: bool
    problems: list[str] = field(default_factory=list)
    run_id: str = ""


def failure_messages(result: ExecuteInProcessResult) -> list[str]:
    """Plain descriptions of what failed in a run: contract errors and failed blocking checks."""
    messages: list[str] = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                messages.append(data.user_failure_data.description)
            elif data.error and "DagsterAssetCheckFailedError" not in (data.error.cls_name or ""):
                cause = data.error.cause or data.error
                messages.append(f"step {event.step_key} failed: {cause.message.strip()}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            text = evaluation.description or "failed"
            messages.append(f"check {evaluation.asset_key.to_user_string()}:{evaluation.check_name}: {text}")
    return messages or ["the run failed (see the Dagster event log)"]


@contextmanager
def _sqlite_kept_open(instance: DagsterInstance) -> Iterator[None]:
    """Hold one idle connection to each of the instance's shared SQLite files while the waves run.

    Dagster's SQLite storage opens and closes a connection for every write. When the last
    connection to a WAL-mode database closes, SQLite checkpoints the log and deletes it; with one
    more connection held open that teardown happens once, at the end, instead of after every event
    (it halved the time spent storing events in a profile of the bundled run). A held connection
    reads the schema once, to open the file, and then holds no transaction and no lock.
    """
    root = instance.root_directory if instance.is_persistent else None
    with ExitStack() as held:
        for name in ("history/runs.db", "history/runs/index.db"):
            path = Path(root, name) if root else None
            if path is not None and path.is_file():
                connection = held.enter_context(closing(sqlite3.connect(path)))
                connection.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the file and its WAL
        yield


def _run_wave(instance: DagsterInstance, job, selection, wave: str, log_level: str) -> WaveOutcome:
    result = job.execute_in_process(
        partition_key=wave, instance=instance, raise_on_error=False, asset_selection=selection,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    return WaveOutcome(wave, result.success, [] if result.success else failure_messages(result), result.run_id)


def _wave_job(settings: Settings):
    """The wave job for the CLI's runs (staging only) and the asset selection that leaves out publishing.

    The job lives as long as the process: it is built with the collector paused and then frozen,
    with everything imported, out of the collector's way (statsmodels calls gc.collect() in its
    multiple-testing step, five times per wave)."""
    with collector_paused():
        definitions = build_definitions(settings, staging_only=True)
        selection = [key for key in definitions.resolve_all_asset_keys() if key not in PUBLISH_ASSETS]
        return definitions.resolve_job_def(WAVE_JOB), selection


#: A worker process's job and, from its first wave on, its instance.
_WORKER: dict[str, object] = {}


def prepare_worker(settings: Settings, instance: DagsterInstance) -> None:
    """In a worker process (``wave_worker.start``), ahead of its first wave: build the wave job for
    runs on ``instance`` (the CLI's, opened with ``instance.instance_for_cli``)."""
    _WORKER["job"], _WORKER["selection"] = _wave_job(settings)
    _WORKER["instance"] = instance


def run_wave_in_worker(settings: Settings, wave: str, log_level: str) -> WaveOutcome:
    """One wave's run in a worker process, on the same instance as the CLI's own runs."""
    if "instance" not in _WORKER:  # the warm-up failed: try again, and let the error be this wave's
        prepare_worker(settings, instance_for_cli(settings, [wave]))
    return _run_wave(_WORKER["instance"], _WORKER["job"], _WORKER["selection"], wave, log_level)


def run_waves(settings: Settings, instance: DagsterInstance, waves: list[str], log_level: str = "WARNING",
              worker: ProcessPoolExecutor | None = None) -> list[WaveOutcome]:
    """Run each of ``waves`` (see ``planning.plan_run``) up to its checks, then publish every wave
    that passed in one step (``publishing.publish_waves``). Outcomes come in the order of ``waves``.
    ``instance`` must know the waves as partitions (``instance_for_cli(settings, waves)``).

    With a ``worker`` (``wave_worker.start``), this process runs waves from the front of the list
    and the worker from the back, until none is left."""
    with ExitStack() as locks:
        for wave in sorted(waves):  # held until the waves are published: see StoreResource
            locks.enter_context(_staging_lock(settings, wave))
        return _run_waves(settings, instance, waves, log_level, worker)


@contextmanager
def _staging_lock(settings: Settings, wave: str) -> Iterator[None]:
    from .warehouse.lock import WriterLock
    from .warehouse.store import staging_lock_path

    lock = WriterLock(staging_lock_path(settings.store_path, wave))
    busy = f"wave {wave}'s staging"
    waited = lock.acquire(on_wait=lambda: print(f"{busy} is busy: waiting for another run to release it",
                                                file=sys.stderr, flush=True))
    if waited:
        print(f"waited {waited:.1f} s for another run to release {busy}", file=sys.stderr, flush=True)
    try:
        yield
    finally:
        lock.release()


def _run_waves(settings: Settings, instance: DagsterInstance, waves: list[str], log_level: str,
               worker: ProcessPoolExecutor | None) -> list[WaveOutcome]:
    pending, taken, outcomes = deque(waves), threading.Lock(), {}

    def next_wave(from_front: bool) -> str | None:
        with taken:
            return (pending.popleft() if from_front else pending.pop()) if pending else None

    def feed(pool: ProcessPoolExecutor) -> None:
        while (wave := next_wave(from_front=False)) is not None:
            try:
                outcomes[wave] = pool.submit(run_wave_in_worker, settings, wave, log_level).result()
            except BrokenProcessPool:
                # The worker is gone: this wave failed with it; the waves not yet given to it stay
                # in the list, for this process to run.
                outcomes[wave] = WaveOutcome(wave, False, ["the worker process running this wave stopped"])
                return
            except Exception as error:  # the run could not even start there: say so, as for a failed run
                outcomes[wave] = WaveOutcome(wave, False, [f"the worker process could not run it: {error}"])

    helper = None
    if worker is not None and len(waves) > 1 and instance.is_persistent:
        # Fed from now on: the worker has been building its job and opening the instance meanwhile.
        helper = threading.Thread(target=feed, args=(worker,), name="wave-worker-feed", daemon=True)
        helper.start()
    try:
        job, selection = _wave_job(settings)
        with _sqlite_kept_open(instance):
            while (wave := next_wave(from_front=True)) is not None:
                outcomes[wave] = _run_wave(instance, job, selection, wave, log_level)
            if helper is not None:
                helper.join()
                worker.shutdown(wait=False)  # no waves left for it: it exits while this process publishes
            ordered = [outcomes[wave] for wave in waves]
            passed = [o for o in ordered if o.success]
            if passed:
                _publish(settings, instance, passed)
    finally:
        if helper is not None and helper.is_alive():
            # Leaving early (an error here, Ctrl-C): give the worker nothing more, and wait for the
            # wave it is running, so that the caller releases no staging lock the worker still needs.
            with taken:
                pending.clear()
            helper.join()
    return ordered


def _publish(settings: Settings, instance: DagsterInstance, passed: list[WaveOutcome]) -> None:
    """Publish the waves that passed, under the writer lock, and record it for the UI."""
    import duckdb

    from .defs.assets_publish import warehouse_metadata
    from .publishing import publish_waves
    from .warehouse.lock import WriterLock
    from .version import pipeline_version
    from .warehouse.store import prepare_store

    waves = [o.wave for o in passed]
    with WriterLock(settings.store_path.with_suffix(".lock")):  # the caller holds the waves' staging locks
        with duckdb.connect(str(settings.store_path)) as con:
            prepare_store(con)
            counts = publish_waves(settings, con, waves)
    note = f"published by the CLI with {len(waves)} wave(s) of the same invocation: {', '.join(waves)}"
    for outcome in passed:
        # The code-version tag a run would have put on them, so the UI judges them as it judges the rest.
        tags = {"engagement/run_id": outcome.run_id, "dagster/code_version": pipeline_version()}
        instance.report_runless_asset_event(AssetMaterialization(
            warehouse.key, partition=outcome.wave, tags=tags,
            metadata={**warehouse_metadata(settings, counts), "published": note}))
        instance.report_runless_asset_event(AssetMaterialization(
            trend_report.key, partition=outcome.wave, tags=tags, metadata={"published": note}))


def drop_wave(settings: Settings, instance: DagsterInstance, wave: str) -> dict[str, int]:
    """Withdraw ``wave`` from the warehouse, its report and the trends, and its Dagster partition.

    Under the store's writer lock: the wave's rows leave every table in one transaction, the
    warehouse is published atomically as a run publishes it, the wave's report folder is removed,
    and the trends are redrawn from the waves that remain (withdrawn when fewer than two remain).
    """
    import shutil

    import duckdb

    from .publishing import redraw_trends
    from .warehouse.lock import WriterLock
    from .warehouse.publish import publish, publish_folder
    from .warehouse.store import attach_staging, prepare_store, staging_lock_path
    from .warehouse.withdraw import published_waves, withdraw_wave

    with WriterLock(staging_lock_path(settings.store_path, wave)), \
            WriterLock(settings.store_path.with_suffix(".lock")):
        with duckdb.connect(str(settings.store_path)) as con:
            prepare_store(con)
            attach_staging(con, wave)
            if wave not in published_waves(con):
                raise ValueError(f"wave {wave!r} is not in the warehouse")
            removed = withdraw_wave(con, wave)
            publish(con, settings.warehouse_path)
            charts = redraw_trends(settings, con)
        trends = settings.staged_reports_dir / "trends"
        for folder in (settings.reports_dir / wave, *([] if charts else [settings.reports_dir / "trends"])):
            if folder.exists():
                gone = folder.with_name(f".{folder.name}.withdrawn.publishing")
                shutil.rmtree(gone, ignore_errors=True)
                os.replace(folder, gone)  # one rename: readers see the folder or nothing
                shutil.rmtree(gone, ignore_errors=True)
        if charts:
            publish_folder(trends, settings.reports_dir / "trends")
    if wave in instance.get_dynamic_partitions(waves_partitions.name):
        instance.delete_dynamic_partition(waves_partitions.name, wave)
    return removed
