"""Settings: every ENGAGEMENT_* variable read once, its default, its validation, and the run config
that carries the thresholds into every step (docs/data-contract.md §1, §3-§5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engagement_pipeline.defs.build import build_definitions
from engagement_pipeline.defs.resources import PipelineSettings
from engagement_pipeline.settings import Settings

ALL = ("ENGAGEMENT_DATA_DIR", "ENGAGEMENT_OUTPUT_DIR", "ENGAGEMENT_MAX_QUARANTINE_FRACTION",
       "ENGAGEMENT_MIN_GROUP_SIZE", "ENGAGEMENT_ALPHA", "ENGAGEMENT_REFRESH_CRON", "ENGAGEMENT_REFRESH_TIMEZONE",
       "ENGAGEMENT_SENSOR_INTERVAL_SECONDS")


@pytest.fixture
def clean(monkeypatch, tmp_path):
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_the_contract_defaults(clean, tmp_path):
    settings = Settings.from_env()
    assert settings.data_dir == tmp_path / "data" and settings.output_dir == tmp_path / "outputs"
    assert settings.max_quarantine_fraction == 0.10
    assert settings.min_group_size == 11
    assert settings.alpha == 0.05
    assert (settings.refresh_cron, settings.refresh_timezone) == ("0 2 * * 0", "Europe/London")
    assert settings.sensor_interval_seconds == 30
    assert settings.warehouse_path == tmp_path / "outputs" / "engagement.duckdb"


def test_every_variable_is_read(clean, tmp_path):
    values = {"ENGAGEMENT_DATA_DIR": "in", "ENGAGEMENT_OUTPUT_DIR": "out", "ENGAGEMENT_MAX_QUARANTINE_FRACTION": "0.2",
              "ENGAGEMENT_MIN_GROUP_SIZE": "5", "ENGAGEMENT_ALPHA": "0.01", "ENGAGEMENT_REFRESH_CRON": "0 6 * * 1",
              "ENGAGEMENT_REFRESH_TIMEZONE": "UTC", "ENGAGEMENT_SENSOR_INTERVAL_SECONDS": "120"}
    for name, value in values.items():
        clean.setenv(name, value)
    settings = Settings.from_env()
    assert (settings.data_dir, settings.output_dir) == (tmp_path / "in", tmp_path / "out")
    assert (settings.max_quarantine_fraction, settings.min_group_size, settings.alpha) == (0.2, 5, 0.01)
    assert (settings.refresh_cron, settings.refresh_timezone, settings.sensor_interval_seconds) == ("0 6 * * 1", "UTC", 120)
    assert Settings.from_env("explicit", None).data_dir == tmp_path / "explicit"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ENGAGEMENT_MAX_QUARANTINE_FRACTION", "1.5", "must lie between 0 and 1"),
    ("ENGAGEMENT_MAX_QUARANTINE_FRACTION", "ten", "is not a number"),
    ("ENGAGEMENT_ALPHA", "0", "strictly between 0 and 1"),
    ("ENGAGEMENT_ALPHA", "1", "strictly between 0 and 1"),
    ("ENGAGEMENT_MIN_GROUP_SIZE", "0", "whole number of at least 1"),
    ("ENGAGEMENT_MIN_GROUP_SIZE", "2.5", "whole number of at least 1"),
    ("ENGAGEMENT_SENSOR_INTERVAL_SECONDS", "-3", "whole number of at least 1"),
])
def test_bad_values_are_refused_with_the_variable_named(clean, name, value, message):
    clean.setenv(name, value)
    with pytest.raises(ValueError, match=message) as caught:
        Settings.from_env()
    assert name in str(caught.value)


def test_the_run_config_carries_the_thresholds_and_no_step_rereads_the_environment(clean, tmp_path):
    clean.setenv("ENGAGEMENT_MIN_GROUP_SIZE", "7")
    clean.setenv("ENGAGEMENT_ALPHA", "0.01")
    defs = build_definitions(Settings.from_env())
    resource = defs.resources["pipeline"]
    assert isinstance(resource, PipelineSettings)
    assert (resource.min_group_size, resource.alpha, resource.max_quarantine_fraction) == (7, 0.01, 0.10)
    clean.setenv("ENGAGEMENT_MIN_GROUP_SIZE", "99")  # a change after the Definitions were built ...
    assert resource.settings.min_group_size == 7  # ... is not seen by a run of them
    assert resource.settings.warehouse_path == Path(resource.output_dir) / "engagement.duckdb"


def test_the_sensor_says_the_interval_it_uses(clean):
    clean.setenv("ENGAGEMENT_SENSOR_INTERVAL_SECONDS", "45")
    defs = build_definitions(Settings.from_env())
    sensor = defs.resolve_sensor_def("wave_folder_sensor")
    assert sensor.minimum_interval_seconds == 45
    assert sensor.description.startswith("Every 45 s")
