"""Executing the wave job for the command line, and explaining its failures plainly.

The CLI runs the same ``wave_job`` the UI shows, from the same Definitions, one run per wave
partition, on the persistent instance (DAGSTER_HOME, else one under the output root). Its fixed
costs are paid once per invocation, not per wave: each wave's run stops before publishing, and
every wave that passed is then promoted and published together — one warehouse copy, the trends
drawn once, each report swapped in — and recorded in the instance as the publish assets'
materialisations. A wave that fails publishes nothing of itself; a killed invocation publishes
nothing at all.
"""

import gc
import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from dataclasses import dataclass, field

from dagster import AssetMaterialization, DagsterInstance, ExecuteInProcessResult

from .defs.assets_analysis import trend_report
from .defs.assets_publish import warehouse
from .defs.build import build_definitions
from .defs.jobs import WAVE_JOB
from .defs.partitions import waves_partitions
from .settings import Settings

#: The assets the CLI's wave runs leave out: it publishes every passing wave once, at the end.
PUBLISH_ASSETS = (trend_report.key, warehouse.key)


@dataclass
class WaveOutcome:
    wave: str
    success: bool
    problems: list[str] = field(default_factory=list)
    run_id: str = ""


#: A new instance folder's dagster.yaml: the project's deployment settings (one writer at a time,
#: no telemetry banner), copied from deploy/dagster.yaml's content.
_INSTANCE_YAML = """# Made by engagement-pipeline for its default Dagster instance (see deploy/dagster.yaml).
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    tag_concurrency_limits:
      - key: "engagement/store"
        limit: 1
telemetry:
  enabled: false
"""


def instance_home(settings: Settings) -> Path:
    """Where the CLI and ``engagement-pipeline ui`` keep Dagster's runs: DAGSTER_HOME if set, else
    a folder under the output root, so every CLI run shows in the UI with no extra step."""
    explicit = os.environ.get("DAGSTER_HOME")
    home = Path(explicit) if explicit else settings.dagster_home
    if not explicit:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text(_INSTANCE_YAML, encoding="utf-8")
    return home


def instance_for_cli(settings: Settings) -> DagsterInstance:
    """The persistent instance the UI shows (see ``instance_home``)."""
    return DagsterInstance.from_config(str(instance_home(settings)))


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


def run_waves(settings: Settings, instance: DagsterInstance, waves: list[str], log_level: str = "WARNING") -> list[WaveOutcome]:
    """Materialise every asset for each of ``waves`` (see ``planning.plan_run``), in order, then
    publish every wave that passed in one step (``publishing.publish_waves``)."""
    known = set(instance.get_dynamic_partitions(waves_partitions.name))
    new = [wave for wave in waves if wave not in known]
    if new:
        instance.add_dynamic_partitions(waves_partitions.name, new)
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def(WAVE_JOB)
    selection = [key for key in definitions.resolve_all_asset_keys() if key not in PUBLISH_ASSETS]
    # Everything imported so far lives for the whole process: keep it out of the collector's way
    # (statsmodels calls gc.collect() in its multiple-testing step).
    gc.freeze()
    outcomes = []
    with _sqlite_kept_open(instance):
        for wave in waves:
            result = job.execute_in_process(
                partition_key=wave, instance=instance, raise_on_error=False, asset_selection=selection,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
            outcomes.append(WaveOutcome(wave, result.success, [] if result.success else failure_messages(result),
                                        result.run_id))
        passed = [o for o in outcomes if o.success]
        if passed:
            _publish(settings, instance, passed)
    return outcomes


def _publish(settings: Settings, instance: DagsterInstance, passed: list[WaveOutcome]) -> None:
    """Publish the waves that passed, under the writer lock, and record it for the UI."""
    import duckdb

    from .defs.assets_publish import warehouse_metadata
    from .publishing import publish_waves
    from .warehouse.lock import WriterLock
    from .version import pipeline_version
    from .warehouse.store import attach_staging

    waves = [o.wave for o in passed]
    with WriterLock(settings.store_path.with_suffix(".lock")):
        with duckdb.connect(str(settings.store_path)) as con:
            attach_staging(con)
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
    from .warehouse.store import attach_staging
    from .warehouse.withdraw import published_waves, withdraw_wave

    with WriterLock(settings.store_path.with_suffix(".lock")):
        with duckdb.connect(str(settings.store_path)) as con:
            attach_staging(con)
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
