"""Qualtrics' CSV export with choice text (docs/data-contract.md §6, kind ``qualtrics``).

What belongs here: the Qualtrics layout and its quirks. Three header rows: export tags (``StartDate``,
..., ``Q3_1``), question texts, and ImportId JSON (``{"ImportId":"QID3_1"}``; the date columns also
carry ``"timeZone"``). The metadata columns ``StartDate, EndDate, Status, IPAddress, Progress,
Duration (in seconds), Finished, RecordedDate, ResponseId, RecipientLastName, RecipientFirstName,
RecipientEmail, ExternalReference, LocationLatitude, LocationLongitude, DistributionChannel,
UserLanguage`` are known by their tags; of them only ``Status``, ``ResponseId`` and ``RecordedDate``
are read.

- A grid (matrix) row is the column ``<question> - <row>``; a single or multi-select question with a
  text-entry choice is ``<question> - Selected Choice`` (plain ``<question>`` without one). The
  choices of a multi-select are joined by ``,``, and a choice may itself contain a comma, so a cell
  is split against the options the instrument knows, the longest first.
- A text-entry box's own column (tag ending ``_TEXT``, text ``<question> - <choice> - Text``) of a
  mapped question is free text nothing needs: it is never read.
- ``Status``: live responses are ``0``/``IP Address``, ``4``/``Imported``, ``16``/``Offline`` (code or
  choice text); anything else (``1``/``Survey Preview``, ``2``/``Survey Test``, ``8``/``Spam``, ...)
  is set aside with ``excluded=True``. Partial responses (``Finished`` false) are live.
- ``RecordedDate`` is in the time zone row 3 gives for it (``"timeZone":"Europe/London"``), else the
  instrument's ``time_zone:``, else UTC; it is converted to UTC.
"""

from __future__ import annotations

import json
from collections import defaultdict
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import ContractError
from ..readers import ROW_NUMBER
from .answers import encode, quoted_label
from .binding import (SET_ASIDE_DTYPES, Dates, Extract, Single, TickAll, ambiguous, answer_positions, check_headed,
                      empty_set_aside, encoded_positions, find_header, missing, unmapped)
from .instrument import Instrument, Question, norm
from .sheets import Sheet

METADATA = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
            "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage")
LIVE = ("0", "ip address", "4", "imported", "16", "offline")
STATUS_NAMES = {"0": "IP Address", "1": "Survey Preview", "2": "Survey Test", "4": "Imported", "8": "Spam",
                "16": "Offline"}
SELECTED = " - selected choice"
SEPARATOR = ","
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "ISO8601")


def _import_id(cell: str) -> dict:
    try:
        value = json.loads(cell)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _zone(name: str, import_id: dict, instrument: Instrument) -> ZoneInfo | None:
    for key, value in import_id.items():
        if str(key).casefold() == "timezone" and value:
            if str(value).upper() in ("Z", "UTC", "GMT+0", "UTC+0"):
                return None
            try:
                return ZoneInfo(str(value))
            except (ValueError, OSError, LookupError):
                raise ContractError(name, f"RecordedDate's time zone '{value}' (header row 3) is not an "
                                          "IANA time zone") from None
    return instrument.time_zone


def _is_text_entry(tag: str, import_id: dict) -> bool:
    own = str(next((v for k, v in import_id.items() if str(k).casefold() == "importid"), ""))
    return norm(tag).endswith("_text") or own.upper().endswith("_TEXT")


def _keys(question: Question) -> tuple[str, ...]:
    text = norm(question.text)
    if question.shape == "grid":
        return (f"{text} - {norm(question.row)}",)
    return (text, text + SELECTED)


def _status(name: str, cells: pa.Table, position: int) -> tuple[np.ndarray, pd.DataFrame]:
    """Which rows are live responses, and the set-aside rows for the others (excluded=True)."""
    indices, distinct = encode(cells.column(str(position)))
    live_values = np.array([norm(value) in LIVE for value in distinct], dtype=bool)
    live = live_values[indices.to_numpy(zero_copy_only=False)]
    rows = np.flatnonzero(~live)
    if not len(rows):
        return live, empty_set_aside()
    reasons = np.array([_status_reason(value) for value in distinct], dtype=object)
    which = indices.to_numpy(zero_copy_only=False)[rows]
    excluded = pd.DataFrame({
        "source_file": name,
        "row_number": cells.column(ROW_NUMBER).to_numpy()[rows],
        "column_name": "Status",
        "reason": reasons[which],
        "excluded": True,
    }).astype(SET_ASIDE_DTYPES)
    return live, excluded


def _status_reason(value: str) -> str:
    if not value:
        return "excluded: blank Qualtrics Status, so not a live response"
    shown = f"{value} ({STATUS_NAMES[value]})" if value in STATUS_NAMES else quoted_label(value)
    return f"excluded: Qualtrics Status {shown} is a preview, test or spam response, not a live one"


def extract(sheet: Sheet, wave: str, instrument: Instrument) -> Extract:
    name = sheet.source_file
    tags, texts, import_row = sheet.headers
    check_headed(name, sheet.headers)
    imports = [_import_id(cell) for cell in import_row]
    known = {norm(tag): tag for tag in METADATA}
    fixed: dict[str, int] = {}
    for position, tag in enumerate(tags):
        if norm(tag) in known:
            fixed.setdefault(known[norm(tag)], position)
    for needed in ("Status", "RecordedDate") + (("ResponseId",) if instrument.respondent_id is None else ()):
        if needed not in fixed:
            raise ContractError(name, f"the export has no '{needed}' column (export tag in header row 1)")
    if instrument.respondent_id is not None:
        id_position = find_header(name, sheet.headers[:2], instrument.respondent_id, "the instrument's respondent_id")
    else:
        id_position = fixed["ResponseId"]
    taken = set(fixed.values()) | {id_position}
    questions = [p for p in range(sheet.width) if p not in taken]
    mapped_texts = instrument.mapped_texts()
    free_text = {p for p in questions if _is_text_entry(tags[p], imports[p])
                 and any(norm(texts[p]).startswith(t + " - ") for t in mapped_texts)}
    by_key: dict[str, list[int]] = defaultdict(list)
    for position in questions:
        if position not in free_text:
            by_key[norm(texts[position])].append(position)

    singles: list[Single] = []
    ticks: list[TickAll] = []
    bound: set[int] = set()
    for unit in instrument.units():
        first = unit[0] if isinstance(unit, tuple) else unit
        positions = sorted({p for key in _keys(first) for p in by_key.get(key, [])})
        if not positions:
            raise missing(name, instrument, first)
        if len(positions) > 1:
            raise ambiguous(name, first, f"'{texts[positions[0]]}'", positions)
        position = positions[0]
        bound.add(position)
        if isinstance(unit, tuple):
            ticks.append(TickAll(texts[position], unit, joined=position, separator=SEPARATOR))
        else:
            singles.append(Single(unit, position, texts[position]))
    for position in questions:
        if position not in bound and position not in free_text:
            raise unmapped(name, instrument, f"'{texts[position] or tags[position]}'", position)

    status, recorded = fixed["Status"], fixed["RecordedDate"]
    cells = sheet.read([status, recorded, id_position, *answer_positions(singles, ticks)],
                       encoded=encoded_positions(singles, ticks) | {status})
    live, excluded = _status(name, cells, status)
    submitted = Dates(recorded, DATE_FORMATS, _zone(name, imports[recorded], instrument))
    return Extract(cells, cells.column(str(id_position)), submitted, tuple(singles), tuple(ticks), excluded, live)
