"""Validating one survey file into typed, pseudonymised responses plus its quarantine (contract §2-§4)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import SurveyLayout, survey_layout
from .privacy import pseudonymise, scrub
from .quarantine import kept, quarantine_rows
from .readers import RawTable
from .schemas import parse_timestamps, survey_row_schema


@dataclass(frozen=True)
class LoadedFile:
    """One validated file: the rows kept, the rows quarantined, and its load_log entry."""

    source_file: str
    sha256: str
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int

    @property
    def rows_quarantined(self) -> int:
        return int(self.quarantine["row_number"].nunique())

    @property
    def rows_loaded(self) -> int:
        return len(self.rows)

    @property
    def quarantine_fraction(self) -> float:
        return self.rows_quarantined / self.rows_read if self.rows_read else 0.0

    def load_log(self, wave: str, loaded_at: datetime | None = None) -> pd.DataFrame:
        return pd.DataFrame([{
            "wave": wave, "source_file": self.source_file, "sha256": self.sha256,
            "rows_read": self.rows_read, "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "loaded_at": (loaded_at or datetime.now(timezone.utc)).replace(tzinfo=None),
        }]).astype(LOAD_LOG_DTYPES)


LOAD_LOG_DTYPES = {"wave": "string", "source_file": "string", "sha256": "string", "rows_read": "int64",
                   "rows_loaded": "int64", "rows_quarantined": "int64", "loaded_at": "datetime64[us]"}


def empty_load_log(wave: str) -> pd.DataFrame:
    """The load_log of a file that is absent: no rows, the same columns and types."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in LOAD_LOG_DTYPES.items()}).assign(wave=wave)


def _yes_no(cells: pd.Series) -> pd.Series:
    """Validated yes/no cells (any case) or blanks as nullable booleans."""
    lowered = cells.str.lower()
    out = pd.Series(lowered.eq("yes").to_numpy(dtype=bool), index=cells.index, dtype="boolean")
    out[lowered.eq("").to_numpy(dtype=bool)] = pd.NA
    return out


def _likert(cells: pd.Series) -> pd.Series:
    """Validated Likert cells (``4`` or ``4.0``: the first character is the score) or blanks, as Int8."""
    first = pc.utf8_slice_codeunits(pa.array(cells.astype("string[pyarrow]")), 0, 1)
    scores = pc.cast(pc.if_else(pc.equal(first, ""), pa.scalar(None, first.type), first), pa.int8())
    out = scores.to_pandas(types_mapper={pa.int8(): pd.Int8Dtype()}.get)
    out.index = cells.index
    return out


def typed_responses(valid: pd.DataFrame, layout: SurveyLayout, wave: str, key: bytes,
                    respondent_keys: pd.Series | None = None) -> pd.DataFrame:
    """Rows that passed every rule, typed and pseudonymised; identifying columns are left behind.

    ``respondent_keys`` are the rows' pseudonyms when already computed (aligned with ``valid``).
    """
    if respondent_keys is None:
        respondent_keys = pseudonymise(valid["respondent_id"], key)
    out = pd.DataFrame({
        "wave": pd.Series(wave, index=valid.index, dtype="string"),
        "respondent_key": respondent_keys.astype("string"),
        "submitted_at": parse_timestamps(valid["submitted_at"]).astype("datetime64[us]"),
        "locality": valid["locality"].astype("string"),
        "staff_group": valid["staff_group"].astype("string"),
        "uses_twitter": valid["uses_twitter"].str.lower().eq("yes").astype(bool),
    })
    for column in layout.columns("engagement"):
        out[column] = _likert(valid[column])
    for column in layout.columns("improved"):
        out[column] = _yes_no(valid[column])
    for column in layout.columns("channel"):
        out[column] = _likert(valid[column])
    for column in layout.columns("barrier"):
        out[column] = _yes_no(valid[column])
    if layout.has_comment:
        out["comment"] = scrub(valid["comment"])
    return out


def load_survey(raw: RawTable, wave: str, key: bytes) -> tuple[SurveyLayout, LoadedFile]:
    """Validate a raw survey; structural problems raise ContractError, row problems quarantine."""
    layout = survey_layout(raw.columns, raw.source_file)
    schema, rules = survey_row_schema(layout)
    # Hashing every id runs inside DuckDB, which releases the GIL: it overlaps the row rules, which
    # mostly keep one core busy. Keys of rows that end up quarantined are simply not used.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(pseudonymise, raw.frame["respondent_id"], key)
        quarantine = quarantine_rows(raw, schema, rules)
        keys = hashing.result()
    mask = kept(raw, quarantine)
    valid = raw.frame.loc[mask].reset_index(drop=True)
    rows = typed_responses(valid, layout, wave, key, keys[mask].reset_index(drop=True))
    return layout, LoadedFile(raw.source_file, raw.sha256, rows, quarantine, len(raw))
