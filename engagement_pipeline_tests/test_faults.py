"""Faults: a run killed with SIGKILL at any point, corrupted or truncated inputs, and what an
attacker or an accident could leak. Published outputs change only when a run succeeds."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

import pytest

from engagement_pipeline.synthetic import write_wave

from .conftest import BUNDLED_DATA, REPO
from .kill_points import POINTS as KILL_POINTS

WAVE = "2031-01"


def _snapshot(outputs: Path) -> dict[str, str]:
    """Hashes of everything a reader can see: the warehouse and every report file (links followed)."""
    seen = {"engagement.duckdb": hashlib.sha256((outputs / "engagement.duckdb").read_bytes()).hexdigest()}
    reports = outputs / "reports"
    for wave_link in sorted(reports.iterdir()):
        if wave_link.name.startswith("."):
            continue
        for path in sorted(wave_link.resolve().rglob("*")):
            if path.is_file():
                seen[f"{wave_link.name}/{path.relative_to(wave_link.resolve())}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return seen


def _command(data: Path, outputs: Path) -> list[str]:
    return [sys.executable, "-m", "engagement_pipeline.cli", "run", "--data-dir", str(data), "--output-dir", str(outputs)]


def _run(data: Path, outputs: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_command(data, outputs), capture_output=True, text=True, timeout=600)


def _run_here(data: Path, outputs: Path, capsys) -> tuple[int, str]:
    """The CLI in this process (no interpreter start-up): exit code and stderr."""
    from engagement_pipeline.cli import main

    capsys.readouterr()
    code = main(["run", "--data-dir", str(data), "--output-dir", str(outputs)])
    return code, capsys.readouterr().err


def _wait_for(marker: Path, proc: subprocess.Popen, limit: float = 600.0) -> bool:
    """Wait until the run reaches its halt (True) or ends (False); ``limit`` only bounds a hang."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if marker.exists():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    raise AssertionError(f"the run neither reached {marker.name} nor ended")


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_run_killed_at_any_point_of_its_progress_leaves_published_outputs_as_they_were(tmp_path, point):
    """A small version of a wave is published; a run of a larger version is killed when it reaches
    a point of its own progress (start-up, staged survey, staged analysis, promoted store, copied
    warehouse, renamed warehouse), then one run recovers with no clean-up."""
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    write_wave(data, WAVE, 80, seed=3)
    assert _run(data, outputs).returncode == 0
    before = _snapshot(outputs)
    write_wave(data, WAVE, 3_000, seed=4)
    marker = tmp_path / "reached"
    command = [sys.executable, "-m", "engagement_pipeline_tests.kill_points", point, str(marker),
               *_command(data, outputs)[3:]]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            cwd=REPO)
    assert _wait_for(marker, proc), f"the run ended before reaching {point}"
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    after = _snapshot(outputs)
    with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
        published = con.execute("SELECT n_respondents FROM waves WHERE wave = ?", [WAVE]).fetchone()[0]
    if point == "warehouse_renamed":  # the warehouse was swapped whole; the reports had not been yet
        assert published == 3_000
        assert {k: v for k, v in after.items() if k != "engagement.duckdb"} == \
               {k: v for k, v in before.items() if k != "engagement.duckdb"}
    else:
        assert after == before
        assert published == 80
    recovered = _run(data, outputs)  # no manual clean-up
    assert recovered.returncode == 0, recovered.stderr
    with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM responses WHERE wave = ?", [WAVE]).fetchone()[0] == 3_000
    leftovers = [p.name for p in outputs.iterdir() if "publishing" in p.name]
    leftovers += [p.name for p in (outputs / "reports").iterdir() if "publishing" in p.name]
    assert leftovers == []


def test_corrupted_input_fails_and_keeps_the_published_state(tmp_path, capsys):
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    write_wave(data, WAVE, 80, seed=3)
    assert _run_here(data, outputs, capsys)[0] == 0
    before = _snapshot(outputs)
    survey = data / "raw" / "waves" / WAVE / "survey_responses.csv"
    payload = bytearray(survey.read_bytes())
    payload[len(payload) // 2: len(payload) // 2 + 4] = b"\xff\xfe\x00\x81"
    survey.write_bytes(bytes(payload))
    code, err = _run_here(data, outputs, capsys)
    assert code == 1
    assert f"wave {WAVE}, survey_responses.csv: not UTF-8" in err
    assert _snapshot(outputs) == before


def _cut_inside(survey: Path, record: int, column: str, keep: int) -> tuple[list[str], str]:
    """Cut the file ``keep`` characters into ``column``'s cell of data record ``record`` (1 = the
    first record after the header); the cell's value must hold no comma. Returns (header, cell)."""
    lines = survey.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    line = lines[record]
    start = sum(len(cell) + 1 for cell in line.split(",")[: header.index(column)])
    cut = start + keep
    survey.write_text("\n".join(lines[:record]) + "\n" + line[:cut], encoding="utf-8")
    return header, line[start:cut]


def test_truncated_input_never_loses_rows(tmp_path, capsys):
    """Cut in the middle of a record (§3.2): the records before it load, the cut one is a row whose
    cells after the cut are blank, so it is quarantined for its blank required cells. The wave
    publishes (1 of 120 rows is under the limit) and every record is accounted for."""
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    write_wave(data, WAVE, 200, seed=3)
    survey = data / "raw" / "waves" / WAVE / "survey_responses.csv"
    header, kept_part = _cut_inside(survey, 120, "locality", 5)
    assert header[:7] == ["respondent_id", "respondent_name", "respondent_email", "submitted_at", "locality",
                          "staff_group", "uses_twitter"]
    assert 0 < len(kept_part) == 5  # the locality cell itself is cut, not blank
    code, err = _run_here(data, outputs, capsys)
    assert code == 0, err
    with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
        assert con.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM load_log "
                           "WHERE source_file = 'survey_responses.csv'").fetchone() == (120, 119, 1)
        assert con.execute("SELECT row_number, column_name, reason, excluded FROM quarantine "
                           "WHERE source_file = 'survey_responses.csv' ORDER BY column_name").fetchall() == [
            (121, "staff_group", "required value is blank", False),
            (121, "uses_twitter", "required value is blank", False)]
        assert con.execute("SELECT count(*) FROM responses WHERE wave = ?", [WAVE]).fetchone()[0] == 119


def test_input_cut_inside_a_quoted_cell_is_a_contract_error(tmp_path, capsys):
    """Cut inside a quoted comment, the file ends in an open quote: the record cannot be read at
    all, so the file is malformed (§3.1), the wave fails and nothing is published."""
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    write_wave(data, WAVE, 200, seed=3)
    survey = data / "raw" / "waves" / WAVE / "survey_responses.csv"
    lines = survey.read_text(encoding="utf-8").split("\n")
    record = next(i for i, line in enumerate(lines) if i and line.endswith('"'))
    cut = lines[record].index('"') + 10
    survey.write_text("\n".join(lines[:record]) + "\n" + lines[record][:cut], encoding="utf-8")
    code, err = _run_here(data, outputs, capsys)
    assert code == 1
    assert f"wave {WAVE}, survey_responses.csv: malformed CSV" in err
    assert not (outputs / "engagement.duckdb").exists()


def test_a_truncated_workbook_is_a_contract_error(tmp_path, capsys):
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    write_wave(data, WAVE, 50, seed=3)
    folder = data / "raw" / "waves" / WAVE
    frame = pd.read_csv(folder / "survey_responses.csv", dtype=str, keep_default_na=False)
    (folder / "survey_responses.csv").unlink()
    frame.to_excel(folder / "survey_responses.xlsx", index=False)
    (folder / "survey_responses.xlsx").write_bytes((folder / "survey_responses.xlsx").read_bytes()[:900])
    code, err = _run_here(data, outputs, capsys)
    assert code == 1
    assert "survey_responses.xlsx: unreadable workbook" in err


def test_no_secret_or_identifier_reaches_outputs_or_the_event_log(tmp_path):
    data, outputs, home = tmp_path / "data", tmp_path / "outputs", tmp_path / "dagster_home"
    home.mkdir()
    for name in ("codebook.csv", "instrument.yaml"):
        (data / "raw").mkdir(parents=True, exist_ok=True)
        (data / "raw" / name).write_bytes((BUNDLED_DATA / "raw" / name).read_bytes())
    wave = data / "raw" / "waves" / "2019-03"
    wave.mkdir(parents=True)
    for name in ("survey_responses.csv", "interview_segments.csv"):
        (wave / name).write_bytes((BUNDLED_DATA / "raw" / "waves" / "2019-03" / name).read_bytes())
    secret = "k3y-that-must-never-leak-7f1c"
    env = {**os.environ, "DAGSTER_HOME": str(home), "ENGAGEMENT_PSEUDONYM_KEY": secret}
    result = subprocess.run(_command(data, outputs), capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    raw = pd.read_csv(wave / "survey_responses.csv", dtype=str, keep_default_na=False)
    needles = [secret, *raw["respondent_id"], *raw["respondent_name"], *raw["respondent_email"], "07700 900123"]
    haystacks = [p for root in (home, outputs) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in haystacks), "expected the event log's sqlite files under DAGSTER_HOME"
    for path in haystacks:
        blob = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in blob, f"{needle!r} found in {path}"
    assert secret not in result.stdout + result.stderr


def test_a_generated_key_is_private_and_outside_the_outputs(tmp_path, monkeypatch):
    from engagement_pipeline.ingest.privacy import load_key
    from engagement_pipeline.settings import default_key_file

    monkeypatch.delenv("ENGAGEMENT_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = default_key_file()
    assert path == tmp_path / "config" / "engagement-pipeline" / "pseudonym.key"
    key = load_key(path)
    assert len(key) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_a_wave_folder_deleted_mid_run_fails_the_wave_and_publishes_nothing_of_it(workspace, monkeypatch, capsys):
    """The folder vanishes after the survey was read: the interviews must not silently become 'none'."""
    import shutil as shell

    import engagement_pipeline.defs.assets_ingest as ingest_assets

    assert workspace.run() == 0
    before = _snapshot(workspace.outputs)
    quotes = "SELECT * FROM interview_quotes WHERE wave = '2019-03' ORDER BY ALL"
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        published = con.execute(quotes).fetchall()
    with (workspace.wave("2019-03") / "interview_segments.csv").open(encoding="utf-8", newline="") as handle:
        records = len(list(csv.reader(handle))) - 1  # one published quote per record of the file
    assert len(published) == records
    real_read = ingest_assets.read_survey

    def read_then_vanish(path, wave, instrument):
        table = real_read(path, wave, instrument)
        if wave == "2019-03":
            shell.rmtree(path.parent)
        return table

    monkeypatch.setattr(ingest_assets, "read_survey", read_then_vanish)
    assert workspace.run("--all") == 1
    assert "wave 2019-03, interview_segments.csv: the wave folder disappeared during the run" in capsys.readouterr().err
    after = _snapshot(workspace.outputs)
    assert after["2019-03/findings.md"] == before["2019-03/findings.md"]
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        assert con.execute(quotes).fetchall() == published
