"""Pandera row rules for raw text cells: why a survey or interview row is quarantined.

They run on a file's stripped text cells and name the reason a row is set aside
(docs/data-contract.md §2-§3); their messages never quote a cell. The typed tables the pipeline
stores are described by the table registry (``warehouse/registry.py``), not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from ..contract import MAX_ID_LENGTH, YES_NO
from .columns import SurveyLayout

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
