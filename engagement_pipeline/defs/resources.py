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
from ..warehouse.store import attach_staging


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
    """The pipeline's private DuckDB store. A run holds its writer lock from start to end, so two
    runs (CLI, UI, sensor or schedule) never write it together; the second waits. Holding the lock,
    the run also keeps one database handle open and gives each step a cursor on it, instead of
    reopening (and checkpointing) the file for every query."""

    lock_timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    _lock: WriterLock | None = PrivateAttr(default=None)
    _connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = WriterLock(Path(self.database).with_suffix(".lock"), self.lock_timeout_seconds)
        def say_waiting() -> None:
            if context.log:
                context.log.info("the store is busy: waiting for another run to release it")

        waited = self._lock.acquire(on_wait=say_waiting)
        if waited and context.log:
            context.log.info("waited %.1f s for another run to release the store", waited)
        self._connection = duckdb.connect(self.database, config=dict(self.connection_config))
        attach_staging(self._connection)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._lock is not None:
            self._lock.release()

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._connection is None:  # used outside a run (e.g. a test calling the asset directly)
            with super().get_connection() as connection:
                attach_staging(connection)
                yield connection
            return
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "pipeline": PipelineSettings.from_settings(settings),
        "store": StoreResource(database=str(settings.store_path)),
    }
