"""Incremental runs (the staleness rule shared by the CLI, the sensor and the schedule): exactly the
waves whose inputs, instrument, codebook, thresholds or pipeline version changed are run again."""

from __future__ import annotations

import pytest

from engagement_pipeline.ingest.watch import stale_waves
from engagement_pipeline.settings import Settings

WAVES = ("2019-03", "2020-03")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The bundled data, published once; each test works on its own copy of data and outputs."""
    import shutil

    from .conftest import copy_bundled

    workspace = copy_bundled(tmp_path_factory.mktemp("incremental"))
    assert workspace.run() == 0
    return workspace


@pytest.fixture
def workspace(published, tmp_path):
    import shutil

    from .conftest import Workspace

    copy = Workspace(tmp_path)
    shutil.copytree(published.data, copy.data)
    shutil.copytree(published.outputs, copy.outputs)
    return copy


def _stale(workspace) -> dict[str, str | None]:
    settings = Settings.from_env(workspace.data, workspace.outputs)
    return stale_waves(settings.waves_dir, settings.warehouse_path, settings.run_state())


def test_nothing_changed_nothing_is_stale(workspace):
    assert _stale(workspace) == dict.fromkeys(WAVES)


def test_one_changed_byte_makes_only_its_wave_stale(workspace):
    survey = workspace.wave("2020-03") / "survey_responses.csv"
    survey.write_bytes(survey.read_bytes().replace(b"North Locality", b"North Locality ", 1))
    assert _stale(workspace) == {"2019-03": None, "2020-03": "changed: survey_responses.csv"}


def test_a_changed_interview_project_or_a_new_file_makes_its_wave_stale(workspace):
    project = workspace.wave("2020-03") / "interviews.qdpx"
    project.write_bytes(project.read_bytes() + b"\0")
    (workspace.wave("2019-03") / "instrument.yaml").write_text("display_names: {}\n")
    assert _stale(workspace) == {"2019-03": "changed: instrument.yaml", "2020-03": "changed: interviews.qdpx"}


@pytest.mark.parametrize("name", ["instrument.yaml", "codebook.csv"])
def test_the_shared_instrument_or_codebook_makes_every_wave_stale(workspace, name):
    path = workspace.data / "raw" / name
    path.write_bytes(path.read_bytes() + b"\n")
    assert _stale(workspace) == dict.fromkeys(WAVES, f"changed: {name}")


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("ENGAGEMENT_MIN_GROUP_SIZE", "12", "ENGAGEMENT_MIN_GROUP_SIZE"),
    ("ENGAGEMENT_ALPHA", "0.01", "ENGAGEMENT_ALPHA"),
    ("ENGAGEMENT_MAX_QUARANTINE_FRACTION", "0.2", "ENGAGEMENT_MAX_QUARANTINE_FRACTION"),
])
def test_a_changed_threshold_makes_every_wave_stale(workspace, monkeypatch, variable, value, words):
    monkeypatch.setenv(variable, value)
    assert _stale(workspace) == dict.fromkeys(WAVES, f"changed: {words}")


def test_another_pipeline_version_makes_every_wave_stale(workspace, monkeypatch):
    import engagement_pipeline.version as version

    monkeypatch.setattr(version, "pipeline_version", lambda: "9.9.9+0123456789ab")
    assert _stale(workspace) == dict.fromkeys(WAVES, "changed: the pipeline's version")


def test_the_cli_skips_unchanged_waves_and_says_so(workspace, capsys):
    capsys.readouterr()
    assert workspace.run() == 0
    out = capsys.readouterr().out
    assert "2 wave(s) unchanged since published, not run: 2019-03, 2020-03 (--all runs every wave)" in out
    assert "nothing to run:" in out and "published" not in out.replace("unchanged since published", "")


def test_all_reruns_every_wave_and_wave_runs_one(workspace, capsys):
    capsys.readouterr()
    assert workspace.run("--all") == 0
    out, err = capsys.readouterr()
    assert "wave 2019-03: published" in out and "wave 2020-03: published" in out
    assert "wave 2019-03: running (--all)" in err
    assert workspace.run("--wave", "2020-03") == 0
    out = capsys.readouterr().out
    assert "wave 2020-03: published" in out and "wave 2019-03: published" not in out


def test_a_changed_wave_is_run_and_the_other_is_not(workspace, capsys):
    survey = workspace.wave("2019-03") / "survey_responses.csv"
    survey.write_bytes(survey.read_bytes().replace(b"South Locality", b"South  Locality", 1))
    capsys.readouterr()
    assert workspace.run() == 0
    out, err = capsys.readouterr()
    assert "wave 2019-03: running (changed: survey_responses.csv)" in err
    assert "wave 2019-03: published" in out and "1 wave(s) unchanged since published, not run: 2020-03" in out
    assert _stale(workspace) == dict.fromkeys(WAVES)
