"""Staging one validated file: its rows, its quarantine and its load_log entry, together.

Staged rows wait in ``stg_<table>`` until the wave's checks pass (see ``store.promote_wave``).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..ingest.quarantine import empty_quarantine
from ..ingest.survey import LoadedFile, empty_load_log
from .store import replace_rows, staged, transaction


def stage_file(con: duckdb.DuckDBPyConnection, wave: str, table: str, loaded: LoadedFile | None,
               empty_rows: pd.DataFrame, kind_files: tuple[str, ...]) -> None:
    """Stage a file's outcome; ``loaded=None`` records that the (optional) file is absent.

    ``kind_files`` are every name this kind of file may have, so a wave that switched from
    .csv to .xlsx leaves no stale quarantine or load_log rows behind.
    """
    rows = loaded.rows if loaded is not None else empty_rows
    quarantine = (loaded.quarantine if loaded is not None else empty_quarantine()).assign(wave=wave)
    load_log = loaded.load_log(wave) if loaded is not None else empty_load_log(wave)
    with transaction(con):
        replace_rows(con, staged(table), wave, rows.assign(wave=wave).astype({"wave": "string"}))
        replace_rows(con, staged("quarantine"), wave, quarantine.astype({"wave": "string"}), kind_files)
        replace_rows(con, staged("load_log"), wave, load_log.astype({"wave": "string"}), kind_files)


def stage_codebook(con: duckdb.DuckDBPyConnection, wave: str, codebook: pd.DataFrame) -> None:
    with transaction(con):
        replace_rows(con, staged("codebook"), wave, codebook.assign(wave=wave).astype({"wave": "string"}))
