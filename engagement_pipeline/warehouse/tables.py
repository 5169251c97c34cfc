"""The table registry: every warehouse table declared once (docs/data-contract.md §5).

A table is its name, grain, comment, columns (name, DuckDB type, nullability, comment, value
checks), key and row order. Everything else is generated from it: the DuckDB DDL and the
COMMENTs, the pandera schema behind each blocking asset check, empty frames and pandas types,
and docs/warehouse.md. Adding a column to a table is one edit here.

The declarations themselves are in :mod:`.registry`; this module holds the machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from ..contract import WAVE_NAME
from .sql import quote_identifier

#: DuckDB type -> pandas dtype (nullable flavour where NULLs are allowed).
_PANDAS = {
    "VARCHAR": ("string", "string"),
    "BIGINT": ("int64", "Int64"),
    "TINYINT": ("Int8", "Int8"),
    "DOUBLE": ("float64", "float64"),
    "BOOLEAN": ("bool", "boolean"),
    "TIMESTAMP": ("datetime64[us]", "datetime64[us]"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str
    nullable: bool = False
    checks: tuple[pa.Check, ...] = ()

    @property
    def dtype(self) -> str:
        """The pandas dtype frames of this column carry."""
        return _PANDAS[self.type][self.nullable]

    def pandera(self, *, regex: bool = False) -> pa.Column:
        # Text is checked by value, whatever string flavour (Python or Arrow) a frame carries.
        dtype = None if self.type == "VARCHAR" else self.dtype
        return pa.Column(dtype, list(self.checks), nullable=self.nullable, coerce=dtype is not None,
                         regex=regex, name=self.name)


@dataclass(frozen=True)
class Family:
    """An open family of columns (``engagement_<area>``): one declaration for every member."""

    prefix: str
    type: str
    comment: str
    checks: tuple[pa.Check, ...] = ()

    @property
    def pattern(self) -> str:
        return rf"^{self.prefix}_[a-z][a-z0-9_]*$"

    def member(self, name: str) -> Column:
        item = name[len(self.prefix) + 1:].replace("_", " ")
        return Column(name, self.type, f"{self.comment} ({item})", nullable=True, checks=self.checks)


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    comment: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: Row order within a wave (rows are written in this order): the key when None, the order
    #: the rows were written in when empty.
    order_by: tuple[str, ...] | None = None
    #: Open families, placed after the column named by ``families_after``.
    families: tuple[Family, ...] = ()
    families_after: str = ""
    checks: tuple[pa.Check, ...] = field(default=())

    # ---- columns -------------------------------------------------------------------------
    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def family_of(self, name: str) -> Family | None:
        prefix = name.split("_", 1)[0]
        return next((f for f in self.families if f.prefix == prefix and name.startswith(f"{prefix}_")), None)

    def column(self, name: str) -> Column:
        """The declaration of a column, family members included; KeyError for an unknown one."""
        for column in self.columns:
            if column.name == name:
                return column
        family = self.family_of(name)
        if family is None:
            raise KeyError(f"{self.name} has no column {name!r}")
        return family.member(name)

    def layout(self, present: list[str]) -> list[Column]:
        """Every declared column, with the family members in ``present`` in family order after
        ``families_after``: the order analysts see."""
        members = [self.column(c) for family in self.families for c in present
                   if self.family_of(c) is family]
        if not members:
            return list(self.columns)
        at = self.column_names.index(self.families_after) + 1
        return [*self.columns[:at], *members, *self.columns[at:]]

    def dtypes(self, present: list[str] | None = None) -> dict[str, str]:
        return {c.name: c.dtype for c in self.layout(present or [])}

    def empty(self) -> pd.DataFrame:
        """A typed frame with no rows."""
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in self.dtypes().items()})

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with exactly the table's columns, in order, with their declared types.

        A column the registry does not declare is refused: it would never reach the warehouse.
        """
        undeclared = [c for c in frame.columns if c not in self.column_names and self.family_of(str(c)) is None]
        if undeclared:
            raise KeyError(f"{self.name}: columns not declared in the table registry: {', '.join(map(str, undeclared))}")
        layout = self.layout(list(frame.columns))
        missing = [c.name for c in layout if c.name not in frame.columns]
        if missing:
            raise KeyError(f"{self.name}: frame lacks {', '.join(missing)}")
        return frame[[c.name for c in layout]].astype({c.name: c.dtype for c in layout})

    # ---- SQL -----------------------------------------------------------------------------
    def ddl(self, present: list[str] | None = None, relation: str | None = None) -> str:
        body = ", ".join(_column_sql(c) for c in self.layout(present or []))
        return f"CREATE TABLE {relation or quote_identifier(self.name)} ({body})"

    @property
    def row_order(self) -> tuple[str, ...]:
        return self.key if self.order_by is None else self.order_by

    # ---- validation ----------------------------------------------------------------------
    def schema(self, *, without: tuple[str, ...] = ()) -> pa.DataFrameSchema:
        columns = {c.name: c.pandera() for c in self.columns if c.name not in without}
        for family in self.families:
            columns[family.pattern] = family.member(f"{family.prefix}_x").pandera(regex=True)
        key = [c for c in self.key if c not in without]
        checks = [*self.checks, pa.Check(lambda f, k=key: first_occurrences(f, k),
                                         error=f"({', '.join(key)}) appears more than once")] if key else list(self.checks)
        return pa.DataFrameSchema(columns, checks=checks, strict=True, name=self.name, ordered=False)


def _column_sql(column: Column) -> str:
    return f"{quote_identifier(column.name)} {column.type}{'' if column.nullable else ' NOT NULL'}"


def first_occurrences(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """True for a row whose ``columns`` have not appeared in an earlier row.

    A column holding one value throughout (the wave, in one wave's rows) cannot tell rows
    apart, so it is left out of the comparison: much cheaper on a large wave.
    """
    if len(frame) < 2:
        return pd.Series(True, index=frame.index)
    varying = [c for c in columns if frame[c].isna().any() or not frame[c].eq(frame[c].iloc[0]).all()]
    if not varying:
        return pd.Series(frame.index == frame.index[0], index=frame.index)
    return ~frame.duplicated(varying, keep="first")


# ---- reusable column pieces -----------------------------------------------------------------

SUPPRESSED_COMMENT = "true when the base is below ENGAGEMENT_MIN_GROUP_SIZE; the statistics are then NULL"

NON_EMPTY = pa.Check.str_length(min_value=1, error="is blank")
HEX64 = pa.Check.str_matches(r"^[0-9a-f]{64}$", error="is not a 64-character hex digest")
NOT_NEGATIVE = pa.Check.ge(0, error="is negative")
PERCENT = pa.Check.in_range(0, 100, error="is not a percentage from 0 to 100")
PROBABILITY = pa.Check.in_range(0, 1, error="is not a probability from 0 to 1")
SCALE_MEAN = pa.Check.in_range(1, 5, error="is not a mean score from 1 to 5")


def wave_column() -> Column:
    return Column("wave", "VARCHAR", "Wave name (the input folder's name); waves sort by name",
                  checks=(pa.Check.str_matches(WAVE_NAME.pattern, error="is not a valid wave name"),))


def text(name: str, comment: str, *checks: pa.Check, nullable: bool = False) -> Column:
    return Column(name, "VARCHAR", comment, nullable, checks)


def count(name: str, comment: str, *checks: pa.Check, nullable: bool = False) -> Column:
    return Column(name, "BIGINT", comment, nullable, checks or (NOT_NEGATIVE,))


def real(name: str, comment: str, *checks: pa.Check, nullable: bool = True) -> Column:
    return Column(name, "DOUBLE", comment, nullable, checks)


def flag(name: str, comment: str, nullable: bool = False) -> Column:
    return Column(name, "BOOLEAN", comment, nullable)


def suppressed() -> Column:
    return flag("suppressed", SUPPRESSED_COMMENT)


def null_when_suppressed(*columns: str) -> pa.Check:
    """Suppressed rows publish no statistic (docs/data-contract.md §4)."""
    return pa.Check(lambda f: ~f["suppressed"].astype(bool) | f[list(columns)].isna().all(axis=1),
                    error=f"a suppressed row shows {', '.join(columns)}")


def within_interval(value: str, low: str = "ci_low", high: str = "ci_high") -> pa.Check:
    """The interval holds its estimate wherever all three are given."""
    return pa.Check(lambda f: f[[value, low, high]].isna().any(axis=1) | ((f[low] <= f[value]) & (f[value] <= f[high])),
                    error=f"{value} lies outside [{low}, {high}]")
