"""Publishing the analysts' warehouse in one atomic step (contract §5).

The new warehouse is written to a temporary file beside the published one, checkpointed and
fsynced, then renamed over it. Readers holding the old file open keep reading the old state;
new readers see the new one; a failure before the rename leaves the published file untouched.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb

from ..ingest.columns import FAMILIES, family_of, quote_identifier
from .catalog import TABLES, column_comment
from .store import scalar, table_columns, table_exists

TEMP_SUFFIX = ".publishing"


def _literal(text: str) -> str:
    """A SQL string literal for the catalog's own comment text (never for data)."""
    return "'" + text.replace("'", "''") + "'"


def _ordered_columns(table: str, columns: list[str]) -> list[str]:
    """Fixed columns in catalog order, then family columns grouped by family, then the rest."""
    known = [c for c in TABLES[table].columns if c in columns and c != "comment"]
    families = [c for family in FAMILIES for c in columns
                if (parsed := family_of(c)) and parsed[0] == family]
    rest = [c for c in columns if c not in known and c not in families]
    return known + families + rest


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


def publish(store: duckdb.DuckDBPyConnection, warehouse_path: Path, tables: list[str] | None = None) -> dict[str, int]:
    """Copy the store's current tables into a fresh warehouse file and swap it in atomically.

    Returns the published tables' row counts.
    """
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(warehouse_path)
    temp = warehouse_path.with_name(f".{warehouse_path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    counts: dict[str, int] = {}
    store.execute(f"ATTACH {_literal(str(temp))} AS publishing")
    try:
        for table in tables or list(TABLES):
            if not table_exists(store, table):
                continue
            columns = _ordered_columns(table, list(table_columns(store, table)))
            select = ", ".join(quote_identifier(c) for c in columns)
            target, source = f"publishing.{quote_identifier(table)}", quote_identifier(table)
            store.execute(f"CREATE TABLE {target} AS SELECT {select} FROM {source} LIMIT 0")
            # Wave by wave, in order: rows come out ordered by wave without sorting every row of a
            # large wave (DuckDB keeps insertion order), then by the table's other sort columns.
            within = [quote_identifier(c) for c in TABLES[table].order_by if c != "wave"]
            order = f" ORDER BY {', '.join(within)}" if within else ""
            for (wave,) in store.execute(f"SELECT DISTINCT wave FROM {source} ORDER BY wave").fetchall():
                store.execute(f"INSERT INTO {target} SELECT {select} FROM {source} WHERE wave = ?{order}", [wave])
            store.execute(f"COMMENT ON TABLE {target} IS {_literal(TABLES[table].comment)}")
            for column in columns:
                store.execute(f"COMMENT ON COLUMN {target}.{quote_identifier(column)} IS "
                              f"{_literal(column_comment(table, column))}")
            counts[table] = scalar(store, f"SELECT count(*) FROM {target}")
        store.execute("CHECKPOINT publishing")
    except BaseException:
        store.execute("DETACH publishing")
        temp.unlink(missing_ok=True)
        raise
    store.execute("DETACH publishing")
    for extra in temp.parent.glob(temp.name + ".wal"):
        extra.unlink()
    _fsync(temp)
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
    import shutil

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
    import shutil

    current = os.readlink(final) if final.is_symlink() else None
    for entry in final.parent.glob(f".{final.name}.*"):
        if entry.name != current:
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry, ignore_errors=True)
