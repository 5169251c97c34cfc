"""Properties of the analysis statistics, checked with hypothesis on generated small waves."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engagement_pipeline.analysis.engagement_adjusted import engagement_adjusted
from engagement_pipeline.analysis.barriers import barriers
from engagement_pipeline.analysis.engagement_by_group import engagement_by_group
from engagement_pipeline.analysis.channel_impact import channel_impact
from engagement_pipeline.analysis.engagement_comparison import area_seed, engagement_comparison
from engagement_pipeline.analysis.perceived_impact import perceived_impact
from engagement_pipeline.analysis.proportions import percentage

WAVE = "2019-03"
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])



@pytest.fixture(autouse=True, scope="module")
def _cheap_gc_collect():
    """statsmodels' Holm step calls gc.collect() on every call; freezing the objects that exist
    now (pandas, scipy, hypothesis) keeps each collection small. No effect on any result."""
    gc.freeze()
    yield
    gc.unfreeze()


likert = st.integers(min_value=1, max_value=5)
maybe_likert = st.one_of(st.none(), likert)
maybe_yes_no = st.one_of(st.none(), st.booleans())


def typed_frame(uses: list[bool], **families: dict[str, list]) -> pd.DataFrame:
    """A typed responses frame (None = item not answered); two localities and staff groups alternate."""
    n = len(uses)
    data = {
        "wave": pd.array([WAVE] * n, dtype="string"),
        "respondent_key": pd.array([f"key{i:04d}" for i in range(n)], dtype="string"),
        "submitted_at": pd.Series([pd.Timestamp("2019-03-04 09:00")] * n).astype("datetime64[us]"),
        "locality": pd.array(["north" if i % 2 else "south" for i in range(n)], dtype="string"),
        "staff_group": pd.array(["nursing" if i % 3 else "medical" for i in range(n)], dtype="string"),
        "uses_twitter": np.array(uses, dtype=bool),
    }
    dtypes = {"engagement": "Int8", "improved": "boolean", "channel": "Int8", "barrier": "boolean"}
    for family, items in families.items():
        for item, cells in items.items():
            data[f"{family}_{item}"] = pd.array(cells, dtype=dtypes[family])
    data["comment"] = pd.array([None] * n, dtype="string")
    return pd.DataFrame(data)


def flipped(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(uses_twitter=~frame["uses_twitter"])


@st.composite
def two_groups(draw, min_size: int = 6, max_size: int = 30):
    """Engagement scores of users and non-users for one or two areas (answers only)."""
    n_users = draw(st.integers(min_size, max_size))
    n_non = draw(st.integers(min_size, max_size))
    areas = draw(st.sampled_from([["organisation"], ["organisation", "colleagues"]]))
    scores = {a: (draw(st.lists(likert, min_size=n_users, max_size=n_users)),
                  draw(st.lists(likert, min_size=n_non, max_size=n_non))) for a in areas}
    return scores


def frame_of(scores: dict[str, tuple[list[int], list[int]]]) -> pd.DataFrame:
    n_users, n_non = (len(x) for x in next(iter(scores.values())))
    return typed_frame([True] * n_users + [False] * n_non,
                       engagement={a: u + v for a, (u, v) in scores.items()})


# --- swapping the groups -----------------------------------------------------------------------------

@SETTINGS
@given(scores=two_groups())
def test_swapping_groups_flips_the_comparison(scores):
    frame = frame_of(scores)
    table = engagement_comparison(frame, WAVE, 1, 0.05).set_index("area")
    swapped = engagement_comparison(flipped(frame), WAVE, 1, 0.05).set_index("area")
    for area, (users, non_users) in scores.items():
        a, b = table.loc[area], swapped.loc[area]
        n1, n2 = len(users), len(non_users)
        assert (b["n_users"], b["n_non_users"]) == (a["n_non_users"], a["n_users"]) == (n2, n1)
        assert b["u_statistic"] == pytest.approx(n1 * n2 - a["u_statistic"], abs=1e-9)
        assert b["rank_biserial"] == pytest.approx(-a["rank_biserial"], abs=1e-12)
        assert b["p_value"] == pytest.approx(a["p_value"], rel=1e-9, abs=1e-15)
        assert b["p_holm"] == pytest.approx(a["p_holm"], rel=1e-9, abs=1e-15)
        assert bool(b["significant"]) == bool(a["significant"])
        assert (b["mean_users"], b["mean_non_users"]) == (a["mean_non_users"], a["mean_users"])
        # The bootstrap is seeded per (wave, area); after the swap the resamples are drawn in the
        # other order, so the mirrored interval agrees up to Monte Carlo error: at most a couple
        # of steps of the discrete rank-biserial (one observation moves it by up to 2 / min(n)).
        tolerance = 3.0 / min(n1, n2)
        assert b["rank_biserial_ci_low"] == pytest.approx(-a["rank_biserial_ci_high"], abs=tolerance)
        assert b["rank_biserial_ci_high"] == pytest.approx(-a["rank_biserial_ci_low"], abs=tolerance)
        # and each is exactly the percentile interval of a resampling written out here, same seed
        seed = area_seed(WAVE, area)
        assert (a["rank_biserial_ci_low"], a["rank_biserial_ci_high"]) == \
            pytest.approx(_percentile_interval(users, non_users, seed), abs=1e-12)
        assert (b["rank_biserial_ci_low"], b["rank_biserial_ci_high"]) == \
            pytest.approx(_percentile_interval(non_users, users, seed), abs=1e-12)


def _percentile_interval(users: list[int], non_users: list[int], seed) -> tuple[float, float]:
    """2.5th / 97.5th percentiles of the rank-biserial over 4000 resamples of each group's score
    counts (the generator and draws of the published method), U counted from running sums: a
    resampled user scoring s beats every resampled non-user below s and ties those at s."""
    rng = np.random.default_rng(seed)
    n1, n2 = len(users), len(non_users)
    c1 = rng.multinomial(n1, np.bincount(users, minlength=6)[1:] / n1, size=4000)
    c2 = rng.multinomial(n2, np.bincount(non_users, minlength=6)[1:] / n2, size=4000)
    below = np.cumsum(c2, axis=1) - c2
    u = (c1 * (below + 0.5 * c2)).sum(axis=1)
    low, high = np.percentile(2 * u / (n1 * n2) - 1, [2.5, 97.5])
    return float(low), float(high)


# --- identical groups --------------------------------------------------------------------------------

@SETTINGS
@given(scores=st.lists(likert, min_size=1, max_size=40), seed=st.integers(0, 2**32 - 1),
       alpha=st.floats(min_value=0.001, max_value=0.5), n_areas=st.integers(1, 3))
def test_identical_groups_are_never_significant(scores, seed, alpha, n_areas):
    rng = np.random.default_rng(seed)
    areas = ["organisation", "executive_team", "colleagues"][:n_areas]
    frame = frame_of({a: (list(rng.permutation(scores)), list(rng.permutation(scores))) for a in areas})
    table = engagement_comparison(frame, WAVE, 1, alpha)
    assert not table["suppressed"].any()
    assert (table["rank_biserial"] == 0).all()
    assert (table["u_statistic"] == len(scores) ** 2 / 2).all()
    assert not table["significant"].astype(bool).any()
    assert np.allclose(table["p_value"].to_numpy(dtype=float), 1.0)
    assert np.allclose(table["p_holm"].to_numpy(dtype=float), 1.0)
    assert (table["mean_users"] == table["mean_non_users"]).all()


# --- suppression -------------------------------------------------------------------------------------

@st.composite
def small_wave(draw):
    n_users = draw(st.integers(0, 12))
    n_non = draw(st.integers(0, 12))
    n = n_users + n_non
    cells = lambda strategy: draw(st.lists(strategy, min_size=n, max_size=n))  # noqa: E731
    uses = [True] * n_users + [False] * n_non
    improved = [x if u else None for x, u in zip(cells(maybe_yes_no), uses)]
    barrier = [x if not u else None for x, u in zip(cells(maybe_yes_no), uses)]
    twitter = [x if u else None for x, u in zip(cells(maybe_likert), uses)]
    frame = typed_frame(
        uses,
        engagement={"organisation": cells(maybe_likert), "colleagues": cells(maybe_likert)},
        improved={"organisation": improved},
        channel={"face_to_face_senior": cells(maybe_likert), "twitter": twitter, "intranet": cells(maybe_likert)},
        barrier={"time": barrier},
    )
    return frame, draw(st.integers(1, 8))


@SETTINGS
@given(case=small_wave())
def test_suppression_hides_every_figure_of_a_small_group(case):
    frame, m = case
    users, non_users = frame[frame["uses_twitter"]], frame[~frame["uses_twitter"]]

    comparison = engagement_comparison(frame, WAVE, m, 0.05)
    figures = ["mean_users", "mean_non_users", "median_users", "median_non_users", "u_statistic", "p_value",
               "p_holm", "rank_biserial", "rank_biserial_ci_low", "rank_biserial_ci_high", "significant"]
    for r in comparison.itertuples():
        small = min(users[f"engagement_{r.area}"].notna().sum(), non_users[f"engagement_{r.area}"].notna().sum()) < m
        assert r.suppressed == small
        row = comparison.loc[comparison["area"] == r.area, figures].iloc[0]
        assert row.isna().all() if small else row.drop("significant").notna().all()

    adjusted = engagement_adjusted(frame, WAVE, m, 0.05)
    for r in adjusted.itertuples():
        answered = frame[frame[f"engagement_{r.area}"].notna()]
        small = min(answered["uses_twitter"].sum(), (~answered["uses_twitter"]).sum()) < m
        assert r.suppressed == small
        if small:  # (a tiny unsuppressed regression may be degenerate, so only this direction)
            assert all(pd.isna(getattr(r, c)) for c in ("estimate", "ci_low", "ci_high", "p_value"))

    perceived = perceived_impact(frame, WAVE, m).iloc[0]
    answered = int(users["improved_organisation"].notna().sum())
    assert perceived["n_answered"] == answered
    assert perceived["suppressed"] == (answered < m)
    for column in ("n_improved", "pct_improved", "ci_low", "ci_high"):
        assert pd.isna(perceived[column]) == (answered < m), column

    barrier = barriers(frame, WAVE, m).iloc[0]
    answered = int(non_users["barrier_time"].notna().sum())
    assert barrier["n_answered"] == answered
    assert barrier["suppressed"] == (answered < m)
    for column in ("n_selected", "pct_selected", "ci_low", "ci_high"):
        assert pd.isna(barrier[column]) == (answered < m), column

    channels = channel_impact(frame, WAVE, m)
    for r in channels.itertuples():
        group = users if r.respondent_group == "users" else non_users
        n = int(group[f"channel_{r.channel}"].notna().sum())
        assert pd.isna(r.n) if n < m else r.n == n  # a suppressed row's n is NULL too
        assert r.suppressed == (n < m)
        assert pd.isna(r.mean_score) == (n < m)
        assert pd.isna(r.rank) == (n < m)
    assert "non_users" not in set(channels.loc[channels["channel"] == "twitter", "respondent_group"])

    by_group = engagement_by_group(frame, WAVE, m)
    for r in by_group.itertuples():
        in_row = frame[frame[r.dimension] == r.category]
        if r.respondent_group != "all":
            in_row = in_row[in_row["uses_twitter"] == (r.respondent_group == "users")]
        n = int(in_row[f"engagement_{r.area}"].notna().sum())
        if n < m:  # below the threshold: always suppressed (complementary suppression may add more)
            assert r.suppressed
        assert pd.isna(r.mean_score) == pd.isna(r.n) == r.suppressed
        assert r.suppressed or r.n == n


# --- percentages and their Wilson intervals ----------------------------------------------------------

def assert_wilson(k: int, n: int, pct: float, low: float, high: float) -> None:
    """The published percentage and interval against the closed-form Wilson score interval
    (z = 1.959964), with the exact ends 0 at 0 of n and 100 at n of n."""
    z = 1.959963984540054
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert pct == pytest.approx(100 * p, abs=1e-12), (k, n)
    assert low == (0.0 if k == 0 else pytest.approx(100 * (centre - half), abs=1e-9)), (k, n, low)
    assert high == (100.0 if k == n else pytest.approx(100 * (centre + half), abs=1e-9)), (k, n, high)


@SETTINGS
@given(n=st.integers(1, 400), k=st.integers(0, 400))
@example(n=14, k=0)    # 0 of 14 and 14 of 14: see test_statistics for the hand-checked bounds
@example(n=14, k=400)
def test_percentage_is_the_closed_form_wilson_interval(n, k):
    k = min(k, n)
    stats = percentage(k, n, 1)
    assert_wilson(k, n, stats["pct"], stats["ci_low"], stats["ci_high"])


def all_or_none() -> tuple[pd.DataFrame, int]:
    """7 users who all say improved and 9 non-users who all leave 'time' unticked (7 and 9 answers)."""
    uses = [True] * 7 + [False] * 9
    return typed_frame(uses, improved={"organisation": [True] * 7 + [None] * 9},
                       barrier={"time": [None] * 7 + [False] * 9}), 1


@SETTINGS
@given(case=small_wave())
@example(case=all_or_none())
def test_published_percentages_are_the_wilson_intervals_of_the_answers(case):
    frame, m = case
    users, non_users = frame["uses_twitter"], ~frame["uses_twitter"]
    tables = ((perceived_impact(frame, WAVE, m), "pct_improved", frame.loc[users, "improved_organisation"]),
              (barriers(frame, WAVE, m), "pct_selected", frame.loc[non_users, "barrier_time"]))
    for table, column, answers in tables:
        answered = answers.dropna()
        for r in table[~table["suppressed"]].itertuples():
            assert r.n_answered == len(answered)
            assert_wilson(int(answered.sum()), len(answered), getattr(r, column), r.ci_low, r.ci_high)


@SETTINGS
@given(users=st.lists(st.integers(1, 5), min_size=1, max_size=60),
       non_users=st.lists(st.integers(1, 5), min_size=1, max_size=60),
       scale=st.sampled_from([1, 1, 7, 1000]))
@example(users=[3, 4, 5], non_users=[1, 2], scale=1)  # scipy's exact branch: tiny, no ties
@example(users=[5] * 9, non_users=[5] * 9, scale=1)  # every score tied: p = 1
def test_mann_whitney_from_counts_is_scipys_on_the_raw_scores(users, non_users, scale):
    from scipy.stats import mannwhitneyu

    from engagement_pipeline.analysis.engagement_comparison import mann_whitney, score_counts

    a, b = np.array(users * scale, dtype=float), np.array(non_users * scale, dtype=float)
    expected = mannwhitneyu(a, b, alternative="two-sided")
    u, p = mann_whitney(score_counts(a), score_counts(b))
    assert u == pytest.approx(float(expected.statistic), rel=1e-12, abs=1e-9)
    assert p == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-300)
