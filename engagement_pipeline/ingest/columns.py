"""The survey's column vocabulary (docs/data-contract.md §2): fixed columns, open families, names.

What a column is called and which family it belongs to is decided here and nowhere else, so
that identifiers reaching SQL are always ones this module has vetted.
"""

from __future__ import annotations

import difflib
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
        strays = [c for c in columns if c not in REQUIRED and c not in OPTIONAL and family_of(c) is None]
        closest = difflib.get_close_matches(missing[0], strays, n=1, cutoff=0.75)
        hint = f" (is {closest[0]!r} it, misspelt?)" if closest else ""
        raise ContractError(source_file, "missing required column" + hint, column=missing[0])
    items: dict[str, list[str]] = {family: [] for family in FAMILIES}
    for column in columns:
        if column in REQUIRED or column in OPTIONAL:
            continue
        parsed = family_of(column)
        if parsed is None:
            raise ContractError(source_file, "unknown column" + _did_you_mean(column, [*REQUIRED, *OPTIONAL]),
                                column=column)
        items[parsed[0]].append(parsed[1])
    if not items["engagement"]:
        raise ContractError(source_file, "no engagement_<area> column (at least one is required)")
    for area in items["improved"]:
        if area not in items["engagement"]:
            # Most often an engagement column was renamed: name the likeliest one, not just its twin.
            unmatched = [a for a in items["engagement"] if a not in items["improved"]]
            closest = difflib.get_close_matches(area, unmatched, n=1, cutoff=0.3)
            if closest:
                raise ContractError(
                    source_file, f"unknown area {closest[0]!r}: improved_{area} has no engagement_{area} to match it; "
                                 f"was engagement_{area} renamed to engagement_{closest[0]}?",
                    column=f"engagement_{closest[0]}")
            raise ContractError(source_file, f"unknown column: no engagement_{area} to match it",
                                column=f"improved_{area}")
    return SurveyLayout(
        areas=tuple(items["engagement"]), improved=tuple(items["improved"]),
        channels=tuple(items["channel"]), barriers=tuple(items["barrier"]),
        has_comment="comment" in columns,
    )


def _did_you_mean(column: str, known: list[str]) -> str:
    """`` (did you mean 'locality'?)`` when a known column is close to ``column``, else nothing."""
    lowered = column.strip().lower().replace(" ", "_")
    if lowered in known:
        return f" (did you mean {lowered!r}? names are lower case with underscores)"
    closest = difflib.get_close_matches(lowered, known, n=1, cutoff=0.75)
    return f" (did you mean {closest[0]!r}?)" if closest else ""
