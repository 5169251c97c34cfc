"""Reading raw files (docs/data-contract.md §2 file format, §3 structural problems): readers.read_csv / read_xlsx."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.readers import ROW_NUMBER, RawTable, read_csv, read_xlsx
from engagement_pipeline.ingest.survey import load_survey

try:
    from contract_cases import HEADER, KEY, WAVE, problems, survey_csv, user, non_user
except ImportError:  # the tests folder became a package
    from engagement_pipeline_tests.contract_cases import (HEADER, KEY, WAVE, problems, survey_csv,
                                                          user, non_user)

SMALL = "a,b,c\n1,2,3\n4,5,6\n"


def _write_bytes(tmp_path, payload: bytes, name: str = "survey_responses.csv"):
    path = tmp_path / name
    path.write_bytes(payload)
    return path


def _rows(raw: RawTable) -> list[list[str]]:
    return raw.frame[raw.columns].values.tolist()


# ---- well-formed CSV --------------------------------------------------------------------------

def test_plain_csv_reads_text_cells_with_row_numbers(tmp_path):
    raw = read_csv(_write_bytes(tmp_path, SMALL.encode()))
    assert raw.source_file == "survey_responses.csv"
    assert raw.columns == ["a", "b", "c"]
    assert len(raw) == 2
    assert _rows(raw) == [["1", "2", "3"], ["4", "5", "6"]]
    assert raw.frame[ROW_NUMBER].tolist() == [2, 3]


def test_sha256_is_the_hash_of_the_raw_bytes(tmp_path):
    payload = ("\ufeff" + SMALL).encode()
    raw = read_csv(_write_bytes(tmp_path, payload))
    assert raw.sha256 == hashlib.sha256(payload).hexdigest()


def test_display_name_is_used_as_source_file(tmp_path):
    raw = read_csv(_write_bytes(tmp_path, SMALL.encode()), display_name="waves/2019-03/x.csv")
    assert raw.source_file == "waves/2019-03/x.csv"


def test_bom_and_crlf_are_accepted(tmp_path):
    payload = "\ufeffa,b,c\r\n1,2,3\r\n4,5,6\r\n".encode("utf-8")
    raw = read_csv(_write_bytes(tmp_path, payload))
    assert raw.columns == ["a", "b", "c"]  # no BOM glued to the first name
    assert _rows(raw) == [["1", "2", "3"], ["4", "5", "6"]]  # no stray \r
    assert raw.frame[ROW_NUMBER].tolist() == [2, 3]


def test_bom_crlf_survey_loads_without_quarantine(tmp_path):
    text = survey_csv([user("U1"), non_user("N1")]).replace("\n", "\r\n")
    raw = read_csv(_write_bytes(tmp_path, b"\xef\xbb\xbf" + text.encode()))
    _, loaded = load_survey(raw, WAVE, KEY)
    assert loaded.quarantine.empty
    assert loaded.rows_loaded == 2


def test_cells_and_header_are_stripped(tmp_path):
    raw = read_csv(_write_bytes(tmp_path, b" a , b ,c\n  1 ,\t2, 3 \n"))
    assert raw.columns == ["a", "b", "c"]
    assert _rows(raw) == [["1", "2", "3"]]


def test_padded_upper_case_yes_and_decimal_likert_are_accepted(tmp_path):
    text = survey_csv([user("U1", uses_twitter=" YES ", engagement_org="4.0", improved_org=" Yes ")])
    _, loaded = load_survey(read_csv(_write_bytes(tmp_path, text.encode())), WAVE, KEY)
    assert loaded.quarantine.empty
    row = loaded.rows.iloc[0]
    assert bool(row["uses_twitter"]) is True
    assert row["engagement_org"] == 4
    assert bool(row["improved_org"]) is True


def test_cells_are_kept_as_text_not_guessed(tmp_path):
    # NA / null / 007 / 1e3 must stay text: the schemas decide what they mean.
    raw = read_csv(_write_bytes(tmp_path, b"a,b,c,d\nNA,null,007,1e3\n"))
    assert _rows(raw) == [["NA", "null", "007", "1e3"]]


# ---- row numbers: blank lines and multi-line cells --------------------------------------------

def test_blank_lines_are_skipped_but_keep_spreadsheet_row_numbers(tmp_path):
    raw = read_csv(_write_bytes(tmp_path, b"a,b\n1,2\n\n3,4\n,\n5,6\n\n"))
    assert _rows(raw) == [["1", "2"], ["3", "4"], ["5", "6"]]
    assert raw.frame[ROW_NUMBER].tolist() == [2, 4, 6]


def test_quoted_newline_counts_as_one_spreadsheet_row(tmp_path):
    payload = b'a,b\n1,"line one\nline two"\n\n3,4\n'
    raw = read_csv(_write_bytes(tmp_path, payload))
    assert _rows(raw) == [["1", "line one\nline two"], ["3", "4"]]
    # record 2 spans two physical lines; the blank record is row 3; "3,4" is row 4
    assert raw.frame[ROW_NUMBER].tolist() == [2, 4]


def test_quarantine_row_number_after_blank_line_and_multiline_comment(tmp_path):
    text = survey_csv([
        user("U1", comment="first line\nsecond line"),
        user("U2"),
        user("U3", engagement_org="7"),
    ])
    lines = text.split("\n")
    # header, U1 (2 physical lines), U2, then a blank line before U3
    text = "\n".join(lines[:4] + [""] + lines[4:])
    _, loaded = load_survey(read_csv(_write_bytes(tmp_path, text.encode())), WAVE, KEY)
    # spreadsheet rows: header 1, U1 2, U2 3, blank 4, U3 5
    assert {(r, c) for r, c, _ in problems(loaded)} == {(5, "engagement_org")}
    assert loaded.rows_read == 3


# ---- structural rejections -------------------------------------------------------------------

def test_latin1_file_is_rejected_naming_the_file(tmp_path):
    payload = "a,b\nJosé,Müller\n".encode("latin-1")
    with pytest.raises(ContractError) as info:
        read_csv(_write_bytes(tmp_path, payload, "survey_responses.csv"))
    assert info.value.source_file == "survey_responses.csv"
    assert "survey_responses.csv" in info.value.message
    assert "UTF-8" in info.value.message
    assert "Jos" not in info.value.message  # a cell is never quoted


@pytest.mark.parametrize("payload", [b"", b"   \n\n", b"\r\n", b"\xef\xbb\xbf"],
                         ids=["zero-bytes", "whitespace", "crlf", "bom-only"])
def test_empty_file_is_rejected(tmp_path, payload):
    with pytest.raises(ContractError) as info:
        read_csv(_write_bytes(tmp_path, payload, "empty.csv"))
    assert info.value.source_file == "empty.csv"
    assert "empty.csv" in str(info.value)


@pytest.mark.parametrize("payload", [b"a,b,c\n", b"a,b,c", b"a,b,c\r\n\r\n,,\n"],
                         ids=["newline", "no-newline", "blank-rows"])
def test_header_only_file_is_rejected_as_no_data_rows(tmp_path, payload):
    with pytest.raises(ContractError) as info:
        read_csv(_write_bytes(tmp_path, payload))
    assert "no data rows" in info.value.message


def test_duplicated_header_names_the_column(tmp_path):
    with pytest.raises(ContractError) as info:
        read_csv(_write_bytes(tmp_path, b"a,b,a\n1,2,3\n"))
    assert info.value.column == "a"
    assert "duplicated header" in info.value.message
    assert "'a'" in info.value.message


def test_duplicated_header_after_stripping_is_rejected(tmp_path):
    with pytest.raises(ContractError) as info:
        read_csv(_write_bytes(tmp_path, b"comment, comment\n1,2\n"))
    assert info.value.column == "comment"


def test_blank_header_cell_is_rejected(tmp_path):
    with pytest.raises(ContractError, match="header cell 2 is blank"):
        read_csv(_write_bytes(tmp_path, b"a,,c\n1,2,3\n"))


def test_record_with_too_many_fields_is_rejected(tmp_path):
    with pytest.raises(ContractError) as info:
        read_csv(_write_bytes(tmp_path, b"a,b\n1,2\n3,4,secret@example.org\n", "x.csv"))
    assert info.value.source_file == "x.csv"
    assert "secret@example.org" not in info.value.message


def test_first_record_with_too_many_fields_is_rejected(tmp_path):
    with pytest.raises(ContractError):
        read_csv(_write_bytes(tmp_path, b"a,b\n1,2,3\n4,5\n"))


def test_unterminated_quote_is_rejected(tmp_path):
    with pytest.raises(ContractError, match="malformed CSV"):
        read_csv(_write_bytes(tmp_path, b'a,b\n1,"never closed\n2,3\n'))


def test_nul_bytes_are_rejected(tmp_path):
    with pytest.raises(ContractError, match="NUL"):
        read_csv(_write_bytes(tmp_path, b"a,b\n1,\x002\n"))


def test_valid_file_after_rejections_still_reads(tmp_path):
    # control: the same reader accepts a well-formed file of the same shape
    assert len(read_csv(_write_bytes(tmp_path, b"a,b\n1,2\n"))) == 1


# ---- XLSX ------------------------------------------------------------------------------------

def _write_xlsx(tmp_path, rows: list[list[object]], name: str = "survey_responses.xlsx", extra_sheet=False):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        other = book.create_sheet("notes")
        other.append(["something", "else"])
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsx_reads_first_sheet_with_numeric_cells_as_text(tmp_path):
    path = _write_xlsx(tmp_path, [["a", "b", "c"], [4, 4.0, "x"], [1001, 3.5, " y "]], extra_sheet=True)
    raw = read_xlsx(path)
    assert raw.columns == ["a", "b", "c"]
    assert _rows(raw) == [["4", "4", "x"], ["1001", "3.5", "y"]]
    assert raw.frame[ROW_NUMBER].tolist() == [2, 3]
    assert raw.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_xlsx_survey_with_numbers_and_dates_loads(tmp_path):
    import datetime as dt

    header = HEADER
    base = user("U1")
    row = [base[c] for c in header]
    row[header.index("engagement_org")] = 4          # stored as a number
    row[header.index("engagement_team")] = 5.0       # stored as a float
    row[header.index("channel_email")] = 3
    row[header.index("submitted_at")] = dt.datetime(2019, 3, 4, 9, 15)
    other = [non_user("N1")[c] for c in header]
    path = _write_xlsx(tmp_path, [header, row, other])
    _, loaded = load_survey(read_xlsx(path), WAVE, KEY)
    assert loaded.quarantine.empty
    assert loaded.rows["engagement_org"].tolist() == [4, 2]
    assert loaded.rows["engagement_team"].tolist() == [5, 3]
    assert loaded.rows["submitted_at"].iloc[0] == pd.Timestamp("2019-03-04 09:15")


def test_xlsx_written_by_pandas_loads(tmp_path):
    frame = pd.DataFrame([user("U1"), non_user("N1")], columns=HEADER)
    frame["engagement_org"] = [4, 2]
    path = tmp_path / "survey_responses.xlsx"
    frame.to_excel(path, index=False)
    _, loaded = load_survey(read_xlsx(path), WAVE, KEY)
    assert loaded.quarantine.empty
    assert loaded.rows_loaded == 2


def test_xlsx_blank_row_keeps_row_numbers(tmp_path):
    path = _write_xlsx(tmp_path, [["a", "b"], [1, 2], [None, None], [3, 4]])
    raw = read_xlsx(path)
    assert _rows(raw) == [["1", "2"], ["3", "4"]]
    assert raw.frame[ROW_NUMBER].tolist() == [2, 4]


def test_xlsx_duplicated_header_names_the_column(tmp_path):
    with pytest.raises(ContractError) as info:
        read_xlsx(_write_xlsx(tmp_path, [["a", "b", "b"], [1, 2, 3]]))
    assert info.value.column == "b"


def test_xlsx_header_only_is_rejected(tmp_path):
    with pytest.raises(ContractError, match="no data rows"):
        read_xlsx(_write_xlsx(tmp_path, [["a", "b"]]))


def test_xlsx_empty_sheet_is_rejected(tmp_path):
    with pytest.raises(ContractError):
        read_xlsx(_write_xlsx(tmp_path, []))


def test_damaged_workbook_is_rejected_naming_the_file(tmp_path):
    path = _write_bytes(tmp_path, b"this is not a zip file", "survey_responses.xlsx")
    with pytest.raises(ContractError) as info:
        read_xlsx(path)
    assert info.value.source_file == "survey_responses.xlsx"
    assert "unreadable workbook" in info.value.message


def test_zero_byte_workbook_is_rejected(tmp_path):
    with pytest.raises(ContractError, match="empty"):
        read_xlsx(_write_bytes(tmp_path, b"", "survey_responses.xlsx"))


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_utf8_check_in_chunks_accepts_split_characters_and_names_the_true_offset(chunk, monkeypatch):
    from engagement_pipeline.ingest import readers
    from engagement_pipeline.ingest.errors import ContractError

    monkeypatch.setattr(readers, "_CHUNK", chunk)
    good = "id,name\n1,Siân Öztürk 😀\n".encode("utf-8")
    readers._check_utf8(good, "survey.csv")  # multi-byte characters split across chunks pass
    for bad in (good[:12] + b"\xff" + good[12:], good + b"\xe2\x82", b"\xef\xbb\xbf" + good[:-1] + b"\xc3("):
        with pytest.raises(ContractError) as caught:
            readers._check_utf8(bad, "survey.csv")
        try:
            bad.decode("utf-8")
        except UnicodeDecodeError as exc:
            expected = exc.start
        assert f"offset {expected})" in str(caught.value)
