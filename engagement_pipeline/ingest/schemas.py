"""Pandera schemas: the row rules for raw text cells, and the shape of every stored table.

Two kinds live here. *Raw* schemas run on a file's stripped text cells and name the reason a
row is quarantined (contract §2-§3); their messages never quote a cell. *Stored* schemas
describe the typed tables the pipeline writes, and back the blocking asset checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from .columns import SurveyLayout

MAX_ID_LENGTH = 64
YES_NO = ("yes", "no")
GOLDEN_THREADS = ("patient_care", "patient_experience", "equality_diversity")
THEME_CODE = r"^[A-Za-z0-9_.-]{1,64}$"

BLANK = "required value is blank"
NOT_LIKERT = "not a whole number from 1 to 5"
NOT_YES_NO = "not yes or no"
NOT_DATE = "not an ISO 8601 date or date-time"
TOO_LONG = f"longer than {MAX_ID_LENGTH} characters"
DUPLICATED = "respondent_id appears more than once in the file"
ONLY_USERS = "answered although uses_twitter is no"
ONLY_NON_USERS = "answered although uses_twitter is yes"


_LIKERT = re.compile(r"(?:[1-5](?:\.0+)?)?")


def by_value(cells: pd.Series, accept: Callable[[str], bool]) -> pd.Series:
    """``accept`` applied to each distinct cell once, then looked up for every row.

    Answer columns hold a handful of distinct values, so this is much cheaper than a string
    operation over every row of a large file.
    """
    keep = [value for value in cells.unique() if isinstance(value, str) and accept(value)]
    return cells.isin(keep).fillna(False).astype(bool)


def is_likert(cells: pd.Series) -> pd.Series:
    """Blank, or a whole number 1-5 written as ``4`` or ``4.0``."""
    return by_value(cells, lambda value: _LIKERT.fullmatch(value) is not None)


def is_yes_no(cells: pd.Series) -> pd.Series:
    return by_value(cells, lambda value: value.lower() in ("", *YES_NO))


def parse_timestamps(cells: pd.Series) -> pd.Series:
    """ISO 8601 dates or date-times as naive UTC timestamps; anything else NaT."""
    parsed = pd.to_datetime(cells, format="ISO8601", errors="coerce", utc=True)
    return parsed.dt.tz_convert(None)


def _not_blank() -> pa.Check:
    return pa.Check(lambda s: s != "", error=BLANK)


@dataclass(frozen=True)
class RowRule:
    """A rule spanning columns: which column it blames and why."""

    column: str
    reason: str


def survey_row_schema(layout: SurveyLayout) -> tuple[pa.DataFrameSchema, dict[str, RowRule]]:
    """The raw survey's row rules for this file's columns, and the cross-column rules by id."""
    columns: dict[str, pa.Column] = {
        "respondent_id": pa.Column(checks=[
            _not_blank(),
            pa.Check(lambda s: s.str.len() <= MAX_ID_LENGTH, error=TOO_LONG),
            pa.Check(lambda s: ~s.duplicated(keep=False) | (s == ""), error=DUPLICATED),
        ]),
        "submitted_at": pa.Column(checks=[
            _not_blank(),
            pa.Check(lambda s: (s == "") | parse_timestamps(s).notna(), error=NOT_DATE),
        ]),
        "locality": pa.Column(checks=[_not_blank()]),
        "staff_group": pa.Column(checks=[_not_blank()]),
        "uses_twitter": pa.Column(checks=[
            _not_blank(), pa.Check(is_yes_no, error=NOT_YES_NO),
        ]),
    }
    for column in layout.likert_columns:
        columns[column] = pa.Column(checks=[pa.Check(is_likert, error=NOT_LIKERT)])
    for column in layout.yes_no_columns:
        columns[column] = pa.Column(checks=[pa.Check(is_yes_no, error=NOT_YES_NO)])

    rules: dict[str, RowRule] = {}
    checks: list[pa.Check] = []

    def blank_unless(column: str, required_answer: str, reason: str) -> None:
        rule_id = f"{column}: {reason}"
        rules[rule_id] = RowRule(column, reason)
        checks.append(pa.Check(
            lambda frame, c=column, a=required_answer: ~(
                by_value(frame["uses_twitter"], lambda value: value.lower() in YES_NO and value.lower() != a)
                & (frame[c] != "")
            ),
            error=rule_id,
        ))

    for column in layout.columns("improved"):
        blank_unless(column, "yes", ONLY_USERS)
    if "twitter" in layout.channels:
        blank_unless("channel_twitter", "yes", ONLY_USERS)
    for column in layout.columns("barrier"):
        blank_unless(column, "no", ONLY_NON_USERS)
    return pa.DataFrameSchema(columns, checks=checks, strict=False), rules


def interview_row_schema(themes: set[str]) -> pa.DataFrameSchema:
    """Raw interview segments: required cells, known themes, unique (segment_id, theme)."""
    return pa.DataFrameSchema(
        {
            "interview_id": pa.Column(checks=[_not_blank(), pa.Check(lambda s: s.str.len() <= MAX_ID_LENGTH, error=TOO_LONG)]),
            "segment_id": pa.Column(checks=[_not_blank(), pa.Check(lambda s: s.str.len() <= MAX_ID_LENGTH, error=TOO_LONG)]),
            "theme": pa.Column(checks=[
                _not_blank(),
                pa.Check(lambda s: (s == "") | s.isin(themes), error="theme is not in the codebook"),
            ]),
            "quote": pa.Column(checks=[_not_blank()]),
        },
        checks=[pa.Check(
            lambda f: ~f.duplicated(["segment_id", "theme"], keep=False),
            error="theme: (segment_id, theme) appears more than once",
        )],
        strict=False,
    )


INTERVIEW_DUPLICATE_RULE = RowRule("theme", "(segment_id, theme) appears more than once")


# ---- stored tables (typed), used by the blocking asset checks -------------------------------

def _text(*checks: pa.Check, nullable: bool = False, required: bool = True) -> pa.Column:
    """A text column, whatever pandas string flavour DuckDB hands back."""
    return pa.Column(None, list(checks), nullable=nullable, required=required)


def _count(*checks: pa.Check) -> pa.Column:
    return pa.Column("int64", list(checks), nullable=False, coerce=True)


_HEX64 = pa.Check.str_matches(r"^[0-9a-f]{64}$")
_NON_EMPTY = pa.Check.str_length(min_value=1)
_WAVE = _text(pa.Check.str_matches(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"))


def _conditional_blanks(frame: pd.DataFrame) -> pd.Series:
    users = frame["uses_twitter"].astype(bool)
    ok = pd.Series(True, index=frame.index)
    for column in frame.columns:
        if column.startswith("improved_") or column == "channel_twitter":
            ok &= users | frame[column].isna()
        elif column.startswith("barrier_"):
            ok &= ~users | frame[column].isna()
    return ok


def _no_repeats(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """True where the row's ``columns`` appear once. A column holding one value throughout (the
    wave, in a wave's rows) cannot tell rows apart, so it is left out of the comparison."""
    if len(frame) < 2:
        return pd.Series(True, index=frame.index)
    varying = [c for c in columns
               if frame[c].isna().any() or not frame[c].eq(frame[c].iloc[0]).all()]
    if not varying:
        return pd.Series(False, index=frame.index)
    return ~frame.duplicated(varying, keep=False)


def _unique(*columns: str, what: str) -> pa.Check:
    return pa.Check(lambda f: _no_repeats(f, list(columns)), error=f"{what} repeats within a wave")


RESPONSES = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "respondent_key": _text(_HEX64),
        "submitted_at": pa.Column("datetime64[us]", nullable=False, coerce=True),
        "locality": _text(_NON_EMPTY),
        "staff_group": _text(_NON_EMPTY),
        "uses_twitter": pa.Column("boolean", nullable=False, coerce=True),
        r"^(engagement|channel)_[a-z][a-z0-9_]*$": pa.Column(
            "Int64", pa.Check.isin([1, 2, 3, 4, 5]), nullable=True, regex=True, coerce=True),
        r"^(improved|barrier)_[a-z][a-z0-9_]*$": pa.Column(
            "boolean", nullable=True, regex=True, coerce=True),
        "comment": _text(pa.Check(lambda s: ~s.astype("string").str.contains(r"@[A-Za-z0-9_]", regex=True).fillna(False),
                                  error="comment holds an unscrubbed address or handle"),
                         nullable=True, required=False),
    },
    checks=[_unique("wave", "respondent_key", what="respondent_key"),
            pa.Check(_conditional_blanks, error="an item answered by the wrong group")],
    strict=False,
    name="responses",
)

QUARANTINE = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "source_file": _text(_NON_EMPTY),
        "row_number": _count(pa.Check.ge(2)),
        "column": _text(nullable=True),
        "reason": _text(_NON_EMPTY),
    },
    strict=True,
    name="quarantine",
)

LOAD_LOG = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "source_file": _text(_NON_EMPTY),
        "sha256": _text(_HEX64),
        "rows_read": _count(pa.Check.ge(1)),
        "rows_loaded": _count(pa.Check.ge(0)),
        "rows_quarantined": _count(pa.Check.ge(0)),
        "loaded_at": pa.Column("datetime64[us]", nullable=False, coerce=True),
    },
    checks=[pa.Check(lambda f: f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"],
                     error="rows_read != rows_loaded + rows_quarantined"),
            _unique("wave", "source_file", what="source_file")],
    strict=True,
    name="load_log",
)

INTERVIEW_QUOTES = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "interview_id": _text(_NON_EMPTY),
        "segment_id": _text(_NON_EMPTY),
        "theme": _text(_NON_EMPTY),
        "quote": _text(_NON_EMPTY, pa.Check(lambda s: ~s.astype("string").str.contains(r"@[A-Za-z0-9_]", regex=True).fillna(False),
                                            error="quote holds an unscrubbed address or handle")),
        "respondent_key": _text(_HEX64, nullable=True),
    },
    checks=[_unique("wave", "segment_id", "theme", what="(segment_id, theme)")],
    strict=True,
    name="interview_quotes",
)

CODEBOOK = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "theme": _text(pa.Check.str_matches(THEME_CODE)),
        "label": _text(_NON_EMPTY),
        "description": _text(nullable=True),
        "golden_thread": _text(pa.Check.isin(GOLDEN_THREADS), nullable=True),
    },
    checks=[_unique("wave", "theme", what="theme")],
    strict=True,
    name="codebook",
)

#: Stored tables and the schema that guards each.
STORED_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "responses": RESPONSES,
    "quarantine": QUARANTINE,
    "load_log": LOAD_LOG,
    "interview_quotes": INTERVIEW_QUOTES,
    "codebook": CODEBOOK,
}
