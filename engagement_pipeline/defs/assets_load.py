"""Load asset: promote a wave whose checks passed. A thin wrapper over the store."""


from dagster import AssetExecutionContext, MaterializeResult, TableColumn, TableSchema, asset

from ..warehouse.store import promote_wave, scalar, table_columns
from .assets_ingest import codebook, interview_segments, survey_responses
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
        rows = scalar(con, "SELECT count(*) FROM responses WHERE wave = ?", [wave])
        quarantined = scalar(con, "SELECT count(*) FROM quarantine WHERE wave = ?", [wave])
        columns = table_columns(con, "responses")
    return MaterializeResult(metadata={
        "dagster/row_count": int(rows), "quarantine_rows": int(quarantined),
        "dagster/column_schema": TableSchema(columns=[TableColumn(name=c, type=t) for c, t in columns.items()]),
    })
