"""Withdrawing a wave: its rows leave every table of the store (current and staged) together.

The caller then publishes the store as usual, so analysts see the warehouse with the wave or
without it, never half of it.
"""

from __future__ import annotations

import duckdb

from .registry import TABLES
from .sql import relation
from .store import scalar, staged, table_exists, transaction


def published_waves(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The waves the store's ``waves`` table holds, in order."""
    if not table_exists(con, "waves"):
        return []
    return [wave for (wave,) in con.execute("SELECT wave FROM waves ORDER BY wave").fetchall()]


def withdraw_wave(con: duckdb.DuckDBPyConnection, wave: str) -> dict[str, int]:
    """Delete ``wave`` from every registry table: the staged rows first, then the current rows of
    every table in one transaction (DuckDB writes one attached database per transaction). Returns
    the rows removed from each current table."""
    for database in (staged, lambda table: table):
        removed: dict[str, int] = {}
        with transaction(con):
            for table in TABLES:
                name = database(table)
                if table_exists(con, name):
                    removed[table] = int(scalar(con, f"SELECT count(*) FROM {relation(name)} WHERE wave = ?", [wave]))
                    con.execute(f"DELETE FROM {relation(name)} WHERE wave = ?", [wave])
    return removed
