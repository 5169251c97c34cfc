"""Materialisation metadata built from frames: row counts and column schemas, never cell values."""

from __future__ import annotations

import pandas as pd
from dagster import TableColumn, TableSchema


def column_schema(frame: pd.DataFrame) -> TableSchema:
    return TableSchema(columns=[TableColumn(name=str(c), type=str(t)) for c, t in frame.dtypes.items()])


def table_metadata(frame: pd.DataFrame) -> dict[str, object]:
    return {"dagster/row_count": len(frame), "dagster/column_schema": column_schema(frame)}
