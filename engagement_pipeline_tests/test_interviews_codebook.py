"""The codebook and interview segments (docs/data-contract.md §2-§4): interviews.load_codebook / load_interviews."""

from __future__ import annotations

import pandas as pd
import pytest

from engagement_pipeline.ingest import schemas
from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.interviews import load_codebook, load_interviews
from engagement_pipeline.ingest.privacy import pseudonymise
from engagement_pipeline.ingest.readers import read_csv

try:
    from contract_cases import KEY, WAVE, all_quarantine_text, assert_counts_balance, csv_text, problems, write
except ImportError:  # the tests folder became a package
    from engagement_pipeline_tests.contract_cases import (KEY, WAVE, all_quarantine_text,
                                                          assert_counts_balance, csv_text, problems, write)

CODEBOOK_HEADER = ["theme", "label", "description", "golden_thread"]
CODEBOOK_ROWS = [
    ["visibility", "Leader visibility", "Seeing leaders online", ""],
    ["care", "Direct impact on care", "Patients helped", "patient_care"],
    ["experience", "Patient experience", "", "patient_experience"],
    ["inclusion", "Equality and diversity", "", "equality_diversity"],
]
THEMES = {row[0] for row in CODEBOOK_ROWS}
INTERVIEW_HEADER = ["interview_id", "segment_id", "respondent_id", "theme", "quote"]


def _codebook(tmp_path, rows, header=CODEBOOK_HEADER):
    return load_codebook(read_csv(write(tmp_path, csv_text(header, rows), "codebook.csv")))


def _interviews(tmp_path, rows, header=INTERVIEW_HEADER, themes=THEMES):
    raw = read_csv(write(tmp_path, csv_text(header, rows), "interview_segments.csv"))
    return load_interviews(raw, WAVE, KEY, themes)


def seg(interview="I1", segment="S1", respondent="MGR-000001", theme="visibility",
        quote="I see the chief executive's tweets every week."):
    return [interview, segment, respondent, theme, quote]


# ---- codebook ----------------------------------------------------------------------------------

def test_valid_codebook_loads(tmp_path):
    book = _codebook(tmp_path, CODEBOOK_ROWS)
    assert book["theme"].tolist() == ["visibility", "care", "experience", "inclusion"]
    assert book["label"].tolist()[1] == "Direct impact on care"
    assert book["golden_thread"].isna().tolist() == [True, False, False, False]
    assert book["golden_thread"].tolist()[1:] == ["patient_care", "patient_experience", "equality_diversity"]
    assert book["description"].isna().tolist() == [False, False, True, True]


def test_codebook_without_optional_columns_loads(tmp_path):
    book = _codebook(tmp_path, [["care", "Care"]], header=["theme", "label"])
    assert book["theme"].tolist() == ["care"]
    assert book["golden_thread"].isna().all()


@pytest.mark.parametrize("thread", ["patient care", "Patient_Care", "safety", "yes"])
def test_codebook_bad_golden_thread_is_rejected_with_row(tmp_path, thread):
    rows = [list(r) for r in CODEBOOK_ROWS]
    rows[2][3] = thread
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, rows)
    assert info.value.column == "golden_thread"
    assert info.value.row_number == 4
    assert "row 4" in info.value.message
    assert info.value.source_file == "codebook.csv"


def test_codebook_duplicate_theme_is_rejected_at_the_second_copy(tmp_path):
    rows = [list(r) for r in CODEBOOK_ROWS] + [["care", "Care again", "", ""]]
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, rows)
    assert info.value.column == "theme"
    assert info.value.row_number == 6
    assert "more than once" in info.value.message


@pytest.mark.parametrize("label", ["", "   "])
def test_codebook_blank_label_is_rejected_with_row(tmp_path, label):
    rows = [list(r) for r in CODEBOOK_ROWS]
    rows[1][1] = label
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, rows)
    assert info.value.column == "label"
    assert info.value.row_number == 3


def test_codebook_blank_theme_is_rejected(tmp_path):
    rows = [list(r) for r in CODEBOOK_ROWS]
    rows[3][0] = ""
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, rows)
    assert (info.value.column, info.value.row_number) == ("theme", 5)


@pytest.mark.parametrize("theme", ["two words", "x;drop", "é", "t" * 65])
def test_codebook_unsafe_theme_code_is_rejected(tmp_path, theme):
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, [["care", "Care", "", ""], [theme, "Label", "", ""]])
    assert (info.value.column, info.value.row_number) == ("theme", 3)


@pytest.mark.parametrize("missing", ["theme", "label"])
def test_codebook_missing_required_column_is_rejected(tmp_path, missing):
    header = [c for c in CODEBOOK_HEADER if c != missing]
    rows = [[v for c, v in zip(CODEBOOK_HEADER, r) if c != missing] for r in CODEBOOK_ROWS]
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, rows, header=header)
    assert info.value.column == missing


def test_codebook_unknown_column_is_rejected(tmp_path):
    with pytest.raises(ContractError) as info:
        _codebook(tmp_path, [r + ["x"] for r in CODEBOOK_ROWS], header=CODEBOOK_HEADER + ["colour"])
    assert info.value.column == "colour"


# ---- interview segments ------------------------------------------------------------------------

def test_valid_segments_load(tmp_path):
    loaded = _interviews(tmp_path, [seg(), seg(segment="S2", theme="care"), seg("I2", "S3", "", "inclusion")])
    assert loaded.quarantine.empty
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (3, 3, 0)
    assert list(loaded.rows.columns) == ["wave", "interview_id", "segment_id", "theme", "quote", "respondent_key"]
    assert loaded.rows["wave"].tolist() == [WAVE] * 3
    TABLES["interview_quotes"].schema().validate(loaded.rows)


def test_theme_not_in_codebook_is_quarantined(tmp_path):
    loaded = _interviews(tmp_path, [seg(), seg(segment="S2", theme="weather")])
    assert problems(loaded) == {(3, "theme", "theme is not in the codebook")}
    assert loaded.rows["segment_id"].tolist() == ["S1"]
    assert_counts_balance(loaded)


def test_same_segment_with_different_themes_is_fine(tmp_path):
    loaded = _interviews(tmp_path, [seg(segment="S1", theme="care"), seg(segment="S1", theme="visibility")])
    assert loaded.quarantine.empty


def test_duplicated_segment_and_theme_quarantines_every_copy(tmp_path):
    rows = [seg(segment="S1"), seg(segment="S2"), seg("I2", segment="S1", quote="another quote"),
            seg(segment="S3")]
    loaded = _interviews(tmp_path, rows)
    assert problems(loaded) == {(2, "theme", "(segment_id, theme) appears more than once"),
                                (4, "theme", "(segment_id, theme) appears more than once")}
    assert loaded.rows["segment_id"].tolist() == ["S2", "S3"]
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (4, 2, 2)


@pytest.mark.parametrize("column", ["interview_id", "segment_id", "theme", "quote"])
def test_blank_required_segment_cell_is_quarantined(tmp_path, column):
    row = seg(segment="S2")
    row[INTERVIEW_HEADER.index(column)] = ""
    loaded = _interviews(tmp_path, [seg(), row])
    assert (3, column, schemas.BLANK) in problems(loaded)
    assert {r for r, _, _ in problems(loaded)} == {3}
    assert loaded.rows_loaded == 1


def test_quote_is_scrubbed(tmp_path):
    quote = "Email me at sam.whitfield@nhs.example or 07700 900123; @StrideAheadSam helped. NHS 943 476 5919."
    loaded = _interviews(tmp_path, [seg(quote=quote)])
    assert loaded.rows["quote"].tolist() == [
        "Email me at [email] or [phone]; [handle] helped. NHS [nhs-number]."]


def test_quote_without_personal_data_is_unchanged(tmp_path):
    quote = "Twitter let me see what the board cared about in 2019."
    loaded = _interviews(tmp_path, [seg(quote=quote)])
    assert loaded.rows["quote"].tolist() == [quote]


def test_respondent_id_is_pseudonymised_and_blank_is_missing(tmp_path):
    loaded = _interviews(tmp_path, [seg(segment="S1", respondent="MGR-000007"),
                                    seg(segment="S2", respondent=""),
                                    seg(segment="S3", respondent=" MGR-000007 ")])
    keys = loaded.rows["respondent_key"]
    expected = pseudonymise(pd.Series(["MGR-000007"]), KEY).iloc[0]
    assert keys.iloc[0] == expected
    assert pd.isna(keys.iloc[1])
    assert keys.iloc[2] == expected
    assert "respondent_id" not in loaded.rows.columns
    assert "MGR-000007" not in all_quarantine_text(loaded.rows)


def test_interviews_without_respondent_column_load_with_missing_keys(tmp_path):
    header = [c for c in INTERVIEW_HEADER if c != "respondent_id"]
    loaded = _interviews(tmp_path, [["I1", "S1", "care", "A quote."]], header=header)
    assert loaded.rows_loaded == 1
    assert loaded.rows["respondent_key"].isna().all()


@pytest.mark.parametrize("missing", ["interview_id", "segment_id", "theme", "quote"])
def test_interviews_missing_required_column_is_rejected(tmp_path, missing):
    index = INTERVIEW_HEADER.index(missing)
    header = [c for c in INTERVIEW_HEADER if c != missing]
    row = seg()
    del row[index]
    with pytest.raises(ContractError) as info:
        _interviews(tmp_path, [row], header=header)
    assert info.value.column == missing
    assert info.value.source_file == "interview_segments.csv"


def test_interviews_unknown_column_is_rejected(tmp_path):
    with pytest.raises(ContractError) as info:
        _interviews(tmp_path, [seg() + ["x"]], header=INTERVIEW_HEADER + ["respondent_name"])
    assert info.value.column == "respondent_name"


def test_interview_quarantine_never_quotes_cells(tmp_path):
    rows = [seg(segment="S1", theme="jane.doe@nhs.example", quote="secret quote one"),
            seg(segment="S2", quote=""),
            seg(interview="I" * 70, segment="S3")]
    loaded = _interviews(tmp_path, rows)
    text = all_quarantine_text(loaded.quarantine)
    assert loaded.rows_quarantined == 3
    for needle in ("jane.doe", "secret quote", "I" * 65, "MGR-000001"):
        assert needle not in text


def test_all_segments_quarantined_leaves_an_empty_typed_frame(tmp_path):
    loaded = _interviews(tmp_path, [seg(theme="weather"), seg(segment="S2", theme="sport")])
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (2, 0, 2)
    assert list(loaded.rows.columns) == ["wave", "interview_id", "segment_id", "theme", "quote", "respondent_key"]
    assert str(loaded.rows["quote"].dtype) == "string"
