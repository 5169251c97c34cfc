"""The survey's column vocabulary (docs/data-contract.md §2): fixed columns, open families, names.

What a column is called and which family it belongs to is decided here and nowhere else, so
that identifiers reaching SQL are always ones this module has vetted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..contract import FAMILIES, REQUIRED_SURVEY_COLUMNS as REQUIRED
from .errors import ContractError
from .privacy import IDENTIFYING_COLUMNS

OPTIONAL = ("comment", *IDENTIFYING_COLUMNS)

_FAMILY_COLUMN = re.compile(rf"^({'|'.join(FAMILIES)})_([a-z][a-z0-9_]{{0,47}})$")


def family_of(column: str) -> tuple[str, str] | None:
    """(family, item) for a family column such as ``channel_twitter``, else None."""
    match = _FAMILY_COLUMN.fullmatch(column)
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class SurveyLayout:
    """Which areas, channels and barriers one survey file carries, in file order."""

    areas: tuple[str, ...]
    improved: tuple[str, ...]
    channels: tuple[str, ...]
    barriers: tuple[str, ...]
    has_comment: bool

    def columns(self, family: str) -> list[str]:
        items = {"engagement": self.areas, "improved": self.improved,
                 "channel": self.channels, "barrier": self.barriers}[family]
        return [f"{family}_{item}" for item in items]

    @property
    def likert_columns(self) -> list[str]:
        return self.columns("engagement") + self.columns("channel")

    @property
    def yes_no_columns(self) -> list[str]:
        return self.columns("improved") + self.columns("barrier")


def survey_layout(columns: list[str], source_file: str) -> SurveyLayout:
    """Check a survey header against the contract; raise ContractError on a structural problem."""
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ContractError(source_file, "missing required column", column=missing[0])
    items: dict[str, list[str]] = {family: [] for family in FAMILIES}
    for column in columns:
        if column in REQUIRED or column in OPTIONAL:
            continue
        parsed = family_of(column)
        if parsed is None:
            raise ContractError(source_file, "unknown column", column=column)
        items[parsed[0]].append(parsed[1])
    if not items["engagement"]:
        raise ContractError(source_file, "no engagement_<area> column (at least one is required)")
    for area in items["improved"]:
        if area not in items["engagement"]:
            raise ContractError(source_file, f"unknown column: no engagement_{area} to match it",
                                column=f"improved_{area}")
    return SurveyLayout(
        areas=tuple(items["engagement"]), improved=tuple(items["improved"]),
        channels=tuple(items["channel"]), barriers=tuple(items["barrier"]),
        has_comment="comment" in columns,
    )
