"""Validating the codebook and a wave's coded interview segments (docs/data-contract.md §2-§4)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from ..contract import CODEBOOK_COLUMNS
from ..warehouse.registry import TABLES
from .errors import ContractError
from .loaded import LoadedFile
from .privacy import pseudonymise, scrub
from .quarantine import quarantine_rows, split_rows
from .readers import ROW_NUMBER, RawTable
from .schemas import INTERVIEW_DUPLICATE_RULE, interview_row_schema

INTERVIEW_REQUIRED = ("interview_id", "segment_id", "theme", "quote")
INTERVIEW_OPTIONAL = ("respondent_id",)


def _check_columns(raw: RawTable, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    for column in required:
        if column not in raw.columns:
            raise ContractError(raw.source_file, "missing required column", column=column)
    for column in raw.columns:
        if column not in required and column not in optional:
            raise ContractError(raw.source_file, "unknown column", column=column)


def load_codebook(raw: RawTable) -> pd.DataFrame:
    """The codebook is reference data: its first bad row rejects the whole file.

    The rules are the stored ``codebook`` table's (the registry), applied before anything is stored.
    """
    _check_columns(raw, CODEBOOK_COLUMNS[:2], CODEBOOK_COLUMNS[2:])
    frame = raw.frame
    blank = pd.Series("", index=frame.index, dtype="string")
    codebook = pd.DataFrame({
        column: (frame[column] if column in frame else blank).astype("string") for column in CODEBOOK_COLUMNS
    })
    for optional in CODEBOOK_COLUMNS[2:]:
        codebook[optional] = codebook[optional].replace("", None)
    spec = TABLES["codebook"]
    try:
        spec.schema(without=("wave",)).validate(codebook, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.dropna(subset=["index"])
        first = cases.assign(index=cases["index"].astype("int64")).sort_values("index", kind="stable").iloc[0]
        column = first["column"] if first["column"] in CODEBOOK_COLUMNS else spec.key[-1]
        raise ContractError(raw.source_file, str(first["check"]), column=column,
                            row_number=int(frame[ROW_NUMBER].iloc[first["index"]])) from None
    return codebook


def load_interviews(raw: RawTable, wave: str, key: bytes, themes: set[str], source_kind: str = "canonical",
                    set_aside: pd.DataFrame | None = None, rows_read: int | None = None) -> LoadedFile:
    """Validate coded segments; quotes are scrubbed and respondent ids pseudonymised.

    ``set_aside`` are rows a reader already took out (codings outside the codebook in a .qdpx),
    counted in ``rows_read``.
    """
    _check_columns(raw, INTERVIEW_REQUIRED, INTERVIEW_OPTIONAL)
    rules = {f"{INTERVIEW_DUPLICATE_RULE.column}: {INTERVIEW_DUPLICATE_RULE.reason}": INTERVIEW_DUPLICATE_RULE}
    quarantine = quarantine_rows(raw, interview_row_schema(themes), rules)
    if set_aside is not None and len(set_aside):
        quarantine = pd.concat([set_aside, quarantine], ignore_index=True).sort_values("row_number", kind="stable")
    valid = split_rows(raw, quarantine)
    respondent = valid.get("respondent_id", pd.Series("", index=valid.index))
    keys = pseudonymise(respondent, key).where(respondent != "", None)
    rows = TABLES["interview_quotes"].conform(pd.DataFrame({
        "wave": pd.Series(wave, index=valid.index, dtype="string"),
        "interview_id": valid["interview_id"],
        "segment_id": valid["segment_id"],
        "theme": valid["theme"],
        "quote": scrub(valid["quote"]),
        "respondent_key": keys,
    }))
    return LoadedFile(raw.source_file, raw.sha256, source_kind, rows, quarantine.reset_index(drop=True),
                      len(raw) if rows_read is None else rows_read)
