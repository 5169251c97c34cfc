"""The pipeline's private DuckDB store: per-wave staging, promotion, and reads for analysis.

Every table carries a ``wave`` column, and a wave's rows are always replaced as a whole inside
one transaction, so re-running a wave never duplicates it. Staged rows (``staging.<table>``, a
database file of their own beside the store, attached to it) become current only when the wave's
checks have passed; the store file itself holds the current tables and nothing else, so a
checkpointed copy of it is the warehouse. Identifiers come from vetted names only; values are
always bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from ..ingest.columns import quote_identifier
from .catalog import TABLES, ordered_columns

#: Arrow -> pandas: text stays Arrow-backed, nullable integers and booleans stay nullable.
_PANDAS_TYPES = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow"),
                 pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                 pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}

STAGED_TABLES = ("responses", "quarantine", "load_log", "interview_quotes", "codebook")
STAGING = "staging"
STAGING_FILE = "staging.duckdb"


def staged(table: str) -> str:
    return f"{STAGING}.{table}"


def relation(name: str) -> str:
    """A table name, bare or qualified by its database (``staging.responses``), quoted for SQL."""
    return ".".join(quote_identifier(part) for part in name.split("."))


def sql_literal(text: str) -> str:
    """A SQL string literal for the pipeline's own text (paths, catalog comments), never for data."""
    return "'" + text.replace("'", "''") + "'"


def database_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file of the connection's database (None when it is in memory)."""
    return scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")


def attach_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Attach the staging database (a file beside the store's) unless it is attached already."""
    if scalar(con, "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [STAGING]):
        return
    store = database_path(con)
    target = str(Path(store).with_name(STAGING_FILE)) if store else ":memory:"
    con.execute(f"ATTACH {sql_literal(target)} AS {STAGING}")
    # Stores made before staging had its own file kept it in stg_* tables: they must not be published.
    legacy = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                         "AND table_catalog = current_database() AND table_name LIKE 'stg\\_%' ESCAPE '\\'").fetchall()
    for (name,) in legacy:
        con.execute(f"DROP TABLE {quote_identifier(name)}")


def _split(name: str) -> tuple[str | None, str]:
    database, _, table = name.rpartition(".")
    return database or None, table


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    """The single value a query returns (the result is read to the end, as DuckDB 2 requires)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    database, name = _split(table)
    return bool(scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                            "AND table_catalog = coalesce(?, current_database()) AND table_name = ?",
                       [database, name]))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    database, name = _split(table)
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_catalog = coalesce(?, current_database()) AND table_name = ? ORDER BY ordinal_position",
        [database, name],
    ).fetchall()
    return {name: dtype for name, dtype in rows}


def _ensure_table(con: duckdb.DuckDBPyConnection, table: str, source: str) -> None:
    """Create ``table`` shaped like ``source`` if absent (columns in catalog order); add any column it lacks."""
    target = relation(table)
    if not table_exists(con, table):
        incoming = [name for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        columns = ", ".join(quote_identifier(c) for c in ordered_columns(_split(table)[1], incoming))
        con.execute(f"CREATE TABLE {target} AS SELECT {columns} FROM {source} LIMIT 0")
        return
    have = table_columns(con, table)
    incoming = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    for name, dtype, *_ in incoming:
        if name not in have:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {quote_identifier(name)} {dtype}")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All statements inside commit together or not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _order_within_wave(table: str) -> str:
    """The ORDER BY clause that writes a wave's rows in the catalog's order (empty if none)."""
    doc = TABLES.get(_split(table)[1])
    within = [quote_identifier(c) for c in (doc.order_by if doc else ()) if c != "wave"]
    return f" ORDER BY {', '.join(within)}" if within else ""


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, wave: str, frame: pd.DataFrame,
                 source_files: tuple[str, ...] | None = None) -> None:
    """Make ``frame`` the wave's rows in ``table`` (only those of ``source_files`` if given).

    Call inside :func:`transaction`. Columns are matched by name; new columns are added.
    """
    if "wave" not in frame.columns or not (frame["wave"] == wave).all():
        raise ValueError(f"every row written to {table} must belong to wave {wave}")
    # Through Arrow: DuckDB scans it in parallel, and pandas' nullable types map exactly.
    con.register("incoming_rows", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        _ensure_table(con, table, "incoming_rows")
        target = relation(table)
        if source_files is None:
            con.execute(f"DELETE FROM {target} WHERE wave = ?", [wave])
        else:
            placeholders = ", ".join("?" for _ in source_files)
            con.execute(f"DELETE FROM {target} WHERE wave = ? AND source_file IN ({placeholders})",
                        [wave, *source_files])
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming_rows{_order_within_wave(table)}")
    finally:
        con.unregister("incoming_rows")


def write_wave_table(con: duckdb.DuckDBPyConnection, table: str, wave: str, frame: pd.DataFrame) -> None:
    """Replace a wave's rows of one table, atomically."""
    with transaction(con):
        replace_rows(con, table, wave, frame)


def promote_wave(con: duckdb.DuckDBPyConnection, wave: str, tables: tuple[str, ...] = STAGED_TABLES) -> None:
    """Copy a wave's staged rows over its current rows, all tables in one transaction."""
    with transaction(con):
        for table in tables:
            source = staged(table)
            if not table_exists(con, source):
                continue
            _ensure_table(con, table, relation(source))
            target = relation(table)
            con.execute(f"DELETE FROM {target} WHERE wave = ?", [wave])
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {relation(source)} WHERE wave = ?", [wave])


def read_wave(con: duckdb.DuckDBPyConnection, table: str, wave: str) -> pd.DataFrame:
    """A wave's rows of a table (empty frame if the table does not exist yet)."""
    if not table_exists(con, table):
        return pd.DataFrame()
    rows = con.sql(f"SELECT * FROM {relation(table)} WHERE wave = ?", params=[wave])
    to_arrow = getattr(rows, "to_arrow_table", None) or rows.arrow  # DuckDB 2 renamed it
    return to_arrow().to_pandas(types_mapper=_PANDAS_TYPES.get)


def waves_in(con: duckdb.DuckDBPyConnection, table: str = "responses") -> list[str]:
    if not table_exists(con, table):
        return []
    return [row[0] for row in con.execute(f"SELECT DISTINCT wave FROM {relation(table)} ORDER BY wave").fetchall()]
