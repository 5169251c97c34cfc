"""Reading one survey file, canonical or a tool's export, into the canonical text table (docs/data-contract.md §2, §6).

What belongs here: ``read_survey`` and its result ``SurveyExport``: choosing the kind (the
instrument's ``source:``, else the header rows), handing a tool export to its module, and assembling
the canonical columns, the rows set aside before validation, and the count of rows read. Validating
the canonical table is the survey schema's business, downstream.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ...contract import FAMILIES, REQUIRED_SURVEY_COLUMNS as REQUIRED
from ..columns import family_of
from ..errors import ContractError
from ..readers import ROW_NUMBER, RawTable, read_csv, read_xlsx
from . import ms_forms, qualtrics, surveymonkey
from .answers import OffScale, convert_single, convert_tick_all, utc_text
from .binding import SET_ASIDE_DTYPES, Extract, empty_set_aside
from .detect import HEADER_ROWS, TOOL_NAMES, detect_payload
from .instrument import REQUIRED_QUESTIONS, Instrument, load_instrument
from .sheets import Sheet, open_csv, open_xlsx, read_payload, sha256

_EXTRACTORS = {"ms_forms": ms_forms.extract, "surveymonkey": surveymonkey.extract, "qualtrics": qualtrics.extract}
_STRING = {pa.string(): pd.StringDtype("pyarrow")}.get


@dataclass(frozen=True)
class SurveyExport:
    """A survey file read into the canonical layout, before validation.

    ``table.frame`` holds the canonical columns as stripped text plus ROW_NUMBER, the row in the file
    counting every header row; rows in ``set_aside`` are not in it. ``set_aside`` has the columns
    source_file, row_number, column_name, reason, excluded: ``excluded=True`` for a response left
    out on purpose (a Qualtrics preview, test or spam response), ``excluded=False`` for an answer
    label the instrument's scale lacks. ``rows_read`` counts the file's data rows.
    """

    kind: str
    table: RawTable
    set_aside: pd.DataFrame
    rows_read: int


def read_survey(path: Path, wave: str, instrument_path: Path | None) -> SurveyExport:
    """Read ``path`` (canonical or a tool's export) for ``wave``; structural problems raise ContractError."""
    instrument = load_instrument(instrument_path) if instrument_path is not None else None
    payload = read_payload(path)
    suffix = path.suffix.lower()
    kind = instrument.source if instrument is not None and instrument.source else None
    kind = kind or detect_payload(path.name, suffix, payload)
    if kind == "canonical":
        table = read_xlsx(path) if suffix == ".xlsx" else read_csv(path)
        return SurveyExport(kind, table, empty_set_aside(), len(table))
    if instrument is None or not instrument.questions:
        raise ContractError(path.name, f"a {TOOL_NAMES[kind]} export needs the questions: mapping of an "
                                       "instrument.yaml (in the wave folder or in raw/) to say which survey "
                                       "column each question feeds (docs/data-contract.md §6)")
    mapped = {question.column for question in instrument.questions}
    for column in REQUIRED_QUESTIONS:
        if column not in mapped:
            raise ContractError(instrument.name, f"questions: maps no question to {column}, a required survey column")
    open_sheet = open_xlsx if suffix == ".xlsx" else open_csv
    with ThreadPoolExecutor(max_workers=1) as hasher:  # hashing releases the GIL: it overlaps the parsing
        digest = hasher.submit(sha256, payload)
        sheet = open_sheet(path.name, payload, HEADER_ROWS[kind])
        return _assemble(kind, sheet, _EXTRACTORS[kind](sheet, wave, instrument), instrument, digest)


def _canonical_order(instrument: Instrument) -> list[str]:
    mapped = [question.column for question in instrument.questions]
    order = list(REQUIRED)
    for family in FAMILIES:
        order += [c for c in mapped if (family_of(c) or ("",))[0] == family]
    return order + (["comment"] if "comment" in mapped else [])


def _assemble(kind: str, sheet: Sheet, extract: Extract, instrument: Instrument, digest: Future) -> SurveyExport:
    cells, ids = extract.cells, extract.respondent_id
    if extract.live is not None and not extract.live.all():  # cheap before the lookups: answers are still encoded
        live = pa.array(extract.live)
        cells, ids = cells.filter(live), ids.filter(live)
    dates = extract.submitted_at
    # Dates are parsed (holding the GIL) while Arrow's kernels (releasing it) look the answers up.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        submitted = pool.submit(utc_text, cells.column(str(dates.position)), dates.formats, dates.zone)
        singles = list(pool.map(lambda single: convert_single(cells, single), extract.singles))
        ticks = list(pool.map(lambda tick: convert_tick_all(cells, tick), extract.tick_alls))
        columns: dict[str, pa.Array | pa.ChunkedArray] = {"respondent_id": ids, "submitted_at": submitted.result()}
    problems: list[OffScale] = []
    for single, (out, found) in zip(extract.singles, singles):
        columns[single.question.column] = out
        problems += found
    for out, found in ticks:
        columns.update(out)
        problems += found
    table = pa.table({**{c: columns[c] for c in _canonical_order(instrument)}, ROW_NUMBER: cells.column(ROW_NUMBER)})
    off_scale = empty_set_aside()
    if problems:
        keep = np.ones(cells.num_rows, dtype=bool)
        for problem in problems:
            keep[problem.rows] = False
        table = table.filter(pa.array(keep))
        numbers = cells.column(ROW_NUMBER).to_numpy()
        off_scale = pd.DataFrame({
            "source_file": sheet.source_file,
            "row_number": np.concatenate([numbers[p.rows] for p in problems]),
            "column_name": np.concatenate([np.full(len(p.rows), p.column, dtype=object) for p in problems]),
            "reason": np.concatenate([p.reasons for p in problems]),
            "excluded": False,
        }).astype(SET_ASIDE_DTYPES)
    frames = [f for f in (extract.excluded, off_scale) if len(f)]
    set_aside = pd.concat(frames, ignore_index=True) if frames else empty_set_aside()
    set_aside = (set_aside.sort_values(["row_number", "column_name"], kind="stable")
                 .drop_duplicates().reset_index(drop=True).astype(SET_ASIDE_DTYPES))
    frame = table.to_pandas(types_mapper=_STRING)
    raw = RawTable(sheet.source_file, digest.result(), frame)
    return SurveyExport(kind, raw, set_aside, len(frame) + int(set_aside["row_number"].nunique()))
