"""Turning pandera's failure cases into quarantine rows (docs/data-contract.md §3).

A quarantine row names the file, the spreadsheet row, the column and a reason; it never carries
the offending cell, which may be personal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..warehouse.registry import TABLES
from .readers import ROW_NUMBER, RawTable
from .schemas import RowRule

#: A file's quarantine rows carry every column of the table but the wave (added when staged).
_COLUMNS = [c for c in TABLES["quarantine"].column_names if c != "wave"]


def empty_quarantine() -> pd.DataFrame:
    return TABLES["quarantine"].empty()[_COLUMNS]


def as_quarantine(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (source_file, row_number, column_name, reason[, excluded]) typed as quarantine rows."""
    if "excluded" not in frame.columns:
        frame = frame.assign(excluded=False)
    dtypes = TABLES["quarantine"].dtypes()
    return frame[_COLUMNS].astype({c: dtypes[c] for c in _COLUMNS})


def quarantine_rows(raw: RawTable, schema: pa.DataFrameSchema, rules: dict[str, RowRule]) -> pd.DataFrame:
    """Validate ``raw`` lazily and return one row per (record, column, reason) that failed."""
    try:
        schema.validate(raw.frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return empty_quarantine()
    cases = cases[cases["index"].notna()]
    column = cases["column"].astype(object).copy()
    reason = cases["check"].astype(str).copy()
    cross = reason.isin(list(rules))
    column[cross] = reason[cross].map(lambda rule_id: rules[rule_id].column)
    reason[cross] = reason[cross].map(lambda rule_id: rules[rule_id].reason)
    rows = pd.DataFrame({
        "source_file": raw.source_file,
        "row_number": raw.frame[ROW_NUMBER].to_numpy()[cases["index"].astype("int64").to_numpy()],
        "column_name": column.to_numpy(),
        "reason": reason.to_numpy(),
    })
    return as_quarantine(rows.drop_duplicates(["row_number", "column_name", "reason"])
                             .sort_values(["row_number", "column_name"], kind="stable")
                             .reset_index(drop=True))


def kept(raw: RawTable, quarantine: pd.DataFrame) -> np.ndarray:
    """Boolean mask over ``raw``'s records: True where no quarantine row names the record."""
    return ~raw.frame[ROW_NUMBER].isin(quarantine["row_number"]).to_numpy(dtype=bool)


def split_rows(raw: RawTable, quarantine: pd.DataFrame) -> pd.DataFrame:
    """The records of ``raw`` that no quarantine row names."""
    return raw.frame.loc[kept(raw, quarantine)].reset_index(drop=True)
