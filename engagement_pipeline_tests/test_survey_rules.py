"""Survey structure and row rules (docs/data-contract.md §2-§4): survey.load_survey, columns.survey_layout."""

from __future__ import annotations

import pandas as pd
import pytest

from engagement_pipeline.ingest import schemas
from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.ingest.columns import family_of, survey_layout
from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.privacy import pseudonymise
from engagement_pipeline.ingest.readers import read_csv
from engagement_pipeline.ingest.survey import load_survey
from engagement_pipeline.synthetic import generate_survey

try:
    from contract_cases import (HEADER, KEY, WAVE, all_quarantine_text, assert_counts_balance, load,
                                non_user, problems, survey_csv, user, write)
except ImportError:  # the tests folder became a package
    from engagement_pipeline_tests.contract_cases import (HEADER, KEY, WAVE, all_quarantine_text,
                                                          assert_counts_balance, load, non_user,
                                                          problems, survey_csv, user, write)

REQUIRED = ["respondent_id", "submitted_at", "locality", "staff_group", "uses_twitter"]


def _without(header: list[str], *columns: str) -> list[str]:
    return [c for c in header if c not in columns]


# ---- a valid base file -----------------------------------------------------------------------

def test_valid_rows_load_with_nothing_quarantined(tmp_path):
    layout, loaded = load(tmp_path, [user("U1"), non_user("N1"), user("U2", engagement_org="")])
    assert loaded.quarantine.empty
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (3, 3, 0)
    assert layout.areas == ("org", "team")
    assert layout.improved == ("org",)
    assert layout.channels == ("twitter", "email")
    assert layout.barriers == ("time",)
    assert layout.has_comment


def test_synthetic_wave_loads_cleanly(tmp_path):
    frame = generate_survey(60, seed=7)
    write(tmp_path, frame.to_csv(index=False))
    _, loaded = load_survey(read_csv(tmp_path / "survey_responses.csv"), WAVE, KEY)
    assert loaded.quarantine.empty
    assert loaded.rows_loaded == 60


def test_synthetic_wave_with_one_corrupted_cell_quarantines_that_row_only(tmp_path):
    frame = generate_survey(30, seed=11)
    frame.loc[9, "engagement_organisation"] = "6"
    write(tmp_path, frame.to_csv(index=False))
    _, loaded = load_survey(read_csv(tmp_path / "survey_responses.csv"), WAVE, KEY)
    assert problems(loaded) == {(11, "engagement_organisation", schemas.NOT_LIKERT)}
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (30, 29, 1)



def test_each_loaded_row_keeps_its_own_pseudonym_around_quarantined_rows(tmp_path):
    frame = generate_survey(40, seed=5)
    frame.loc[[0, 17, 18, 39], "engagement_organisation"] = "9"
    write(tmp_path, frame.to_csv(index=False))
    _, loaded = load_survey(read_csv(tmp_path / "survey_responses.csv"), WAVE, KEY)
    assert loaded.rows_quarantined == 4
    kept = frame.drop(index=[0, 17, 18, 39])
    expected = pseudonymise(kept["respondent_id"].reset_index(drop=True), KEY)
    assert loaded.rows["respondent_key"].tolist() == expected.tolist()
    assert loaded.rows["submitted_at"].notna().all()
    assert loaded.rows["locality"].tolist() == kept["locality"].tolist()

# ---- structural problems reject the file -----------------------------------------------------

@pytest.mark.parametrize("column", REQUIRED)
def test_missing_required_column_is_named(tmp_path, column):
    header = _without(HEADER, column)
    with pytest.raises(ContractError) as info:
        load(tmp_path, [user("U1")], header)
    assert info.value.column == column
    assert "missing required column" in info.value.message
    assert repr(column) in info.value.message
    assert info.value.source_file == "survey_responses.csv"


@pytest.mark.parametrize("column", ["favourite_colour", "Engagement_org", "channel_", "engagement_Org",
                                    "barrier-time", "notes"])
def test_unknown_column_is_named(tmp_path, column):
    with pytest.raises(ContractError) as info:
        load(tmp_path, [user("U1")], HEADER + [column])
    assert info.value.column == column
    assert "unknown column" in info.value.message


def test_improved_without_matching_engagement_is_rejected(tmp_path):
    with pytest.raises(ContractError) as info:
        load(tmp_path, [user("U1")], HEADER + ["improved_colleagues"])
    assert info.value.column == "improved_colleagues"


def test_improved_with_matching_engagement_is_accepted(tmp_path):
    layout, loaded = load(tmp_path, [user("U1", engagement_colleagues="3", improved_colleagues="no")],
                          HEADER + ["engagement_colleagues", "improved_colleagues"])
    assert "colleagues" in layout.improved
    assert loaded.rows["improved_colleagues"].tolist() == [False]


def test_no_engagement_column_is_rejected(tmp_path):
    header = _without(HEADER, "engagement_org", "engagement_team", "improved_org")
    with pytest.raises(ContractError, match="engagement"):
        load(tmp_path, [user("U1")], header)


def test_one_engagement_column_is_enough(tmp_path):
    header = _without(HEADER, "engagement_team")
    layout, loaded = load(tmp_path, [user("U1")], header)
    assert layout.areas == ("org",)
    assert loaded.rows_loaded == 1


def test_survey_layout_directly():
    with pytest.raises(ContractError):
        survey_layout(REQUIRED, "s.csv")
    layout = survey_layout(REQUIRED + ["engagement_a", "channel_podcast"], "s.csv")
    assert layout.areas == ("a",) and layout.channels == ("podcast",)


def test_family_of():
    assert family_of("channel_podcast") == ("channel", "podcast")
    assert family_of("engagement_executive_team") == ("engagement", "executive_team")
    assert family_of("barrier_no_value") == ("barrier", "no_value")
    assert family_of("channel_") is None
    assert family_of("channel_Podcast") is None
    assert family_of("comment") is None
    assert family_of('channel_x"; drop table responses; --') is None


# ---- open families -----------------------------------------------------------------------------

def test_new_channel_and_barrier_columns_need_no_code_change(tmp_path):
    header = HEADER + ["channel_podcast", "barrier_no_signal"]
    layout, loaded = load(tmp_path, [user("U1", channel_podcast="2"),
                                     non_user("N1", channel_podcast="", barrier_no_signal="yes")], header)
    assert "podcast" in layout.channels and "no_signal" in layout.barriers
    assert loaded.quarantine.empty
    assert str(loaded.rows["channel_podcast"].dtype) == "Int8"
    assert loaded.rows["channel_podcast"].iloc[0] == 2
    assert loaded.rows["channel_podcast"].isna().iloc[1]
    assert loaded.rows["barrier_no_signal"].tolist()[1] is True


def test_new_channel_column_is_validated_as_likert(tmp_path):
    _, loaded = load(tmp_path, [user("U1", channel_podcast="9")], HEADER + ["channel_podcast"])
    assert problems(loaded) == {(2, "channel_podcast", schemas.NOT_LIKERT)}


# ---- blank required cells ----------------------------------------------------------------------

@pytest.mark.parametrize("column", REQUIRED)
def test_blank_required_cell_is_quarantined(tmp_path, column):
    _, loaded = load(tmp_path, [user("U1"), user("U2", **{column: ""}), non_user("N1")])
    assert problems(loaded) == {(3, column, schemas.BLANK)}
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (3, 2, 1)


@pytest.mark.parametrize("column", REQUIRED)
def test_whitespace_only_required_cell_counts_as_blank(tmp_path, column):
    _, loaded = load(tmp_path, [user("U1", **{column: "   "})])
    assert problems(loaded) == {(2, column, schemas.BLANK)}


# ---- respondent_id ---------------------------------------------------------------------------

def test_respondent_id_of_64_characters_is_accepted(tmp_path):
    _, loaded = load(tmp_path, [user("x" * 64)])
    assert loaded.quarantine.empty


def test_respondent_id_over_64_characters_is_quarantined(tmp_path):
    _, loaded = load(tmp_path, [user("U1"), user("x" * 65)])
    assert problems(loaded) == {(3, "respondent_id", schemas.TOO_LONG)}


def test_every_copy_of_a_duplicated_respondent_id_is_quarantined(tmp_path):
    rows = [user("U1"), non_user("DUP"), user("U2"), user("DUP"), non_user("DUP")]
    _, loaded = load(tmp_path, rows)
    assert problems(loaded) == {(3, "respondent_id", schemas.DUPLICATED),
                                (5, "respondent_id", schemas.DUPLICATED),
                                (6, "respondent_id", schemas.DUPLICATED)}
    assert (loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined) == (5, 2, 3)
    kept = set(loaded.rows["respondent_key"])
    assert kept == set(pseudonymise(pd.Series(["U1", "U2"]), KEY))


def test_ids_that_differ_only_by_padding_are_duplicates(tmp_path):
    _, loaded = load(tmp_path, [user("U1"), user(" U1 ")])
    assert {r for r, _, _ in problems(loaded)} == {2, 3}


# ---- submitted_at ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2019-03-04", "2019-03-04T09:15:00", "2019-03-04T09:15:00Z",
                                   "2019-03-04T09:15:00+01:00", "2019-03-04 09:15"])
def test_iso_dates_are_accepted(tmp_path, value):
    _, loaded = load(tmp_path, [user("U1", submitted_at=value)])
    assert loaded.quarantine.empty
    assert loaded.rows["submitted_at"].notna().all()


@pytest.mark.parametrize("value", ["04/03/2019", "yesterday", "2019-13-01", "2019-02-30",
                                   "2019-03-04T25:00"])
def test_bad_dates_are_quarantined(tmp_path, value):
    _, loaded = load(tmp_path, [non_user("N1"), user("U1", submitted_at=value)])
    assert problems(loaded) == {(3, "submitted_at", schemas.NOT_DATE)}


def test_mixed_iso_forms_in_one_file_are_accepted(tmp_path):
    values = ["2019-03-04", "2019-03-04T09:15:00", "2019-03-04T09:15:00Z", "2019-03-04T10:00:00+01:00"]
    _, loaded = load(tmp_path, [user(f"U{i}", submitted_at=v) for i, v in enumerate(values)])
    assert loaded.quarantine.empty
    assert loaded.rows["submitted_at"].tolist() == [
        pd.Timestamp("2019-03-04"), *[pd.Timestamp("2019-03-04 09:15")] * 2, pd.Timestamp("2019-03-04 09:00")]


def test_submitted_at_offset_is_normalised_to_utc(tmp_path):
    _, loaded = load(tmp_path, [user("U1", submitted_at="2019-03-04T10:00:00+01:00")])
    assert loaded.rows["submitted_at"].iloc[0] == pd.Timestamp("2019-03-04 09:00")


# ---- Likert cells ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, stored", [("1", 1), ("5", 5), ("4.0", 4), ("3.00", 3), (" 2 ", 2)])
def test_valid_likert_values(tmp_path, value, stored):
    _, loaded = load(tmp_path, [user("U1", engagement_org=value)])
    assert loaded.quarantine.empty
    assert loaded.rows["engagement_org"].iloc[0] == stored


def test_blank_likert_is_not_answered(tmp_path):
    _, loaded = load(tmp_path, [user("U1", engagement_org="", channel_email="")])
    assert loaded.quarantine.empty
    assert loaded.rows["engagement_org"].isna().all()
    assert loaded.rows["channel_email"].isna().all()


@pytest.mark.parametrize("value", ["0", "6", "3.5", "four", "-1", "4.1", "4,0", "1e0"])
@pytest.mark.parametrize("column", ["engagement_team", "channel_email"])
def test_invalid_likert_values_are_quarantined(tmp_path, column, value):
    _, loaded = load(tmp_path, [user("U1"), non_user("N1", **{column: value})])
    assert problems(loaded) == {(3, column, schemas.NOT_LIKERT)}
    assert loaded.rows_loaded == 1


# ---- yes/no cells ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["maybe", "y", "1", "true", "yes please"])
def test_invalid_uses_twitter_is_quarantined(tmp_path, value):
    _, loaded = load(tmp_path, [user("U1", uses_twitter=value, improved_org="", channel_twitter="")])
    assert problems(loaded) == {(2, "uses_twitter", schemas.NOT_YES_NO)}


@pytest.mark.parametrize("column, row", [("improved_org", user("U1", improved_org="maybe")),
                                         ("barrier_time", non_user("N1", barrier_time="maybe"))])
def test_invalid_yes_no_item_is_quarantined(tmp_path, column, row):
    _, loaded = load(tmp_path, [row])
    assert problems(loaded) == {(2, column, schemas.NOT_YES_NO)}


@pytest.mark.parametrize("value, stored", [("yes", True), ("YES", True), (" No ", False), ("no", False)])
def test_yes_no_any_case(tmp_path, value, stored):
    _, loaded = load(tmp_path, [user("U1", improved_org=value)])
    assert loaded.quarantine.empty
    assert bool(loaded.rows["improved_org"].iloc[0]) is stored


# ---- conditional rules -------------------------------------------------------------------------

@pytest.mark.parametrize("answer", ["yes", "no"])
def test_non_user_who_answered_improved_is_quarantined(tmp_path, answer):
    _, loaded = load(tmp_path, [user("U1"), non_user("N1", improved_org=answer)])
    assert problems(loaded) == {(3, "improved_org", schemas.ONLY_USERS)}


def test_non_user_who_scored_channel_twitter_is_quarantined(tmp_path):
    _, loaded = load(tmp_path, [non_user("N1", channel_twitter="3"), non_user("N2")])
    assert problems(loaded) == {(2, "channel_twitter", schemas.ONLY_USERS)}


def test_non_user_may_score_other_channels(tmp_path):
    _, loaded = load(tmp_path, [non_user("N1", channel_email="5")])
    assert loaded.quarantine.empty


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_user_who_answered_a_barrier_is_quarantined(tmp_path, answer):
    _, loaded = load(tmp_path, [user("U1", barrier_time=answer), non_user("N1")])
    assert problems(loaded) == {(2, "barrier_time", schemas.ONLY_NON_USERS)}


def test_conditional_rules_ignore_case_of_uses_twitter(tmp_path):
    _, loaded = load(tmp_path, [non_user("N1", uses_twitter="NO", improved_org="yes"),
                                user("U1", uses_twitter="Yes", barrier_time="no")])
    assert problems(loaded) == {(2, "improved_org", schemas.ONLY_USERS),
                                (3, "barrier_time", schemas.ONLY_NON_USERS)}


def test_user_may_leave_improved_and_twitter_channel_blank(tmp_path):
    _, loaded = load(tmp_path, [user("U1", improved_org="", channel_twitter="")])
    assert loaded.quarantine.empty


# ---- several problems, counts ------------------------------------------------------------------

def test_two_problems_in_one_row_give_two_quarantine_rows_and_one_count(tmp_path):
    _, loaded = load(tmp_path, [user("U1"), user("U2", engagement_org="9", locality=""), non_user("N1")])
    assert problems(loaded) == {(3, "engagement_org", schemas.NOT_LIKERT),
                                (3, "locality", schemas.BLANK)}
    assert len(loaded.quarantine) == 2
    assert loaded.rows_quarantined == 1
    assert (loaded.rows_read, loaded.rows_loaded) == (3, 2)


CORRUPTIONS = {
    "clean": [],
    "one-bad-likert": [(1, "engagement_org", "0")],
    "duplicates": [(0, "respondent_id", "N3"), (4, "respondent_id", "N3")],
    "two-in-one-row": [(2, "submitted_at", "soon"), (2, "channel_email", "x")],
    "cross-rule": [(3, "barrier_time", "yes")],
    "everything-bad": [(i, "staff_group", "") for i in range(6)],
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_rows_read_equals_loaded_plus_quarantined(tmp_path, name):
    rows = [non_user("N1"), user("U1"), non_user("N2"), user("U2"), non_user("N3"), user("U3")]
    for index, column, value in CORRUPTIONS[name]:
        rows[index][column] = value
    _, loaded = load(tmp_path, rows)
    assert_counts_balance(loaded)
    assert loaded.rows_read == 6
    expected_bad = len({i for i, _, _ in CORRUPTIONS[name]})
    assert loaded.rows_quarantined == expected_bad
    log = loaded.load_log(WAVE)
    assert log.loc[0, "rows_read"] == log.loc[0, "rows_loaded"] + log.loc[0, "rows_quarantined"]


def test_quarantine_frame_shape(tmp_path):
    _, loaded = load(tmp_path, [user("U1", engagement_org="8")])
    assert list(loaded.quarantine.columns) == ["source_file", "row_number", "column_name", "reason", "excluded"]
    assert loaded.quarantine["source_file"].tolist() == ["survey_responses.csv"]
    assert loaded.quarantine["row_number"].dtype == "int64"


# ---- quarantine never holds cell contents ----------------------------------------------------

def test_quarantine_never_quotes_the_offending_cell(tmp_path):
    secret = "jane.doe@nhs.example"
    rows = [
        user("U1", engagement_org=secret),
        user("U2", channel_email="call 07700 900123"),
        user("U3", submitted_at="Jane Doe 943 476 5919"),
        user("U4", uses_twitter="@JaneDoe"),
        non_user("N1", improved_org="secret-answer"),
        user("U5", barrier_time="hidden-barrier"),
        user("A" * 40 + "SECRETID" + "B" * 40),
        user("DUPSECRET"), user("DUPSECRET"),
    ]
    _, loaded = load(tmp_path, rows)
    text = all_quarantine_text(loaded.quarantine)
    for needle in (secret, "jane", "07700", "943 476", "@JaneDoe", "secret-answer",
                   "hidden-barrier", "SECRETID", "DUPSECRET", "Alex Example", "alex.example"):
        assert needle.lower() not in text.lower()
    assert loaded.rows_quarantined == 9


# ---- typed output ------------------------------------------------------------------------------

def test_typed_output_columns_and_dtypes(tmp_path):
    _, loaded = load(tmp_path, [user("U1", engagement_team=""), non_user("N1", barrier_time="")])
    rows = loaded.rows
    assert rows["uses_twitter"].dtype == bool
    assert rows["uses_twitter"].tolist() == [True, False]
    for column in ("improved_org", "barrier_time"):
        assert str(rows[column].dtype) == "boolean"
    for column in ("engagement_org", "engagement_team", "channel_twitter", "channel_email"):
        assert str(rows[column].dtype) == "Int8"
    assert rows["engagement_team"].isna().tolist() == [True, False]
    assert rows["improved_org"].isna().tolist() == [False, True]
    assert rows["barrier_time"].isna().tolist() == [True, True]
    assert rows["channel_twitter"].isna().tolist() == [False, True]
    assert str(rows["submitted_at"].dtype).startswith("datetime64")
    assert rows["submitted_at"].tolist() == [pd.Timestamp("2019-03-04 09:15"), pd.Timestamp("2019-03-05")]
    assert rows["wave"].tolist() == [WAVE, WAVE]
    assert rows["locality"].tolist() == ["North", "South"]


def test_identifying_columns_never_reach_the_rows(tmp_path):
    _, loaded = load(tmp_path, [user("U1"), non_user("N1")])
    for column in ("respondent_id", "respondent_name", "respondent_email"):
        assert column not in loaded.rows.columns
    flat = loaded.rows.astype(str).to_numpy().ravel().tolist()
    for needle in ("U1", "N1", "Alex Example", "alex.example@nhs.example", "Sam Sample"):
        assert needle not in flat
    assert loaded.rows["respondent_key"].tolist() == pseudonymise(pd.Series(["U1", "N1"]), KEY).tolist()
    assert loaded.rows["respondent_key"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_file_without_optional_columns_loads(tmp_path):
    header = _without(HEADER, "respondent_name", "respondent_email", "comment")
    layout, loaded = load(tmp_path, [user("U1")], header)
    assert not layout.has_comment
    assert loaded.rows["comment"].isna().all()  # the stored column exists, with nothing in it
    assert loaded.rows_loaded == 1


def test_comment_is_scrubbed(tmp_path):
    comment = "Email jane.doe@nhs.example or ring 07700 900123; NHS 943 476 5919; follow @NHSTrust"
    _, loaded = load(tmp_path, [user("U1", comment=comment), non_user("N1", comment="")])
    stored = loaded.rows["comment"].tolist()
    assert stored[0] == "Email [email] or ring [phone]; NHS [nhs-number]; follow [handle]"
    assert pd.isna(stored[1])


def test_comment_without_personal_data_is_unchanged(tmp_path):
    comment = "In 2019 about 3 of 12 colleagues tweeted weekly."
    _, loaded = load(tmp_path, [user("U1", comment=comment)])
    assert loaded.rows["comment"].iloc[0] == comment


def test_stored_responses_schema_accepts_loaded_rows(tmp_path):
    _, loaded = load(tmp_path, [user("U1", comment="ping @someone"), non_user("N1"), user("U2")])
    TABLES["responses"].schema().validate(loaded.rows)  # raises if a stored rule is broken
    assert loaded.rows_loaded == 3


def test_loading_never_modifies_the_raw_file(tmp_path):
    path = write(tmp_path, survey_csv([user("U1", comment="mail jane@nhs.example"), user("U1")]))
    before = path.read_bytes()
    raw = read_csv(path)
    _, loaded = load_survey(raw, WAVE, KEY)
    assert loaded.rows_quarantined == 2
    assert path.read_bytes() == before
    assert loaded.sha256 == raw.sha256


def test_stored_uniqueness_check_marks_exactly_the_repeats():
    from engagement_pipeline.warehouse.tables import first_occurrences

    frame = pd.DataFrame({"wave": ["a", "a", "a", "b"], "key": ["x", "y", "x", "x"]})
    assert first_occurrences(frame, ["wave", "key"]).tolist() == [True, True, False, True]
    one_wave = frame[frame["wave"] == "a"]
    assert first_occurrences(one_wave, ["wave", "key"]).tolist() == [True, True, False]
    same = pd.DataFrame({"wave": ["a", "a"], "key": ["x", "x"]})
    assert first_occurrences(same, ["wave", "key"]).tolist() == [True, False]
    assert first_occurrences(same.iloc[:1], ["wave", "key"]).tolist() == [True]
    blanks = pd.DataFrame({"wave": ["a", "a", "a"], "key": [None, None, "x"]}, dtype="string")
    assert first_occurrences(blanks, ["wave", "key"]).tolist() == [True, False, True]
