"""Jobs: one run materialises every asset of one wave."""

from dagster import AssetSelection, define_asset_job

from .partitions import waves_partitions

WAVE_JOB = "wave_job"

wave_job = define_asset_job(
    WAVE_JOB, selection=AssetSelection.all(), partitions_def=waves_partitions,
    description="Validate, load, analyse, report and publish one survey wave.",
)
