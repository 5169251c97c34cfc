"""Tests of the synthetic wave generator: STUDY.md's figures, the file format, determinism."""

from __future__ import annotations

import datetime as dt
import re
import types

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

from engagement_pipeline import synthetic, synthetic_text
from engagement_pipeline.ingest.refi_qda import read_qdpx
from engagement_pipeline.synthetic import (
    STUDY_PROFILE,
    YEAR_ON_PROFILE,
    WaveProfile,
    codebook,
    generate_interviews,
    generate_survey,
    write_bundled,
    write_wave,
)

AREAS = ["organisation", "executive_team", "colleagues"]
CHANNELS = ["face_to_face_senior", "team_briefing", "email_bulletin", "intranet", "newsletter",
            "twitter"]
BARRIERS = ["no_value", "time", "never_considered", "confidence"]
COLUMNS = [
    "respondent_id", "respondent_name", "respondent_email", "submitted_at", "locality",
    "staff_group", "uses_twitter",
    *(f"engagement_{a}" for a in AREAS), *(f"improved_{a}" for a in AREAS),
    *(f"channel_{c}" for c in CHANNELS), *(f"barrier_{b}" for b in BARRIERS), "comment",
]
SEED = 20190301


@pytest.fixture(scope="module")
def study() -> pd.DataFrame:
    return generate_survey(54, SEED)


def scores(df: pd.DataFrame, column: str, users: bool) -> pd.Series:
    """Answered Likert scores of one group as integers."""
    cells = df.loc[df["uses_twitter"].eq("yes" if users else "no"), column]
    return cells[cells.ne("")].astype(int)


def yes_of_answered(df: pd.DataFrame, column: str) -> tuple[int, int]:
    cells = df[column]
    return int(cells.eq("yes").sum()), int(cells.ne("").sum())


def valid_nhs_number(digits: str) -> bool:
    """Modulus 11 check of a 10-digit NHS number."""
    d = [int(c) for c in digits]
    check = 11 - sum(w * x for w, x in zip(range(10, 1, -1), d[:9])) % 11
    return len(d) == 10 and check != 10 and (check % 11) == d[9]


# --- exact counts --------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "weights", "expected"), [
    (27, [0.74, 0.26], [20, 7]),
    (27, [0.78, 0.22], [21, 6]),
    (27, [0.70, 0.30], [19, 8]),
    (54, [0.5, 0.5], [27, 27]),
    (5, [0.5, 0.5], [3, 2]),  # a tie rounds half up, unlike round()
    (30, [0.1, 0.9], [3, 27]),
    (27, [0.0, 0.0, 0.11, 0.445, 0.445], [0, 0, 3, 12, 12]),
])
def test_allocate_is_largest_remainder(n, weights, expected):
    assert synthetic._allocate(n, weights).tolist() == expected


def test_allocate_always_sums_to_n():
    rng = np.random.default_rng(0)
    for n in (0, 1, 7, 54, 999):
        weights = rng.dirichlet(np.ones(5))
        assert synthetic._allocate(n, weights).sum() == n


# --- the study's figures at n = 54 ---------------------------------------------------------------

def test_half_of_54_managers_use_twitter(study):
    assert study["uses_twitter"].value_counts().to_dict() == {"yes": 27, "no": 27}


def test_three_quarters_of_users_say_twitter_improved_engagement(study):
    counts = [yes_of_answered(study, f"improved_{a}") for a in AREAS]
    assert counts == [(20, 27), (21, 27), (19, 27)]
    mean_pct = np.mean([100 * k / n for k, n in counts])
    assert mean_pct == pytest.approx(74.074, abs=1e-3)


def test_barriers_of_non_users(study):
    assert yes_of_answered(study, "barrier_no_value") == (10, 27)
    for barrier in BARRIERS[1:]:
        assert yes_of_answered(study, f"barrier_{barrier}") == (7, 24)
    non_users = study[study["uses_twitter"].eq("no")]
    blank = non_users[[f"barrier_{b}" for b in BARRIERS[1:]]].eq("")
    assert blank.all(axis=1).sum() == 3  # the same three non-users skip all three items
    assert not blank.any(axis=1).ne(blank.all(axis=1)).any()


def test_users_more_engaged_in_every_area_and_holm_significant(study):
    p_values = []
    for area in AREAS:
        users = scores(study, f"engagement_{area}", users=True)
        non_users = scores(study, f"engagement_{area}", users=False)
        assert len(users) == len(non_users) == 27
        assert 3.85 <= users.mean() <= 4.1
        assert 3.0 <= non_users.mean() <= 3.3
        assert users.mean() > non_users.mean()
        p_values.append(mannwhitneyu(users, non_users, alternative="two-sided").pvalue)
    reject, p_holm, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    assert reject.all()
    assert p_holm.max() < 0.01


def channel_means(df: pd.DataFrame, users: bool) -> pd.Series:
    channels = CHANNELS if users else CHANNELS[:-1]
    means = {c: scores(df, f"channel_{c}", users).mean() for c in channels}
    return pd.Series(means).sort_values(ascending=False)


def test_face_to_face_rates_highest_and_twitter_second_for_users(study):
    users, non_users = channel_means(study, True), channel_means(study, False)
    assert users.index[0] == non_users.index[0] == "face_to_face_senior"
    assert users.iloc[0] > users.iloc[1] and non_users.iloc[0] > non_users.iloc[1]
    assert users.index[1] == "twitter"
    assert users.iloc[0] - users.iloc[1] <= 0.15
    assert users.iloc[1] > users.iloc[2]


def answers(df: pd.DataFrame, column: str, users: bool) -> list[str]:
    return df.loc[df["uses_twitter"].eq("yes" if users else "no"), column].tolist()


def test_means_do_not_depend_on_the_seed(study):
    other = generate_survey(54, 7)
    for column in COLUMNS[7:-1]:
        for users in (True, False):
            assert sorted(answers(other, column, users)) == \
                sorted(answers(study, column, users))


# --- file format ---------------------------------------------------------------------------------

def test_columns_in_contract_order(study):
    assert list(study.columns) == COLUMNS
    assert STUDY_PROFILE.columns() == COLUMNS


def test_every_cell_is_a_csv_string(study):
    assert all(isinstance(v, str) for v in study.to_numpy().ravel())
    likert = {"", "1", "2", "3", "4", "5"}
    for column in COLUMNS:
        values = set(study[column])
        if column.startswith(("engagement_", "channel_")):
            assert values <= likert, column
        elif column.startswith(("improved_", "barrier_")) or column == "uses_twitter":
            assert values <= {"", "yes", "no"}, column
    assert not study[[f"engagement_{a}" for a in AREAS]].eq("").any().any()
    assert study["uses_twitter"].ne("").all()


def test_conditional_blanks(study):
    users = study["uses_twitter"].eq("yes")
    improved = [f"improved_{a}" for a in AREAS]
    barriers = [f"barrier_{b}" for b in BARRIERS]
    assert study.loc[~users, [*improved, "channel_twitter"]].eq("").all().all()
    assert study.loc[users, barriers].eq("").all().all()
    assert study.loc[users, [*improved, "channel_twitter"]].ne("").all().all()
    assert study.loc[~users, "barrier_no_value"].ne("").all()
    channels = [f"channel_{c}" for c in CHANNELS[:-1]]
    assert study[channels].ne("").all().all()


def test_identities(study):
    assert study["respondent_id"].tolist() == [f"MGR-{i:06d}" for i in range(1, 55)]
    assert study["respondent_id"].is_unique
    assert study["respondent_email"].is_unique
    assert study["respondent_email"].str.fullmatch(r"[a-z]+\.[a-z]+\d*@nhs\.example").all()
    first = study["respondent_name"].str.split(" ").str[0].str.lower()
    assert (study["respondent_email"].str.split(".").str[0] == first).all()
    later = generate_survey(10, 99, id_start=50, wave_date="2020-03-01")
    assert later["respondent_id"].iloc[0] == "MGR-000050"
    same = study.set_index("respondent_id").loc[later["respondent_id"].iloc[:5]]
    assert same["respondent_name"].tolist() == later["respondent_name"].iloc[:5].tolist()


def test_ids_and_emails_unique_beyond_the_name_cycle():
    big = generate_survey(2_000, 1, id_start=999_000)
    assert big["respondent_id"].iloc[-1] == "MGR-1000999"
    assert big["respondent_email"].is_unique


def test_submitted_within_three_weeks_of_the_wave_date(study):
    stamps = pd.to_datetime(study["submitted_at"], format="%Y-%m-%dT%H:%M:%S")
    assert stamps.min() >= pd.Timestamp("2019-03-01")
    assert stamps.max() < pd.Timestamp("2019-03-22")


def test_localities_and_staff_groups(study):
    for column, names in (("locality", synthetic_text.LOCALITIES),
                          ("staff_group", synthetic_text.STAFF_GROUPS)):
        counts = study[column].value_counts()
        assert set(counts.index) == set(names) and len(names) >= 5
        assert counts.min() >= 5


def test_comments_are_few_and_some_need_scrubbing(study):
    comments = study.loc[study["comment"].ne(""), "comment"]
    assert len(comments) == 8  # 15 % of 54
    text = " ".join(comments)
    assert re.search(r"[\w.]+@nhs\.example", text)
    assert "07700 900123" in text
    assert re.search(r"(?<![\w@])@\w+", text)
    numbers = re.findall(r"\b\d{3} \d{3} \d{4}\b", text)
    assert numbers and all(valid_nhs_number(n.replace(" ", "")) for n in numbers)


def test_comments_fit_the_respondents_group(study):
    users = study["uses_twitter"].eq("yes")
    assert not study.loc[users, "comment"].isin(synthetic_text.NON_USER_COMMENTS).any()
    assert not study.loc[~users, "comment"].isin(synthetic_text.USER_COMMENTS).any()


# --- determinism ---------------------------------------------------------------------------------

def test_same_seed_same_frame(study):
    pd.testing.assert_frame_equal(generate_survey(54, SEED), study)
    survey = generate_survey(54, SEED)
    pd.testing.assert_frame_equal(generate_interviews(survey, 3), generate_interviews(survey, 3))


def test_different_seed_different_order(study):
    other = generate_survey(54, SEED + 1)
    assert not other["uses_twitter"].equals(study["uses_twitter"])
    assert not other["engagement_organisation"].equals(study["engagement_organisation"])
    assert other["uses_twitter"].value_counts().to_dict() == {"yes": 27, "no": 27}


# --- profiles ------------------------------------------------------------------------------------

def test_year_on_profile_at_62():
    wave = generate_survey(62, 5, YEAR_ON_PROFILE, id_start=15, wave_date="2020-03-01")
    assert wave["uses_twitter"].eq("yes").sum() == 37  # ~60 %
    engagement = wave[[f"engagement_{a}" for a in AREAS]]
    assert engagement.eq("").sum().tolist() == [2, 2, 2]  # one user and one non-user per item
    study = generate_survey(54, 5)
    for area in AREAS:
        gap_then = (scores(study, f"engagement_{area}", True).mean()
                    - scores(study, f"engagement_{area}", False).mean())
        gap_now = (scores(wave, f"engagement_{area}", True).mean()
                   - scores(wave, f"engagement_{area}", False).mean())
        assert 0 < gap_now < gap_then


@pytest.mark.parametrize("change", [
    {"pct_users": 1.2},
    {"improved": {"organisation": -0.1}},
    {"channels_non_users": dict(STUDY_PROFILE.channels_users)},
    {"engagement_users": {**STUDY_PROFILE.engagement_users, "colleagues": [0.5, 0.5]}},
])
def test_profile_rejects_nonsense(change):
    fields = {**STUDY_PROFILE.__dict__, **change}
    with pytest.raises(ValueError):
        WaveProfile(**fields)


def test_large_wave_is_vectorised():
    big = generate_survey(200_000, 11)
    assert big.shape == (200_000, len(COLUMNS))
    assert big["uses_twitter"].eq("yes").sum() == 100_000
    assert big["improved_organisation"].eq("yes").sum() == 74_000
    assert big["comment"].ne("").sum() == 30_000


# --- interviews and codebook ---------------------------------------------------------------------

def test_codebook():
    book = codebook()
    assert list(book.columns) == ["theme", "label", "description", "golden_thread"]
    assert len(book) == 10 and book["theme"].is_unique
    assert book["theme"].str.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*").all()
    threads = set(book["golden_thread"])
    assert threads == {"patient_care", "patient_experience", "equality_diversity", ""}
    assert book[["label", "description"]].ne("").all().all()
    assert set(synthetic_text.QUOTES) == set(book["theme"])
    for theme, quotes in synthetic_text.QUOTES.items():
        assert 3 <= len(quotes) <= 5, theme
        assert all(also is None or also in set(book["theme"]) for _, also in quotes)
    pool = " ".join(q for quotes in synthetic_text.QUOTES.values() for q, _ in quotes)
    assert re.search(r"(?<![\w.])@\w+", pool) and re.search(r"\w@nhs\.example", pool)


@pytest.mark.parametrize("seed", [SEED, 1, 2, 3, 4])
def test_interviews_are_consistent(study, seed):
    interviews = generate_interviews(study, seed)
    book = codebook()
    golden = set(book.loc[book["golden_thread"].ne(""), "theme"])
    assert list(interviews.columns) == ["interview_id", "segment_id", "respondent_id", "theme",
                                        "quote"]
    assert interviews["interview_id"].nunique() == 10
    assert set(interviews["theme"]) == set(book["theme"])
    assert not interviews.duplicated(["segment_id", "theme"]).any()
    assert interviews["quote"].str.strip().ne("").all()
    assert interviews["interview_id"].str.fullmatch(r"INT-\d{2}").all()
    assert (interviews["segment_id"].str[:6] == interviews["interview_id"]).all()
    assert interviews["segment_id"].str.fullmatch(r"INT-\d{2}-S\d{2}").all()
    users = set(study.loc[study["uses_twitter"].eq("yes"), "respondent_id"])
    assert set(interviews["respondent_id"]) <= users
    per_interview = interviews.groupby("interview_id")
    assert per_interview["respondent_id"].nunique().eq(1).all()
    assert interviews.groupby("respondent_id")["interview_id"].nunique().eq(1).all()
    assert per_interview["segment_id"].nunique().between(2, 5).all()
    assert per_interview["theme"].agg(lambda t: bool(golden & set(t))).all()
    # each segment keeps one quote, whether it is coded once or twice
    assert interviews.groupby("segment_id")["quote"].nunique().eq(1).all()


def test_a_segment_is_double_coded_exactly_when_its_quote_carries_a_second_code(study):
    """Each quote of synthetic_text.QUOTES belongs to one theme and may name a second code: its
    segment has the theme's row, then the second code's row (and no other)."""
    owner = {quote: theme for theme, pool in synthetic_text.QUOTES.items() for quote, _ in pool}
    second = {quote: also for theme, pool in synthetic_text.QUOTES.items() for quote, also in pool
              if also and also != theme}
    doubles = 0
    for seed in range(5):
        interviews = generate_interviews(study, seed)
        for segment, rows in interviews.groupby("segment_id", sort=False):
            quote = rows["quote"].iloc[0]
            assert rows["theme"].tolist() == [owner[quote], *([second[quote]] if quote in second else [])], segment
        segments = interviews.drop_duplicates("segment_id")
        assert interviews["segment_id"].duplicated().sum() == segments["quote"].isin(second).sum()
        doubles += int(segments["quote"].isin(second).sum())
    assert doubles >= 1  # so the double-coded branch above was exercised, not only single codes


def test_interviews_with_too_few_users():
    survey = generate_survey(54, SEED)
    assert generate_interviews(survey, 1, n_interviews=0).empty
    only_two = survey[survey["uses_twitter"].eq("no")
                      | survey.index.isin(survey.index[survey["uses_twitter"].eq("yes")][:2])]
    assert generate_interviews(only_two, 1)["interview_id"].nunique() == 2


# --- writing files -------------------------------------------------------------------------------

def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_write_wave(tmp_path):
    folder = write_wave(tmp_path, "2021-09", 40, 3)
    assert folder == tmp_path / "raw" / "waves" / "2021-09"
    survey = read(folder / "survey_responses.csv")
    pd.testing.assert_frame_equal(survey, generate_survey(40, 3, wave_date="2021-09-01"),
                                  check_dtype=False)
    assert survey["submitted_at"].str.startswith("2021-09").all()
    segments = read(folder / "interview_segments.csv")
    assert set(segments["respondent_id"]) <= set(survey["respondent_id"])
    pd.testing.assert_frame_equal(read(tmp_path / "raw" / "codebook.csv"), codebook(),
                                  check_dtype=False)


class _FixedDate(dt.date):
    """A date whose today() is fixed: a wave with a free name is dated by the clock."""

    @classmethod
    def today(cls):
        return cls(2024, 2, 29)


def test_write_wave_without_interviews_and_with_a_free_name(tmp_path, monkeypatch):
    clock = types.ModuleType("datetime")
    clock.__dict__.update(vars(dt))
    clock.date = _FixedDate
    monkeypatch.setattr(synthetic, "dt", clock)
    codebook_path = tmp_path / "raw" / "codebook.csv"
    codebook_path.parent.mkdir(parents=True)
    codebook_path.write_text("kept as it was\n")
    write_wave(tmp_path, "pilot", 20, 1)
    folder = write_wave(tmp_path, "pilot", 20, 1, n_interviews=0)
    assert not (folder / "interview_segments.csv").exists()
    assert codebook_path.read_text() == "kept as it was\n"
    survey = read(folder / "survey_responses.csv")
    pd.testing.assert_frame_equal(survey, generate_survey(20, 1, wave_date="2024-02-29"), check_dtype=False)
    assert survey["submitted_at"].str.startswith("2024-02-29").any()


@pytest.mark.parametrize("wave", ["../escape", "", ".hidden", "a b", "x" * 65])
def test_write_wave_rejects_bad_wave_names(tmp_path, wave):
    with pytest.raises(ValueError):
        write_wave(tmp_path, wave, 10, 1)


def test_write_bundled(tmp_path):
    write_bundled(tmp_path)
    waves = tmp_path / "raw" / "waves"
    assert sorted(p.name for p in waves.iterdir()) == ["2019-03", "2020-03"]
    assert sorted(p.name for p in (waves / "2019-03").iterdir()) == ["SYNTHETIC.txt", "interview_segments.csv", "survey_responses.csv"]
    assert sorted(p.name for p in (waves / "2020-03").iterdir()) == ["SYNTHETIC.txt", "interviews.qdpx", "survey_responses.csv"]
    assert (tmp_path / "raw" / "codebook.csv").exists()

    first, second = (read(waves / w / "survey_responses.csv") for w in ("2019-03", "2020-03"))
    assert list(first.columns) == list(second.columns) == COLUMNS
    pd.testing.assert_frame_equal(first, generate_survey(54, synthetic.BUNDLED_WAVES[0][2]),
                                  check_dtype=False)
    assert len(second) == 62 and second["respondent_id"].is_unique
    assert second["uses_twitter"].eq("yes").sum() == 37
    assert second["submitted_at"].str.startswith("2020-03").all()
    both = first.merge(second, on="respondent_id", suffixes=("_then", "_now"))
    assert len(both) == 40
    assert (both["respondent_name_then"] == both["respondent_name_now"]).all()
    assert not (both["uses_twitter_then"].eq("yes") & both["uses_twitter_now"].eq("no")).any()
    book = synthetic.codebook()
    for wave, survey in (("2019-03", first), ("2020-03", second)):
        folder = waves / wave
        segments = (read(folder / "interview_segments.csv") if wave == "2019-03"
                    else read_qdpx(folder / "interviews.qdpx", book).table.frame)
        users = set(survey.loc[survey["uses_twitter"].eq("yes"), "respondent_id"])
        assert len(segments) and set(segments["respondent_id"]) <= users
    # the year-on wave's project holds exactly the coding the generator made
    project = read_qdpx(waves / "2020-03" / "interviews.qdpx", book).table.frame
    coded = synthetic.generate_interviews(second, synthetic.BUNDLED_WAVES[1][2])
    assert sorted(zip(project["interview_id"], project["theme"], project["quote"])) == \
        sorted(zip(coded["interview_id"], coded["theme"], coded["quote"]))
