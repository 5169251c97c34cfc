"""Load asset: promote a wave whose checks passed. A thin wrapper over the store."""


from dagster import AssetExecutionContext, MaterializeResult, asset

from ..warehouse.store import promote_wave, read_wave
from .assets_ingest import codebook, interview_segments, survey_responses
from .metadata import table_metadata
from .partitions import waves_partitions
from .resources import StoreResource


@asset(partitions_def=waves_partitions, group_name="ingest", kinds={"duckdb"},
       deps=[survey_responses, interview_segments, codebook],
       description="The wave's validated responses, quarantine, load_log and interview quotes, made "
                   "current in the store in one transaction once every blocking check has passed.")
def responses(context: AssetExecutionContext, store: StoreResource) -> MaterializeResult:
    wave = context.partition_key
    with store.get_connection() as con:
        promote_wave(con, wave)
        frame = read_wave(con, "responses", wave)
        quarantined = con.execute("SELECT count(*) FROM quarantine WHERE wave = ?", [wave]).fetchone()[0]
    return MaterializeResult(metadata={**table_metadata(frame.drop(columns=["comment"], errors="ignore")),
                                       "quarantine_rows": int(quarantined)})
