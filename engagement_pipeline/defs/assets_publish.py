"""Publish asset: make the wave's staged tables current, then swap in the analysts' warehouse and
the wave's reports, atomically (``publishing.publish_waves``). Runs only when every blocking
check of the wave has passed.

The CLI runs its waves without this asset and the trends, and publishes every wave that passed
once at the end (``execution.run_waves``); it records the materialisations it made here."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from ..publishing import publish_waves
from .assets_analysis import REPORT, TABLE_ASSETS, trend_report
from ..version import pipeline_version
from .assets_ingest import codebook, interview_segments, survey_responses
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

WAREHOUSE = "warehouse"


def warehouse_metadata(settings, counts: dict[str, int]) -> dict[str, object]:
    return {"path": str(settings.warehouse_path), **{f"rows/{t}": n for t, n in counts.items()}}


@asset(name=WAREHOUSE, partitions_def=waves_partitions, group_name="publish", kinds={"duckdb"},
       code_version=pipeline_version(),
       deps=[survey_responses, interview_segments, codebook, *TABLE_ASSETS, REPORT, trend_report],
       description="outputs/engagement.duckdb and outputs/reports/: the wave's staged tables made current in one "
                   "transaction, every current table commented and published in one atomic rename, then the "
                   "wave's report and the trends. Readers holding the old file keep the old state.")
def warehouse(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings, wave = pipeline.settings, context.partition_key
    with store.get_connection() as con:
        counts = publish_waves(settings, con, [wave], trends=False)
    context.log.info("published %s and reports for %s", settings.warehouse_path, wave)
    return MaterializeResult(metadata=warehouse_metadata(settings, counts))
