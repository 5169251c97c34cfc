"""Blocking asset checks. One factory turns every registry table's pandera schema into a check on
the asset that stages it, plus the quarantine-limit rule of docs/data-contract.md §3. A failed
check stops the wave before anything of it is promoted or published.

The checks of one asset run together, as one step (``checks_for``): a wave runs four check steps
rather than one per table, which is most of Dagster's per-step cost in a small wave. Each rule is
a plain function (``schema_result``, ``quarantine_result``) that the step calls per table or file.
"""

import warnings
from collections.abc import Callable, Iterator

import pandas as pd
import pandera.pandas as pa
from dagster import (AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey,
                     PreviewWarning, multi_asset_check)

from ..contract import file_role
from ..warehouse.registry import TABLES
from ..warehouse.store import read_wave, staged
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

MAX_LISTED_PROBLEMS = 5
QUARANTINE_CHECK = "quarantine_fraction"

#: The asset whose step stages each ingested table (analysis tables are assets of their own name).
STAGED_BY = {"responses": "survey_responses", "quarantine": "survey_responses", "load_log": "survey_responses",
             "interview_quotes": "interview_segments", "codebook": "codebook"}
#: The assets whose files are held to the quarantine limit, and which load_log rows are theirs.
QUARANTINE_OWNERS: dict[str, Callable[[str], bool]] = {
    "survey_responses": lambda name: file_role(name) == "survey",
    "interview_segments": lambda name: file_role(name) == "interviews",
}
#: The step (multi-asset) that stages each analysis table: their checks run as one step.
ANALYSIS_STEP = "wave_analysis"


def schema_check_name(table: str) -> str:
    return f"{table}_matches_schema"


def schema_failures(table: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """pandera's failure cases of ``frame`` against ``table``'s registry schema (None when valid)."""
    try:
        TABLES[table].schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return errors.failure_cases
    return None


def schema_result(table: str, frame: pd.DataFrame) -> AssetCheckResult:
    """The schema check's verdict on the wave's staged ``table``, failures summarised per column and rule."""
    target = dict(asset_key=AssetKey(STAGED_BY.get(table, table)), check_name=schema_check_name(table))
    cases = schema_failures(table, frame)
    if cases is None:
        return AssetCheckResult(**target, passed=True, metadata={"rows_checked": len(frame)})
    summary = (cases.groupby(["column", "check"], dropna=False).size()
               .reset_index(name="failures").astype({"column": "string"}).fillna("(table)"))
    return AssetCheckResult(
        **target, passed=False, severity=AssetCheckSeverity.ERROR,
        description=f"{len(cases)} failure(s) against the {table} schema",
        metadata={"failures": len(cases),
                  "problems": "; ".join(f"{r.column}: {r.check} ({r.failures})" for r in summary.itertuples())},
    )


def quarantine_result(asset: str, wave: str, log: pd.DataFrame, quarantine: pd.DataFrame,
                      limit: float) -> AssetCheckResult:
    """At most ``limit`` of each of ``asset``'s files' rows may be quarantined for errors (rows
    read, not loaded, is the denominator; a row counts once; rows excluded on purpose do not count)."""
    target = dict(asset_key=AssetKey(asset), check_name=QUARANTINE_CHECK)
    owns = QUARANTINE_OWNERS[asset]
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
            return AssetCheckResult(**target, passed=False, severity=AssetCheckSeverity.ERROR, description=message,
                                    metadata={"rows_quarantined": failed, "rows_read": int(entry.rows_read),
                                              "fraction": float(fraction)})
    return AssetCheckResult(**target, passed=True, metadata={"max_fraction": float(worst), "limit": float(limit)})


def _schema_spec(table: str) -> AssetCheckSpec:
    return AssetCheckSpec(schema_check_name(table), asset=STAGED_BY.get(table, table), blocking=True,
                          partitions_def=waves_partitions,
                          description=f"Staged `{table}` rows of the wave satisfy the table registry's pandera "
                                      "schema (types, nullability, value rules, key).")


def _quarantine_spec(asset: str) -> AssetCheckSpec:
    return AssetCheckSpec(QUARANTINE_CHECK, asset=asset, blocking=True, partitions_def=waves_partitions,
                          description="No file of the wave has more than ENGAGEMENT_MAX_QUARANTINE_FRACTION "
                                      "(default 10 %) of its rows quarantined for errors (excluded rows do not count).")


def checks_for(step: str, tables: list[str]):
    """One blocking multi-asset check (one step) for the tables staged by ``step``: each table's
    schema, and the quarantine limit when ``step`` loads files held to it."""
    quarantined = step in QUARANTINE_OWNERS
    with warnings.catch_warnings():  # partitioned check specs are a Dagster preview; the waves need them
        warnings.simplefilter("ignore", PreviewWarning)
        specs = [*map(_schema_spec, tables), *([_quarantine_spec(step)] if quarantined else [])]

    @multi_asset_check(specs=specs, name=f"{step}_checks",
                       description=f"The blocking checks of what `{step}` stages for the wave.")
    def _checks(context: AssetCheckExecutionContext, pipeline: PipelineSettings,
                store: StoreResource) -> Iterator[AssetCheckResult]:
        wave = context.partition_key
        with store.get_connection() as con:
            frames = {table: read_wave(con, staged(table), wave)
                      for table in {*tables, *(["load_log", "quarantine"] if quarantined else [])}}
        for table in tables:
            yield schema_result(table, frames[table])
        if quarantined:
            yield quarantine_result(step, wave, frames["load_log"], frames["quarantine"],
                                    pipeline.settings.max_quarantine_fraction)

    return _checks


def _steps() -> dict[str, list[str]]:
    steps: dict[str, list[str]] = {}
    for table in TABLES:
        steps.setdefault(STAGED_BY.get(table, ANALYSIS_STEP), []).append(table)
    return steps


CHECKS = [checks_for(step, tables) for step, tables in _steps().items()]
