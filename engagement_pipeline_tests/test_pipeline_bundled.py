"""The whole graph on the bundled data: the warehouse holds the study's figures, computed here from its rows."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu, sem
from scipy.stats import t as student_t
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from engagement_pipeline.warehouse.registry import TABLES

EARLIEST = "2019-03"


@pytest.fixture(scope="module")
def warehouse(bundled_run):
    con = duckdb.connect(str(bundled_run.warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def first_wave(warehouse) -> pd.DataFrame:
    return warehouse.execute("SELECT * FROM responses WHERE wave = ?", [EARLIEST]).df()


def test_every_contract_table_is_published_with_comments(warehouse):
    tables = dict(warehouse.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    for table in ("waves", "responses", "load_log", "quarantine", "interview_quotes"):
        assert tables.get(table), f"{table} missing or uncommented"
    uncommented = warehouse.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                    "WHERE NOT internal AND (comment IS NULL OR comment = '')").fetchall()
    assert uncommented == []
    assert set(tables) <= set(TABLES)


def test_both_bundled_waves_are_loaded_without_loss(warehouse):
    log = warehouse.execute("SELECT * FROM load_log ORDER BY wave, source_file").df()
    assert sorted(log["wave"].unique()) == ["2019-03", "2020-03"]
    assert (log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"]).all()
    waves = warehouse.execute("SELECT wave, n_respondents FROM waves ORDER BY wave").fetchall()
    counted = warehouse.execute("SELECT wave, count(*) FROM responses GROUP BY wave ORDER BY wave").fetchall()
    assert waves == counted


def test_first_wave_sample_matches_the_study(first_wave, warehouse):
    users = first_wave[first_wave["uses_twitter"]]
    non_users = first_wave[~first_wave["uses_twitter"]]
    assert (len(first_wave), len(users), len(non_users)) == (54, 27, 27)
    improved = [int(users[f"improved_{a}"].sum()) for a in ("organisation", "executive_team", "colleagues")]
    assert improved == [20, 21, 19]
    assert users[[c for c in users if c.startswith("improved_")]].notna().all().all()
    mean_pct = warehouse.execute("SELECT mean_pct_improved FROM waves WHERE wave = ?", [EARLIEST]).fetchone()[0]
    assert mean_pct == pytest.approx(np.mean([100 * k / 27 for k in improved]))
    assert round(mean_pct, 1) == 74.1


def _published(warehouse, table: str, key: str) -> pd.DataFrame:
    return warehouse.execute(f"SELECT * FROM {table} WHERE wave = ? ORDER BY {key}", [EARLIEST]).df().set_index(key)


def test_first_wave_barriers_match_the_study(first_wave, warehouse):
    """The published barriers table: the study's shares, and each row equal to a count of the
    non-users' answers with statsmodels' Wilson interval."""
    non_users = first_wave[~first_wave["uses_twitter"]]
    published = _published(warehouse, "barriers", "barrier")
    barriers = sorted(c.removeprefix("barrier_") for c in first_wave if c.startswith("barrier_"))
    assert list(published.index) == barriers
    for barrier in barriers:
        answered = non_users[f"barrier_{barrier}"].dropna().astype(bool)
        row = published.loc[barrier]
        assert (row["n_answered"], row["n_selected"], row["suppressed"]) == (len(answered), answered.sum(), False)
        low, high = proportion_confint(int(answered.sum()), len(answered), alpha=0.05, method="wilson")
        assert row[["pct_selected", "ci_low", "ci_high"]].tolist() == pytest.approx(
            [100 * answered.mean(), 100 * low, 100 * high], rel=1e-12)
    assert published.loc["no_value", ["n_selected", "n_answered"]].tolist() == [10, 27]
    for barrier in ("time", "never_considered", "confidence"):
        assert published.loc[barrier, ["n_selected", "n_answered"]].tolist() == [7, 24], barrier
        assert round(published.loc[barrier, "pct_selected"]) == 29


def test_first_wave_channel_ranking_matches_the_study(first_wave, warehouse):
    """The published channel_impact table: face-to-face with senior managers first in both groups,
    Twitter second for users and unrated by non-users; each mean, n, t-interval and rank recomputed."""
    published = warehouse.execute("SELECT * FROM channel_impact WHERE wave = ?", [EARLIEST]).df()
    for group_name, group in (("users", first_wave[first_wave["uses_twitter"]]),
                              ("non_users", first_wave[~first_wave["uses_twitter"]])):
        mine = published[published["respondent_group"] == group_name].set_index("channel")
        scores = {c.removeprefix("channel_"): group[c].dropna().astype(float)
                  for c in first_wave if c.startswith("channel_")}
        scores = {c: s for c, s in scores.items() if len(s)}
        assert sorted(mine.index) == sorted(scores)
        means = pd.Series({c: s.mean() for c, s in scores.items()})
        for channel, s in scores.items():
            low, high = student_t.interval(0.95, len(s) - 1, loc=s.mean(), scale=sem(s))
            assert mine.loc[channel, ["n", "mean_score", "ci_low", "ci_high"]].tolist() == pytest.approx(
                [len(s), s.mean(), low, high], rel=1e-12)
            assert mine.loc[channel, "rank"] == 1 + (means > means[channel]).sum()
        assert not mine["suppressed"].any()
        assert mine["rank"].idxmin() == "face_to_face_senior"
    users = published[published["respondent_group"] == "users"].set_index("channel")
    assert users["rank"].sort_values().index[:2].tolist() == ["face_to_face_senior", "twitter"]
    assert 0 < users.loc["face_to_face_senior", "mean_score"] - users.loc["twitter", "mean_score"] <= 0.15
    assert "twitter" not in set(published.loc[published["respondent_group"] == "non_users", "channel"])


def test_first_wave_users_more_engaged_in_every_area_after_holm(first_wave, warehouse):
    """The published engagement_comparison: every area significant after Holm with users ahead, and
    every figure equal to scipy's Mann-Whitney U and statsmodels' Holm on the responses."""
    users = first_wave[first_wave["uses_twitter"]]
    non_users = first_wave[~first_wave["uses_twitter"]]
    published = _published(warehouse, "engagement_comparison", "area")
    areas = sorted(c.removeprefix("engagement_") for c in first_wave if c.startswith("engagement_"))
    assert list(published.index) == areas and len(areas) == 3
    p_values = []
    for area in areas:
        a = users[f"engagement_{area}"].dropna().astype(float)
        b = non_users[f"engagement_{area}"].dropna().astype(float)
        result = mannwhitneyu(a, b, alternative="two-sided")
        p_values.append(result.pvalue)
        row = published.loc[area]
        assert (row["n_users"], row["n_non_users"]) == (len(a), len(b))
        assert row[["mean_users", "mean_non_users", "median_users", "median_non_users"]].tolist() == pytest.approx(
            [a.mean(), b.mean(), a.median(), b.median()], rel=1e-12)
        assert row["u_statistic"] == result.statistic
        assert row["p_value"] == pytest.approx(result.pvalue, rel=1e-9)
        assert row["rank_biserial"] == pytest.approx(2 * result.statistic / (len(a) * len(b)) - 1, rel=1e-12)
        assert row["rank_biserial"] > 0, area  # users score higher
        # the bootstrap interval holds the estimate and, like the test, excludes no difference
        assert 0 < row["rank_biserial_ci_low"] < row["rank_biserial"] < row["rank_biserial_ci_high"] < 1, area
    reject, p_holm, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    assert published["p_holm"].tolist() == pytest.approx(list(p_holm), rel=1e-9)
    assert reject.all() and published["significant"].tolist() == [True, True, True]
    assert not published["suppressed"].any()


def test_nothing_identifying_reaches_the_warehouse(bundled_run, warehouse):
    raw = pd.read_csv(bundled_run.wave(EARLIEST) / "survey_responses.csv", dtype=str, keep_default_na=False)
    columns = {c for (c,) in warehouse.execute("SELECT column_name FROM duckdb_columns()").fetchall()}
    assert not columns & {"respondent_id", "respondent_name", "respondent_email"}
    dump = "\n".join(
        warehouse.execute(f'SELECT * FROM "{t}"').df().astype(str).to_csv()
        for (t,) in warehouse.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    )
    for value in pd.concat([raw["respondent_id"], raw["respondent_name"], raw["respondent_email"]]):
        assert value not in dump
    keys = warehouse.execute("SELECT respondent_key FROM responses").df()["respondent_key"]
    assert keys.str.fullmatch(r"[0-9a-f]{64}").all()
    assert "@" not in dump.replace("[email]", "")


def _raw_ids(workspace, wave: str) -> pd.Series:
    raw = pd.read_csv(workspace.wave(wave) / "survey_responses.csv", dtype=str, keep_default_na=False)
    return raw["respondent_id"].str.strip()


def test_returning_managers_share_their_key_across_waves(bundled_run, warehouse):
    """The keys both waves share are exactly the HMACs of the ids both raw files hold (the managers
    2020-03 re-surveyed): computed here from the raw files and the run's key, not read from a run."""
    first, second = _raw_ids(bundled_run, "2019-03"), _raw_ids(bundled_run, "2020-03")
    returning = set(first) & set(second)
    # No survey row was set aside, so every returning manager is in both waves' responses.
    assert warehouse.execute("SELECT count(*) FROM quarantine WHERE source_file LIKE 'survey_responses.%'"
                             ).fetchone()[0] == 0
    assert warehouse.execute("SELECT wave, rows_read FROM load_log WHERE source_file = 'survey_responses.csv' "
                             "ORDER BY wave").fetchall() == [("2019-03", len(first)), ("2020-03", len(second))]
    key = (bundled_run.root / "pseudonym.key").read_bytes().strip()
    expected = {hmac.new(key, i.encode("utf-8"), hashlib.sha256).hexdigest() for i in returning}
    shared = {k for (k,) in warehouse.execute(
        "SELECT respondent_key FROM responses WHERE wave = '2019-03' "
        "INTERSECT SELECT respondent_key FROM responses WHERE wave = '2020-03'").fetchall()}
    assert shared == expected
    assert len(shared) == len(returning) == 40  # the 2020-03 wave re-surveys 40 of 2019-03's managers
