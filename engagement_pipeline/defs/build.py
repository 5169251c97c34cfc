"""Assemble the Definitions for given settings: the single code path the UI and the CLI share."""

from __future__ import annotations

from dagster import Definitions, in_process_executor, load_assets_from_modules

from ..settings import Settings
from . import assets_analysis, assets_ingest, assets_publish
from .checks import CHECKS
from .jobs import wave_job
from .resources import build_resources
from .schedules import build_refresh_schedule
from .sensors import build_wave_sensor


def build_definitions(settings: Settings, staging_only: bool = False) -> Definitions:
    """``staging_only``: the runs only stage their wave (the CLI's wave runs; see ``StoreResource``)."""
    # In-process: the steps share one DuckDB store, which admits one writing process at a time.
    return Definitions(
        assets=load_assets_from_modules([assets_ingest, assets_analysis, assets_publish]),
        asset_checks=CHECKS,
        jobs=[wave_job],
        sensors=[build_wave_sensor(settings)],
        schedules=[build_refresh_schedule(settings)],
        resources=build_resources(settings, staging_only),
        executor=in_process_executor,
    )
