"""Jobs: one run materialises every asset of one wave."""

from dagster import AssetSelection, define_asset_job


WAVE_JOB = "wave_job"
#: Every run of the job carries this tag, so a queued run coordinator can admit one at a time
#: (see deploy/dagster.yaml); the store's writer lock enforces it regardless.
STORE_TAG = "engagement/store"

wave_job = define_asset_job(
    WAVE_JOB, selection=AssetSelection.all(), tags={STORE_TAG: "writer"},
    description="Validate, load, analyse, report and publish one survey wave.",
)
