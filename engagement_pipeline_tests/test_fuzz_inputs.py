"""Adversarial survey and interview files: every input loads per the contract or fails with a
contract error naming the file; never an unhandled exception; rows are never lost."""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import string
from collections import Counter

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.interviews import load_interviews
from engagement_pipeline.ingest.readers import ROW_NUMBER, read_csv, read_xlsx
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


def _check_survey(path, wave="w", n_records=None):
    """Load ``path``; a contract error must name the file. ``n_records``: how many data records
    were written (the header is row 1, so they are rows 2 .. n_records + 1)."""
    try:
        raw = read_xlsx(path) if path.suffix == ".xlsx" else read_csv(path)
        _, loaded = load_survey(raw, wave, KEY)
    except ContractError as error:
        assert error.source_file == path.name and path.name in error.message
        return None
    numbers = raw.frame[ROW_NUMBER]
    assert numbers.is_unique and numbers.is_monotonic_increasing
    if n_records is not None:  # blank records are skipped but keep their numbers
        assert set(numbers) <= set(range(2, n_records + 2))
    assert loaded.rows_read == len(raw) == loaded.rows_loaded + loaded.rows_quarantined
    # Every quarantined row is one of the file's records, and the kept rows are exactly the others.
    assert set(loaded.quarantine["row_number"]) <= set(numbers)
    assert loaded.rows_loaded == (~numbers.isin(loaded.quarantine["row_number"])).sum()
    assert not set(loaded.rows.columns) & {"respondent_id", "respondent_name", "respondent_email"}
    return loaded


@SETTINGS
@given(rows=st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=12),
       order=st.permutations(HEADER))
def test_any_cells_in_a_well_formed_csv(tmp_path_factory, rows, order):
    path = tmp_path_factory.mktemp("fuzz") / "survey_responses.csv"
    frame = pd.DataFrame(rows, columns=HEADER)[list(order)]
    frame.to_csv(path, index=False)
    # pandas writes a lone \r unquoted, which ends a record: count records as Python's csv module does
    with path.open(newline="", encoding="utf-8") as handle:
        n_records = sum(1 for _ in csv.reader(handle)) - 1
    assert n_records >= len(rows)
    _check_survey(path, n_records=n_records)


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
    # A record may span lines but never fewer than one: the body's lines bound the records.
    _check_survey(path, n_records=max(1, len(body.splitlines())))


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
    _check_survey(path, n_records=len(rows))


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


# --- Mostly valid surveys with mutations on top, against an independent statement of the rules ---
#
# The strategies below write files whose rows are valid unless a mutation breaks them; the expected
# outcome of every file is worked out here from docs/data-contract.md §2-§3 (not from the loader):
# a structural problem -> ContractError; otherwise exactly the broken rows are quarantined, for the
# expected (column, reason), and every other row is loaded. The test asserts that outcome per file
# and that the run reached every path: all loaded, some quarantined, all quarantined, contract error.

AREAS = ("organisation", "executive_team", "colleagues")
CHANNELS = ("face_to_face_senior", "intranet", "twitter")
BARRIERS = ("time", "confidence")
REQUIRED = ("respondent_id", "submitted_at", "locality", "staff_group", "uses_twitter")
VALID_DATES = ("2019-03-01", "2019-03-04T09:15:00", "2019-03-04 09:15", "2019-03-04T09:15:00Z",
               "2019-03-04T10:15:00+01:00", "2020-02-29")
BAD_DATES = ("2019-13-45", "2019-02-30", "not a date", "yesterday", "4th March")
LIKERT_OK = ("1", "2", "3", "4", "5", "4.0", "5.00", "", " 3 ")
LIKERT_BAD = ("0", "6", "4.5", "-1", "x", "1e308", "NaN", "five", "\u0661", "4.", "+4", "44")
YES_NO_BAD = ("maybe", "y", "1", "true", "yes please")
COMMENTS = (("", None), ("fine", "fine"), ("mail me: jo.bloggs@example.org", "mail me: [email]"),
            ('a "quoted" word, with a comma\nand a second line', 'a "quoted" word, with a comma\nand a second line'))
REASONS = {"blank": "required value is blank", "likert": "not a whole number from 1 to 5",
           "yes_no": "not yes or no", "date": "not an ISO 8601 date or date-time",
           "long": "longer than 64 characters", "dup": "respondent_id appears more than once in the file",
           "users": "answered although uses_twitter is no", "non_users": "answered although uses_twitter is yes"}
KINDS = ("clean", "some_bad", "all_bad", "structural")


def _family(column: str) -> str | None:
    return next((f for f in ("engagement", "improved", "channel", "barrier") if column.startswith(f + "_")), None)


@st.composite
def _columns(draw) -> list[str]:
    areas = draw(st.lists(st.sampled_from(AREAS), min_size=1, unique=True))
    improved = draw(st.lists(st.sampled_from(areas), unique=True))
    channels = draw(st.lists(st.sampled_from(CHANNELS), unique=True))
    barriers = draw(st.lists(st.sampled_from(BARRIERS), unique=True))
    extras = draw(st.lists(st.sampled_from(["comment", "respondent_name", "respondent_email"]), unique=True))
    columns = [*REQUIRED, *(f"engagement_{a}" for a in areas), *(f"improved_{a}" for a in improved),
               *(f"channel_{c}" for c in channels), *(f"barrier_{b}" for b in barriers), *extras]
    return list(draw(st.permutations(columns)))


def _padded(draw, value: str) -> str:
    """The value, sometimes with spaces around it (cells are stripped)."""
    return draw(st.sampled_from([value, f" {value}", f"{value}  "])) if value else value


@st.composite
def _valid_row(draw, columns: list[str], index: int) -> dict[str, str]:
    user = draw(st.booleans())
    row = {"respondent_id": _padded(draw, f"R{index:03d}"), "submitted_at": draw(st.sampled_from(VALID_DATES)),
           "locality": draw(st.sampled_from(["North", "South", "名字 East"])),
           "staff_group": draw(st.sampled_from(["Nursing", "Medical", "Allied health"])),
           "uses_twitter": _padded(draw, draw(st.sampled_from(["yes", "YES", "Yes"] if user else ["no", "No", "NO"]))),
           "respondent_name": "Jo Bloggs", "respondent_email": "jo.bloggs@example.org",
           "comment": draw(st.sampled_from([c for c, _ in COMMENTS]))}
    for column in columns:
        family = _family(column)
        asked = not ((family == "improved" or column == "channel_twitter") and not user
                     or family == "barrier" and user)
        if family in ("engagement", "channel"):
            row[column] = draw(st.sampled_from(LIKERT_OK)) if asked else ""
        elif family in ("improved", "barrier"):
            row[column] = _padded(draw, draw(st.sampled_from(["yes", "no", "", "YES", "No"]))) if asked else ""
    return {c: row[c] for c in columns}


@st.composite
def _broken(draw, row: dict[str, str]) -> dict[str, str]:
    """The row with one cell broken so that the contract quarantines it."""
    row = dict(row)
    user = row["uses_twitter"].strip().lower() == "yes"
    options = [("respondent_id", ""), ("respondent_id", "x" * 65), ("submitted_at", ""), ("locality", "  "),
               ("staff_group", ""), ("uses_twitter", ""), *((("uses_twitter", v) for v in YES_NO_BAD))]
    options += [("submitted_at", v) for v in BAD_DATES]
    for column in row:
        family = _family(column)
        if family in ("engagement", "channel"):
            options += [(column, v) for v in LIKERT_BAD]
        elif family in ("improved", "barrier"):
            options += [(column, v) for v in YES_NO_BAD]
        if (family == "improved" or column == "channel_twitter") and not user:
            options.append((column, "yes" if family == "improved" else "4"))
        if family == "barrier" and user:
            options.append((column, "no"))
    column, value = draw(st.sampled_from(options))
    row[column] = value
    return row


def _expected_problems(rows: list[dict[str, str]]) -> set[tuple[int, str, str]]:
    """(row_number, column, reason) the contract gives these rows, worked out cell by cell."""
    problems = set()
    ids = [row["respondent_id"].strip() for row in rows]
    for number, row in enumerate(rows, start=2):
        cell = {c: v.strip() for c, v in row.items()}
        for column in REQUIRED:
            if cell[column] == "":
                problems.add((number, column, REASONS["blank"]))
        if len(cell["respondent_id"]) > 64:
            problems.add((number, "respondent_id", REASONS["long"]))
        if cell["respondent_id"] and ids.count(cell["respondent_id"]) > 1:
            problems.add((number, "respondent_id", REASONS["dup"]))
        if cell["submitted_at"] and cell["submitted_at"] not in VALID_DATES:
            problems.add((number, "submitted_at", REASONS["date"]))
        answer = cell["uses_twitter"].lower()
        if answer and answer not in ("yes", "no"):
            problems.add((number, "uses_twitter", REASONS["yes_no"]))
        for column, value in cell.items():
            family = _family(column)
            if family in ("engagement", "channel") and value and not re.fullmatch(r"[1-5](\.0+)?", value):
                problems.add((number, column, REASONS["likert"]))
            if family in ("improved", "barrier") and value.lower() not in ("", "yes", "no"):
                problems.add((number, column, REASONS["yes_no"]))
            if value and answer == "no" and (family == "improved" or column == "channel_twitter"):
                problems.add((number, column, REASONS["users"]))
            if value and answer == "yes" and family == "barrier":
                problems.add((number, column, REASONS["non_users"]))
    return problems


@st.composite
def _structural(draw, columns: list[str]) -> tuple[list[str], str, str | None]:
    """A header the contract refuses: (header, problem, column)."""
    areas = [c for c in columns if c.startswith("engagement_")]
    choices = ["drop", "unknown", "case", "duplicate", "blank", "no_area"]
    if len(areas) < len(AREAS):
        choices.append("unmatched")
    choice = draw(st.sampled_from(choices))
    header = list(columns)
    if choice == "drop":
        missing = draw(st.sampled_from(REQUIRED))
        header.remove(missing)
        return header, "missing required column", missing
    if choice == "unknown":
        header.insert(draw(st.integers(0, len(header))), "colour")
        return header, "unknown column", "colour"
    if choice == "case":
        area = draw(st.sampled_from(areas))
        header[header.index(area)] = area.replace("engagement", "Engagement")
        return header, "unknown column", area.replace("engagement", "Engagement")
    if choice == "duplicate":
        column = draw(st.sampled_from(columns))
        header.insert(draw(st.integers(header.index(column) + 1, len(header))), column)
        return header, "duplicated header", column
    if choice == "blank":
        position = draw(st.integers(0, len(header)))
        header.insert(position, "")
        return header, f"header cell {position + 1} is blank", None
    if choice == "no_area":
        header = [c for c in header if _family(c) not in ("engagement", "improved")]
        return header, "no engagement_<area> column (at least one is required)", None
    area = draw(st.sampled_from([a for a in AREAS if f"engagement_{a}" not in areas]))
    header.append(f"improved_{area}")
    return header, f"unknown column: no engagement_{area} to match it", f"improved_{area}"


@st.composite
def _survey_files(draw):
    """(kind, header, rows, expected structural problem or None)."""
    kind = draw(st.sampled_from(KINDS))
    columns = draw(_columns())
    n = draw(st.integers(1, 8) if kind != "some_bad" else st.integers(2, 8))
    rows = [draw(_valid_row(columns, i)) for i in range(n)]
    if kind == "structural":
        header, problem, column = draw(_structural(columns))
        cells = [[row.get(c, "4") if c else "" for c in header] for row in rows]
        return kind, header, cells, (problem, column)
    if kind == "all_bad":
        broken = set(range(n))
    elif kind == "some_bad":
        broken = set(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n - 1, unique=True)))
    else:
        broken = set()
    for i in sorted(broken):
        if draw(st.integers(0, 5)) == 0 and i > 0:  # one more row with an id already used
            rows[i] = {**rows[i], "respondent_id": rows[draw(st.integers(0, i - 1))]["respondent_id"]}
        else:
            rows[i] = draw(_broken(rows[i]))
    return kind, columns, rows, None


def test_mostly_valid_surveys_load_quarantine_or_fail_exactly_as_the_contract_says(tmp_path_factory):
    outcomes: list[str] = []

    @settings(max_examples=120, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(case=_survey_files())
    def check(case):
        kind, header, rows, structural = case
        path = tmp_path_factory.mktemp("fuzz") / "survey_responses.csv"
        if structural:
            pd.DataFrame(rows).set_axis(header, axis=1).to_csv(path, index=False)
        else:
            pd.DataFrame(rows, columns=header).to_csv(path, index=False)
        try:
            _, loaded = load_survey(read_csv(path), "w", KEY)
        except ContractError as error:
            assert structural is not None, f"{kind}: unexpected {error.message}"
            assert (error.source_file, error.problem, error.column) == ("survey_responses.csv", *structural)
            outcomes.append("contract error")
            event("contract error")
            return
        assert structural is None, f"header {header} was accepted"
        expected = _expected_problems(rows)
        got = set(zip(loaded.quarantine["row_number"], loaded.quarantine["column_name"], loaded.quarantine["reason"]))
        assert got == expected
        assert not loaded.quarantine["excluded"].any()
        assert (loaded.quarantine["source_file"] == "survey_responses.csv").all()
        bad = {number for number, _, _ in expected}
        kept = [row for number, row in enumerate(rows, start=2) if number not in bad]
        assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (len(rows), len(kept), len(bad))
        out = loaded.rows
        ids = [row["respondent_id"].strip() for row in kept]
        assert list(out["respondent_key"]) == [hmac.new(KEY, i.encode(), hashlib.sha256).hexdigest() for i in ids]
        assert list(out["uses_twitter"]) == [row["uses_twitter"].strip().lower() == "yes" for row in kept]
        assert (out["wave"] == "w").all()
        for column in header:
            family = _family(column)
            cells = [row[column].strip() for row in kept]
            if family in ("engagement", "channel"):
                assert [None if pd.isna(v) else int(v) for v in out[column]] == [int(c[0]) if c else None for c in cells]
            elif family in ("improved", "barrier"):
                assert [None if pd.isna(v) else bool(v) for v in out[column]] == \
                    [c.lower() == "yes" if c else None for c in cells]
            elif column in ("locality", "staff_group"):
                assert list(out[column]) == cells
        scrubbed = dict(COMMENTS)
        if "comment" in header:
            assert [None if pd.isna(v) else v for v in out["comment"]] == [scrubbed[row["comment"]] for row in kept]
        assert not set(out.columns) & {"respondent_id", "respondent_name", "respondent_email"}
        outcome = ("all loaded" if not bad else "all quarantined" if not kept else "some quarantined")
        outcomes.append(outcome)
        event(outcome)

    check()
    seen = Counter(outcomes)
    # Every path was reached, and loading rows was not a rare event.
    assert set(seen) == {"all loaded", "some quarantined", "all quarantined", "contract error"}, seen
    assert seen["all loaded"] + seen["some quarantined"] >= len(outcomes) // 4, seen
