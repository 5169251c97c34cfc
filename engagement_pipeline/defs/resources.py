"""Resources: the run's settings (paths and thresholds, shown as the run's config) and its DuckDB store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr
from dagster_duckdb import DuckDBResource

from ..settings import Settings
from ..warehouse.lock import DEFAULT_TIMEOUT_SECONDS, WriterLock
from ..warehouse.store import attach_staging, prepare_store, staging_lock_path


class PipelineSettings(ConfigurableResource):
    """What a run reads, writes and decides with (docs/data-contract.md §1, §3-§5).

    Built once from the environment by :class:`Settings`; each run's config in the UI shows the
    values it ran with, and no step reads the environment again.
    """

    data_dir: str
    output_dir: str
    alpha: float
    min_group_size: int
    max_quarantine_fraction: float
    pseudonym_key_file: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelineSettings":
        return cls(data_dir=str(settings.data_dir), output_dir=str(settings.output_dir), alpha=settings.alpha,
                   min_group_size=settings.min_group_size, max_quarantine_fraction=settings.max_quarantine_fraction,
                   pseudonym_key_file=str(settings.pseudonym_key_file))

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=Path(self.data_dir), output_dir=Path(self.output_dir), alpha=self.alpha,
                        min_group_size=self.min_group_size, max_quarantine_fraction=self.max_quarantine_fraction,
                        pseudonym_key_file=Path(self.pseudonym_key_file))


class StoreResource(DuckDBResource):
    """The pipeline's private DuckDB store, and the run's wave's staging file attached as ``staging``.

    A run holds its wave's staging lock and then the store's writer lock from start to end, so two
    runs (CLI, UI, sensor or schedule) never write either together; the second waits. Locks are
    always taken in that order: waves' staging locks (in wave order), then the store's. With
    ``staging_only`` (the CLI's wave runs, which leave publishing to the CLI) a run touches nothing
    but its wave's staging file and takes no lock: the CLI holds the staging locks of all its waves
    from before their runs until it has published them, so runs of different waves can go side by
    side and nothing can restage a wave between its checks and its promotion. Holding its locks, a
    run keeps one database handle open and gives each step a cursor on it, instead of reopening
    (and checkpointing) the file for every query."""

    lock_timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    staging_only: bool = False
    _locks: list[WriterLock] = PrivateAttr(default_factory=list)
    _connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def _hold(self, path: Path, what: str, context: InitResourceContext) -> None:
        lock = WriterLock(path, self.lock_timeout_seconds)

        def say_waiting() -> None:
            if context.log:
                context.log.info("%s is busy: waiting for another run to release it", what)

        waited = lock.acquire(on_wait=say_waiting)
        self._locks.append(lock)
        if waited and context.log:
            context.log.info("waited %.1f s for another run to release %s", waited, what)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        store = Path(self.database)
        store.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        wave = context.run.tags.get("dagster/partition") if context.run else None
        if self.staging_only and wave is None:
            raise ValueError("a staging-only run must be a run of one wave partition")
        if not self.staging_only:
            if wave is not None:
                self._hold(staging_lock_path(store, wave), f"wave {wave}'s staging", context)
            self._hold(store.with_suffix(".lock"), "the store", context)
        self._connection = duckdb.connect(":memory:" if self.staging_only else self.database,
                                          config=dict(self.connection_config))
        if not self.staging_only:
            prepare_store(self._connection)
        if wave is not None:
            attach_staging(self._connection, wave, store=store)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        while self._locks:
            self._locks.pop().release()

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._connection is None:  # used outside a run: the store alone, no wave's staging
            with super().get_connection() as connection:
                prepare_store(connection)
                yield connection
            return
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def build_resources(settings: Settings, staging_only: bool = False) -> dict[str, object]:
    return {
        "pipeline": PipelineSettings.from_settings(settings),
        "store": StoreResource(database=str(settings.store_path), staging_only=staging_only),
    }
