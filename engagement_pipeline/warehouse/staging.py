"""Staging one validated input file: its rows, its quarantine and its load_log entry, together.

Staged rows wait in the attached ``staging`` database until the wave's blocking checks pass
(see ``store.promote_wave``).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from .registry import TABLES
from .store import replace_rows, staged, transaction


def stage_file(con: duckdb.DuckDBPyConnection, wave: str, table: str, rows: pd.DataFrame | None,
               quarantine: pd.DataFrame | None, load_log: pd.DataFrame | None, kind_files: tuple[str, ...]) -> None:
    """Stage a file's outcome; ``None`` frames record that the (optional) file is absent.

    ``kind_files`` are every name this kind of file may have had, so a wave that switched from
    .csv to .xlsx (or to a survey tool's export) leaves no stale quarantine or load_log rows behind.
    """
    def for_wave(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
        return (TABLES[name].empty() if frame is None else frame).assign(wave=wave).astype({"wave": "string"})

    with transaction(con):
        replace_rows(con, staged(table), wave, for_wave(table, rows))
        replace_rows(con, staged("quarantine"), wave, for_wave("quarantine", quarantine), kind_files)
        replace_rows(con, staged("load_log"), wave, for_wave("load_log", load_log), kind_files)
