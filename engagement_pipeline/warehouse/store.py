"""The pipeline's private DuckDB store: per-wave staging, promotion, and reads for analysis.

Every table carries a ``wave`` column, and a wave's rows are always replaced as a whole inside
one transaction, so re-running a wave never duplicates it. A run writes every table of its wave
to ``staging.<table>``: the wave's own database file (``staging/<wave>.duckdb`` beside the store),
attached to the run's connection, so runs of different waves can stage side by side. The rows
become current only when every blocking check has passed, all tables in one transaction. The
store file itself holds the current tables and nothing else, so a checkpointed copy of it is
the warehouse. Tables are created from the registry's DDL; identifiers come from vetted names
only; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from .registry import TABLES
from .sql import quote_identifier, relation, sql_literal

#: Arrow -> pandas: text stays Arrow-backed, nullable integers and booleans stay nullable.
_PANDAS_TYPES = {pa.string(): pd.StringDtype("pyarrow"), pa.large_string(): pd.StringDtype("pyarrow"),
                 pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                 pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}

STAGING = "staging"
#: Where each wave's staging file lives, beside the store.
STAGING_DIR = "staging"
#: The single staging file of versions before per-wave staging (it only ever held unpromoted rows).
_LEGACY_STAGING_FILE = "staging.duckdb"
#: Columns renamed since a store was made: (table, old name, new name).
_RENAMED = (("quarantine", "column", "column_name"),)


def staged(table: str) -> str:
    return f"{STAGING}.{table}"


def database_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file of the connection's database (None when it is in memory)."""
    return scalar(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")


def staging_path(store: str | Path, wave: str) -> Path:
    """The file holding ``wave``'s staged rows, beside the store file ``store``."""
    return Path(store).with_name(STAGING_DIR) / f"{wave}.duckdb"


def staging_lock_path(store: str | Path, wave: str) -> Path:
    """The lock a run holds while it writes ``wave``'s staging file."""
    return staging_path(store, wave).with_suffix(".lock")


def prepare_store(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the store's current tables up to date with the registry, and drop what older
    versions kept beside them (``stg_*`` tables, the single staging file: unpromoted rows only)."""
    legacy = con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                         "AND table_catalog = current_database() AND table_name LIKE 'stg\\_%' ESCAPE '\\'").fetchall()
    for (name,) in legacy:
        con.execute(f"DROP TABLE {quote_identifier(name)}")
    store = database_path(con)
    if store:
        Path(store).with_name(_LEGACY_STAGING_FILE).unlink(missing_ok=True)
    for name in TABLES:
        if table_exists(con, name):
            _migrate(con, name)


def attach_staging(con: duckdb.DuckDBPyConnection, wave: str, store: str | Path | None = None,
                   read_only: bool = False) -> bool:
    """Attach ``wave``'s staging file as ``staging`` (in place of any other wave's) and bring its
    tables up to date with the registry; False, attaching nothing, when ``read_only`` and the wave
    has no staging file. ``store``: the store file, when ``con`` is not connected to it; an
    in-memory store stages in memory."""
    store = store if store is not None else database_path(con)
    if scalar(con, "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [STAGING]):
        if not store:
            return True  # an in-memory store has one staging database, for whichever waves it stages
        con.execute(f"DETACH {STAGING}")
    if store:
        path = staging_path(store, wave)
        if read_only and not path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = sql_literal(str(path))
    else:
        target = sql_literal(":memory:")
    con.execute(f"ATTACH {target} AS {STAGING}{' (READ_ONLY)' if read_only else ''}")
    if not read_only:
        for name in TABLES:
            if table_exists(con, staged(name)):
                _migrate(con, staged(name))
    return True


def _split(name: str) -> tuple[str | None, str]:
    database, _, table = name.rpartition(".")
    return database or None, table


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    """The single value a query returns (the result is read to the end, as DuckDB 2 requires)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    database, name = _split(table)
    # duckdb_tables()/duckdb_columns() rather than information_schema's views over them: the
    # store asks these a few hundred times a run, and the views cost several times more per query.
    return bool(scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
                            "AND database_name = coalesce(?, current_database()) AND table_name = ?",
                       [database, name]))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    database, name = _split(table)
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND database_name = coalesce(?, current_database()) AND table_name = ? ORDER BY column_index",
        [database, name],
    ).fetchall()
    return {name: dtype for name, dtype in rows}


def _migrate(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Rename, add and relax columns so an existing table matches its registry entry."""
    spec = TABLES[_split(table)[1]]
    have = table_columns(con, table)
    for owner, old, new in _RENAMED:
        if owner == spec.name and old in have and new not in have:
            con.execute(f"ALTER TABLE {relation(table)} RENAME COLUMN {quote_identifier(old)} TO {quote_identifier(new)}")
    _ensure_columns(con, table, list(table_columns(con, table)))


def _ensure_columns(con: duckdb.DuckDBPyConnection, table: str, present: list[str]) -> None:
    """Create ``table`` from its registry DDL if absent; add any declared or family column it lacks."""
    spec = TABLES[_split(table)[1]]
    if not table_exists(con, table):
        con.execute(spec.ddl(present, relation(table)))
        return
    have = table_columns(con, table)
    nullable = {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = coalesce(?, current_database()) "
        "AND schema_name = 'main' AND table_name = ? AND is_nullable", list(_split(table))).fetchall()}
    for column in spec.layout(present):
        target = f"{relation(table)} ALTER COLUMN {quote_identifier(column.name)}"
        if column.name not in have:
            # Rows written before the column existed hold NULL (false for a flag that must be set).
            default = " DEFAULT false" if column.type == "BOOLEAN" and not column.nullable else ""
            con.execute(f"ALTER TABLE {relation(table)} ADD COLUMN {quote_identifier(column.name)} {column.type}{default}")
        elif column.nullable and column.name not in nullable:
            con.execute(f"ALTER TABLE {target} DROP NOT NULL")


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
    """The ORDER BY clause that writes a wave's rows in the registry's order (empty if none)."""
    within = [quote_identifier(c) for c in TABLES[_split(table)[1]].row_order if c != "wave"]
    return f" ORDER BY {', '.join(within)}" if within else ""


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, wave: str, frame: pd.DataFrame,
                 source_files: tuple[str, ...] | None = None) -> None:
    """Make ``frame`` the wave's rows in ``table`` (only those of ``source_files`` if given).

    Call inside :func:`transaction`. Columns are matched by name and must be declared in the
    registry (family columns are added as they first appear).
    """
    if "wave" not in frame.columns or not (frame["wave"] == wave).all():
        raise ValueError(f"every row written to {table} must belong to wave {wave}")
    spec = TABLES[_split(table)[1]]
    frame = spec.conform(frame)
    _ensure_columns(con, table, list(frame.columns))
    # Through Arrow: DuckDB scans it in parallel, and pandas' nullable types map exactly.
    con.register("incoming_rows", pa.Table.from_pandas(frame, preserve_index=False))
    try:
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


def stage_tables(con: duckdb.DuckDBPyConnection, wave: str, tables: dict[str, pd.DataFrame]) -> None:
    """Make each frame the wave's staged rows of its table, all in one transaction."""
    with transaction(con):
        for name, frame in tables.items():
            replace_rows(con, staged(name), wave, frame)


def promote_waves(con: duckdb.DuckDBPyConnection, waves: list[str]) -> None:
    """Copy ``waves``' staged rows of every table over their current rows, all in one transaction.

    Each wave's staging file is attached read-only in turn; the caller holds the store's lock and
    the waves' staging locks."""
    with transaction(con):
        for wave in waves:
            if not attach_staging(con, wave, read_only=True):
                raise FileNotFoundError(f"wave {wave} has nothing staged to promote")
            for table in TABLES:
                source = staged(table)
                if not table_exists(con, source):
                    continue
                _ensure_columns(con, table, list(table_columns(con, source)))
                target = relation(table)
                con.execute(f"DELETE FROM {target} WHERE wave = ?", [wave])
                con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {relation(source)} WHERE wave = ?", [wave])
        if database_path(con):
            con.execute(f"DETACH {STAGING}")


def _frame(rows: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    to_arrow = getattr(rows, "to_arrow_table", None) or rows.arrow  # DuckDB 2 renamed it
    return to_arrow().to_pandas(types_mapper=_PANDAS_TYPES.get)


def read_wave(con: duckdb.DuckDBPyConnection, table: str, wave: str) -> pd.DataFrame:
    """A wave's rows of a table (empty frame if the table does not exist yet)."""
    if not table_exists(con, table):
        return pd.DataFrame()
    return _frame(con.sql(f"SELECT * FROM {relation(table)} WHERE wave = ?", params=[wave]))


def read_with_staged_wave(con: duckdb.DuckDBPyConnection, table: str, wave: str) -> pd.DataFrame:
    """Every current wave's rows of ``table``, with ``wave``'s staged rows in place of its current
    ones: what the table will hold once the wave is promoted. Ordered by wave."""
    parts = []
    if table_exists(con, table):
        parts.append(f"SELECT * FROM {relation(table)} WHERE wave <> $wave")
    if table_exists(con, staged(table)):
        parts.append(f"SELECT * FROM {relation(staged(table))} WHERE wave = $wave")
    if not parts:
        return TABLES[table].empty()
    query = " UNION ALL BY NAME ".join(parts)
    order = ", ".join(quote_identifier(c) for c in dict.fromkeys(("wave", *TABLES[table].row_order)))
    return _frame(con.sql(f"SELECT * FROM ({query}) ORDER BY {order}", params={"wave": wave}))
