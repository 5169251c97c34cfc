"""Each analysis statistic against a small example checked by hand (docs/data-contract.md §5 "Definitions").

Expected values are worked out in the comments or with an independent formula (scipy directly,
the closed-form Wilson interval, Holm's step-down written out here), never by calling the code
under test a second time.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu, norm, wilcoxon

from engagement_pipeline.analysis.engagement_adjusted import engagement_adjusted
from engagement_pipeline.analysis.barriers import barriers
from engagement_pipeline.analysis.engagement_by_group import engagement_by_group
from engagement_pipeline.analysis.channel_impact import channel_impact, twitter_against_face_to_face
from engagement_pipeline.analysis.engagement_comparison import (
    bootstrap_rank_biserial,
    engagement_comparison,
    likert_distribution,
    rank_biserial,
)
from engagement_pipeline.analysis.perceived_impact import perceived_impact
from engagement_pipeline.analysis.proportions import percentage
from engagement_pipeline.analysis.interview_themes import interview_themes, interviews_by_thread

WAVE = "2019-03"


def typed_frame(uses: list[bool], *, engagement: dict | None = None, improved: dict | None = None,
                channel: dict | None = None, barrier: dict | None = None, locality: list[str] | None = None,
                staff_group: list[str] | None = None) -> pd.DataFrame:
    """A typed responses frame as the warehouse holds it (None = item not answered)."""
    n = len(uses)
    data = {
        "wave": pd.array([WAVE] * n, dtype="string"),
        "respondent_key": pd.array([f"key{i:04d}" for i in range(n)], dtype="string"),
        "submitted_at": pd.Series([pd.Timestamp("2019-03-04 09:00")] * n).astype("datetime64[us]"),
        "locality": pd.array(locality or ["north"] * n, dtype="string"),
        "staff_group": pd.array(staff_group or ["nursing"] * n, dtype="string"),
        "uses_twitter": np.array(uses, dtype=bool),
    }
    for family, dtype, values in (("engagement", "Int8", engagement), ("improved", "boolean", improved),
                                  ("channel", "Int8", channel), ("barrier", "boolean", barrier)):
        for item, cells in (values or {}).items():
            assert len(cells) == n
            data[f"{family}_{item}"] = pd.array(cells, dtype=dtype)
    data["comment"] = pd.array([None] * n, dtype="string")
    return pd.DataFrame(data)


def two_groups(area_scores: dict[str, tuple[list, list]]) -> pd.DataFrame:
    """Users first, then non-users; every area must give the same group sizes."""
    sizes = {(len(u), len(v)) for u, v in area_scores.values()}
    assert len(sizes) == 1
    n_users, n_non = sizes.pop()
    return typed_frame([True] * n_users + [False] * n_non,
                       engagement={a: list(u) + list(v) for a, (u, v) in area_scores.items()})


def wilson(k: int, n: int, z: float = norm.ppf(0.975)) -> tuple[float, float]:
    """Closed-form Wilson score interval, in percent."""
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down by hand: sorted p times (m - i + 1), running maximum, capped at 1."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, running = [0.0] * m, 0.0
    for step, i in enumerate(order):  # step = i - 1 in the 1-based textbook formula
        running = max(running, min(1.0, (m - step) * p_values[i]))
        adjusted[i] = running
    return adjusted


# --- engagement_comparison -------------------------------------------------------------------------

def test_u_of_users_and_rank_biserial_by_hand():
    # users [3, 4, 5] against non-users [1, 2, 3]: 9 pairs.
    #   3 beats 1 and 2 and ties 3 -> 2.5;  4 beats all three -> 3;  5 beats all three -> 3.
    #   U(users) = 8.5 of 9, rank-biserial = 2 * 8.5 / 9 - 1 = 8/9.
    table = engagement_comparison(two_groups({"organisation": ([3, 4, 5], [1, 2, 3])}), WAVE, 1, 0.05)
    row = table.iloc[0]
    assert (row["n_users"], row["n_non_users"]) == (3, 3)
    assert row["u_statistic"] == 8.5
    assert row["rank_biserial"] == pytest.approx(8 / 9, abs=1e-12)
    assert (row["mean_users"], row["mean_non_users"]) == (4.0, 2.0)
    assert (row["median_users"], row["median_non_users"]) == (4.0, 2.0)
    assert row["p_value"] == pytest.approx(mannwhitneyu([3, 4, 5], [1, 2, 3], alternative="two-sided").pvalue,
                                           rel=1e-12)
    assert not row["suppressed"]


def test_rank_biserial_is_negative_when_non_users_score_higher():
    # Reversed: users [1, 2, 3] against non-users [3, 4, 5]: only the tie 3-3 counts, U = 0.5.
    row = engagement_comparison(two_groups({"organisation": ([1, 2, 3], [3, 4, 5])}), WAVE, 1, 0.05).iloc[0]
    assert row["u_statistic"] == 0.5
    assert row["rank_biserial"] == pytest.approx(2 * 0.5 / 9 - 1, abs=1e-12)
    assert row["rank_biserial"] < 0


@pytest.mark.parametrize(("u", "n1", "n2", "expected"), [
    (0, 4, 5, -1.0),     # every non-user above every user
    (20, 4, 5, 1.0),     # every user above every non-user (U = n1 * n2)
    (10, 4, 5, 0.0),     # half the pairs
    (8.5, 3, 3, 8 / 9),
])
def test_rank_biserial_formula(u, n1, n2, expected):
    assert rank_biserial(u, n1, n2) == pytest.approx(expected, abs=1e-12)


def test_p_value_is_scipys_on_answered_items_only():
    users = [5, 4, 4, 3, 5, None, 2, 4, 4, None, 5, 3]
    non_users = [3, 2, 3, 3, None, 4, 1, 2, 3]
    table = engagement_comparison(two_groups({"colleagues": (users, non_users)}), WAVE, 1, 0.05)
    row = table.iloc[0]
    a = [x for x in users if x is not None]
    b = [x for x in non_users if x is not None]
    expected = mannwhitneyu(a, b, alternative="two-sided")
    assert (row["n_users"], row["n_non_users"]) == (len(a), len(b)) == (10, 8)
    assert row["u_statistic"] == pytest.approx(float(expected.statistic), abs=1e-12)
    assert row["p_value"] == pytest.approx(float(expected.pvalue), rel=1e-12)
    assert row["mean_users"] == pytest.approx(sum(a) / len(a))
    assert row["median_users"] == float(np.median(a))


THREE_AREAS = {
    # strong, moderate and no difference: raw p-values of different sizes
    "organisation": ([5, 5, 4, 5, 4, 5, 4, 4, 5, 5], [2, 3, 2, 1, 3, 2, 3, 2, 3, 2]),
    "executive_team": ([4, 3, 4, 5, 3, 4, 2, 4, 5, 3], [3, 2, 4, 3, 3, 2, 4, 3, 2, 3]),
    "colleagues": ([3, 4, 2, 3, 4, 3, 2, 4, 3, 3], [3, 3, 4, 2, 3, 4, 3, 2, 3, 3]),
}


def test_holm_adjustment_over_three_areas_by_hand():
    # raw p: 0.000117, 0.0615, 0.769 -> x3, x2, x1 -> 0.000351, 0.123, 0.769 (already increasing)
    table = engagement_comparison(two_groups(THREE_AREAS), WAVE, 1, 0.05).set_index("area")
    raw = {area: float(mannwhitneyu(u, v, alternative="two-sided").pvalue) for area, (u, v) in THREE_AREAS.items()}
    expected = dict(zip(raw, holm(list(raw.values()))))
    for area in THREE_AREAS:
        assert table.loc[area, "p_value"] == pytest.approx(raw[area], rel=1e-12)
        assert table.loc[area, "p_holm"] == pytest.approx(expected[area], rel=1e-12)
    assert table.loc["organisation", "p_holm"] == pytest.approx(3 * raw["organisation"], rel=1e-12)
    assert table.loc["executive_team", "p_holm"] == pytest.approx(2 * raw["executive_team"], rel=1e-12)
    assert table.loc["colleagues", "p_holm"] == pytest.approx(raw["colleagues"], rel=1e-12)


CAPPED_AREAS = {
    # raw p: 0.000117, 0.556, 0.876 -> 3 x 0.000117; 2 x 0.556 = 1.11 capped at 1; 0.876 raised to 1
    "organisation": THREE_AREAS["organisation"],
    "executive_team": ([5, 5, 4, 3, 3, 3, 3, 3, 2, 2], [4, 4, 4, 4, 3, 3, 2, 2, 2, 1]),
    "colleagues": ([5, 5, 5, 4, 3, 3, 3, 2, 2, 2], [4, 4, 4, 4, 4, 3, 3, 3, 2, 1]),
}
RUNNING_MAX_AREAS = {
    # raw p: 0.0257, 0.0408, 0.0615 -> 0.0770, 0.0816, then 0.0615 raised to the running max 0.0816
    "organisation": ([5, 5, 5, 5, 4, 4, 3, 2, 2, 2], [4, 4, 4, 2, 2, 2, 2, 1, 1, 1]),
    "executive_team": ([5, 5, 5, 5, 4, 3, 3, 3, 2, 2], [4, 3, 3, 3, 3, 2, 2, 2, 2, 1]),
    "colleagues": THREE_AREAS["executive_team"],
}


def test_holm_cap_at_one():
    assert holm([0.0001, 0.556, 0.876]) == pytest.approx([0.0003, 1.0, 1.0])
    table = engagement_comparison(two_groups(CAPPED_AREAS), WAVE, 1, 0.05).set_index("area")
    raw = [float(mannwhitneyu(u, v, alternative="two-sided").pvalue) for u, v in CAPPED_AREAS.values()]
    assert 0.5 < raw[1] < 1 and 0.5 < raw[2] < 1
    assert table["p_holm"].tolist() == pytest.approx(holm(raw), rel=1e-12)
    assert table.loc["executive_team", "p_holm"] == 1.0
    assert table.loc["colleagues", "p_holm"] == 1.0


def test_holm_running_maximum():
    # by hand: 0.01, 0.02, 0.03 -> 3 x 0.01 = 0.03, 2 x 0.02 = 0.04, 1 x 0.03 = 0.03 -> 0.03, 0.04, 0.04
    assert holm([0.01, 0.02, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    raw = [float(mannwhitneyu(u, v, alternative="two-sided").pvalue) for u, v in RUNNING_MAX_AREAS.values()]
    assert raw[0] < raw[1] < raw[2] < 2 * raw[1]
    table = engagement_comparison(two_groups(RUNNING_MAX_AREAS), WAVE, 1, 0.05).set_index("area")
    assert table["p_holm"].tolist() == pytest.approx(holm(raw), rel=1e-12)
    assert table.loc["colleagues", "p_holm"] == pytest.approx(2 * raw[1], rel=1e-12)
    # two raw p-values below 0.05, none significant after Holm
    assert not table["significant"].any()


def test_holm_counts_only_reported_areas():
    # "executive_team" has one non-user answer: suppressed at min_group_size 3, so Holm's m is 2.
    areas = {
        "organisation": ([5, 4, 5, 4, 5], [2, 3, 2, 3, 1]),
        "executive_team": ([5, 4, 5, 4, 5], [2, None, None, None, None]),
        "colleagues": ([4, 4, 3, 5, 4], [3, 3, 4, 2, 3]),
    }
    table = engagement_comparison(two_groups(areas), WAVE, 3, 0.05).set_index("area")
    assert bool(table.loc["executive_team", "suppressed"])
    raw = [float(mannwhitneyu(areas[a][0], areas[a][1], alternative="two-sided").pvalue)
           for a in ("organisation", "colleagues")]
    assert [table.loc["organisation", "p_holm"], table.loc["colleagues", "p_holm"]] == \
        pytest.approx(holm(raw), rel=1e-12)


@pytest.mark.parametrize("alpha", [0.001, 0.01, 0.05, 0.1, 0.5, 0.99])
def test_significant_uses_the_alpha_passed_in(alpha):
    table = engagement_comparison(two_groups(THREE_AREAS), WAVE, 1, alpha)
    expected = (table["p_holm"] < alpha).tolist()
    assert table["significant"].astype(bool).tolist() == expected


def test_significant_switches_at_alpha():
    table = engagement_comparison(two_groups(THREE_AREAS), WAVE, 1, 0.05)
    p = float(table["p_holm"].min())
    just_above = engagement_comparison(two_groups(THREE_AREAS), WAVE, 1, p * 1.0001)
    just_below = engagement_comparison(two_groups(THREE_AREAS), WAVE, 1, p * 0.9999)
    i = int(table["p_holm"].idxmin())
    assert bool(just_above["significant"].iloc[i]) is True
    assert bool(just_below["significant"].iloc[i]) is False


# --- proportions -------------------------------------------------------------------------------------

def test_wilson_interval_20_of_27_closed_form():
    low, high = wilson(20, 27)
    stats = percentage(20, 27, 11)
    assert stats["pct"] == pytest.approx(100 * 20 / 27, abs=1e-12)
    assert stats["ci_low"] == pytest.approx(low, abs=1e-9)
    assert stats["ci_high"] == pytest.approx(high, abs=1e-9)
    assert stats["suppressed"] is False
    # and the published value (rounded): 74 % (95 % CI 55-87 %)
    assert (round(stats["pct"]), round(stats["ci_low"]), round(stats["ci_high"])) == (74, 55, 87)


@pytest.mark.parametrize(("k", "n"), [(0, 27), (27, 27), (0, 14), (14, 14), (0, 28), (28, 28), (12, 12)])
def test_wilson_interval_at_none_and_all_is_the_closed_form_with_exact_ends(k, n):
    # 0 of n: the Wilson lower bound is exactly 0 (centre and half-width are both z²/2n / (1 + z²/n))
    # and the upper bound z² / (n + z²); n of n: the mirror image, [n / (n + z²), 100].
    stats = percentage(k, n, 11)
    z2 = norm.ppf(0.975) ** 2
    low, high = wilson(k, n)
    assert stats["pct"] == 100 * k / n
    if k == 0:
        assert stats["ci_low"] == 0.0
        assert stats["ci_high"] == pytest.approx(100 * z2 / (n + z2), abs=1e-9)
        assert stats["ci_high"] == pytest.approx(high, abs=1e-9)
    else:
        assert stats["ci_high"] == 100.0
        assert stats["ci_low"] == pytest.approx(100 * n / (n + z2), abs=1e-9)
        assert stats["ci_low"] == pytest.approx(low, abs=1e-9)


def test_perceived_impact_is_over_users_who_answered():
    # users: yes, yes, no, blank, blank -> 2 of 3 answered; the non-users' cells never count
    frame = typed_frame([True] * 5 + [False] * 3,
                        improved={"organisation": [True, True, False, None, None, True, True, None]})
    row = perceived_impact(frame, WAVE, 1).iloc[0]
    assert (row["n_answered"], row["n_improved"]) == (3, 2)
    assert row["pct_improved"] == pytest.approx(100 * 2 / 3, abs=1e-12)
    low, high = wilson(2, 3)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))


def test_perceived_impact_20_of_27_users():
    frame = typed_frame([True] * 29 + [False] * 27,
                        improved={"organisation": [True] * 20 + [False] * 7 + [None] * 2 + [None] * 27})
    row = perceived_impact(frame, WAVE, 11).iloc[0]
    low, high = wilson(20, 27)
    assert (row["n_answered"], row["n_improved"]) == (27, 20)
    assert row["pct_improved"] == pytest.approx(100 * 20 / 27)
    assert row["ci_low"] == pytest.approx(low, abs=1e-9)
    assert row["ci_high"] == pytest.approx(high, abs=1e-9)


def test_barriers_are_over_non_users_who_answered():
    # non-users: yes, no, blank, yes -> 2 of 3; the users' cells never count
    frame = typed_frame([True] * 2 + [False] * 4,
                        barrier={"time": [True, True, True, False, None, True],
                                 "no_value": [None, None, False, False, False, None]})
    table = barriers(frame, WAVE, 1).set_index("barrier")
    assert (table.loc["time", "n_answered"], table.loc["time", "n_selected"]) == (3, 2)
    assert table.loc["time", "pct_selected"] == pytest.approx(100 * 2 / 3)
    low, high = wilson(2, 3)
    assert table.loc["time", "ci_low"] == pytest.approx(low, abs=1e-9)
    assert table.loc["time", "ci_high"] == pytest.approx(high, abs=1e-9)
    assert (table.loc["no_value", "n_answered"], table.loc["no_value", "n_selected"]) == (3, 0)
    assert table.loc["no_value", "pct_selected"] == 0.0


# --- channel_impact ----------------------------------------------------------------------------------

def test_channel_rank_has_sql_rank_semantics():
    # users' means: face_to_face 4.5, team_briefing 4.5, twitter 3.0, intranet 2.0, email 2.0, newsletter 1.0
    #   RANK(): 1, 1, 3, 4, 4, 6.   non-users' means: face_to_face 5, team_briefing 3, intranet 3,
    #   email 4, newsletter 1 -> 1, 3, 3, 2, 5.  Twitter is not ranked for non-users.
    channel = {
        "face_to_face_senior": [5, 4, 5, 5],
        "team_briefing": [4, 5, 3, 3],
        "twitter": [3, 3, 5, 5],  # non-users' Twitter cells (never valid input) must be ignored
        "intranet": [2, 2, 3, 3],
        "email_bulletin": [1, 3, 4, 4],
        "newsletter": [1, 1, 1, 1],
    }
    table = channel_impact(typed_frame([True, True, False, False], channel=channel), WAVE, 1)
    ranks = {(r.respondent_group, r.channel): r.rank for r in table.itertuples()}
    assert ranks == {
        ("users", "face_to_face_senior"): 1, ("users", "team_briefing"): 1, ("users", "twitter"): 3,
        ("users", "intranet"): 4, ("users", "email_bulletin"): 4, ("users", "newsletter"): 6,
        ("non_users", "face_to_face_senior"): 1, ("non_users", "email_bulletin"): 2,
        ("non_users", "team_briefing"): 3, ("non_users", "intranet"): 3, ("non_users", "newsletter"): 5,
    }
    means = {(r.respondent_group, r.channel): r.mean_score for r in table.itertuples()}
    assert means[("users", "face_to_face_senior")] == 4.5
    assert means[("non_users", "email_bulletin")] == 4.0
    assert set(table.loc[table["channel"] == "twitter", "respondent_group"]) == {"users"}


def test_channel_rank_ignores_suppressed_channels_and_non_response():
    # podcast: one user answer of 5 -> suppressed at min_group_size 2, so it takes no rank and
    # face_to_face (4.0 over its 2 answers; the blank is left out) is first.
    channel = {
        "face_to_face_senior": [4, 4, None, 4, 3],
        "twitter": [3, 2, 4, None, None],
        "podcast": [5, None, None, 2, 2],
    }
    table = channel_impact(typed_frame([True] * 3 + [False] * 2, channel=channel), WAVE, 2)
    users = table[table["respondent_group"] == "users"].set_index("channel")
    assert users.loc["face_to_face_senior", "n"] == 2
    assert users.loc["face_to_face_senior", "mean_score"] == 4.0
    assert users.loc["face_to_face_senior", "rank"] == 1
    assert users.loc["twitter", "rank"] == 2
    assert bool(users.loc["podcast", "suppressed"]) and pd.isna(users.loc["podcast", "rank"])
    assert pd.isna(users.loc["podcast", "mean_score"])


# --- engagement_by_group -----------------------------------------------------------------------------

def test_engagement_by_group_means_and_counts():
    #   locality north: users 5, 4 ; non-users 2        -> users 4.5 (2), non-users 2.0 (1), all 11/3 (3)
    #   locality south: users 3    ; non-users 1, blank -> users 3.0 (1), non-users 1.0 (1), all 2.0 (2)
    #   staff group (one): users 5, 4, 3 ; non-users 2, 1 -> 4.0 (3), 1.5 (2), all 3.0 (5)
    frame = typed_frame([True, True, False, True, False, False],
                        engagement={"organisation": [5, 4, 2, 3, 1, None]},
                        locality=["north", "north", "north", "south", "south", "south"])
    table = engagement_by_group(frame, WAVE, 1)
    got = {(r.dimension, r.category, r.respondent_group): (r.n, r.mean_score) for r in table.itertuples()}
    assert got == {
        ("locality", "north", "users"): (2, 4.5), ("locality", "north", "non_users"): (1, 2.0),
        ("locality", "north", "all"): (3, pytest.approx(11 / 3)),
        ("locality", "south", "users"): (1, 3.0), ("locality", "south", "non_users"): (1, 1.0),
        ("locality", "south", "all"): (2, 2.0),
        ("staff_group", "nursing", "users"): (3, 4.0), ("staff_group", "nursing", "non_users"): (2, 1.5),
        ("staff_group", "nursing", "all"): (5, 3.0),
    }
    assert set(table["area"]) == {"organisation"} and set(table["wave"]) == {WAVE}
    assert not table["suppressed"].any()


def test_engagement_by_group_suppresses_small_cells():
    frame = typed_frame([True, True, False, True, False, False],
                        engagement={"organisation": [5, 4, 2, 3, 1, None]},
                        locality=["north", "north", "north", "south", "south", "south"])
    table = engagement_by_group(frame, WAVE, 2)
    # Below 2: north non-users (1), south users (1), south non-users (1). North users (2) go too:
    # otherwise north non-users = 3 * north all - 2 * north users (complementary suppression).
    # The wave's users (3) and non-users (2) are published by engagement_comparison; each
    # group's column then has two suppressed rows covering 3 and 2 respondents.
    hidden = {(r.category, r.respondent_group) for r in table.itertuples()
              if r.dimension == "locality" and r.suppressed}
    assert hidden == {("north", "users"), ("north", "non_users"), ("south", "users"), ("south", "non_users")}
    assert not table.loc[table["dimension"] == "staff_group", "suppressed"].any()
    for r in table.itertuples():
        assert pd.isna(r.mean_score) == pd.isna(r.n) == r.suppressed


# --- suppression everywhere --------------------------------------------------------------------------

def small_wave() -> pd.DataFrame:
    """3 users and 3 non-users answering everything they are asked."""
    uses = [True, True, True, False, False, False]
    return typed_frame(
        uses,
        engagement={"organisation": [5, 4, 5, 2, 3, 2], "colleagues": [4, 4, 5, 3, 3, 2]},
        improved={"organisation": [True, True, False, None, None, None]},
        channel={"face_to_face_senior": [5, 4, 4, 5, 4, 4], "twitter": [4, 5, 4, None, None, None],
                 "intranet": [2, 2, 3, 2, 3, 3]},
        barrier={"time": [None, None, None, True, False, True]},
        locality=["north", "south", "north", "south", "north", "south"],
        staff_group=["nursing", "medical", "medical", "nursing", "medical", "nursing"],
    )


def test_suppression_hides_every_statistic():
    frame = small_wave()
    comparison = engagement_comparison(frame, WAVE, 4, 0.05)
    assert comparison["suppressed"].all()
    for column in ("mean_users", "mean_non_users", "median_users", "median_non_users", "u_statistic", "p_value",
                   "p_holm", "rank_biserial", "rank_biserial_ci_low", "rank_biserial_ci_high", "significant"):
        assert comparison[column].isna().all(), column
    assert comparison["n_users"].tolist() == [3, 3]  # counts stay, so readers see why

    adjusted = engagement_adjusted(frame, WAVE, 4, 0.05)
    assert adjusted["suppressed"].all()
    assert adjusted[["estimate", "ci_low", "ci_high", "p_value"]].isna().all().all()

    perceived = perceived_impact(frame, WAVE, 4)
    assert perceived["suppressed"].all()
    assert perceived[["n_improved", "pct_improved", "ci_low", "ci_high"]].isna().all().all()

    barrier = barriers(frame, WAVE, 4)
    assert barrier["suppressed"].all()
    assert barrier[["n_selected", "pct_selected", "ci_low", "ci_high"]].isna().all().all()

    channels = channel_impact(frame, WAVE, 4)
    assert channels["suppressed"].all()
    assert channels[["mean_score", "rank"]].isna().all().all()

    by_group = engagement_by_group(frame, WAVE, 7)
    assert by_group["suppressed"].all()
    assert by_group["mean_score"].isna().all()

    paired = twitter_against_face_to_face(frame, 4)
    assert paired is not None and paired.suppressed
    assert paired.mean_difference is None and paired.p_value is None


def test_the_same_wave_is_reported_below_the_threshold():
    frame = small_wave()
    assert not engagement_comparison(frame, WAVE, 3, 0.05)["suppressed"].any()
    assert not perceived_impact(frame, WAVE, 3)["suppressed"].any()
    assert not barriers(frame, WAVE, 3)["suppressed"].any()
    assert not channel_impact(frame, WAVE, 3)["suppressed"].any()
    assert channel_impact(frame, WAVE, 3)["rank"].notna().all()


# --- bootstrap ---------------------------------------------------------------------------------------

USERS = np.array([5, 4, 4, 3, 5, 4, 2, 4, 4, 5, 3, 4, 5, 4, 3, 4, 4, 5, 3, 4], dtype=float)
NON_USERS = np.array([3, 2, 3, 3, 4, 1, 2, 3, 3, 4, 2, 3, 3, 2, 4, 3, 3], dtype=float)


def test_bootstrap_is_reproducible():
    first = bootstrap_rank_biserial(USERS, NON_USERS, [1, 2, 3])
    second = bootstrap_rank_biserial(USERS, NON_USERS, [1, 2, 3])
    assert first == second


def test_bootstrap_contains_the_point_estimate():
    u = float(mannwhitneyu(USERS, NON_USERS, alternative="two-sided").statistic)
    estimate = 2 * u / (len(USERS) * len(NON_USERS)) - 1
    low, high = bootstrap_rank_biserial(USERS, NON_USERS, 7)
    assert -1 <= low < estimate < high <= 1
    assert high - low < 1  # an interval of useful width for n = 20 + 17


def test_bootstrap_ignores_row_order():
    rng = np.random.default_rng(0)
    reference = bootstrap_rank_biserial(USERS, NON_USERS, [4, 5])
    for _ in range(3):
        assert bootstrap_rank_biserial(rng.permutation(USERS), rng.permutation(NON_USERS), [4, 5]) == reference


def test_comparison_table_ignores_row_order():
    frame = two_groups({"organisation": (list(USERS.astype(int)), list(NON_USERS.astype(int)))})
    shuffled = frame.sample(frac=1, random_state=3).reset_index(drop=True)
    a = engagement_comparison(frame, WAVE, 5, 0.05)
    b = engagement_comparison(shuffled, WAVE, 5, 0.05)
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    assert row["rank_biserial_ci_low"] < row["rank_biserial"] < row["rank_biserial_ci_high"]


# --- engagement_adjusted -----------------------------------------------------------------------------

def confounded_wave() -> pd.DataFrame:
    """score = 2 + 1 * user + 1 * north (+ noise of -1/+1 balanced in every cell; scores stay 1-5).

    Users are mostly in the north (6 of 8) and non-users mostly in the south (6 of 8), so the raw
    gap is 1.5 points (users 2 + 1 + 6/8 = 3.75, non-users 2 + 2/8 = 2.25) while the gap after
    allowing for locality is exactly the 1 point built in.
    """
    rows = []
    for user, north, pairs in ((True, True, 3), (True, False, 1), (False, True, 1), (False, False, 3)):
        for pair, noise in itertools.product(range(pairs), (-1, 1)):
            staff = "medical" if pair % 2 else "nursing"  # both rows of a pair share a staff group
            base = 2 + int(user) + int(north)
            rows.append((user, "north" if north else "south", staff, base + noise, base))
    return typed_frame([r[0] for r in rows], locality=[r[1] for r in rows], staff_group=[r[2] for r in rows],
                       engagement={"organisation": [r[3] for r in rows], "colleagues": [r[4] for r in rows]})


def test_adjusted_recovers_the_built_in_coefficient():
    frame = confounded_wave()
    raw = engagement_comparison(frame, WAVE, 1, 0.05).set_index("area")
    assert raw.loc["organisation", "mean_users"] - raw.loc["organisation", "mean_non_users"] == pytest.approx(1.5)
    table = engagement_adjusted(frame, WAVE, 4, 0.05).set_index("area")
    for area in ("organisation", "colleagues"):
        row = table.loc[area]
        assert not row["suppressed"]
        assert row["n"] == 16
    assert table.loc["organisation", "estimate"] == pytest.approx(1.0, abs=1e-9)
    # organisation: statsmodels' OLS with HC3 errors on the 16 rows
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    design = add_constant(pd.concat([frame["uses_twitter"].astype(float),
                                     pd.get_dummies(frame[["staff_group", "locality"]].astype(str), drop_first=True,
                                                    dtype=float)], axis=1))
    fit = OLS(frame["engagement_organisation"].astype(float).to_numpy(), design).fit(cov_type="HC3")
    low, high = fit.conf_int().loc["uses_twitter"]
    row = table.loc["organisation"]
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert row["p_value"] == pytest.approx(fit.pvalues["uses_twitter"], rel=1e-7)
    # colleagues is the built-in 1 point with no noise: the fit is exact, so there is no error to
    # estimate; a zero-width interval with p = 0 would claim certainty the data cannot give
    row = table.loc["colleagues"]
    assert row[["estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"]].isna().all(), row.to_dict()


def test_adjusted_is_suppressed_for_small_groups():
    frame = confounded_wave()  # 8 users, 8 non-users
    table = engagement_adjusted(frame, WAVE, 9, 0.05)
    assert table["suppressed"].all()
    assert table[["estimate", "ci_low", "ci_high", "p_value"]].isna().all().all()
    assert table["n"].isna().all()  # a suppressed row's n is NULL too


def test_adjusted_is_not_published_when_twitter_use_is_confounded_with_locality():
    """Every user is in the north and every non-user in the south: the Twitter-use coefficient
    is not identified (locality explains the same 2-point gap), so no number can be its estimate.
    Publishing one (with a narrow interval and p = 0) would be an artefact of the solver."""
    users = [5, 4] * 6
    non_users = [3, 2] * 6
    frame = typed_frame([True] * 12 + [False] * 12, engagement={"organisation": users + non_users},
                        locality=["north"] * 12 + ["south"] * 12)
    with warnings.catch_warnings():  # statsmodels may warn about the rank deficiency
        warnings.simplefilter("ignore")
        row = engagement_adjusted(frame, WAVE, 11, 0.05).iloc[0]
    assert row["n"] == 24
    assert pd.isna(row["estimate"]) and pd.isna(row["ci_low"]) and pd.isna(row["ci_high"]) \
        and pd.isna(row["p_value"]), row.to_dict()


# --- Twitter against face to face --------------------------------------------------------------------

def test_identical_channel_ratings_give_p_one_and_no_difference():
    ratings = [5, 4, 3, 4, 5, 2]
    frame = typed_frame([True] * 6 + [False] * 2,
                        channel={"face_to_face_senior": ratings + [5, 5], "twitter": ratings + [None, None]})
    paired = twitter_against_face_to_face(frame, 3)
    assert paired is not None
    assert (paired.n, paired.mean_difference, paired.p_value, paired.suppressed) == (6, 0.0, 1.0, False)


def test_paired_difference_and_wilcoxon():
    f2f = [5, 5, 4, 5, 4, 5, 3, 5]
    twitter = [4, 3, 4, 3, 2, 4, 3, 5]
    frame = typed_frame([True] * 9, channel={"face_to_face_senior": f2f + [5], "twitter": twitter + [None]})
    paired = twitter_against_face_to_face(frame, 3)
    # differences 1, 2, 0, 2, 2, 1, 0, 0 -> mean 8 / 8 = 1; the user without a Twitter rating is left out
    assert paired.n == 8
    assert paired.mean_difference == pytest.approx(1.0)
    assert paired.p_value == pytest.approx(float(wilcoxon(f2f, twitter).pvalue), rel=1e-12)


def test_paired_test_absent_without_the_channels():
    assert twitter_against_face_to_face(typed_frame([True, False], channel={"intranet": [1, 2]}), 1) is None


# --- likert distribution -----------------------------------------------------------------------------

def test_likert_distribution_counts_each_score():
    frame = two_groups({"organisation": ([5, 5, 4, None], [1, 3, 3, 3])})
    table = likert_distribution(frame).set_index(["item", "respondent_group", "score"])["n"]
    assert [table[("organisation", "users", s)] for s in range(1, 6)] == [0, 0, 0, 1, 2]
    assert [table[("organisation", "non_users", s)] for s in range(1, 6)] == [1, 0, 3, 0, 0]


# --- interview themes --------------------------------------------------------------------------------

def quotes_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "wave": pd.array([WAVE] * len(rows), dtype="string"),
        "interview_id": pd.array([r[0] for r in rows], dtype="string"),
        "segment_id": pd.array([r[1] for r in rows], dtype="string"),
        "theme": pd.array([r[2] for r in rows], dtype="string"),
        "quote": pd.array([f"quote {i}" for i in range(len(rows))], dtype="string"),
        "respondent_key": pd.array([None] * len(rows), dtype="string"),
    })


CODEBOOK = pd.DataFrame({
    "wave": pd.array([WAVE] * 4, dtype="string"),
    "theme": pd.array(["model_adoption", "faster_change", "human_centred_design", "leading_by_example"],
                      dtype="string"),
    "label": pd.array(["Model adoption", "Faster change", "Human-centred design", "Leading by example"],
                      dtype="string"),
    "description": pd.array([None] * 4, dtype="string"),
    "golden_thread": pd.array(["patient_care", None, "patient_experience", None], dtype="string"),
})


def test_interview_themes_counts_interviews_and_segments():
    quotes = quotes_frame([
        ("INT-01", "INT-01-S01", "model_adoption"),
        ("INT-01", "INT-01-S02", "model_adoption"),
        ("INT-01", "INT-01-S02", "faster_change"),   # one segment, two codes
        ("INT-02", "INT-02-S01", "model_adoption"),
        ("INT-02", "INT-02-S02", "faster_change"),
    ])
    table = interview_themes(quotes, CODEBOOK, WAVE).set_index("theme")
    # model_adoption: interviews 01 and 02, segments 01-S01, 01-S02, 02-S01
    assert (table.loc["model_adoption", "n_interviews"], table.loc["model_adoption", "n_segments"]) == (2, 3)
    # faster_change: interviews 01 and 02, segments 01-S02, 02-S02
    assert (table.loc["faster_change", "n_interviews"], table.loc["faster_change", "n_segments"]) == (2, 2)
    for unused in ("human_centred_design", "leading_by_example"):
        assert (table.loc[unused, "n_interviews"], table.loc[unused, "n_segments"]) == (0, 0)
    assert len(table) == 4
    assert table.loc["model_adoption", "golden_thread"] == "patient_care"
    assert pd.isna(table.loc["faster_change", "golden_thread"])
    assert table.loc["human_centred_design", "label"] == "Human-centred design"


def test_interviews_by_thread_counts_distinct_interviews():
    quotes = quotes_frame([
        ("INT-01", "INT-01-S01", "model_adoption"),
        ("INT-01", "INT-01-S02", "model_adoption"),        # same interview again: still 1
        ("INT-02", "INT-02-S01", "faster_change"),         # no golden thread
        ("INT-03", "INT-03-S01", "model_adoption"),
        ("INT-03", "INT-03-S02", "human_centred_design"),
    ])
    assert interviews_by_thread(quotes, CODEBOOK) == {"patient_care": 2, "patient_experience": 1}


def test_no_interviews_give_zero_counts():
    empty = quotes_frame([])
    table = interview_themes(empty, CODEBOOK, WAVE)
    assert len(table) == 4
    assert (table["n_interviews"] == 0).all() and (table["n_segments"] == 0).all()
    assert interviews_by_thread(empty, CODEBOOK) == {}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adjusted_on_counted_cells_equals_statsmodels_hc3_on_every_row(seed):
    """The frequency-weighted fit is the full-data OLS with HC3 errors, to rounding."""
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    from engagement_pipeline.analysis.engagement_adjusted import engagement_adjusted

    rng = np.random.default_rng(seed)
    n = 400
    frame = pd.DataFrame({
        "uses_twitter": rng.integers(0, 2, n).astype(bool),
        "staff_group": rng.choice(["Nursing", "AHP", "Corporate"], n),
        "locality": rng.choice(["North", "South"], n),
    })
    score = np.clip(np.round(3 + 0.7 * frame["uses_twitter"] + rng.normal(0, 1, n)), 1, 5)
    frame["engagement_organisation"] = pd.array(score.astype(int), dtype="Int8")
    ours = engagement_adjusted(frame, "w", 11, 0.05).iloc[0]
    design = add_constant(pd.concat([frame["uses_twitter"].astype(float),
                                     pd.get_dummies(frame[["staff_group", "locality"]], drop_first=True, dtype=float)],
                                    axis=1))
    fit = OLS(score, design).fit(cov_type="HC3")
    low, high = fit.conf_int().loc["uses_twitter"]
    assert ours["estimate"] == pytest.approx(fit.params["uses_twitter"], rel=1e-9)
    assert (ours["ci_low"], ours["ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert ours["p_value"] == pytest.approx(fit.pvalues["uses_twitter"], rel=1e-7)
