"""Turning bound export columns into canonical text cells, a distinct value at a time (docs/data-contract.md §6).

What belongs here: answer labels through scales, tick-all-that-apply cells (one joined cell, or one
column per option) into ``yes``/``no``/blank, the reasons of rows set aside for an answer label the
instrument lacks, and export date-times into ISO 8601 UTC text. Which column feeds what is decided
before, in the tool modules; this module only computes.

Answer columns hold a handful of distinct values, so each column is dictionary-encoded, the
distinct values are looked up once, and the result is taken back per row by pyarrow: a
100,000-row export costs a few vector operations per column, never a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..privacy import scrub_text
from .binding import Single, TickAll
from .instrument import norm

_LABEL_LIMIT = 60


@dataclass(frozen=True)
class OffScale:
    """Rows (indices into the live cells) whose answer the instrument lacks, with one reason each."""

    column: str
    rows: np.ndarray
    reasons: np.ndarray


def quoted_label(label: str) -> str:
    """An answer label fit for a reason: scrubbed (a typed-in "Other" answer may carry an e-mail or a
    phone number) and cut to a label's length."""
    text = scrub_text(" ".join(label.split()))
    return f"'{text}'" if len(text) <= _LABEL_LIMIT else f"'{text[:_LABEL_LIMIT - 1]}…'"


def _off_scale_reason(label: str, question: str) -> str:
    return f"answer {quoted_label(label)} to '{question}' is not in the instrument's scale"


def _not_an_option_reason(label: str, question: str) -> str:
    return f"answer {quoted_label(label)} to '{question}' is not one of the instrument's options"


def encode(column: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, list[str]]:
    """Per-row indices into the column's distinct values, and those values (as read, when the sheet
    already encoded the column)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = column if isinstance(column, pa.DictionaryArray) else column.dictionary_encode()
    return encoded.indices, encoded.dictionary.to_pylist()


def decoded(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as plain strings (a dictionary-encoded one taken back row by row)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if isinstance(column, pa.DictionaryArray):
        return pc.take(column.dictionary, column.indices)
    return column


def _rows_where(flags: list[bool], indices: pa.Array) -> np.ndarray:
    if not any(flags):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.asarray(flags, dtype=bool)[indices.to_numpy(zero_copy_only=False)])


def _problem(column: str, rows: np.ndarray, reasons: list[str | None], indices: pa.Array) -> OffScale:
    per_value = np.asarray(reasons, dtype=object)
    return OffScale(column, rows, per_value[indices.to_numpy(zero_copy_only=False)[rows]])


def convert_single(cells: pa.Table, single: Single) -> tuple[pa.Array, list[OffScale]]:
    """One answer column through the question's scale (or as written, when it has none)."""
    column = cells.column(str(single.position))
    problems = [_other_text(cells, position, label, single.question.column, single.label)
                for position, label in single.others]
    scale = single.question.scale
    if scale is None:
        return decoded(column), [p for p in problems if len(p.rows)]
    indices, distinct = encode(column)
    values: list[str] = []
    reasons: list[str | None] = []
    for label in distinct:
        value = "" if label == "" else scale.value_of(label)
        values.append("" if value is None else value)
        reasons.append(None if value is not None else _off_scale_reason(label, single.label))
    out = pc.take(pa.array(values, pa.string()), indices)
    rows = _rows_where([r is not None for r in reasons], indices)
    problems.append(_problem(single.question.column, rows, reasons, indices))
    return out, [p for p in problems if len(p.rows)]


def _other_text(cells: pa.Table, position: int, label: str, column: str, question: str) -> OffScale:
    """A free-text "Other" column: any text there is an answer off the scale, named by the column's label."""
    filled = pc.not_equal(cells.column(str(position)), "").to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(filled)
    return OffScale(column, rows, np.full(len(rows), _off_scale_reason(label, question), dtype=object))


def split_choices(cell: str, separator: str, options: dict[str, int], longest: int) -> tuple[set[int], list[str]]:
    """The known options ticked in a joined cell, and the pieces that are none of them.

    An option may itself contain the separator, so at each piece the longest run of pieces that
    spells a known option wins; pieces that spell none are gathered into unknown labels.
    """
    pieces = cell.split(separator)
    ticked: set[int] = set()
    unknown: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            unknown.append(separator.join(pending).strip())
            pending.clear()

    i = 0
    while i < len(pieces):
        if not pieces[i].strip():
            flush()
            i += 1
            continue
        for j in range(min(len(pieces), i + longest), i, -1):
            found = options.get(norm(separator.join(pieces[i:j])))
            if found is not None:
                flush()
                ticked.add(found)
                i = j
                break
        else:
            pending.append(pieces[i])
            i += 1
    flush()
    return ticked, unknown


def convert_tick_all(cells: pa.Table, tick: TickAll) -> tuple[dict[str, pa.Array], list[OffScale]]:
    if tick.joined is not None:
        return _joined(cells, tick)
    return _one_column_per_option(cells, tick)


def _joined(cells: pa.Table, tick: TickAll) -> tuple[dict[str, pa.Array], list[OffScale]]:
    options = {norm(q.option): k for k, q in enumerate(tick.options)}
    longest = max(q.option.count(tick.separator) for q in tick.options) + 1
    indices, distinct = encode(cells.column(str(tick.joined)))
    values = [[] for _ in tick.options]
    reasons: list[str | None] = []
    for cell in distinct:
        ticked, unknown = split_choices(cell, tick.separator, options, longest) if cell else (set(), [])
        answered = bool(ticked or unknown)
        for k, column_values in enumerate(values):
            column_values.append("yes" if k in ticked else "no" if answered else "")
        reasons.append(_not_an_option_reason(unknown[0], tick.label) if unknown else None)
    out = {q.column: pc.take(pa.array(v, pa.string()), indices) for q, v in zip(tick.options, values)}
    rows = _rows_where([r is not None for r in reasons], indices)
    problems = [_problem(tick.options[0].column, rows, reasons, indices)] if len(rows) else []
    return out, problems


def _one_column_per_option(cells: pa.Table, tick: TickAll) -> tuple[dict[str, pa.Array], list[OffScale]]:
    ticked = [pc.not_equal(cells.column(str(p)), "") for p in tick.columns]
    others = [pc.not_equal(cells.column(str(p)), "") for p, _ in tick.others]
    answered = ticked[0]
    for flags in ticked[1:] + others:
        answered = pc.or_(answered, flags)
    no_or_blank = pc.if_else(answered, pa.scalar("no"), pa.scalar(""))
    out = {q.column: pc.if_else(flags, pa.scalar("yes"), no_or_blank) for q, flags in zip(tick.options, ticked)}
    problems = []
    for (_, label), flags in zip(tick.others, others):
        rows = np.flatnonzero(flags.to_numpy(zero_copy_only=False))
        if len(rows):
            problems.append(OffScale(tick.options[0].column, rows,
                                     np.full(len(rows), _not_an_option_reason(label, tick.label), dtype=object)))
    return out, problems


# --- dates ---------------------------------------------------------------------------------------

def utc_text(cells: pa.ChunkedArray | pa.Array, formats: Sequence[str], zone: ZoneInfo | None) -> pa.Array:
    """Export date-times as ``YYYY-MM-DDTHH:MM:SS`` in UTC.

    Each format is tried in turn (``pd.to_datetime`` with that explicit format) on the cells the
    earlier ones could not read; naive times are in ``zone`` (None: UTC), converted with zoneinfo.
    In a repeated hour (clocks going back) the earlier, summer-time reading is taken; a time skipped
    when clocks go forward is moved on by the gap. A cell no format reads is left as written, for
    the survey validation to reject.
    """
    raw = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
    n = len(raw)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    absolute = np.zeros(n, dtype=bool)  # already UTC: the cell carried an offset
    todo = np.array(pc.not_equal(raw, "").to_numpy(zero_copy_only=False), dtype=bool)
    for fmt in formats:
        rows = np.flatnonzero(todo)
        if not len(rows):
            break
        subset = raw if len(rows) == n else raw.take(pa.array(rows))
        try:
            # cache=False: export date-times are nearly all distinct, so the cache only costs
            attempt = pd.to_datetime(pd.Series(subset.to_pandas()), format=fmt, errors="coerce", cache=False)
        except (ValueError, TypeError):  # e.g. offsets in some cells and not in others
            continue
        aware = getattr(attempt.dt, "tz", None) is not None
        if aware:
            attempt = attempt.dt.tz_convert("UTC").dt.tz_localize(None)
        read = attempt.notna().to_numpy()
        parsed[rows[read]] = attempt.to_numpy()[read].astype("datetime64[s]")
        absolute[rows[read]] = aware
        todo[rows[read]] = False
    local = ~np.isnat(parsed) & ~absolute
    if zone is not None and zone.key != "UTC" and local.any():
        shifted = (pd.Series(parsed[local])
                   .dt.tz_localize(zone, ambiguous=np.ones(int(local.sum()), dtype=bool), nonexistent="shift_forward")
                   .dt.tz_convert("UTC").dt.tz_localize(None))
        parsed[local] = shifted.to_numpy().astype("datetime64[s]")
    iso = pc.replace_substring(pa.array(parsed, from_pandas=True).cast(pa.string()), " ", "T", max_replacements=1)
    return pc.if_else(pc.is_null(iso), raw, iso)
