"""Small builders shared by the contract tests (docs/data-contract.md sections 2-4).

Survey files are built from readable dicts: ``user()`` and ``non_user()`` give a valid row each,
keyword arguments override single cells, and ``survey_csv`` writes them under ``HEADER``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from engagement_pipeline.ingest.readers import read_csv
from engagement_pipeline.ingest.survey import LoadedFile, load_survey

KEY = b"test-key-0123456789"
WAVE = "2019-03"

HEADER = [
    "respondent_id", "respondent_name", "respondent_email", "submitted_at", "locality",
    "staff_group", "uses_twitter", "engagement_org", "engagement_team", "improved_org",
    "channel_twitter", "channel_email", "barrier_time", "comment",
]


def user(respondent_id: str = "U1", /, **cells: str) -> dict[str, str]:
    """A valid Twitter user's row: improved_* and channel_twitter answered, barriers blank."""
    row = {
        "respondent_id": respondent_id, "respondent_name": "Alex Example",
        "respondent_email": "alex.example@nhs.example", "submitted_at": "2019-03-04T09:15:00",
        "locality": "North", "staff_group": "Nursing", "uses_twitter": "yes",
        "engagement_org": "4", "engagement_team": "5", "improved_org": "yes",
        "channel_twitter": "5", "channel_email": "3", "barrier_time": "", "comment": "",
    }
    row.update(cells)
    return row


def non_user(respondent_id: str = "N1", /, **cells: str) -> dict[str, str]:
    """A valid non-user's row: improved_* and channel_twitter blank, a barrier ticked."""
    row = {
        "respondent_id": respondent_id, "respondent_name": "Sam Sample",
        "respondent_email": "sam.sample@nhs.example", "submitted_at": "2019-03-05",
        "locality": "South", "staff_group": "Admin", "uses_twitter": "no",
        "engagement_org": "2", "engagement_team": "3", "improved_org": "",
        "channel_twitter": "", "channel_email": "4", "barrier_time": "yes", "comment": "",
    }
    row.update(cells)
    return row


def csv_text(header: list[str], rows: list[dict[str, str]] | list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return out.getvalue()


def survey_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    return csv_text(header or HEADER, rows)


def write(folder: Path, text: str, name: str = "survey_responses.csv") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def load(folder: Path, rows: list[dict[str, str]], header: list[str] | None = None):
    """Write ``rows`` as a survey CSV in ``folder`` and run load_survey on it."""
    raw = read_csv(write(folder, survey_csv(rows, header)))
    return load_survey(raw, WAVE, KEY)


def problems(loaded: LoadedFile) -> set[tuple[int, str, str]]:
    """The quarantine as a set of (row_number, column, reason)."""
    q = loaded.quarantine
    return {(int(r), str(c), str(m)) for r, c, m in zip(q["row_number"], q["column_name"], q["reason"])}


def all_quarantine_text(quarantine: pd.DataFrame) -> str:
    """Every cell of a quarantine frame, joined, for 'never quotes a cell' assertions."""
    return "\n".join(str(v) for v in quarantine.astype(str).to_numpy().ravel())


def assert_counts_balance(loaded: LoadedFile) -> None:
    assert loaded.rows_read == loaded.rows_loaded + loaded.rows_quarantined
