"""What a tool reader hands on: which export column feeds which canonical column, and the errors of matching.

What belongs here: the bindings every tool module produces (``Single``: one answer column -> one
canonical column; ``TickAll``: one tick-all-that-apply question -> several yes/no columns), the
``Extract`` that carries them with the respondent id and date columns, and the wording of the
structural errors of §6: a mapped question the export lacks, an export question nothing maps, an
ambiguous match. How a tool lays out its columns belongs in that tool's module; turning cells into
canonical values belongs in ``answers.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from ...warehouse.registry import TABLES
from ..errors import ContractError
from ..quarantine import empty_quarantine
from .instrument import Instrument, Question, norm

#: Rows set aside before validation have the quarantine table's columns (the wave is added when staged).
SET_ASIDE_DTYPES = {name: dtype for name, dtype in TABLES["quarantine"].dtypes().items() if name != "wave"}


def empty_set_aside() -> pd.DataFrame:
    return empty_quarantine()


@dataclass(frozen=True)
class Single:
    """One export column holding one answer for one canonical column."""

    question: Question
    position: int  # 0-based sheet column
    label: str  # the question as the tool wrote it, for reasons
    others: tuple[tuple[int, str], ...] = ()  # "Other (please specify)" columns: any text there is off-scale


@dataclass(frozen=True)
class TickAll:
    """A tick-all-that-apply question: one joined column (``joined``) or one column per option (``columns``)."""

    label: str  # the question as the tool wrote it
    options: tuple[Question, ...]  # in the instrument's order
    joined: int | None = None
    separator: str = ""
    columns: tuple[int, ...] = ()  # aligned with ``options``
    others: tuple[tuple[int, str], ...] = ()  # option columns nothing maps: a tick there is off-scale


@dataclass(frozen=True)
class Dates:
    """Where an export keeps ``submitted_at`` and how to read it (see ``answers.utc_text``)."""

    position: int
    formats: tuple[str, ...]
    zone: ZoneInfo | None  # None: UTC


@dataclass(frozen=True)
class Extract:
    """A tool export's cells and what the canonical table is made of."""

    cells: pa.Table  # the columns read + ROW_NUMBER
    respondent_id: pa.ChunkedArray | pa.Array
    submitted_at: Dates
    singles: tuple[Single, ...]
    tick_alls: tuple[TickAll, ...]
    excluded: pd.DataFrame  # rows left out on purpose (set-aside rows with excluded=True)
    live: np.ndarray | None = None  # False for those rows (None: every row is live)


def encoded_positions(singles: Sequence[Single], ticks: Sequence[TickAll]) -> set[int]:
    """The answer columns looked up a distinct value at a time (the sheet reads them encoded)."""
    return {single.position for single in singles} | {t.joined for t in ticks if t.joined is not None}


def answer_positions(singles: Sequence[Single], ticks: Sequence[TickAll]) -> set[int]:
    """Every sheet column the bindings read."""
    positions = {single.position for single in singles}
    positions |= {p for single in singles for p, _ in single.others}
    for tick in ticks:
        positions |= set(tick.columns) | {p for p, _ in tick.others}
        if tick.joined is not None:
            positions.add(tick.joined)
    return positions


def columns_phrase(positions: Sequence[int]) -> str:
    """``column 3`` / ``columns 3 and 7`` / ``columns 3, 7 and 9`` (1-based)."""
    numbers = [str(p + 1) for p in positions]
    if len(numbers) == 1:
        return f"column {numbers[0]}"
    return f"columns {', '.join(numbers[:-1])} and {numbers[-1]}"


def missing(source_file: str, instrument: Instrument, question: Question) -> ContractError:
    return ContractError(source_file, f"{question.describe()} (mapped to {question.column} in "
                                      f"{instrument.name}) is not in the export")


def unmapped(source_file: str, instrument: Instrument, described: str, position: int) -> ContractError:
    """``described`` is the export question as the tool wrote it, already quoted."""
    return ContractError(source_file, f"export question {described} ({columns_phrase([position])}) "
                                      f"is not mapped in {instrument.name}")


def ambiguous(source_file: str, question: Question, described: str, positions: Sequence[int]) -> ContractError:
    return ContractError(source_file, f"{question.describe()} ({question.column}) matches export "
                                      f"{columns_phrase(positions)} ({described}): ambiguous, which one "
                                      "is meant cannot be told")


def check_headed(source_file: str, headers: Sequence[Sequence[str]]) -> None:
    """Every column has a header in at least one header row (a trailing delimiter makes one without)."""
    for position in range(len(headers[0])):
        if not any(row[position] for row in headers):
            raise ContractError(source_file, f"{columns_phrase([position])} has no header")


def id_position(source_file: str, headers: Sequence[Sequence[str]], instrument: Instrument,
                fixed: dict[str, int], tool_id: str) -> int:
    """The respondent id's column: the instrument's ``respondent_id:`` header, else the tool's own
    id column (``tool_id``); a ContractError when the export has neither."""
    if instrument.respondent_id is not None:
        return find_header(source_file, headers, instrument.respondent_id, "the instrument's respondent_id")
    if tool_id in fixed:
        return fixed[tool_id]
    raise ContractError(source_file, f"the export has no {tool_id!r} column")


def find_header(source_file: str, headers: Sequence[Sequence[str]], wanted: str, what: str) -> int:
    """The one column whose header (in any of ``headers`` rows) matches ``wanted``."""
    key = norm(wanted)
    positions = sorted({p for row in headers for p, cell in enumerate(row) if norm(cell) == key})
    if not positions:
        raise ContractError(source_file, f"{what} column '{wanted}' is not in the export")
    if len(positions) > 1:
        raise ContractError(source_file, f"{what} column '{wanted}' matches export {columns_phrase(positions)}: "
                                         "ambiguous")
    return positions[0]
