"""Recognising which tool wrote a survey file, from its header rows alone (docs/data-contract.md §6).

What belongs here: the kinds of survey file (``SOURCE_KINDS``), each kind's header signature, and the
message for a file no kind recognises. Reading the data rows belongs in ``sheets.py``; what each
column means belongs in the tool modules.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import ContractError
from .sheets import csv_header_rows, has_content, read_payload, xlsx_header_rows

SOURCE_KINDS = ("canonical", "ms_forms", "surveymonkey", "qualtrics")
TOOL_NAMES = {"canonical": "canonical survey_responses", "ms_forms": "Microsoft Forms",
              "surveymonkey": "SurveyMonkey", "qualtrics": "Qualtrics"}
HEADER_ROWS = {"canonical": 1, "ms_forms": 1, "surveymonkey": 2, "qualtrics": 3}

FORMS_LEADING = ("ID", "Start time", "Completion time", "Email", "Name")
SURVEYMONKEY_LEADING = ("Respondent ID", "Collector ID", "Start Date", "End Date")
QUALTRICS_LEADING = ("StartDate", "EndDate", "Status")
SUFFIXES = (".csv", ".xlsx")

UNRECOGNISED = (
    "not a survey file the pipeline recognises. Expected one of: the canonical layout (.csv or .xlsx, "
    "one header row naming respondent_id, submitted_at, locality, ...); a Microsoft Forms export (.xlsx, "
    "one header row starting ID, Start time, Completion time, Email, Name); a SurveyMonkey export (.csv or "
    ".xlsx, two header rows, the first starting Respondent ID, Collector ID, Start Date, End Date); a "
    "Qualtrics export (.csv, three header rows: export tags starting StartDate, EndDate, Status, then the "
    "question texts, then ImportId JSON such as {\"ImportId\":\"QID3_1\"}). If it is one of these exports, "
    "set source: in instrument.yaml"
)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _starts_with(row: list[str], leading: tuple[str, ...]) -> bool:
    return len(row) >= len(leading) and all(_squash(c) == _squash(w) for c, w in zip(row, leading))


def _is_import_id(cell: str) -> bool:
    """A Qualtrics third header row cell: a JSON object with an ImportId."""
    try:
        value = json.loads(cell)
    except ValueError:
        return False
    return isinstance(value, dict) and any(str(k).casefold() == "importid" for k in value)


def kind_of(rows: list[list[str]], suffix: str) -> str | None:
    """The kind the header rows (up to three) of a ``suffix`` file show, or None."""
    if not rows:
        return None
    first = rows[0]
    if "respondent_id" in {_squash(c) for c in first}:
        return "canonical"
    if suffix == ".xlsx" and _starts_with(first, FORMS_LEADING):
        return "ms_forms"
    if _starts_with(first, SURVEYMONKEY_LEADING) and len(rows) >= 2:
        return "surveymonkey"
    if (suffix == ".csv" and _starts_with(first, QUALTRICS_LEADING) and len(rows) >= 3
            and rows[2] and _is_import_id(rows[2][0])):
        return "qualtrics"
    return None


def header_rows(name: str, suffix: str, payload: bytes, count: int = 3) -> list[list[str]]:
    if suffix == ".xlsx":
        return xlsx_header_rows(payload, count, name)
    return csv_header_rows(payload, count, name)[0]


def detect_payload(name: str, suffix: str, payload: bytes) -> str:
    """The kind of a survey file given its bytes; ContractError if no kind recognises it."""
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        raise ContractError(name, UNRECOGNISED)
    if not has_content(payload):
        raise ContractError(name, "the file is empty")
    kind = kind_of(header_rows(name, suffix, payload), suffix)
    if kind is None:
        _title_rows(name, suffix, payload)
        raise ContractError(name, UNRECOGNISED)
    return kind


_TITLE_LOOK_AHEAD = 10


def _title_rows(name: str, suffix: str, payload: bytes) -> None:
    """A recognisable header a few rows down, under a title the user added: say where it is."""
    rows = header_rows(name, suffix, payload, _TITLE_LOOK_AHEAD + 2)
    for start in range(1, min(_TITLE_LOOK_AHEAD, len(rows))):
        if kind_of(rows[start:start + 3], suffix) is not None:
            titles = "row 1" if start == 1 else f"rows 1-{start}"
            raise ContractError(name, f"the header is on row {start + 1}, under a title ({titles}): delete the "
                                      "row(s) above the header and save the file again", row_number=start + 1)


def detect_kind(path: Path) -> str:
    """``canonical``, ``ms_forms``, ``surveymonkey`` or ``qualtrics``, from the file's header rows alone."""
    payload = read_payload(path)
    return detect_payload(path.name, path.suffix, payload)
