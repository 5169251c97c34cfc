"""The wave sensor: new folder, changed file, unchanged, bad name, half-copied (issue: operations)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
import shutil

import pytest
from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context

from engagement_pipeline.defs.build import build_definitions
from engagement_pipeline.defs.partitions import waves_partitions
from engagement_pipeline.defs.sensors import build_wave_sensor
from engagement_pipeline.ingest.watch import watch
from engagement_pipeline.settings import Settings


def _look_twice(workspace, cursor=None):
    first = watch(workspace.data / "raw" / "waves", workspace.warehouse, cursor)
    return first, watch(workspace.data / "raw" / "waves", workspace.warehouse, first.cursor)


def _actions(result) -> dict[str, str]:
    return {d.wave: d.action for d in result.decisions}


def test_new_folders_settle_for_one_look_then_run(workspace):
    first, second = _look_twice(workspace)
    assert _actions(first) == {"2019-03": "settling", "2020-03": "settling"}
    assert _actions(second) == {"2019-03": "run", "2020-03": "run"}
    assert len({d.run_key for d in second.to_run()}) == 2


def test_published_waves_are_unchanged_and_a_changed_file_runs_again(workspace):
    assert workspace.run() == 0
    _, second = _look_twice(workspace)
    assert _actions(second) == {"2019-03": "unchanged", "2020-03": "unchanged"}
    survey = workspace.wave("2020-03") / "survey_responses.csv"
    survey.write_text(survey.read_text().replace("North Locality", "Northern Locality", 1))
    changed = watch(workspace.data / "raw" / "waves", workspace.warehouse, second.cursor)
    assert _actions(changed)["2020-03"] == "settling"  # its fingerprint moved: wait one look
    again = watch(workspace.data / "raw" / "waves", workspace.warehouse, changed.cursor)
    assert _actions(again) == {"2019-03": "unchanged", "2020-03": "run"}


def test_a_growing_file_keeps_the_wave_settling(workspace):
    first = watch(workspace.data / "raw" / "waves", workspace.warehouse, None)
    survey = workspace.wave("2019-03") / "survey_responses.csv"
    with survey.open("a") as handle:  # the copy is still going
        handle.write("MGR-999999,")
    second = watch(workspace.data / "raw" / "waves", workspace.warehouse, first.cursor)
    assert _actions(second)["2019-03"] == "settling"


def test_a_folder_without_its_survey_file_is_incomplete(workspace):
    (workspace.data / "raw" / "waves" / "2021-03").mkdir()
    _, second = _look_twice(workspace)
    assert _actions(second)["2021-03"] == "incomplete"


def test_bad_folder_names_are_reported_never_decided(workspace):
    shutil.copytree(workspace.wave("2019-03"), workspace.data / "raw" / "waves" / "bad name;")
    first, second = _look_twice(workspace)
    assert "bad name;" not in _actions(second)
    assert any("bad name;" in m for m in second.rejected_messages)
    assert "bad name;" not in json.loads(second.cursor)


@pytest.fixture
def sensor_setup(workspace):
    settings = Settings.from_env(workspace.data, workspace.outputs)
    defs = build_definitions(settings)
    return workspace, build_wave_sensor(settings), defs


def test_sensor_adds_partitions_and_requests_one_run_per_ready_wave(sensor_setup):
    workspace, sensor, defs = sensor_setup
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance, definitions=defs)
        assert isinstance(sensor(context), SkipReason)  # first look: folders still settling
        result = sensor(build_sensor_context(instance=instance, definitions=defs, cursor=context.cursor))
        assert isinstance(result, SensorResult)
        assert sorted(r.partition_key for r in result.run_requests) == ["2019-03", "2020-03"]
        assert all(r.run_key for r in result.run_requests)
        (request,) = result.dynamic_partitions_requests
        assert request.partitions_def_name == waves_partitions.name
        assert sorted(request.partition_keys) == ["2019-03", "2020-03"]


def test_sensor_skips_when_everything_is_published(sensor_setup):
    workspace, sensor, defs = sensor_setup
    assert workspace.run() == 0
    cursor = watch(workspace.data / "raw" / "waves", workspace.warehouse, None).cursor
    with DagsterInstance.ephemeral() as instance:
        result = sensor(build_sensor_context(instance=instance, definitions=defs, cursor=cursor))
    assert isinstance(result, SkipReason)


def test_schedule_requests_every_known_wave(sensor_setup, tmp_path):
    from dagster import build_schedule_context

    from engagement_pipeline.defs.schedules import build_refresh_schedule

    workspace, _, _ = sensor_setup
    schedule = build_refresh_schedule(Settings.from_env(workspace.data, workspace.outputs))
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        instance.add_dynamic_partitions(waves_partitions.name, ["2019-03", "2020-03"])
        requests = schedule(build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)))
    assert sorted(r.partition_key for r in requests) == ["2019-03", "2020-03"]
    assert all("2026-11-29" in r.run_key for r in requests)
    assert schedule.cron_schedule == "0 2 * * 0"


def test_schedule_cron_comes_from_the_environment(monkeypatch, workspace):
    from engagement_pipeline.defs.schedules import build_refresh_schedule

    monkeypatch.setenv("ENGAGEMENT_REFRESH_CRON", "*/15 * * * *")
    schedule = build_refresh_schedule(Settings.from_env(workspace.data, workspace.outputs))
    assert schedule.cron_schedule == "*/15 * * * *"


def _settled(workspace, cursor):
    once = watch(workspace.data / "raw" / "waves", workspace.warehouse, cursor)
    return watch(workspace.data / "raw" / "waves", workspace.warehouse, once.cursor)


def test_a_changed_shared_instrument_reruns_the_waves_it_applies_to(workspace):
    assert workspace.run() == 0
    _, settled = _look_twice(workspace)
    instrument = workspace.data / "raw" / "instrument.yaml"
    instrument.write_text(instrument.read_text().replace("time constraints", "no time"))
    again = _settled(workspace, settled.cursor)
    assert _actions(again) == {"2019-03": "run", "2020-03": "run"}


def test_a_wave_of_its_own_instrument_follows_only_that_file(workspace):
    from engagement_pipeline.synthetic import write_wave

    write_wave(workspace.data, "2021-06", 80, seed=9, survey_format="qualtrics")
    own = workspace.wave("2021-06") / "instrument.yaml"
    assert own.exists() and (workspace.wave("2021-06") / "Staff engagement survey_2021-06.csv").exists()
    assert workspace.run() == 0
    _, settled = _look_twice(workspace)
    assert set(_actions(settled).values()) == {"unchanged"}
    shared = workspace.data / "raw" / "instrument.yaml"
    shared.write_text(shared.read_text() + "\n# a comment changes the bytes\n")
    after_shared = _settled(workspace, settled.cursor)
    assert _actions(after_shared) == {"2019-03": "run", "2020-03": "run", "2021-06": "unchanged"}
    own.write_text(own.read_text() + "\n# and this one\n")
    after_own = _settled(workspace, after_shared.cursor)
    assert _actions(after_own)["2021-06"] == "run"
