"""Load assets: promote a wave whose checks passed, and summarise it. Thin wrappers over the store."""


from dagster import AssetExecutionContext, MaterializeResult, asset

from ..analysis.perceived import perceived_impact
from ..analysis.waves import wave_summary
from ..warehouse.store import promote_wave, read_wave, write_wave_table
from .assets_ingest import codebook, interview_segments, survey_responses
from .metadata import table_metadata
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource


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


@asset(partitions_def=waves_partitions, group_name="analysis", kinds={"pandas", "duckdb"}, deps=[responses],
       description="`waves`: respondents, Twitter take-up and mean perceived improvement of the wave.")
def waves(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    wave, settings = context.partition_key, pipeline.settings
    with store.get_connection() as con:
        frame = read_wave(con, "responses", wave)
        loaded_at = con.execute("SELECT max(loaded_at) FROM load_log WHERE wave = ?", [wave]).fetchone()[0]
        summary = wave_summary(frame, perceived_impact(frame, wave, settings.min_group_size), wave, loaded_at)
        write_wave_table(con, "waves", wave, summary)
    row = summary.iloc[0]
    return MaterializeResult(metadata={**table_metadata(summary), "n_respondents": int(row.n_respondents),
                                       "n_users": int(row.n_users)})
