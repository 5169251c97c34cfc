"""The whole graph on the bundled data: the warehouse holds the study's figures, computed here from its rows."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

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


def test_first_wave_barriers_match_the_study(first_wave):
    non_users = first_wave[~first_wave["uses_twitter"]]
    answered = non_users["barrier_no_value"].dropna()
    assert (int(answered.sum()), len(answered)) == (10, 27)
    for barrier in ("time", "never_considered", "confidence"):
        answered = non_users[f"barrier_{barrier}"].dropna()
        assert (int(answered.sum()), len(answered)) == (7, 24), barrier
        assert round(100 * answered.mean()) == 29


def _channel_means(group: pd.DataFrame) -> pd.Series:
    channels = [c for c in group if c.startswith("channel_")]
    return group[channels].mean().dropna().sort_values(ascending=False)


def test_first_wave_channel_ranking_matches_the_study(first_wave):
    users = _channel_means(first_wave[first_wave["uses_twitter"]])
    non_users = _channel_means(first_wave[~first_wave["uses_twitter"]])
    assert users.index[0] == non_users.index[0] == "channel_face_to_face_senior"
    assert users.index[1] == "channel_twitter"
    assert 0 < users["channel_face_to_face_senior"] - users["channel_twitter"] <= 0.15
    assert "channel_twitter" not in non_users.index


def test_first_wave_users_more_engaged_in_every_area_after_holm(first_wave):
    users = first_wave[first_wave["uses_twitter"]]
    non_users = first_wave[~first_wave["uses_twitter"]]
    areas = [c for c in first_wave if c.startswith("engagement_")]
    assert len(areas) == 3
    p_values = []
    for area in areas:
        a, b = users[area].dropna().astype(float), non_users[area].dropna().astype(float)
        result = mannwhitneyu(a, b, alternative="two-sided")
        assert result.statistic / (len(a) * len(b)) > 0.5, area
        p_values.append(result.pvalue)
    reject, _, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    assert reject.all()


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


def test_returning_managers_share_their_key_across_waves(warehouse):
    shared = warehouse.execute(
        "SELECT count(*) FROM (SELECT respondent_key FROM responses WHERE wave = '2019-03' "
        "INTERSECT SELECT respondent_key FROM responses WHERE wave = '2020-03')").fetchone()[0]
    assert shared > 0
