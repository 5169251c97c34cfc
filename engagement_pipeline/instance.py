"""The CLI's Dagster instance: opening it (a new one created once, under a lock), registering the
waves it runs as partitions, and keeping its SQLite event-log connections open.

What belongs here: the instance, and nothing that imports the assets' libraries (pandas, scipy,
matplotlib). A worker process opens the instance with this before it imports them, so that a new
instance is created while the CLI is still importing (see ``wave_worker``).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance

from .defs.partitions import waves_partitions
from .settings import Settings
from .warehouse.lock import StoreBusyError, WriterLock
from .wave_worker import instance_home, instance_lock


#: How long opening the instance waits for another process of the same invocation to finish
#: creating it (seconds): creating one takes about a second.
OPEN_TIMEOUT_SECONDS = 120.0


def instance_for_cli(settings: Settings, waves: list[str] | tuple[str, ...] = ()) -> DagsterInstance:
    """The persistent instance the UI shows (``wave_worker.instance_home``), with ``waves`` known to
    it as partitions of the wave job; the CLI and its worker both open it this way."""
    return open_instance(str(instance_home(settings)), instance_lock(settings), waves)


def open_instance(home: str, lock: Path, waves: list[str] | tuple[str, ...] = ()) -> DagsterInstance:
    """The instance in ``home``, with ``waves`` added to the wave partitions if new.

    The CLI and its worker open the same instance at about the same moment, and the first to open
    a new one creates its databases: the file lock ``lock`` (under the output root, so nothing is
    written into a DAGSTER_HOME the user configured) lets one create it and register the waves
    while the other waits, instead of both creating the same tables at once."""
    try:
        with WriterLock(lock, timeout=OPEN_TIMEOUT_SECONDS):
            instance = _reusing_connections(DagsterInstance.from_config(home))
            register_waves(instance, waves)
    except StoreBusyError:
        raise StoreBusyError(f"another engagement-pipeline process has been opening the Dagster instance in {home} "
                             f"for over {OPEN_TIMEOUT_SECONDS:.0f} s; try again when it has finished") from None
    return instance


def register_waves(instance: DagsterInstance, waves: list[str] | tuple[str, ...]) -> None:
    """Add those of ``waves`` the instance does not know yet to the wave partitions."""
    if waves:
        known = set(instance.get_dynamic_partitions(waves_partitions.name))
        new = [wave for wave in waves if wave not in known]
        if new:
            instance.add_dynamic_partitions(waves_partitions.name, new)


#: Event-log databases whose connection an instance of the CLI keeps open at once (the index and
#: the runs in progress; the least recently used is closed beyond that).
_OPEN_EVENT_LOGS = 4


def _reusing_connections(instance: DagsterInstance) -> DagsterInstance:
    """``instance`` with its SQLite event log keeping each database's connection open.

    Dagster's ``SqliteEventLogStorage`` builds a SQLAlchemy engine, opens the file and disposes of
    both for every read or write — several times per event, and a wave's run stores about 130
    events. This replaces, on this one storage object, the method that does so with one that keeps
    an engine (one connection) per database file, made and used under the storage's own lock
    exactly as Dagster's is. Only the exact class whose behaviour this mirrors is changed; any
    other storage (a DAGSTER_HOME configured for Postgres, say) is left as it is.
    """
    from collections import OrderedDict

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    storage = instance.event_log_storage
    if type(storage) is not SqliteEventLogStorage or not hasattr(storage, "_db_lock"):
        return instance
    engines: OrderedDict = OrderedDict()

    @contextmanager
    def connect(shard: str):
        with storage._db_lock:
            engine = engines.pop(shard, None) or create_engine(
                storage.conn_string_for_shard(shard), poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            engines[shard] = engine
            while len(engines) > _OPEN_EVENT_LOGS:
                engines.popitem(last=False)[1].dispose()
            if shard not in storage._initialized_dbs:
                storage._initdb(engine)
                storage._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    storage._connect = connect
    return instance
