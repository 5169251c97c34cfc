"""Blocking asset checks. One factory turns every registry table's pandera schema into a check on
the asset that stages it, plus the quarantine-limit rule of docs/data-contract.md §3. A failed
check stops the wave before anything of it is promoted or published."""

from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from ..contract import file_role
from ..warehouse.registry import TABLES
from ..warehouse.store import read_wave, staged
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

MAX_LISTED_PROBLEMS = 5

#: The asset whose step stages each ingested table (analysis tables are assets of their own name).
STAGED_BY = {"responses": "survey_responses", "quarantine": "survey_responses", "load_log": "survey_responses",
             "interview_quotes": "interview_segments", "codebook": "codebook"}


def schema_failures(table: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """pandera's failure cases of ``frame`` against ``table``'s registry schema (None when valid)."""
    try:
        TABLES[table].schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return None


def schema_check(table: str):
    """A blocking check that validates the wave's staged ``table`` against its registry schema."""
    asset = AssetKey(STAGED_BY.get(table, table))

    @asset_check(asset=asset, name=f"{table}_matches_schema", blocking=True, partitions_def=waves_partitions,
                 description=f"Staged `{table}` rows of the wave satisfy the table registry's pandera schema "
                             "(types, nullability, value rules, key).")
    def _check(context: AssetCheckExecutionContext, store: StoreResource) -> AssetCheckResult:
        with store.get_connection() as con:
            frame = read_wave(con, staged(table), context.partition_key)
        cases = schema_failures(table, frame)
        if cases is None:
            return AssetCheckResult(passed=True, metadata={"rows_checked": len(frame)})
        summary = (cases.groupby(["column", "check"], dropna=False).size()
                   .reset_index(name="failures").astype({"column": "string"}).fillna("(table)"))
        return AssetCheckResult(
            passed=False, severity=AssetCheckSeverity.ERROR,
            description=f"{len(cases)} failure(s) against the {table} schema",
            metadata={"failures": len(cases),
                      "problems": "; ".join(f"{r.column}: {r.check} ({r.failures})" for r in summary.itertuples())},
        )

    return _check


def quarantine_limit_check(asset: str, owns: Callable[[str], bool]):
    """Blocking: at most ENGAGEMENT_MAX_QUARANTINE_FRACTION of each file's rows may be quarantined
    for errors; rows excluded on purpose do not count."""

    @asset_check(asset=AssetKey(asset), name="quarantine_fraction", blocking=True, partitions_def=waves_partitions,
                 description="No file of the wave has more than ENGAGEMENT_MAX_QUARANTINE_FRACTION "
                             "(default 10 %) of its rows quarantined for errors (excluded rows do not count).")
    def _check(context: AssetCheckExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> AssetCheckResult:
        wave, limit = context.partition_key, pipeline.settings.max_quarantine_fraction
        with store.get_connection() as con:
            log = read_wave(con, staged("load_log"), wave)
            quarantine = read_wave(con, staged("quarantine"), wave)
        log = log[log["source_file"].map(owns).astype(bool)] if len(log) else log
        errors = quarantine[~quarantine["excluded"].astype(bool)] if len(quarantine) else quarantine
        worst = 0.0
        for entry in log.itertuples():
            rows = errors[errors["source_file"] == entry.source_file] if len(errors) else errors
            failed = int(rows["row_number"].nunique()) if len(rows) else 0
            fraction = failed / entry.rows_read
            worst = max(worst, fraction)
            if fraction > limit:
                examples = "; ".join(f"row {r.row_number} column {r.column_name!r}: {r.reason}"
                                     for r in rows.head(MAX_LISTED_PROBLEMS).itertuples())
                message = (f"wave {wave}, {entry.source_file}: {failed} of {entry.rows_read} rows "
                           f"quarantined ({100 * fraction:.1f} %), more than the allowed {100 * limit:g} %. "
                           f"First problems: {examples}")
                return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, description=message,
                                        metadata={"rows_quarantined": failed, "rows_read": int(entry.rows_read),
                                                  "fraction": float(fraction)})
        return AssetCheckResult(passed=True, metadata={"max_fraction": float(worst), "limit": float(limit)})

    return _check


CHECKS = [
    *(schema_check(table) for table in TABLES),
    quarantine_limit_check("survey_responses", lambda name: file_role(name) == "survey"),
    quarantine_limit_check("interview_segments", lambda name: file_role(name) == "interviews"),
]
