"""Materialisation metadata built from frames: row counts and column schemas, never cell values.

Column types and descriptions come from the table registry, so the UI shows what the warehouse holds.
"""

from __future__ import annotations

import pandas as pd
from dagster import TableColumn, TableSchema

from ..warehouse.registry import TABLES


def column_schema(frame: pd.DataFrame, table: str) -> TableSchema:
    spec = TABLES[table]
    columns = [spec.column(str(c)) for c in frame.columns]
    return TableSchema(columns=[TableColumn(name=c.name, type=c.type, description=c.comment) for c in columns])


def table_metadata(frame: pd.DataFrame, table: str) -> dict[str, object]:
    return {"dagster/row_count": len(frame), "dagster/column_schema": column_schema(frame, table)}
