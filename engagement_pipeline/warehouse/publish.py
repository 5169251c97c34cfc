"""Publishing the analysts' warehouse in one atomic step (docs/data-contract.md §5).

The store file holds exactly the current tables (staging lives in a file of its own), so the
warehouse is the store itself: every table and column gets its COMMENT, the store is
checkpointed, and the file is copied beside the published one, fsynced and renamed over it.
Copying a file costs far less than rewriting every row. Readers holding the old file open keep
reading the old state; new readers see the new one; a failure before the rename leaves the
published file untouched. The copy is made under the run's writer lock, so nothing writes the
store meanwhile.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from .registry import TABLES
from .sql import quote_identifier, sql_literal
from .store import database_path, scalar, table_columns, table_exists, transaction

TEMP_SUFFIX = ".publishing"


def remove_leftovers(warehouse_path: Path) -> None:
    """Delete temporary files a killed publish may have left behind."""
    for leftover in warehouse_path.parent.glob(f".{warehouse_path.name}.*{TEMP_SUFFIX}*"):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def comment_tables(store: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Give every current table and column of the store its registry COMMENT; their row counts."""
    counts: dict[str, int] = {}
    with transaction(store):
        for table, spec in TABLES.items():
            if not table_exists(store, table):
                continue
            target = quote_identifier(table)
            store.execute(f"COMMENT ON TABLE {target} IS {sql_literal(spec.comment)}")
            for column in table_columns(store, table):
                store.execute(f"COMMENT ON COLUMN {target}.{quote_identifier(column)} IS "
                              f"{sql_literal(spec.column(column).comment)}")
            counts[table] = scalar(store, f"SELECT count(*) FROM {target}")
    return counts


def publish(store: duckdb.DuckDBPyConnection, warehouse_path: Path) -> dict[str, int]:
    """Publish the store's current tables as the warehouse, atomically; their row counts."""
    source = database_path(store)
    if source is None:
        raise ValueError("an in-memory store cannot be published")
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(warehouse_path)
    counts = comment_tables(store)
    store.execute("CHECKPOINT")
    temp = warehouse_path.with_name(f".{warehouse_path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    try:
        shutil.copyfile(source, temp)
        _fsync(temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, warehouse_path)
    _fsync(warehouse_path.parent)
    return counts


def publish_folder(staged: Path, final: Path) -> None:
    """Make ``final`` show a copy of ``staged``, switching atomically.

    ``final`` is a symbolic link to a versioned folder beside it (``.<name>.<token>``); the new
    version is copied in full first, then a new link is renamed over the old one, so a reader
    sees the old report or the new one and a killed run leaves the old one in place. Versions no
    longer linked are removed afterwards (and by the next publish, if this one was killed).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    version = final.with_name(f".{final.name}.{token}")
    shutil.copytree(staged, version.with_name(version.name + TEMP_SUFFIX))
    os.replace(version.with_name(version.name + TEMP_SUFFIX), version)
    link = final.with_name(f".{final.name}.{token}.link{TEMP_SUFFIX}")
    os.symlink(version.name, link)
    if final.exists() and not final.is_symlink():  # a plain folder from an older layout
        shutil.rmtree(final)
    os.replace(link, final)
    _fsync(final.parent)
    _remove_stale_versions(final)


def _remove_stale_versions(final: Path) -> None:
    current = os.readlink(final) if final.is_symlink() else None
    for entry in final.parent.glob(f".{final.name}.*"):
        if entry.name != current:
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
