"""Turning pandera's failure cases into quarantine rows (contract §3).

A quarantine row names the file, the spreadsheet row, the column and a reason; it never carries
the offending cell, which may be personal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .readers import ROW_NUMBER, RawTable
from .schemas import RowRule

QUARANTINE_DTYPES = {"source_file": "string", "row_number": "int64", "column": "string", "reason": "string"}


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in QUARANTINE_DTYPES.items()})


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
        "column": column.to_numpy(),
        "reason": reason.to_numpy(),
    })
    return (rows.drop_duplicates(["row_number", "column", "reason"])
                .sort_values(["row_number", "column"], kind="stable")
                .reset_index(drop=True)
                .astype(QUARANTINE_DTYPES))


def kept(raw: RawTable, quarantine: pd.DataFrame) -> np.ndarray:
    """Boolean mask over ``raw``'s records: True where no quarantine row names the record."""
    return ~raw.frame[ROW_NUMBER].isin(quarantine["row_number"]).to_numpy(dtype=bool)


def split_rows(raw: RawTable, quarantine: pd.DataFrame) -> pd.DataFrame:
    """The records of ``raw`` that no quarantine row names."""
    return raw.frame.loc[kept(raw, quarantine)].reset_index(drop=True)
