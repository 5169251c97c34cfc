"""Blocking asset checks: one factory turns each stored table's pandera schema into a check,
plus the quarantine-fraction rule of contract §3. A failed check stops the wave before promotion."""


import pandera.pandas as pa
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetsDefinition, asset_check

from ..ingest.schemas import STORED_SCHEMAS
from ..warehouse.store import read_wave, staged
from ..ingest.waves import INTERVIEWS_FILE
from .assets_ingest import SURVEY_FILES, codebook, interview_segments, survey_responses
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

MAX_LISTED_PROBLEMS = 5


def schema_check(asset: AssetsDefinition, table: str):
    """A blocking check that validates the wave's staged ``table`` against its pandera schema."""
    schema = STORED_SCHEMAS[table]

    @asset_check(asset=asset, name=f"{table}_matches_schema", blocking=True, partitions_def=waves_partitions,
                 description=f"Staged {table} rows of the wave satisfy the pandera schema '{schema.name}'.")
    def _check(context: AssetCheckExecutionContext, store: StoreResource) -> AssetCheckResult:
        with store.get_connection() as con:
            frame = read_wave(con, staged(table), context.partition_key)
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            summary = (cases.groupby(["column", "check"], dropna=False).size()
                       .reset_index(name="failures").astype({"column": "string"}).fillna("(table)"))
            return AssetCheckResult(
                passed=False, severity=AssetCheckSeverity.ERROR,
                description=f"{len(cases)} failure(s) against schema {schema.name}",
                metadata={"failures": len(cases),
                          "problems": "; ".join(f"{r.column}: {r.check} ({r.failures})" for r in summary.itertuples())},
            )
        return AssetCheckResult(passed=True, metadata={"rows_checked": len(frame)})

    return _check


def quarantine_fraction_check(asset: AssetsDefinition, kind_files: tuple[str, ...]):
    """Blocking: at most ENGAGEMENT_MAX_QUARANTINE_FRACTION of each file's rows may be quarantined."""

    @asset_check(asset=asset, name="quarantine_fraction", blocking=True, partitions_def=waves_partitions,
                 description="No file of the wave has more than ENGAGEMENT_MAX_QUARANTINE_FRACTION "
                             "(default 10 %) of its rows quarantined.")
    def _check(context: AssetCheckExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> AssetCheckResult:
        wave, limit = context.partition_key, pipeline.settings.max_quarantine_fraction
        with store.get_connection() as con:
            log = read_wave(con, staged("load_log"), wave)
            quarantine = read_wave(con, staged("quarantine"), wave)
        log = log[log["source_file"].isin(kind_files)] if len(log) else log
        for entry in log.itertuples():
            fraction = entry.rows_quarantined / entry.rows_read
            if fraction > limit:
                rows = quarantine[quarantine["source_file"] == entry.source_file].head(MAX_LISTED_PROBLEMS)
                examples = "; ".join(f"row {r.row_number} column {r.column!r}: {r.reason}" for r in rows.itertuples())
                message = (f"wave {wave}, {entry.source_file}: {entry.rows_quarantined} of {entry.rows_read} rows "
                           f"quarantined ({100 * fraction:.1f} %), more than the allowed {100 * limit:g} %. "
                           f"First problems: {examples}")
                return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, description=message,
                                        metadata={"rows_quarantined": int(entry.rows_quarantined),
                                                  "rows_read": int(entry.rows_read), "fraction": float(fraction)})
        worst = max((e.rows_quarantined / e.rows_read for e in log.itertuples()), default=0.0)
        return AssetCheckResult(passed=True, metadata={"max_fraction": float(worst), "limit": float(limit)})

    return _check


CHECKS = [
    schema_check(survey_responses, "responses"),
    schema_check(survey_responses, "load_log"),
    schema_check(survey_responses, "quarantine"),
    quarantine_fraction_check(survey_responses, SURVEY_FILES),
    schema_check(interview_segments, "interview_quotes"),
    quarantine_fraction_check(interview_segments, (INTERVIEWS_FILE,)),
    schema_check(codebook, "codebook"),
]
