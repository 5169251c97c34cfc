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

import ctypes
import errno
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
    """Make ``final`` a real folder holding a copy of ``staged``, switching atomically.

    The new version is copied in full beside ``final`` first; then the two folders swap names in
    one ``renameat2(RENAME_EXCHANGE)`` call, so a reader sees the old report or the new one, never
    a mix or a gap, and a killed run leaves the old one in place. The folder is a plain directory
    (no links), so it survives ``cp -r``, zip and a Windows share. Where the file system cannot
    exchange names, the old folder is moved aside and the new one renamed in: a gap of one rename.
    Leftovers of a killed publish are removed by the next one.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(final)
    incoming = final.with_name(f".{final.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    shutil.copytree(staged, incoming)
    if final.is_symlink():  # the older layout: a link to a versioned folder beside it
        final.unlink()
    if final.exists():
        _exchange(incoming, final)  # ``incoming`` now names the old version
        shutil.rmtree(incoming, ignore_errors=True)
    else:
        os.replace(incoming, final)
    _fsync(final.parent)
    _remove_leftovers(final)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths' names atomically (Linux renameat2); two renames where it is unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))
    aside = b.with_name(f".{b.name}.{uuid.uuid4().hex}.old{TEMP_SUFFIX}")  # hidden: cleared by the next publish
    os.replace(b, aside)
    os.replace(a, b)
    os.replace(aside, a)


def _remove_leftovers(final: Path) -> None:
    """Versions, links and copies of ``final`` that a killed or older publish left beside it."""
    for entry in final.parent.glob(f".{final.name}.*"):
        if entry.is_symlink() or entry.is_file():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
