"""Publish asset: make the wave's staged tables current, then swap in the analysts' warehouse and
the wave's reports, atomically. Runs only when every blocking check of the wave has passed."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from ..warehouse.publish import publish, publish_folder
from ..warehouse.store import promote_wave
from .assets_analysis import REPORT, TABLE_ASSETS, trend_report
from .assets_ingest import codebook, interview_segments, survey_responses
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource


@asset(partitions_def=waves_partitions, group_name="publish", kinds={"duckdb"},
       deps=[survey_responses, interview_segments, codebook, *TABLE_ASSETS, REPORT, trend_report],
       description="outputs/engagement.duckdb and outputs/reports/: the wave's staged tables made current in one "
                   "transaction, every current table commented and published in one atomic rename, then the "
                   "wave's report and the trends. Readers holding the old file keep the old state.")
def warehouse(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings, wave = pipeline.settings, context.partition_key
    with store.get_connection() as con:
        promote_wave(con, wave)
        counts = publish(con, settings.warehouse_path)
    publish_folder(settings.staged_reports_dir / wave, settings.reports_dir / wave)
    trends = settings.staged_reports_dir / "trends"
    if trends.is_dir() and any(trends.iterdir()):
        publish_folder(trends, settings.reports_dir / "trends")
    context.log.info("published %s and reports for %s", settings.warehouse_path, wave)
    return MaterializeResult(metadata={"path": str(settings.warehouse_path),
                                       **{f"rows/{t}": n for t, n in counts.items()}})
