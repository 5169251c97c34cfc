"""Validating one survey file into typed, pseudonymised responses plus its quarantine (docs/data-contract.md §2-§4)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import SurveyLayout, survey_layout
from .loaded import LoadedFile
from .privacy import pseudonymise, scrub
from .quarantine import kept, quarantine_rows
from .readers import RawTable
from .schemas import parse_timestamps, survey_row_schema


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
    out["comment"] = (scrub(valid["comment"]) if layout.has_comment
                      else pd.Series(pd.NA, index=valid.index, dtype="string"))
    return out


def load_survey(raw: RawTable, wave: str, key: bytes, source_kind: str = "canonical",
                set_aside: pd.DataFrame | None = None, rows_read: int | None = None,
                instrument_sha256: str | None = None) -> tuple[SurveyLayout, LoadedFile]:
    """Validate a raw survey; structural problems raise ContractError, row problems quarantine.

    ``set_aside`` are rows a survey tool's reader already took out (previews, unknown answer
    labels), counted in ``rows_read``; they join the quarantine.
    """
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
    if set_aside is not None and len(set_aside):
        quarantine = pd.concat([set_aside, quarantine], ignore_index=True).sort_values(
            ["row_number", "column_name"], kind="stable").reset_index(drop=True)
    return layout, LoadedFile(raw.source_file, raw.sha256, source_kind, rows, quarantine,
                              len(raw) if rows_read is None else rows_read, instrument_sha256)
