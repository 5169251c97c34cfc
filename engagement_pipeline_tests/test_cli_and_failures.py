"""The CLI's exit codes and messages, and what a failed wave leaves published (docs/data-contract.md §3)."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import duckdb
import pandas as pd

from engagement_pipeline.cli import main

WAVE = "2019-03"


def _published(workspace, wave: str) -> pd.DataFrame:
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        return con.execute("SELECT * FROM responses WHERE wave = ? ORDER BY respondent_key", [wave]).df()


def _survey(workspace, wave: str = WAVE) -> pd.DataFrame:
    return pd.read_csv(workspace.wave(wave) / "survey_responses.csv", dtype=str, keep_default_na=False)


def _write_survey(workspace, frame: pd.DataFrame, wave: str = WAVE) -> None:
    frame.to_csv(workspace.wave(wave) / "survey_responses.csv", index=False)


def test_run_succeeds_and_rerun_replaces_rather_than_duplicates(workspace, capsys):
    assert workspace.run() == 0
    first = _published(workspace, WAVE)
    assert workspace.run("--all") == 0  # forced: an unchanged wave is otherwise left alone
    second = _published(workspace, WAVE)
    assert len(first) == len(second) == 54
    pd.testing.assert_frame_equal(first, second)
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        files = con.execute("SELECT source_file FROM load_log WHERE wave = ? ORDER BY ALL", [WAVE]).fetchall()
    assert files == [("codebook.csv",), ("interview_segments.csv",), ("survey_responses.csv",)]
    assert "2 of 2 waves published" in capsys.readouterr().out


def test_structural_error_fails_the_wave_names_file_and_column_and_keeps_old_state(workspace, capsys):
    assert workspace.run() == 0
    before = _published(workspace, WAVE)
    _write_survey(workspace, _survey(workspace).assign(favourite_colour="blue"))
    assert workspace.run() == 1
    err = capsys.readouterr().err
    assert f"wave {WAVE}" in err and "survey_responses.csv" in err and "favourite_colour" in err
    assert "Traceback" not in err
    pd.testing.assert_frame_equal(_published(workspace, WAVE), before)
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:  # the other wave still published
        assert con.execute("SELECT count(*) FROM responses WHERE wave = '2020-03'").fetchone()[0] == 62


def test_too_many_quarantined_rows_fail_the_wave(workspace, capsys):
    survey = _survey(workspace)
    survey.loc[:7, "engagement_organisation"] = "9"  # 8 of 54 rows = 14.8 % > 10 %
    _write_survey(workspace, survey)
    assert workspace.run() == 1
    err = capsys.readouterr().err
    assert "8 of 54 rows quarantined" in err and "survey_responses.csv" in err and "engagement_organisation" in err
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM responses WHERE wave = ?", [WAVE]).fetchone()[0] == 0


def test_quarantine_within_the_limit_loads_the_rest(workspace):
    survey = _survey(workspace)
    survey.loc[3, "uses_twitter"] = "sometimes"
    survey.loc[[10, 11], "respondent_id"] = "DUPLICATE"
    _write_survey(workspace, survey)
    assert workspace.run() == 0
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        log = con.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM load_log "
                          "WHERE wave = ? AND source_file = 'survey_responses.csv'", [WAVE]).fetchone()
        quarantine = con.execute("SELECT row_number, column_name, reason FROM quarantine WHERE wave = ? "
                                 "ORDER BY row_number", [WAVE]).fetchall()
    assert log == (54, 51, 3)
    assert [(r, c) for r, c, _ in quarantine] == [(5, "uses_twitter"), (12, "respondent_id"), (13, "respondent_id")]
    assert all("DUPLICATE" not in reason and "sometimes" not in reason for _, _, reason in quarantine)


def test_threshold_comes_from_the_environment(workspace, monkeypatch):
    survey = _survey(workspace)
    survey.loc[:7, "engagement_organisation"] = "9"
    _write_survey(workspace, survey)
    monkeypatch.setenv("ENGAGEMENT_MAX_QUARANTINE_FRACTION", "0.2")
    assert workspace.run() == 0


def test_raw_files_are_never_modified(workspace):
    files = sorted(workspace.data.rglob("*.csv"))
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert workspace.run() == 0
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files} == before


def test_bad_wave_folder_name_is_reported_and_skipped(workspace, capsys):
    bad = workspace.data / "raw" / "waves" / "2021 03; drop table"
    bad.mkdir()
    (bad / "survey_responses.csv").write_bytes((workspace.wave(WAVE) / "survey_responses.csv").read_bytes())
    assert workspace.run() == 1  # the other waves publish, but a folder was left out: not a clean run
    captured = capsys.readouterr()
    assert ("wave folder '2021 03; drop table' skipped: wave name '2021 03; drop table' must be 1-64 letters, "
            "digits, '.', '_' or '-'") in captured.err
    assert "rename it to '2021-03-drop-table'" in captured.err
    assert "2 of 2 waves published" in captured.out and "1 folder(s) skipped for their names" in captured.out
    with duckdb.connect(str(workspace.warehouse), read_only=True) as con:
        assert [w for (w,) in con.execute("SELECT wave FROM waves ORDER BY wave").fetchall()] == ["2019-03", "2020-03"]


def test_xlsx_wave_loads_like_its_csv(workspace):
    survey = _survey(workspace)
    (workspace.wave(WAVE) / "survey_responses.csv").unlink()
    survey.to_excel(workspace.wave(WAVE) / "survey_responses.xlsx", index=False)
    assert workspace.run() == 0
    assert len(_published(workspace, WAVE)) == 54


def test_no_waves_is_a_usage_error(tmp_path, capsys):
    assert main(["run", "--data-dir", str(tmp_path / "nothing"), "--output-dir", str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_generate_writes_a_wave_that_runs(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "out"
    assert main(["generate", "--wave", "2030-01", "--respondents", "300", "--seed", "7", "--data-dir", str(data)]) == 0
    assert (data / "raw" / "waves" / "2030-01" / "survey_responses.csv").exists()
    assert main(["generate", "--wave", "../evil", "--respondents", "3", "--seed", "1", "--data-dir", str(data)]) == 2
    assert main(["run", "--data-dir", str(data), "--output-dir", str(out)]) == 0
    with duckdb.connect(str(out / "engagement.duckdb"), read_only=True) as con:
        assert con.execute("SELECT n_respondents FROM waves").fetchone()[0] == 300


def test_console_script_exit_code_and_message(workspace):
    (workspace.wave(WAVE) / "survey_responses.csv").write_bytes("respondent_id,caf\xe9\n1,2\n".encode("latin-1"))
    proc = subprocess.run([sys.executable, "-m", "engagement_pipeline.cli", "run", "--data-dir", str(workspace.data),
                           "--output-dir", str(workspace.outputs)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "wave 2019-03, survey_responses.csv: not UTF-8" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_dagster_definitions_validate(tmp_path):
    dagster = [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "engagement_pipeline.definitions"]
    proc = subprocess.run(dagster, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Validation successful" in proc.stderr + proc.stdout
