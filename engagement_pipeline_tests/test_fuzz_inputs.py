"""Adversarial survey and interview files: every input loads per the contract or fails with a
contract error naming the file; never an unhandled exception; rows are never lost."""

from __future__ import annotations

import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.interviews import load_interviews
from engagement_pipeline.ingest.readers import read_csv, read_xlsx
from engagement_pipeline.ingest.survey import load_survey

KEY = b"fuzz-key"
HEADER = ["respondent_id", "submitted_at", "locality", "staff_group", "uses_twitter", "engagement_organisation",
          "improved_organisation", "channel_twitter", "channel_intranet", "barrier_time", "comment"]
NASTY = ["", " ", "yes", "NO", " YES ", "4", "4.0", "4.5", "0", "6", "-1", "1e308", "99999999999999999999", "NaN",
         "inf", "-inf", "None", "null", "2019-03-01", "2019-13-45", "2019-03-01T10:00:00+01:00", "'; DROP TABLE x; --",
         "=HYPERLINK(\"http://x\",\"y\")", "+cmd", "@handle", "a\"b", "\"", "line\nbreak", "tab\there", "é", "名字",
         "\u202e", "x" * 5000]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

cells = st.one_of(st.sampled_from(NASTY), st.text(alphabet=string.printable + "éü€名", max_size=40))


def _check_survey(path, wave="w"):
    try:
        raw = read_xlsx(path) if path.suffix == ".xlsx" else read_csv(path)
        _, loaded = load_survey(raw, wave, KEY)
    except ContractError as error:
        assert error.source_file == path.name and path.name in error.message
        return None
    assert loaded.rows_read == loaded.rows_loaded + loaded.rows_quarantined
    assert set(loaded.quarantine["row_number"]) <= set(range(2, loaded.rows_read + 2 + 10_000))
    assert not set(loaded.rows.columns) & {"respondent_id", "respondent_name", "respondent_email"}
    return loaded


@SETTINGS
@given(rows=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=12),
       order=st.permutations(HEADER))
def test_any_cells_in_a_well_formed_csv(tmp_path_factory, rows, order):
    path = tmp_path_factory.mktemp("fuzz") / "survey_responses.csv"
    frame = pd.DataFrame(rows, columns=HEADER)[list(order)]
    frame.to_csv(path, index=False)
    _check_survey(path)


@SETTINGS
@given(payload=st.binary(max_size=400))
def test_arbitrary_bytes(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("fuzz") / "survey_responses.csv"
    path.write_bytes(payload)
    _check_survey(path)


@SETTINGS
@given(body=st.text(alphabet=string.printable + "\"é", max_size=300), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
def test_text_mangled_after_a_valid_header_in_any_encoding(tmp_path_factory, body, encoding):
    path = tmp_path_factory.mktemp("fuzz") / "survey_responses.csv"
    text = ",".join(HEADER) + "\r\n" + body
    path.write_bytes(text.encode(encoding, errors="replace"))
    _check_survey(path)


@SETTINGS
@given(header=st.lists(st.sampled_from(HEADER + ["respondent_name", "Engagement_X", "channel_; drop", "select *", ""]),
                       min_size=1, max_size=14))
def test_any_header_duplicated_reordered_or_hostile(tmp_path_factory, header):
    path = tmp_path_factory.mktemp("fuzz") / "survey_responses.csv"
    line = ",".join(f'"{h}"' for h in header)
    path.write_text(line + "\n" + ",".join("1" for _ in header) + "\n", encoding="utf-8")
    _check_survey(path)


@SETTINGS
@given(rows=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=6))
def test_any_cells_in_an_xlsx(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "survey_responses.xlsx"
    frame = pd.DataFrame(rows, columns=HEADER)
    # Cells Excel itself cannot hold (control characters) are not a contributor's file; drop them.
    frame = frame.map(lambda v: "".join(ch for ch in v if ch.isprintable() or ch in "\n\t"))
    frame.to_excel(path, index=False)
    _check_survey(path)


@SETTINGS
@given(rows=st.lists(st.tuples(cells, cells, st.sampled_from(["care", "speed", "", "nope", "care"]), cells, cells),
                     min_size=1, max_size=10))
def test_any_interview_segments(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "interview_segments.csv"
    pd.DataFrame(rows, columns=["interview_id", "segment_id", "theme", "quote", "respondent_id"]).to_csv(path, index=False)
    try:
        loaded = load_interviews(read_csv(path), "w", KEY, {"care", "speed"})
    except ContractError as error:
        assert "interview_segments.csv" in error.message
        return
    assert loaded.rows_read == loaded.rows_loaded + loaded.rows_quarantined
    assert not loaded.rows["quote"].fillna("").str.contains(r"@\w").any()


def test_empty_and_header_only_files_are_contract_errors(tmp_path):
    for content in (b"", b"\n\n", b",".join(h.encode() for h in HEADER) + b"\r\n"):
        path = tmp_path / "survey_responses.csv"
        path.write_bytes(content)
        assert _check_survey(path) is None


def test_a_huge_cell_is_quarantined_not_fatal(tmp_path):
    path = tmp_path / "survey_responses.csv"
    good = ["A1", "2019-03-01", "North", "Nursing", "yes", "4", "yes", "5", "3", "", "ok"]
    huge = ["A2", "2019-03-01", "North", "Nursing", "yes", "9" * 200_000, "yes", "5", "3", "", "x" * 300_000]
    pd.DataFrame([good, huge], columns=HEADER).to_csv(path, index=False)
    loaded = _check_survey(path)
    assert loaded is not None and loaded.rows_loaded == 1
    assert list(loaded.quarantine["column_name"]) == ["engagement_organisation"]


def test_utf16_and_latin1_files_name_the_encoding_problem(tmp_path):
    for encoding in ("utf-16", "latin-1"):
        path = tmp_path / "survey_responses.csv"
        path.write_bytes((",".join(HEADER) + "\ncafé\n").encode(encoding))
        try:
            read_csv(path)
        except ContractError as error:
            assert "not UTF-8" in error.message or "NUL" in error.message
        else:
            raise AssertionError(f"{encoding} file accepted")


def test_values_that_look_like_sql_or_formulas_are_stored_as_text(tmp_path):
    path = tmp_path / "survey_responses.csv"
    row = ["'; DROP TABLE responses; --", "2019-03-01", "=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0",
           "yes", "4", "yes", "5", "3", "", "=1+1"]
    pd.DataFrame([row], columns=HEADER).to_csv(path, index=False)
    loaded = _check_survey(path)
    assert loaded.rows_loaded == 1
    assert loaded.rows["locality"].iloc[0].startswith("=HYPERLINK")
    assert loaded.rows["comment"].iloc[0] == "=1+1"


def test_reading_never_touches_the_raw_file(tmp_path):
    path = tmp_path / "survey_responses.csv"
    path.write_text(",".join(HEADER) + "\nA1,2019-03-01,N,S,yes,4,yes,5,3,,\n", encoding="utf-8")
    before = path.stat().st_mtime_ns
    _check_survey(path)
    assert path.stat().st_mtime_ns == before
