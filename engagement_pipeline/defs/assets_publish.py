"""Publish asset: swap the analysts' warehouse for a fresh copy of the store, atomically."""


from dagster import AssetExecutionContext, MaterializeResult, asset

from ..warehouse.publish import publish
from .assets_load import waves
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource


@asset(partitions_def=waves_partitions, group_name="publish", kinds={"duckdb"}, deps=[waves],
       description="outputs/engagement.duckdb: every current table of the store, commented, published in "
                   "one atomic rename. Readers holding the old file keep the old state.")
def warehouse(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    path = pipeline.settings.warehouse_path
    with store.get_connection() as con:
        counts = publish(con, path)
    context.log.info("published %s", path)
    return MaterializeResult(metadata={"path": str(path), **{f"rows/{t}": n for t, n in counts.items()}})
