"""Jobs: one run materialises every asset of one wave."""

from dagster import AssetSelection, define_asset_job


WAVE_JOB = "wave_job"

wave_job = define_asset_job(
    WAVE_JOB, selection=AssetSelection.all(),
    description="Validate, load, analyse, report and publish one survey wave.",
)
