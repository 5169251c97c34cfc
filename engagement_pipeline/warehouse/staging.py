"""Staging one validated input file: its rows, its quarantine and its load_log entry, together.

Staged rows wait in the attached ``staging`` database until the wave's blocking checks pass
(see ``store.promote_waves``).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from .registry import TABLES
from .sql import relation
from .store import replace_rows, staged, table_exists, transaction


def _staged_files(con: duckdb.DuckDBPyConnection, wave: str, owns: Callable[[str], bool]) -> set[str]:
    """Files of the kind ``owns`` recognises that the wave's staged quarantine or load_log mention."""
    names: set[str] = set()
    for table in ("quarantine", "load_log"):
        if table_exists(con, staged(table)):
            rows = con.execute(f"SELECT DISTINCT source_file FROM {relation(staged(table))} WHERE wave = ?", [wave])
            names.update(name for (name,) in rows.fetchall() if owns(name))
    return names


def stage_file(con: duckdb.DuckDBPyConnection, wave: str, table: str, rows: pd.DataFrame | None,
               quarantine: pd.DataFrame | None, load_log: pd.DataFrame | None, owns: Callable[[str], bool]) -> None:
    """Stage a file's outcome; ``None`` frames record that the (optional) file is absent.

    ``owns`` tells the files of this kind (survey or interviews) apart, so the quarantine and
    load_log rows of any earlier file of the kind are replaced: a wave that switched from .csv to
    .xlsx, or to a survey tool's export, keeps no stale rows.
    """
    def for_wave(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
        return (TABLES[name].empty() if frame is None else frame).assign(wave=wave).astype({"wave": "string"})

    with transaction(con):
        files = tuple(sorted(_staged_files(con, wave, owns))) or ("",)
        replace_rows(con, staged(table), wave, for_wave(table, rows))
        replace_rows(con, staged("quarantine"), wave, for_wave("quarantine", quarantine), files)
        replace_rows(con, staged("load_log"), wave, for_wave("load_log", load_log), files)
