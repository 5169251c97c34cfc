"""Validating the codebook and a wave's coded interview segments (contract §2-§4)."""

from __future__ import annotations

import pandas as pd

from .errors import ContractError
from .privacy import pseudonymise, scrub
from .quarantine import quarantine_rows, split_rows
from .readers import ROW_NUMBER, RawTable
from .schemas import GOLDEN_THREADS, THEME_CODE, INTERVIEW_DUPLICATE_RULE, interview_row_schema
from .survey import LoadedFile

CODEBOOK_COLUMNS = ("theme", "label", "description", "golden_thread")
INTERVIEW_REQUIRED = ("interview_id", "segment_id", "theme", "quote")
INTERVIEW_OPTIONAL = ("respondent_id",)
QUOTE_DTYPES = {"wave": "string", "interview_id": "string", "segment_id": "string", "theme": "string",
                "quote": "string", "respondent_key": "string"}


def empty_quotes() -> pd.DataFrame:
    """A typed, empty interview_quotes frame (a wave without interviews)."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in QUOTE_DTYPES.items()})


def _check_columns(raw: RawTable, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    for column in required:
        if column not in raw.columns:
            raise ContractError(raw.source_file, "missing required column", column=column)
    for column in raw.columns:
        if column not in required and column not in optional:
            raise ContractError(raw.source_file, "unknown column", column=column)


def load_codebook(raw: RawTable) -> pd.DataFrame:
    """The codebook is reference data: any bad row rejects the whole file."""
    _check_columns(raw, ("theme", "label"), ("description", "golden_thread"))
    frame = raw.frame
    for column, rule, problem in (
        ("theme", frame["theme"] == "", "theme is blank"),
        ("theme", (frame["theme"] != "") & ~frame["theme"].str.fullmatch(THEME_CODE),
         "theme codes may hold only letters, digits, '_', '.' and '-' (at most 64)"),
        ("theme", frame["theme"].duplicated(keep="first"), "theme appears more than once"),
        ("label", frame["label"] == "", "label is blank"),
    ):
        if rule.any():
            row = int(frame.loc[rule, ROW_NUMBER].iloc[0])
            raise ContractError(raw.source_file, problem, column=column, row_number=row)
    thread = frame.get("golden_thread", pd.Series("", index=frame.index))
    bad_thread = ~thread.isin(("", *GOLDEN_THREADS))
    if bad_thread.any():
        row = int(frame.loc[bad_thread, ROW_NUMBER].iloc[0])
        raise ContractError(raw.source_file, f"golden_thread must be one of {', '.join(GOLDEN_THREADS)} or blank",
                            column="golden_thread", row_number=row)
    codebook = pd.DataFrame({
        "theme": frame["theme"].astype("string"),
        "label": frame["label"].astype("string"),
        "description": frame.get("description", pd.Series("", index=frame.index)).replace("", None).astype("string"),
        "golden_thread": thread.replace("", None).astype("string"),
    })
    return codebook


def load_interviews(raw: RawTable, wave: str, key: bytes, themes: set[str]) -> LoadedFile:
    """Validate coded segments; quotes are scrubbed and respondent ids pseudonymised."""
    _check_columns(raw, INTERVIEW_REQUIRED, INTERVIEW_OPTIONAL)
    rules = {f"{INTERVIEW_DUPLICATE_RULE.column}: {INTERVIEW_DUPLICATE_RULE.reason}": INTERVIEW_DUPLICATE_RULE}
    quarantine = quarantine_rows(raw, interview_row_schema(themes), rules)
    valid = split_rows(raw, quarantine)
    respondent = valid.get("respondent_id", pd.Series("", index=valid.index))
    keys = pseudonymise(respondent, key).where(respondent != "", None)
    rows = pd.DataFrame({
        "wave": pd.Series(wave, index=valid.index, dtype="string"),
        "interview_id": valid["interview_id"].astype("string"),
        "segment_id": valid["segment_id"].astype("string"),
        "theme": valid["theme"].astype("string"),
        "quote": scrub(valid["quote"]),
        "respondent_key": keys,
    }).astype(QUOTE_DTYPES)
    return LoadedFile(raw.source_file, raw.sha256, rows, quarantine, len(raw))
