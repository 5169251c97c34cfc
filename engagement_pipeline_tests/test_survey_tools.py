"""Survey-tool exports read as they come (docs/data-contract.md §6): ingest/survey_tools and synthetic_exports.

Every export here is generated: a small canonical frame from ``synthetic.generate_survey`` written
the way Microsoft Forms, SurveyMonkey or Qualtrics would export it, then edited cell by cell where a
test needs something the generator does not write.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.instrument import load_display_names
from engagement_pipeline.ingest.readers import ROW_NUMBER
from engagement_pipeline.ingest.survey_tools import (SOURCE_KINDS, detect_kind, find_survey_file, instrument_for,
                                                     load_instrument, read_survey)
from engagement_pipeline.ingest.survey_tools.answers import split_choices
from engagement_pipeline.ingest.survey_tools.detect import UNRECOGNISED
from engagement_pipeline.synthetic import generate_survey
from engagement_pipeline.synthetic_exports import QUESTION_TEXTS, export_name, exportable, write_export

WAVE = "2019-03"
TOOLS = ("ms_forms", "surveymonkey", "qualtrics")
FIRST_DATA_ROW = {"canonical": 2, "ms_forms": 2, "surveymonkey": 3, "qualtrics": 4}
IDENTITY = ["respondent_name", "respondent_email"]
# "time" carries a comma, as a real option may; Qualtrics joins choices with commas too.
DISPLAY_NAMES = {"organisation": "the organisation", "executive_team": "the executive team",
                 "colleagues": "colleagues", "no_value": "do not see the value",
                 "time": "lack of time, or too busy", "never_considered": "never considered it",
                 "confidence": "not confident with the technology / need training"}
ENGAGED = QUESTION_TEXTS["engagement"]
BARRIERS = QUESTION_TEXTS["barrier"]


def _survey(n: int = 30, seed: int = 5) -> pd.DataFrame:
    """A small wave with blanks: unanswered grid cells, a comment-less row, a non-user who ticked
    no barrier, and one who ticked only the option with a comma in it."""
    survey = generate_survey(n, seed)
    survey.loc[0, "engagement_colleagues"] = ""
    survey.loc[1, "channel_intranet"] = ""
    survey.loc[2, "locality"] = ""
    barriers = [c for c in survey.columns if c.startswith("barrier_")]
    non_users = survey.index[survey["uses_twitter"].eq("no")]
    survey.loc[non_users[0], barriers] = ""
    survey.loc[non_users[1], barriers] = "no"
    survey.loc[non_users[1], "barrier_time"] = "yes"
    return survey


def _export(tmp_path: Path, kind: str, survey: pd.DataFrame | None = None, **kwargs) -> Path:
    survey = _survey() if survey is None else survey
    return write_export(survey, kind, tmp_path / WAVE, WAVE, seed=1, display_names=DISPLAY_NAMES, **kwargs)


def _read(path: Path):
    return read_survey(path, WAVE, path.parent / "instrument.yaml")


def _answers(frame: pd.DataFrame) -> list[list[str]]:
    return frame.drop(columns=[ROW_NUMBER]).astype(object).values.tolist()


def _expected(survey: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = exportable(survey).drop(columns=IDENTITY)
    if kind == "ms_forms":  # a per-form counter, made unique to the wave
        out["respondent_id"] = [f"{WAVE}:{i}" for i in range(1, len(out) + 1)]
    return out


def _rows(path: Path) -> list[list[str]]:
    """Every record of an export CSV or the first sheet of an export workbook, as text."""
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        rows = [["" if v is None else str(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return [row + [""] * (len(rows[0]) - len(row)) for row in rows]
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _rewrite(path: Path, rows: list[list[str]]) -> None:
    """Write edited records back the way the tool wrote them (Qualtrics with a byte-order mark)."""
    encoding = "utf-8-sig" if path.read_bytes().startswith(b"\xef\xbb\xbf") else "utf-8"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _set_cells(path: Path, cells: dict[tuple[int, int], str]) -> None:
    """Change cells ((record index, column index), both 0-based) in place, in a CSV or a workbook."""
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        for (row, column), value in cells.items():
            book.worksheets[0].cell(row + 1, column + 1).value = value
        book.save(path)
        return
    rows = _rows(path)
    for (row, column), value in cells.items():
        rows[row][column] = value
    _rewrite(path, rows)


def _column(rows: list[list[str]], header_row: int, text: str) -> int:
    """0-based position of the first column whose cell in ``header_row`` is ``text``."""
    return rows[header_row].index(text)


def _error(path: Path, instrument: Path | None = None) -> str:
    with pytest.raises(ContractError) as caught:
        read_survey(path, WAVE, instrument if instrument is not None else path.parent / "instrument.yaml")
    return str(caught.value)


def _edit_instrument(folder: Path, old: str, new: str) -> None:
    path = folder / "instrument.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---- the same answers in every layout ------------------------------------------------------------

@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_every_layout_reads_back_the_canonical_answers(tmp_path, kind):
    survey = _survey()
    path = _export(tmp_path, kind, survey)
    assert path.name == export_name(kind, WAVE)
    read = _read(path)
    expected = _expected(survey, kind)
    frame = read.table.frame
    assert read.kind == kind
    if kind == "canonical":
        frame = frame.drop(columns=IDENTITY)
    assert list(frame.columns) == [*expected.columns, ROW_NUMBER]
    assert _answers(frame) == expected.astype(object).values.tolist()
    assert read.table.source_file == path.name
    assert len(read.table) == len(survey)
    assert read.rows_read == len(survey) + (2 if kind == "qualtrics" else 0)
    first = FIRST_DATA_ROW[kind]
    if kind == "qualtrics":  # previews at the first data row and half-way
        previews = {first, first + (len(survey) + 2) // 2}
        numbers = [r for r in range(first, first + len(survey) + 2) if r not in previews]
    else:
        numbers = list(range(first, first + len(survey)))
    assert frame[ROW_NUMBER].tolist() == numbers
    assert frame[ROW_NUMBER].dtype == np.int64
    off_scale = read.set_aside[~read.set_aside["excluded"]]
    assert off_scale.empty


def test_round_trip_keeps_blanks_and_tick_all_rules(tmp_path):
    survey = _survey()
    non_users = survey.index[survey["uses_twitter"].eq("no")]
    barriers = [c for c in survey.columns if c.startswith("barrier_")]
    for kind in TOOLS:
        frame = _read(_export(tmp_path / kind, kind, survey)).table.frame
        assert frame.loc[0, "engagement_colleagues"] == ""
        assert frame.loc[1, "channel_intranet"] == ""
        assert frame.loc[2, "locality"] == ""
        assert frame.loc[non_users[0], barriers].tolist() == [""] * 4  # nothing ticked: all blank
        ticked = frame.loc[non_users[1], barriers]
        assert ticked["barrier_time"] == "yes"  # "lack of time, or too busy": a comma in the option
        assert (ticked.drop("barrier_time") == "no").all()  # the others not ticked: no


def test_surveymonkey_xlsx_reads_like_its_csv(tmp_path):
    survey = _survey()
    path = _export(tmp_path, "surveymonkey", survey)
    book = Workbook()
    for row in _rows(path):
        book.active.append([cell or None for cell in row])
    xlsx = path.with_suffix(".xlsx")
    book.save(xlsx)
    path.unlink()
    assert detect_kind(xlsx) == "surveymonkey"
    read = _read(xlsx)
    assert _answers(read.table.frame) == _expected(survey, "surveymonkey").astype(object).values.tolist()
    assert read.table.frame[ROW_NUMBER].iloc[0] == 3


def test_forms_repeated_statements_are_taken_in_instrument_order(tmp_path):
    survey = _survey()
    path = _export(tmp_path, "ms_forms", survey)
    header = _rows(path)[0]
    assert header.count("The organisation") == 2  # the engagement and the "improved" grids
    frame = _read(path).table.frame
    assert frame["engagement_organisation"].tolist() == survey["engagement_organisation"].tolist()
    assert frame["improved_organisation"].tolist() == survey["improved_organisation"].tolist()
    # Listing the "improved" grid first pairs it with the first repeated column: its yes/no scale then
    # meets engagement labels, so the rows are set aside naming the question and the label.
    instrument = path.parent / "instrument.yaml"
    lines = instrument.read_text(encoding="utf-8").splitlines()
    improved = [line for line in lines if line.startswith("  improved_organisation:")]
    lines.remove(improved[0])
    lines.insert(lines.index("questions:") + 1, improved[0])
    instrument.write_text("\n".join(lines) + "\n", encoding="utf-8")
    swapped = _read(path)
    aside = swapped.set_aside.loc[swapped.set_aside["column_name"].eq("improved_organisation")]
    # every record: each answered the engagement grid's "The organisation" (records are rows 2..31)
    assert survey["engagement_organisation"].ne("").all()
    assert sorted(aside["row_number"]) == list(range(2, len(survey) + 2))
    reasons = aside["reason"]
    assert reasons.str.match(r"answer '(Not at all|Slightly|Moderately|Very|Extremely) engaged' to "
                             r"'The organisation' is not in the instrument's scale").all()


def test_forms_id_is_made_unique_to_the_wave_or_replaced_by_the_instrument(tmp_path):
    path = _export(tmp_path, "ms_forms")
    assert _read(path).table.frame["respondent_id"].tolist()[:3] == [f"{WAVE}:1", f"{WAVE}:2", f"{WAVE}:3"]
    (path.parent / "instrument.yaml").write_text(
        "respondent_id: Email\n" + (path.parent / "instrument.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    emails = [row[3] for row in _rows(path)[1:]]
    assert _read(path).table.frame["respondent_id"].tolist() == emails


# ---- Qualtrics specifics -------------------------------------------------------------------------

def test_qualtrics_previews_tests_and_spam_are_set_aside_as_excluded(tmp_path):
    path = _export(tmp_path, "qualtrics")
    rows = _rows(path)
    status = _column(rows, 0, "Status")
    finished = _column(rows, 0, "Finished")
    assert rows[3][status] == "Survey Preview"  # the first data row, spreadsheet row 4
    codes = {5: "1", 6: "2", 7: "8", 8: "Spam", 9: "0", 10: "4", 11: "16", 12: "Imported", 13: "Offline"}
    for index, code in codes.items():  # record index i is spreadsheet row i + 1
        rows[index][status] = code
    rows[14][finished] = "False"  # a partial response is live
    _rewrite(path, rows)
    read = _read(path)
    set_aside = read.set_aside
    excluded = set_aside[set_aside["excluded"]]
    half_way = 4 + (30 + 2) // 2  # the generator's second preview
    assert rows[half_way - 1][status] == "Survey Preview"
    assert excluded["row_number"].tolist() == [4, 6, 7, 8, 9, half_way]
    assert (excluded["column_name"] == "Status").all()
    reasons = dict(zip(excluded["row_number"], excluded["reason"]))
    tail = "is a preview, test or spam response, not a live one"
    assert reasons[4] == f"excluded: Qualtrics Status 'Survey Preview' {tail}"
    assert reasons[6] == f"excluded: Qualtrics Status 1 (Survey Preview) {tail}"
    assert reasons[7] == f"excluded: Qualtrics Status 2 (Survey Test) {tail}"
    assert reasons[8] == f"excluded: Qualtrics Status 8 (Spam) {tail}"
    assert reasons[9] == f"excluded: Qualtrics Status 'Spam' {tail}"
    kept = set(read.table.frame[ROW_NUMBER])
    assert {10, 11, 12, 13, 14, 15}.issubset(kept) and not kept & set(excluded["row_number"])
    assert read.rows_read == len(rows) - 3
    assert list(set_aside.columns) == ["source_file", "row_number", "column_name", "reason", "excluded"]
    assert set_aside.dtypes.astype(str).tolist() == ["string", "int64", "string", "string", "bool"]


def test_qualtrics_recorded_date_is_converted_from_the_row_3_time_zone(tmp_path):
    path = _export(tmp_path, "qualtrics")
    rows = _rows(path)
    recorded = _column(rows, 0, "RecordedDate")
    rows[4][recorded] = "2019-07-01 10:00:00"  # British Summer Time: UTC+1
    rows[5][recorded] = "2019-01-15 10:00:00"  # winter: UTC
    rows[6][recorded] = "2019-10-27 01:30:00"  # the repeated hour: the earlier (summer-time) reading
    _rewrite(path, rows)
    frame = _read(path).table.frame.set_index(ROW_NUMBER)
    assert frame.loc[5, "submitted_at"] == "2019-07-01T09:00:00"
    assert frame.loc[6, "submitted_at"] == "2019-01-15T10:00:00"
    assert frame.loc[7, "submitted_at"] == "2019-10-27T00:30:00"
    rows[2][recorded] = '{"ImportId":"recordedDate","timeZone":"America/New_York"}'
    _rewrite(path, rows)
    frame = _read(path).table.frame.set_index(ROW_NUMBER)
    assert frame.loc[5, "submitted_at"] == "2019-07-01T14:00:00"


def test_qualtrics_choices_are_split_against_the_known_options(tmp_path):
    path = _export(tmp_path, "qualtrics")
    rows = _rows(path)
    choice = _column(rows, 1, f"{BARRIERS} - Selected Choice")
    rows[4][choice] = "Lack of time, or too busy,Do not see the value"
    rows[5][choice] = "Lack of time, or too busy,Because of my manager"
    _rewrite(path, rows)
    read = _read(path)
    frame = read.table.frame.set_index(ROW_NUMBER)
    assert frame.loc[5, ["barrier_no_value", "barrier_time", "barrier_never_considered", "barrier_confidence"]
                     ].tolist() == ["yes", "yes", "no", "no"]
    assert 6 not in frame.index
    off = read.set_aside[~read.set_aside["excluded"]]
    assert off.to_dict("records") == [{
        "source_file": path.name, "row_number": 6, "column_name": "barrier_no_value",
        "reason": f"answer 'Because of my manager' to '{BARRIERS} - Selected Choice' is not one of the "
                  "instrument's options", "excluded": False}]


def test_split_choices_takes_the_longest_known_option_first():
    options = {"lack of time": 0, "lack of time, or too busy": 1, "confidence": 2}
    assert split_choices("Lack of time, or too busy,Confidence", ",", options, 2) == ({1, 2}, [])
    assert split_choices("Lack of time,Confidence", ",", options, 2) == ({0, 2}, [])
    assert split_choices("Confidence,Cost, money", ",", options, 2) == ({2}, ["Cost, money"])
    assert split_choices("Confidence;", ";", {"confidence": 2}, 1) == ({2}, [])


# ---- SurveyMonkey and Forms specifics ----------------------------------------------------------

def test_surveymonkey_dates_are_month_first_with_am_pm(tmp_path):
    path = _export(tmp_path, "surveymonkey")
    rows = _rows(path)
    end = _column(rows, 0, "End Date")
    rows[2][end] = "03/05/2019 01:02:03 PM"
    rows[3][end] = "12/31/2019 12:30:00 AM"
    _rewrite(path, rows)
    frame = _read(path).table.frame
    assert frame["submitted_at"].tolist()[:2] == ["2019-03-05T13:02:03", "2019-12-31T00:30:00"]


def test_rows_are_numbered_as_records_across_blank_lines_and_multi_line_cells(tmp_path):
    path = _export(tmp_path, "surveymonkey")
    rows = _rows(path)
    comment = _column(rows, 1, "Open-Ended Response")
    rows[2][comment] = "Two lines,\nof comment"  # one record over two lines, spreadsheet row 3
    _rewrite(path, rows)
    lines = path.read_bytes().split(b"\r\n")
    lines.insert(4, b"")  # a blank line: spreadsheet row 5
    path.write_bytes(b"\r\n".join(lines))
    frame = _read(path).table.frame
    assert frame.loc[0, "comment"] == "Two lines,\nof comment"
    assert frame[ROW_NUMBER].tolist()[:3] == [3, 4, 6]
    assert frame[ROW_NUMBER].iloc[-1] == len(rows) + 1


def test_cells_spanning_lines_across_arrows_blocks(tmp_path):
    # Over 1 MB, so Arrow splits the file into blocks at line ends; cells spanning lines straddle
    # the splits and the careful (quote-aware) split must take over without losing a row.
    survey = generate_survey(4000, 2)
    survey["comment"] = [f"First line {i},\nsecond line" for i in range(len(survey))]
    path = _export(tmp_path, "qualtrics", survey)
    assert path.stat().st_size > 1 << 20
    read = _read(path)
    assert read.table.frame["comment"].tolist() == survey["comment"].tolist()
    assert read.table.frame[ROW_NUMBER].iloc[-1] == len(survey) + 2 + 3


def test_exact_reader_takes_over_where_arrow_cannot(tmp_path):
    path = _export(tmp_path, "surveymonkey")
    lines = path.read_bytes().split(b"\r\n")
    lines.insert(3, b"   ")  # a line of spaces after the first respondent: Arrow refuses it
    path.write_bytes(b"\r\n".join(lines))
    frame = _read(path).table.frame
    assert frame[ROW_NUMBER].tolist()[:3] == [3, 5, 6]
    lines[6] += b",surplus"  # a cell beyond the last header column, in spreadsheet row 7
    path.write_bytes(b"\r\n".join(lines))
    assert _error(path) == f"{path.name}, row 7: more cells than the header has columns"


# ---- an answer the scale lacks: the row is set aside -----------------------------------------------

@pytest.mark.parametrize("kind", TOOLS)
def test_an_unknown_answer_label_sets_the_row_aside(tmp_path, kind):
    path = _export(tmp_path, kind)
    rows = _rows(path)
    header = 0 if kind == "ms_forms" else 1
    label = {"ms_forms": "The organisation", "surveymonkey": "The organisation",
             "qualtrics": f"{ENGAGED} - The organisation"}[kind]
    column = _column(rows, header, label)
    first = FIRST_DATA_ROW[kind] - 1 + (1 if kind == "qualtrics" else 0)  # past the first preview
    comment = _column(rows, header, QUESTION_TEXTS["comment"] if kind != "surveymonkey" else "Open-Ended Response")
    _set_cells(path, {(first, column): "Neutral", (first + 1, comment): "Neutral, as it happens"})  # free text: kept
    read = _read(path)
    off = read.set_aside[~read.set_aside["excluded"]]
    question = {"ms_forms": "The organisation", "surveymonkey": f"{ENGAGED} - The organisation",
                "qualtrics": f"{ENGAGED} - The organisation"}[kind]
    assert off.to_dict("records") == [{
        "source_file": path.name, "row_number": first + 1, "column_name": "engagement_organisation",
        "reason": f"answer 'Neutral' to '{question}' is not in the instrument's scale", "excluded": False}]
    assert first + 1 not in set(read.table.frame[ROW_NUMBER])
    assert "Neutral, as it happens" in set(read.table.frame["comment"])
    assert read.rows_read == len(read.table) + read.set_aside["row_number"].nunique()


# ---- structural errors name the file, the question and the column ----------------------------------

def test_a_mapped_question_missing_from_the_export(tmp_path):
    path = _export(tmp_path, "surveymonkey")
    _edit_instrument(path.parent, "  comment:", f'  barrier_cost: {{text: "{BARRIERS}", option: "Cost"}}\n  comment:')
    assert _error(path) == (f"{path.name}: question '{BARRIERS}' option 'Cost' (mapped to barrier_cost in "
                            "instrument.yaml) is not in the export")
    path = _export(tmp_path / "q", "qualtrics")
    _edit_instrument(path.parent, '"Which locality do you mainly work in?"', '"Where do you work?"')
    assert _error(path) == (f"{path.name}: question 'Where do you work?' (mapped to locality in instrument.yaml) "
                            "is not in the export")


@pytest.mark.parametrize("kind", TOOLS)
def test_an_export_question_nothing_maps(tmp_path, kind):
    path = _export(tmp_path, kind)
    rows = _rows(path)
    header = 0 if kind == "ms_forms" else 1
    column = rows[header].index(QUESTION_TEXTS["comment"] if kind != "surveymonkey" else "Open-Ended Response")
    _edit_instrument(path.parent, '  comment: {text: "Is there anything else you would like to tell us?"}\n', "")
    assert _error(path) == (f"{path.name}: export question '{QUESTION_TEXTS['comment']}' (column {column + 1}) "
                            "is not mapped in instrument.yaml")


def test_an_unmapped_grid_row_is_named_with_its_question(tmp_path):
    path = _export(tmp_path, "surveymonkey")
    column = _rows(path)[1].index("Colleagues")
    _edit_instrument(path.parent, f'  engagement_colleagues: {{text: "{ENGAGED}", row: "Colleagues", '
                                  "answers: engaged5}\n", "")
    assert _error(path) == (f"{path.name}: export question '{ENGAGED}' row 'Colleagues' (column {column + 1}) "
                            "is not mapped in instrument.yaml")


def test_an_ambiguous_match(tmp_path):
    path = _export(tmp_path, "qualtrics")
    rows = _rows(path)
    locality = _column(rows, 1, "Which locality do you mainly work in?")
    staff = _column(rows, 1, "Which staff group are you in?")
    rows[1][staff] = rows[1][locality]  # two columns with the locality question's text
    _rewrite(path, rows)
    assert _error(path) == (f"{path.name}: question 'Which locality do you mainly work in?' (locality) matches "
                            f"export columns {locality + 1} and {staff + 1} ('Which locality do you mainly work "
                            "in?'): ambiguous, which one is meant cannot be told")


def test_a_column_without_a_header(tmp_path):
    path = _export(tmp_path, "qualtrics")
    rows = _rows(path)
    _rewrite(path, [row + [""] for row in rows])  # a trailing delimiter on every line
    assert _error(path) == f"{path.name}: column {len(rows[0]) + 1} has no header"


def test_a_tool_export_needs_the_questions_mapping(tmp_path):
    path = _export(tmp_path, "qualtrics")
    message = ("a Qualtrics export needs the questions: mapping of an instrument.yaml (in the wave folder or in "
               "raw/) to say which survey column each question feeds (docs/data-contract.md §6)")
    with pytest.raises(ContractError) as caught:
        read_survey(path, WAVE, None)
    assert str(caught.value) == f"{path.name}: {message}"
    (path.parent / "instrument.yaml").write_text("display_names:\n  time: time\n", encoding="utf-8")
    assert _error(path) == f"{path.name}: {message}"


def test_an_unrecognised_file_says_what_each_kind_looks_like(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Name,Score\nAnn,3\n", encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        detect_kind(path)
    assert str(caught.value) == f"export.csv: {UNRECOGNISED}"
    for part in ("respondent_id", "ID, Start time, Completion time, Email, Name",
                 "Respondent ID, Collector ID, Start Date, End Date", "StartDate, EndDate, Status",
                 '{"ImportId":"QID3_1"}', "source:"):
        assert part in UNRECOGNISED
    with pytest.raises(ContractError) as caught:
        read_survey(path, WAVE, None)
    assert str(caught.value) == f"export.csv: {UNRECOGNISED}"


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_detection_from_the_header_rows_alone(tmp_path, kind):
    assert detect_kind(_export(tmp_path, kind)) == kind


def test_source_in_the_instrument_forces_the_kind(tmp_path):
    path = _export(tmp_path, "surveymonkey")
    rows = _rows(path)
    _rewrite(path, [row[:1] + row[2:] for row in rows])  # Collector ID left out of the export
    with pytest.raises(ContractError):
        detect_kind(path)
    instrument = path.parent / "instrument.yaml"
    instrument.write_text("source: surveymonkey\n" + instrument.read_text(encoding="utf-8"), encoding="utf-8")
    read = _read(path)
    assert read.kind == "surveymonkey"
    assert _answers(read.table.frame) == _expected(_survey(), "surveymonkey").astype(object).values.tolist()


# ---- the instrument file --------------------------------------------------------------------------

def test_yaml_yes_no_booleans_still_mean_yes_and_no(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text(
        "questions:\n"
        "  uses_twitter: {text: Do you use Twitter for work?, answers: {Yes: yes, No: no}}\n"
        "  improved_organisation: {text: Improved?, row: Trust, answers: flags}\n"
        "  barrier_none: {text: Why not?, option: None}\n"
        "  barrier_off: {text: Why not?, option: Off}\n"
        "scales:\n"
        "  flags: {\"Yes\": true, \"No\": false, ON: on, Not sure: ~}\n", encoding="utf-8")
    instrument = load_instrument(path)
    uses, improved, none, off = instrument.questions
    assert [uses.scale.value_of(label) for label in ("Yes", " yes ", "NO", "Maybe")] == ["yes", "yes", "no", None]
    assert [improved.scale.value_of(label) for label in ("yes", "No", "on", "not  SURE")] == ["yes", "no", "yes", ""]
    assert (none.option, off.option) == ("None", "Off")  # kept as written, not read as booleans


def test_yaml_boolean_keys_in_a_real_export(tmp_path):
    survey = _survey()
    path = _export(tmp_path, "ms_forms", survey)
    _edit_instrument(path.parent, 'yes_no: {"Yes": yes, "No": no}', "yes_no: {Yes: Yes, No: No}")
    assert _answers(_read(path).table.frame) == _expected(survey, "ms_forms").astype(object).values.tolist()


def test_instrument_mistakes_are_named(tmp_path):
    path = tmp_path / "instrument.yaml"
    cases = {
        "questions:\n  favourite_colour: {text: Colour?}\n":
            "questions: favourite_colour is not a canonical survey column",
        "questions:\n  locality: {text: Where?, answers: nope}\n":
            "questions: locality uses scale nope, which scales: does not define",
        "questions:\n  channel_x: {text: Q?, option: A}\n": "questions: channel_x cannot take a tick-all option",
        "questions:\n  comment: {text: Q?, answers: {a: b}}\n": "questions: comment is free text and takes no answers:",
        "source: excel\n": "source: must be one of canonical, ms_forms, surveymonkey, qualtrics",
        "questions:\n  respondent_id: {text: Id?}\n": "questions: respondent_id comes from the export's own columns",
    }
    for text, message in cases.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ContractError) as caught:
            load_instrument(path)
        assert str(caught.value).startswith(f"instrument.yaml: {message}")


def test_display_names_still_load_from_an_instrument_with_questions(tmp_path):
    path = _export(tmp_path, "qualtrics")
    assert load_display_names(path.parent / "instrument.yaml") == DISPLAY_NAMES


# ---- the wave folder --------------------------------------------------------------------------------

def test_find_survey_file_picks_the_one_export(tmp_path):
    folder = tmp_path / WAVE
    path = _export(tmp_path, "qualtrics")
    for other in ("interview_segments.csv", ".hidden.csv", "~$Staff engagement survey.xlsx", "project.qdpx"):
        (folder / other).write_text("x", encoding="utf-8")
    assert find_survey_file(folder) == path
    (folder / "survey_responses.csv").write_text("respondent_id\n1\n", encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        find_survey_file(folder)
    assert str(caught.value) == (f"{path.name}: 2 survey files in the wave folder ({path.name} and "
                                 "survey_responses.csv); keep one")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ContractError) as caught:
        find_survey_file(empty)
    assert str(caught.value) == "survey_responses.csv: no survey file in the wave folder"


def test_instrument_for_prefers_the_waves_own(tmp_path):
    raw, folder = tmp_path / "raw", tmp_path / "raw" / "waves" / WAVE
    folder.mkdir(parents=True)
    assert instrument_for(folder, raw) is None
    (raw / "instrument.yaml").write_text("display_names: {}\n", encoding="utf-8")
    assert instrument_for(folder, raw) == raw / "instrument.yaml"
    (folder / "instrument.yaml").write_text("display_names: {}\n", encoding="utf-8")
    assert instrument_for(folder, raw) == folder / "instrument.yaml"


# ---- privacy ----------------------------------------------------------------------------------------

IDENTIFYING = {
    "ms_forms": ("Email", "Name"),
    "surveymonkey": ("IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"),
    "qualtrics": ("IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
                  "LocationLatitude", "LocationLongitude"),
}


@pytest.mark.parametrize("kind", TOOLS)
def test_identifying_columns_never_leave_the_reader(tmp_path, kind):
    survey = _survey()
    survey["comment"] = ""  # the generator's comments may mention an e-mail address of their own
    path = _export(tmp_path, kind, survey)
    rows = _rows(path)
    header = rows[0]
    data = rows[FIRST_DATA_ROW[kind] - 1:]
    secrets = {row[header.index(name)] for name in IDENTIFYING[kind] for row in data} - {""}
    assert len(secrets) > len(survey)  # names, e-mails, addresses ... were really exported
    # an off-scale answer, so set_aside has rows of both kinds
    grid = rows[0 if kind == "ms_forms" else 1].index(
        f"{ENGAGED} - The executive team" if kind == "qualtrics" else "The executive team")
    _set_cells(path, {(len(rows) - 1, grid): "Neutral"})
    read = _read(path)
    assert not read.set_aside.empty
    seen = " ".join([*read.table.frame.drop(columns=[ROW_NUMBER]).astype(str).to_numpy().ravel(),
                     *read.table.frame.columns, *read.set_aside.astype(str).to_numpy().ravel()])
    leaks = [secret for secret in secrets if secret in seen]
    assert leaks == []
    for column in ("respondent_email", "respondent_name", *IDENTIFYING[kind]):
        assert column not in read.table.frame.columns
    # and no structural message quotes them either
    _edit_instrument(path.parent, '  comment: {text: "Is there anything else you would like to tell us?"}\n', "")
    message = _error(path)
    assert not [secret for secret in secrets if secret in message]
