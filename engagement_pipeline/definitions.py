"""The Dagster entry point (``dagster dev`` via workspace.yaml): Definitions for the environment's settings."""

from engagement_pipeline.startup import collector_paused

# A code server and every run process Dagster launches import this once and keep what it builds.
with collector_paused():
    from engagement_pipeline.defs.build import build_definitions
    from engagement_pipeline.settings import Settings

    defs = build_definitions(Settings.from_env())
