"""Errors a user meets in practice say what they did and how to fix it (docs/data-contract.md §1, §3):
a renamed area column, a misspelt column, a title above the header, a badly named wave folder."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook

from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.readers import read_csv, read_xlsx
from engagement_pipeline.ingest.survey_tools import read_survey

from .contract_cases import HEADER, non_user, survey_csv, user, write
from .contract_cases import load as load_rows


def test_a_renamed_engagement_column_names_itself_and_what_it_was(tmp_path):
    header = [c.replace("engagement_org", "engagement_organisation_x") if c == "engagement_org" else c for c in HEADER]
    header = ["engagement_organisat" if c == "engagement_organisation_x" else c for c in header]
    rows = [{("engagement_organisat" if k == "engagement_org" else k): v for k, v in row.items()}
            for row in (user("U1"), non_user("N1"))]
    with pytest.raises(ContractError) as info:
        load_rows(tmp_path, rows, header)
    assert info.value.column == "engagement_organisat"
    assert ("unknown area 'organisat': improved_org has no engagement_org to match it; was engagement_org renamed "
            "to engagement_organisat?") in info.value.message


def test_a_misspelt_required_column_is_pointed_at(tmp_path):
    header = ["locallity" if c == "locality" else c for c in HEADER]
    rows = [{("locallity" if k == "locality" else k): v for k, v in user("U1").items()}]
    with pytest.raises(ContractError) as info:
        load_rows(tmp_path, rows, header)
    assert info.value.message == "survey_responses.csv, column 'locality': missing required column (is 'locallity' it, misspelt?)"


def test_a_capitalised_column_gets_its_lower_case_name(tmp_path):
    header = ["Comment" if c == "comment" else c for c in HEADER]
    rows = [{("Comment" if k == "comment" else k): v for k, v in user("U1").items()}]
    with pytest.raises(ContractError) as info:
        load_rows(tmp_path, rows, header)
    assert "unknown column (did you mean 'comment'? names are lower case with underscores)" in info.value.message


def _titled_workbook(path, titles: int):
    book = Workbook()
    sheet = book.active
    sheet.append(["NHS staff engagement survey, March 2021"])
    for _ in range(titles - 1):
        sheet.append([])
    sheet.append(HEADER)
    sheet.append([user("U1")[c] for c in HEADER])
    book.save(path)
    return path


@pytest.mark.parametrize(("titles", "rows"), [(1, "row 1"), (2, "rows 1-2")])
def test_a_title_above_a_workbooks_header_is_named(tmp_path, titles, rows):
    path = _titled_workbook(tmp_path / "survey_responses.xlsx", titles)
    message = (f"survey_responses.xlsx, row {titles + 1}: the header is on row {titles + 1}, under a title ({rows}): "
               "delete the row(s) above the header and save the file again")
    for reader in (lambda: read_xlsx(path), lambda: read_survey(path, "2021-03", None)):
        with pytest.raises(ContractError) as info:
            reader()
        assert info.value.message == message


def test_a_title_above_a_csv_header_is_named(tmp_path):
    path = write(tmp_path, "Staff survey March 2021" + "," * (len(HEADER) - 1) + "\n" + survey_csv([user("U1")]))
    with pytest.raises(ContractError, match=r"survey_responses.csv, row 2: the header is on row 2, under a title \(row 1\)"):
        read_csv(path)
    assert pd.read_csv(path, skiprows=1).shape[0] == 1  # the file is otherwise fine


def test_a_blank_header_cell_without_a_title_says_so(tmp_path):
    path = write(tmp_path, "respondent_id,,locality\nU1,2021-03-01,North\n")
    with pytest.raises(ContractError, match="header cell 2 is blank"):
        read_csv(path)


def test_a_badly_named_wave_folder_is_counted_suggested_and_fails_the_exit_status(workspace, capsys):
    bad = workspace.data / "raw" / "waves" / "2021 march"
    bad.mkdir()
    (bad / "survey_responses.csv").write_bytes((workspace.wave("2019-03") / "survey_responses.csv").read_bytes())
    assert workspace.run() == 1
    captured = capsys.readouterr()
    assert "wave folder '2021 march' skipped:" in captured.err and "rename it to '2021-march'" in captured.err
    assert "2 of 2 waves published" in captured.out
    assert "1 folder(s) skipped for their names" in captured.out
