"""Wave folders and their files (docs/data-contract.md §1-§3): waves.py, and the SQL identifier guard in columns.py."""

from __future__ import annotations

import pytest

from engagement_pipeline.warehouse.sql import quote_identifier
from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.survey_tools import find_survey_file as survey_path
from engagement_pipeline.ingest.waves import (is_valid_wave_name, read_table, scan_waves,
                                              wave_dir, wave_input_files)

try:
    from contract_cases import non_user, survey_csv, user, write
except ImportError:  # the tests folder became a package
    from engagement_pipeline_tests.contract_cases import non_user, survey_csv, user, write

VALID_NAMES = ["2019-03", "2020-03", "a", "Z", "9", "wave_1.final-v2", "A" * 64, "2019.Q1"]
INVALID_NAMES = ["", "bad name", "..", ".", "x;drop", ".hidden", "-lead", "_lead", "x" * 65, "wävé",
                 "ｗave", "2019-03\n", "a/b", "a\\b", "tab\there", "quote'x", 'dq"x', "semi;", "2019-03 "]


# ---- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", VALID_NAMES)
def test_valid_wave_names_are_accepted(name):
    assert is_valid_wave_name(name) is True


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_wave_names_are_rejected(name):
    assert is_valid_wave_name(name) is False


def test_wave_dir_returns_the_folder_of_a_valid_name(tmp_path):
    assert wave_dir(tmp_path, "2019-03") == tmp_path / "2019-03"


@pytest.mark.parametrize("name", ["..", "../etc", "bad name", "x;drop", "", "x" * 65, "wävé"])
def test_wave_dir_refuses_an_invalid_name(tmp_path, name):
    with pytest.raises(ValueError, match="invalid wave name"):
        wave_dir(tmp_path, name)


# ---- scan_waves --------------------------------------------------------------------------------

def _make(root, *names):
    for name in names:
        (root / name).mkdir()


def test_scan_waves_sorts_valid_names_and_reports_invalid_ones(tmp_path):
    _make(tmp_path, "2020-03", "2019-03", "bad name", "x;drop", "-lead", "x" * 65, "wävé")
    (tmp_path / "notes.txt").write_text("a plain file is not a wave")
    scan = scan_waves(tmp_path)
    assert scan.valid == ["2019-03", "2020-03"]
    assert set(scan.rejected) == {"bad name", "x;drop", "-lead", "x" * 65, "wävé"}
    messages = scan.rejection_messages()
    assert len(messages) == 5
    for name in scan.rejected:
        assert any(repr(name) in m for m in messages)
    assert all("must be 1-64 letters, digits, '.', '_' or '-'" in m for m in messages)
    suggested = {name: m.split("rename it to ", 1)[-1] for name, m in zip(scan.rejected, messages) if "rename" in m}
    assert suggested == {"bad name": "'bad-name'", "x;drop": "'x-drop'", "-lead": "'lead'", "x" * 65: repr("x" * 64),
                         "wävé": "'wave'"}
    for name in suggested.values():
        assert is_valid_wave_name(name.strip("'"))


def test_scan_waves_reports_a_hidden_folder(tmp_path):
    # ".hidden" does not match the wave-name pattern: docs/data-contract.md §1 says such a folder is reported.
    _make(tmp_path, "2019-03", ".hidden")
    scan = scan_waves(tmp_path)
    assert scan.valid == ["2019-03"]
    assert ".hidden" in scan.rejected


def test_scan_waves_of_a_missing_folder_is_empty(tmp_path):
    scan = scan_waves(tmp_path / "nope")
    assert (scan.valid, scan.rejected) == ([], [])


def test_scan_waves_sorts_yyyy_mm_in_time_order(tmp_path):
    _make(tmp_path, "2021-01", "2019-12", "2020-06")
    assert scan_waves(tmp_path).valid == ["2019-12", "2020-06", "2021-01"]


# ---- the survey file of a wave -----------------------------------------------------------------

SURVEY = survey_csv([user("U1"), non_user("N1")])


def _xlsx(folder):
    import pandas as pd

    path = folder / "survey_responses.xlsx"
    pd.DataFrame([user("U1")]).to_excel(path, index=False)
    return path


def test_survey_path_finds_the_csv(tmp_path):
    path = write(tmp_path, SURVEY)
    assert survey_path(tmp_path) == path


def test_survey_path_finds_the_xlsx(tmp_path):
    path = _xlsx(tmp_path)
    assert survey_path(tmp_path) == path
    assert read_table(path).columns[0] == "respondent_id"


def test_csv_and_xlsx_together_are_rejected(tmp_path):
    write(tmp_path, SURVEY)
    _xlsx(tmp_path)
    with pytest.raises(ContractError) as info:
        survey_path(tmp_path)
    assert "survey_responses.csv" in info.value.message
    assert "survey_responses.xlsx" in info.value.message


def test_no_survey_file_is_rejected(tmp_path):
    write(tmp_path, "interview_id,segment_id,theme,quote\nI1,S1,care,hi\n", "interview_segments.csv")
    with pytest.raises(ContractError, match="no survey file"):
        survey_path(tmp_path)


def test_missing_wave_folder_is_rejected(tmp_path):
    with pytest.raises(ContractError):
        survey_path(tmp_path / "gone")


def test_read_table_reads_csv_and_refuses_a_vanished_file(tmp_path):
    raw = read_table(write(tmp_path, SURVEY))
    assert len(raw) == 2
    with pytest.raises(ContractError, match="disappeared"):
        read_table(tmp_path / "survey_responses.xlsx")


def test_wave_input_files_lists_only_what_exists(tmp_path):
    assert wave_input_files(tmp_path) == []
    csv_path = write(tmp_path, SURVEY)
    interviews = write(tmp_path, "interview_id,segment_id,theme,quote\nI1,S1,care,hi\n", "interview_segments.csv")
    other = tmp_path / "other.csv"  # another survey candidate: it would make the wave fail, so it is watched
    other.write_text("x\n1\n")
    (tmp_path / "notes.txt").write_text("not read")
    (tmp_path / ".hidden.csv").write_text("x\n1\n")
    instrument = tmp_path / "instrument.yaml"
    instrument.write_text("display_names: {}\n")
    assert wave_input_files(tmp_path) == [instrument, interviews, other, csv_path]


# ---- SQL identifiers ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["engagement_org", "channel_podcast", "barrier_no_value", "a", "x" * 64])
def test_quote_identifier_quotes_safe_names(name):
    assert quote_identifier(name) == f'"{name}"'


@pytest.mark.parametrize("name", ['a"b', "x; drop table responses; --", "Engagement_org", "1abc", "",
                                  "a b", "x" * 65, "_lead", "wävé", "a-b", "a.b"])
def test_quote_identifier_refuses_unsafe_names(name):
    with pytest.raises(ValueError, match="unsafe"):
        quote_identifier(name)


def test_quote_identifier_refuses_a_trailing_newline():
    # "$" in a re.match pattern also matches before a final "\n"; this module never produces such a name.
    with pytest.raises(ValueError):
        quote_identifier("engagement_org\n")
