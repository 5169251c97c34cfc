"""Resources: where the pipeline reads and writes, and its DuckDB store."""

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
    """Input and output roots (contract §1); thresholds come from the environment at run time."""

    data_dir: str
    output_dir: str

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.data_dir, self.output_dir)


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
        waited = self._lock.acquire()
        if waited > 1 and context.log:
            context.log.info("waited %.0f s for another run to release the store", waited)
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
        "pipeline": PipelineSettings(data_dir=str(settings.data_dir), output_dir=str(settings.output_dir)),
        "store": StoreResource(database=str(settings.store_path)),
    }
