"""Corners where a statistic could overclaim or mislead (issue 12), each on the issue's own input,
held to scipy / statsmodels or to numbers worked out by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from engagement_pipeline.analysis.engagement_adjusted import engagement_adjusted

from .test_statistics import WAVE, typed_frame


# --- defect 1: leverage-1 respondents in the adjusted model ------------------------------------------

def _lone_east_wave() -> tuple[pd.DataFrame, list[int]]:
    """22 respondents, one of them alone in locality "east": its leverage is 1 (found by search:
    the old code published NaN interval and p with suppressed = false on exactly this input)."""
    rng = np.random.default_rng(57)
    n = 22
    uses = list(rng.permutation([True] * (n // 2) + [False] * (n - n // 2)))
    locality = list(rng.choice(["north", "south"], n))
    staff = list(rng.choice(["nursing", "medical"], n))
    locality[0] = "east"
    score = [int(s) for s in rng.integers(1, 6, n)]
    return typed_frame(uses, engagement={"organisation": score}, locality=locality, staff_group=staff), score


def _statsmodels_without(frame: pd.DataFrame, score: list[int], drop: list[int]):
    keep = ~np.isin(np.arange(len(frame)), drop)
    kept = frame.loc[keep]
    design = add_constant(pd.concat([kept["uses_twitter"].astype(float),
                                     pd.get_dummies(kept[["staff_group", "locality"]].astype(str), drop_first=True,
                                                    dtype=float)], axis=1), has_constant="add")
    return OLS(np.asarray(score, dtype=float)[keep], design).fit(cov_type="HC3")


def test_a_respondent_alone_in_a_locality_gets_zero_weight_in_the_sandwich():
    frame, score = _lone_east_wave()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = engagement_adjusted(frame, WAVE, 5, 0.05).iloc[0]
        fit = _statsmodels_without(frame, score, [0])
    assert not row["suppressed"]
    assert np.isfinite([row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]]).all(), row.to_dict()
    low, high = fit.conf_int().loc["uses_twitter"]
    assert row["estimate"] == pytest.approx(fit.params["uses_twitter"], rel=1e-9)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert row["p_value"] == pytest.approx(fit.pvalues["uses_twitter"], rel=1e-7)


def test_an_estimate_without_an_error_is_null_never_nan():
    """Every respondent alone in a (staff group, locality) pair of their own except two identical
    ones: nothing is left to estimate the error from, so the row is not estimable (NULLs),
    and it is not suppressed either."""
    uses = [True] * 6 + [False] * 6
    locality = [f"l{i}" for i in range(12)]
    frame = typed_frame(uses, engagement={"organisation": [5, 4, 3, 5, 4, 3, 2, 3, 1, 2, 3, 1]}, locality=locality)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = engagement_adjusted(frame, WAVE, 5, 0.05).iloc[0]
    assert not row["suppressed"]
    for column in ("estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"):
        assert pd.isna(row[column]), column


@pytest.mark.parametrize("case", ["everyone gives the same score", "users all 4, non-users all 2"])
def test_scores_fitted_exactly_have_no_error_to_estimate(case):
    """Found by the mutation run: with every residual zero in exact arithmetic, HC3's variance is
    rounding noise (about 1e-30), and the p-value made of it fell anywhere from 0 to 0.9 with the
    design: an area could be called significant on noise, or given a zero-width interval. The
    row is not estimable instead (NULLs, not suppressed)."""
    rng = np.random.default_rng(11)
    uses = [True] * 20 + [False] * 20
    locality = list(rng.choice(["north", "south", "east"], 40))
    staff = list(rng.choice(["nursing", "medical"], 40))
    score = [3] * 40 if case.startswith("everyone") else [4] * 20 + [2] * 20
    frame = typed_frame(uses, engagement={"organisation": score}, locality=locality, staff_group=staff)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = engagement_adjusted(frame, WAVE, 11, 0.05).iloc[0]
        full = _statsmodels_without(frame, score, [])
    # the oracle: OLS fits these scores exactly (its residuals are rounding), so there is no error
    assert np.abs(full.resid).max() < 1e-9
    assert not row["suppressed"]
    for column in ("estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"):
        assert pd.isna(row[column]), (column, row[column])


def test_a_coefficient_that_rests_on_one_respondent_is_not_estimable():
    """East holds 12 non-users and one user; West holds only users. Twitter use is then West plus
    that one user, so the adjusted gap is that user's score less East's non-users' mean: it rests
    on a single respondent (leverage 1), whose own variance HC3 cannot estimate (0/0; statsmodels
    on every row gives a NaN error). Publishing it gives a too-narrow interval, a small p from one
    answer, and the user's own score to anyone who adds East's non-users' published mean back.
    (statsmodels, on every row, divides that respondent's residual of 0 by 1 - 1 and prints
    whatever the rounding leaves.)"""
    rng = np.random.default_rng(3)
    uses = [True] + [False] * 12 + [True] * 12
    locality = ["east"] * 13 + ["west"] * 12
    score = [5] + [int(s) for s in rng.integers(1, 6, 24)]
    frame = typed_frame(uses, engagement={"organisation": score}, locality=locality)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = engagement_adjusted(frame, WAVE, 11, 0.05).iloc[0]
        full = OLS(np.asarray(score, dtype=float),
                   add_constant(pd.DataFrame({"uses_twitter": np.asarray(uses, dtype=float),
                                              "west": np.asarray([loc == "west" for loc in locality], dtype=float)})),
                   ).fit(cov_type="HC3")
    # the oracle: the OLS coefficient is that one user's score less East's non-users' mean, and the
    # user's leverage is 1, so its HC3 term is 0/0
    assert full.params["uses_twitter"] == pytest.approx(score[0] - np.mean(score[1:13]), abs=1e-9)
    assert full.get_influence().hat_matrix_diag[0] == pytest.approx(1.0, abs=1e-9)
    assert not row["suppressed"]
    for column in ("estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"):
        assert pd.isna(row[column]), (column, row[column])


# --- findings and report on small hand-built waves ---------------------------------------------------

from engagement_pipeline.analysis.analyse import analyse_wave  # noqa: E402
from engagement_pipeline.analysis.channel_impact import signed_rank_p, twitter_against_face_to_face  # noqa: E402
from engagement_pipeline.reporting.findings import findings  # noqa: E402
from engagement_pipeline.reporting.report import methods  # noqa: E402
from engagement_pipeline.reporting.wording import Names, p_value  # noqa: E402

from .test_findings_wording import no_quotes  # noqa: E402
from .wave_builders import LOADED_AT, typed_codebook  # noqa: E402

NAMES = Names()
TOO_FEW = "too few responses to report"


def analysed(frame: pd.DataFrame, min_group_size: int = 11, alpha: float = 0.05):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = analyse_wave(frame, no_quotes(WAVE), typed_codebook(), WAVE, min_group_size, alpha, LOADED_AT)
    table = findings(analysis, NAMES).set_index("finding")
    return analysis, table


def verdict_of(table: pd.DataFrame, number: int) -> bool | None:
    value = table.loc[number, "supported"]
    return None if pd.isna(value) else bool(value)


def channel_wave(users: dict[str, list], non_users: dict[str, list] | None = None) -> pd.DataFrame:
    """Users' and non-users' channel ratings (lists of one length per group), one engagement area."""
    n_users = len(next(iter(users.values())))
    non_users = non_users or {}
    n_non = len(next(iter(non_users.values()))) if non_users else 12
    channels = set(users) | set(non_users)
    channel = {c: list(users.get(c, [None] * n_users)) + list(non_users.get(c, [None] * n_non)) for c in channels}
    uses = [True] * n_users + [False] * n_non
    return typed_frame(uses, engagement={"organisation": [3] * len(uses)}, channel=channel)


def test_the_channel_caveat_is_computed_from_the_wave():
    """Defect 2: Twitter first and face-to-face last among users; the report must not say that
    face-to-face "still rates highest" or that Twitter "complements" other channels."""
    wave = channel_wave({"twitter": [5, 4] * 8, "intranet": [3] * 16, "face_to_face_senior": [2, 1] * 8})
    analysis, _ = analysed(wave)
    notes = " ".join(methods(analysis, NAMES))
    assert "Face-to-face contact still rates highest" not in notes
    assert "complements" not in notes
    assert "twitter rates highest this wave; face to face senior ranks 3rd" in notes


def test_a_suppressed_channel_that_could_outrank_twitter_leaves_finding_3_unjudged():
    """Defect 3: face-to-face rated by 8 users (suppressed at 11); Twitter first of the 2 reported."""
    wave = channel_wave({"twitter": [5, 4] * 10, "intranet": [3] * 20,
                         "face_to_face_senior": [5] * 8 + [None] * 12})
    analysis, table = analysed(wave)
    text = table.loc[3, "statement"]
    assert verdict_of(table, 3) is None
    assert "Twitter ranked 1st of 2 reported channels" in text
    assert f"For face to face senior: {TOO_FEW}" in text and "cannot be judged" in text


def test_second_of_two_channels_is_not_supported():
    """Defect 4: with two channels, none suppressed, Twitter 2nd of 2 is no support."""
    wave = channel_wave({"twitter": [3] * 16, "face_to_face_senior": [5, 4] * 8})
    _, table = analysed(wave)
    assert verdict_of(table, 3) is False
    assert "Twitter ranked 2nd of 2 channels" in table.loc[3, "statement"]
    wave = channel_wave({"twitter": [5] * 16, "face_to_face_senior": [4] * 16})
    _, table = analysed(wave)
    assert verdict_of(table, 3) is False  # 1st of 2 is no comparison with "other channels" either


def test_three_channels_none_suppressed_twitter_second_is_supported():
    wave = channel_wave({"twitter": [4] * 16, "face_to_face_senior": [5] * 16, "intranet": [2] * 16})
    _, table = analysed(wave)
    assert verdict_of(table, 3) is True


def test_tied_channels_are_named_jointly():
    """Defect 5: non-users rate email and face-to-face equally (4.0); both are named, jointly."""
    wave = channel_wave({"twitter": [4] * 16, "face_to_face_senior": [5] * 16, "intranet": [2] * 16},
                        {"email_bulletin": [4, 5, 3] * 4, "face_to_face_senior": [4] * 12, "intranet": [2] * 12})
    _, table = analysed(wave)
    assert "Non-users rated email bulletin and face to face senior jointly highest (4.00)." in table.loc[3, "statement"]


def test_many_tied_pairs_give_the_exact_p_on_the_non_zero_differences():
    """Defect 6: 30 users, 25 rate both channels the same and 5 rate face-to-face one point higher.
    The exact p is 2 / 2**5 = 0.0625 (every sign pattern of the five equally likely), not the
    normal approximation's 0.025: no significant difference, and 5 of 30 differ."""
    from scipy.stats import wilcoxon

    twitter = [3, 4, 2, 5, 4, 3] * 5
    face = [t + 1 for t in twitter[:5]] + twitter[5:]
    wave = channel_wave({"twitter": twitter, "face_to_face_senior": face, "intranet": [1] * 30})
    paired = twitter_against_face_to_face(wave, 11)
    assert (paired.n, paired.n_nonzero) == (30, 5)
    assert paired.p_value == pytest.approx(0.0625, abs=1e-12)
    assert paired.p_value == pytest.approx(wilcoxon([1] * 5, method="exact").pvalue, abs=1e-12)
    analysis, table = analysed(wave)
    text = table.loc[3, "statement"]
    assert "On the same 30 users, 5 rated the two channels differently" in text
    assert "no statistically significant difference" in text and "p = 0.062" in text


@pytest.mark.parametrize("seed", range(6))
def test_signed_rank_p_is_the_exact_permutation_p_with_ties(seed):
    """Held to scipy's exact permutation test of the signed mid-ranks (all 2**m sign patterns)."""
    from scipy.stats import permutation_test, rankdata

    rng = np.random.default_rng(seed)
    differences = rng.integers(-3, 4, 16)
    nonzero = differences[differences != 0]

    def centred_positive_rank_sum(x, axis=-1):
        ranks = rankdata(np.abs(x), axis=axis)
        return (ranks * (x > 0)).sum(axis=axis) - ranks.sum(axis=axis) / 2

    expected = permutation_test((nonzero,), centred_positive_rank_sum, permutation_type="samples",
                                n_resamples=np.inf, vectorized=True).pvalue
    assert signed_rank_p(differences) == pytest.approx(expected, rel=1e-12)


def test_signed_rank_p_is_scipys_approximation_for_many_differences():
    from scipy.stats import wilcoxon

    differences = np.random.default_rng(3).integers(-2, 3, 200)
    nonzero = differences[differences != 0]
    assert len(nonzero) > 50
    assert signed_rank_p(differences) == pytest.approx(wilcoxon(nonzero, method="approx").pvalue, rel=1e-12)


def _two_area_wave(n_users: int, n_non: int, areas: dict[str, tuple[list, list]], locality=None) -> pd.DataFrame:
    return typed_frame([True] * n_users + [False] * n_non, locality=locality,
                       engagement={a: list(u) + list(v) for a, (u, v) in areas.items()})


def test_an_area_that_cannot_be_adjusted_is_named():
    """Defect 7: users score higher in both areas; colleagues was answered only by users in the
    north and non-users in the south, so its adjusted difference cannot be estimated. Finding 1
    must name it, not say the difference "remains significant in every area"."""
    users_org = [5, 4] * 18
    non_org = [2, 3] * 18
    users_col = [5, 4] * 12 + [None] * 12
    non_col = [2, 3] * 12 + [None] * 12
    locality = ["north"] * 24 + ["south"] * 12 + ["south"] * 24 + ["north"] * 12
    wave = _two_area_wave(36, 36, {"organisation": (users_org, non_org), "colleagues": (users_col, non_col)}, locality)
    analysis, table = analysed(wave)
    adjusted = analysis.engagement_adjusted.set_index("area")
    assert pd.isna(adjusted.loc["colleagues", "estimate"]) and not adjusted.loc["colleagues", "suppressed"]
    text = table.loc[1, "statement"]
    assert verdict_of(table, 1) is True
    assert "remains statistically significant in every area where it can be estimated (1 of 2)" in text
    assert "For colleagues the adjusted difference cannot be estimated" in text
    assert "remains statistically significant in every area (" not in text


def test_direction_needs_the_means_to_agree():
    """Defect 9: 150 users all 3; non-users 90 x 2 and 60 x 5. Means 3.0 vs 3.2, yet r > 0 and
    significant: the finding is not supported and no direction is claimed."""
    wave = _two_area_wave(150, 150, {"organisation": ([3] * 150, [2] * 90 + [5] * 60)})
    analysis, table = analysed(wave)
    row = analysis.engagement_comparison.iloc[0]
    assert row["rank_biserial"] > 0 and bool(row["significant"])
    assert (row["mean_users"], row["mean_non_users"]) == (3.0, 3.2)
    assert row["rank_biserial"] == pytest.approx(2 * (150 * 90) / (150 * 150) - 1)  # every user above 90, below 60
    text = table.loc[1, "statement"]
    assert verdict_of(table, 1) is False
    assert "the test and the means point different ways, so no direction is claimed" in text
    assert f"with probability {(row['rank_biserial'] + 1) / 2:.2f}" in text
    assert "scored significantly higher than non-users" not in text


def test_a_reverse_difference_is_said_plainly():
    """Defect 10: non-users significantly higher."""
    wave = _two_area_wave(20, 20, {"organisation": ([2, 3] * 10, [4, 5] * 10)})
    _, table = analysed(wave)
    assert verdict_of(table, 1) is False
    assert "Non-users scored significantly higher than users for organisation." in table.loc[1, "statement"]


def test_one_reported_area_of_three():
    """Defect 11: no "in all 1 reported areas"; the suppressed areas are named."""
    blank = [None] * 10
    wave = _two_area_wave(20, 20, {"organisation": ([5, 4] * 10, [2, 3] * 10),
                                   "executive_team": ([5, 4] * 5 + blank, [2, 3] * 5 + blank),
                                   "colleagues": ([5, 4] * 5 + blank, [2, 3] * 10)})
    _, table = analysed(wave)
    text = table.loc[1, "statement"]
    assert verdict_of(table, 1) is True
    assert "in the only reported area, organisation" in text and "all 1" not in text
    assert f"For executive team and colleagues: {TOO_FEW}." in text


@pytest.mark.parametrize(("p", "alpha", "written"), [
    (0.0497, 0.05, "p = 0.0497"), (0.0503, 0.05, "p = 0.050"), (0.032, 0.05, "p = 0.032"),
    (0.04999, 0.05, "p = 0.04999"), (0.0999, 0.1, "p = 0.0999"), (0.35, 0.05, "p = 0.35"), (0.0004, 0.05, "p < 0.001"),
])
def test_a_p_value_is_never_rounded_across_alpha(p, alpha, written):
    """Defect 12."""
    assert p_value(p, alpha) == written
    shown = float(written.split()[-1])
    assert (shown < alpha) == (p < alpha) or written.startswith("p <")


def test_finding_2_gives_the_lowest_wilson_bound_and_names_suppressed_areas():
    """Defect 13: 14 of 27 in every area: 51.9 %, Wilson 95 % CI 34-69 %. Supported on the mean
    (contract rule 2) but the statement gives the lowest lower bound; a suppressed area is named."""
    improved = [True] * 14 + [False] * 13
    uses = [True] * 27 + [False] * 12
    frame = typed_frame(uses, engagement={"organisation": [3] * 39},
                        improved={"organisation": improved + [None] * 12, "colleagues": improved + [None] * 12,
                                  "executive_team": [True] * 5 + [None] * 34})
    analysis, table = analysed(frame)
    low = analysis.perceived_impact.set_index("area").loc["organisation", "ci_low"]
    from statsmodels.stats.proportion import proportion_confint
    assert low == pytest.approx(100 * proportion_confint(14, 27, method="wilson")[0])
    text = table.loc[2, "statement"]
    assert verdict_of(table, 2) is True
    assert f"The lowest lower 95 % bound among the areas is {low:.0f} % (organisation), so a majority is not " \
           "established with 95 % confidence in every area." in text
    assert f"For executive team: {TOO_FEW}." in text


# --- channel_impact intervals and channel_comparison ------------------------------------------------

def test_channel_means_carry_the_t_interval_of_statsmodels():
    from statsmodels.stats.weightstats import DescrStatsW

    from engagement_pipeline.analysis.channel_impact import channel_impact

    rng = np.random.default_rng(5)
    users = {c: [int(s) for s in rng.integers(1, 6, 23)] for c in ("twitter", "intranet", "face_to_face_senior")}
    users["intranet"][:4] = [None] * 4
    non_users = {c: [int(s) for s in rng.integers(1, 6, 15)] for c in ("intranet", "face_to_face_senior")}
    table = channel_impact(channel_wave(users, non_users), WAVE, 11)
    for r in table.itertuples():
        scores = np.array([s for s in (users if r.respondent_group == "users" else non_users)[r.channel] if s is not None],
                          dtype=float)
        low, high = DescrStatsW(scores).tconfint_mean(alpha=0.05)
        assert r.n == len(scores) and r.mean_score == pytest.approx(scores.mean())
        assert (r.ci_low, r.ci_high) == (pytest.approx(low, rel=1e-12), pytest.approx(high, rel=1e-12))


def test_channel_comparison_is_paired_signed_rank_with_holm_over_channels():
    from scipy.stats import wilcoxon
    from statsmodels.stats.multitest import multipletests

    from engagement_pipeline.analysis.channel_impact import channel_comparison

    rng = np.random.default_rng(11)
    n = 80
    twitter = rng.integers(1, 6, n)
    others = {"face_to_face_senior": np.clip(twitter + rng.integers(-1, 3, n), 1, 5),  # many non-zero: approximation
              "intranet": np.where(np.arange(n) < 70, twitter, np.clip(twitter - 1, 1, 5)),  # few non-zero: exact
              "email_bulletin": rng.integers(1, 6, n)}
    wave = channel_wave({"twitter": list(twitter), **{c: list(v) for c, v in others.items()}})
    table = channel_comparison(wave, WAVE, 11, 0.05).set_index("channel")
    expected_p = {}
    for channel, values in others.items():
        differences = twitter.astype(float) - values
        nonzero = differences[differences != 0]
        row = table.loc[channel]
        assert (row["n_pairs"], row["n_nonzero"]) == (n, len(nonzero))
        assert row["mean_difference"] == pytest.approx(differences.mean())
        method = "exact" if len(nonzero) <= 50 else "approx"
        if method == "exact" and len(np.unique(np.abs(nonzero))) == len(nonzero):
            expected_p[channel] = wilcoxon(nonzero, method="exact").pvalue
        elif method == "exact":
            from scipy.stats import permutation_test, rankdata

            def statistic(x, axis=-1):
                ranks = rankdata(np.abs(x), axis=axis)
                return (ranks * (x > 0)).sum(axis=axis) - ranks.sum(axis=axis) / 2
            # exact over all 2**m sign patterns is too many for m > 20: scipy's randomised version
            result = permutation_test((nonzero,), statistic, permutation_type="samples", n_resamples=200_000,
                                      vectorized=True, random_state=0)
            expected_p[channel] = result.pvalue
        else:
            expected_p[channel] = wilcoxon(nonzero, method="approx").pvalue
        tolerance = 0.01 if method == "exact" and len(nonzero) > 20 else 1e-12
        assert row["p_value"] == pytest.approx(expected_p[channel], abs=tolerance), channel
    holm = multipletests([table.loc[c, "p_value"] for c in others], method="holm")[1]
    for channel, adjusted in zip(others, holm):
        assert table.loc[channel, "p_holm"] == pytest.approx(adjusted, rel=1e-12)
        assert table.loc[channel, "significant"] == (adjusted < 0.05)


def test_channel_comparison_hides_a_pair_that_would_give_away_a_few_raters():
    """30 users rated Twitter, 25 of them intranet too (the other 5 left it blank): channel_impact's
    Twitter mean over 30, the intranet mean over 25 and a published mean difference over the 25
    would give the 5 others' Twitter mean. Suppressed; with 11 or more such users it is not."""
    from engagement_pipeline.analysis.channel_impact import channel_comparison

    twitter = [4, 3, 5] * 10
    wave = channel_wave({"twitter": twitter, "intranet": [2] * 25 + [None] * 5, "email_bulletin": [3] * 30})
    table = channel_comparison(wave, WAVE, 11, 0.05).set_index("channel")
    assert table.loc["intranet", "suppressed"] and pd.isna(table.loc["intranet", "n_pairs"])
    assert not table.loc["email_bulletin", "suppressed"]
    wave = channel_wave({"twitter": twitter, "intranet": [2] * 19 + [None] * 11})
    assert not channel_comparison(wave, WAVE, 11, 0.05)["suppressed"].any()


# --- item non-response -------------------------------------------------------------------------------

def test_item_response_counts_answers_per_item_and_group():
    from statsmodels.stats.proportion import proportion_confint

    from engagement_pipeline.analysis.item_response import item_response

    uses = [True] * 20 + [False] * 14
    frame = typed_frame(uses, engagement={"organisation": [3] * 18 + [None] * 2 + [4] * 7 + [None] * 7},
                        improved={"organisation": [True] * 19 + [None] + [None] * 14},
                        channel={"twitter": [4] * 20 + [None] * 14, "intranet": [2] * 34},
                        barrier={"time": [None] * 20 + [True] * 10 + [None] * 4})
    table = item_response(frame, WAVE, 11).set_index(["item", "respondent_group"])
    expected = {("engagement_organisation", "users"): (20, 18), ("engagement_organisation", "non_users"): (14, 7),
                ("improved_organisation", "users"): (20, 19), ("channel_twitter", "users"): (20, 20),
                ("channel_intranet", "users"): (20, 20), ("channel_intranet", "non_users"): (14, 14),
                ("barrier_time", "non_users"): (14, 10)}
    assert set(table.index) == set(expected)
    for key, (asked, answered) in expected.items():
        row = table.loc[key]
        assert (row["n_asked"], row["n_answered"]) == (asked, answered)
        assert row["pct_answered"] == pytest.approx(100 * answered / asked)
        low, high = proportion_confint(answered, asked, method="wilson")
        assert row["ci_low"] == pytest.approx(min(100 * low, row["pct_answered"]))
        assert row["ci_high"] == pytest.approx(100.0 if answered == asked else 100 * high)
    small = item_response(frame, WAVE, 15).set_index(["item", "respondent_group"])
    assert small.loc[("engagement_organisation", "non_users"), "suppressed"]
    assert small.loc[("engagement_organisation", "non_users")][["n_asked", "n_answered", "pct_answered"]].isna().all()


def test_the_report_names_an_item_whose_non_response_differs_markedly():
    from scipy.stats import fisher_exact
    from statsmodels.stats.multitest import multipletests

    from engagement_pipeline.reporting.report import non_response_differences

    # organisation: users 39 of 40 answered, non-users 20 of 40; colleagues: 38 and 37 of 40
    uses = [True] * 40 + [False] * 40
    frame = typed_frame(uses, engagement={"organisation": [4] * 39 + [None] + [3] * 20 + [None] * 20,
                                          "colleagues": [4] * 38 + [None] * 2 + [3] * 37 + [None] * 3})
    analysis, _ = analysed(frame)
    differences = non_response_differences(analysis.item_response, 0.05).set_index("item")
    p = [fisher_exact([[39, 1], [20, 20]]).pvalue, fisher_exact([[38, 2], [37, 3]]).pvalue]
    holm = multipletests(p, method="holm")[1]
    assert differences.loc["engagement_organisation", "p_value"] == pytest.approx(p[0], rel=1e-12)
    assert differences.loc["engagement_colleagues", "p_holm"] == pytest.approx(holm[1], rel=1e-12)
    assert differences["marked"].tolist() == [True, False]
    notes = " ".join(methods(analysis, NAMES))
    assert "Item non-response differs markedly between users and non-users for organisation (engagement; answered " \
           "by 98 % of users and 50 % of non-users" in notes
    assert "colleagues (engagement" not in notes


# --- ordinal sensitivity check -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_the_ordinal_check_is_statsmodels_ordered_model_on_every_row(seed):
    from scipy.stats import norm
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(seed)
    n = 300
    uses = rng.integers(0, 2, n).astype(bool)
    staff = rng.choice(["nursing", "medical", "admin"], n)
    locality = rng.choice(["north", "south"], n)
    scores = {area: np.clip(np.round(3 + shift * uses + rng.normal(0, 1, n)), 1, 5).astype(int)
              for area, shift in (("organisation", 0.6), ("colleagues", 0.0))}
    frame = typed_frame(list(uses), locality=list(locality), staff_group=list(staff),
                        engagement={a: [int(s) for s in v] for a, v in scores.items()})
    table = engagement_adjusted(frame, WAVE, 11, 0.05).set_index("area")
    design = pd.concat([pd.Series(uses.astype(float), name="uses_twitter"),
                        pd.get_dummies(pd.DataFrame({"staff_group": staff, "locality": locality}), drop_first=True,
                                       dtype=float)], axis=1)
    p_values = []
    for area, score in scores.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = OrderedModel(pd.Series(pd.Categorical(score, ordered=True)), design, distr="logit").fit(
                method="bfgs", maxiter=2000, disp=False)
        beta, se = fit.params["uses_twitter"], fit.bse["uses_twitter"]
        row = table.loc[area]
        assert row["odds_ratio"] == pytest.approx(np.exp(beta), rel=1e-4)
        assert row["odds_ratio_ci_low"] == pytest.approx(np.exp(beta - norm.ppf(0.975) * se), rel=1e-3)
        assert row["odds_ratio_ci_high"] == pytest.approx(np.exp(beta + norm.ppf(0.975) * se), rel=1e-3)
        assert row["odds_ratio_p_value"] == pytest.approx(fit.pvalues["uses_twitter"], rel=1e-2, abs=1e-12)
        p_values.append(row["odds_ratio_p_value"])
    holm = multipletests(p_values, method="holm")[1]
    assert table["odds_ratio_p_holm"].tolist() == pytest.approx(list(holm))
    for area, row in table.iterrows():
        ols = int(np.sign(row["estimate"])) if row["significant"] else 0
        ordinal = int(np.sign(np.log(row["odds_ratio"]))) if row["odds_ratio_p_holm"] < 0.05 else 0
        assert row["models_agree"] == (ols == ordinal)


def test_the_ordinal_check_is_null_under_separation_and_the_report_says_so():
    """Every user answers 5 and no non-user does: the ordinal coefficient runs off to infinity."""
    uses = [True] * 15 + [False] * 15
    frame = typed_frame(uses, engagement={"organisation": [5] * 15 + [1, 2, 3, 4, 2] * 3})
    analysis, _ = analysed(frame)
    row = analysis.engagement_adjusted.iloc[0]
    assert pd.isna(row["odds_ratio"]) and pd.isna(row["models_agree"]) and not row["suppressed"]
    assert "The ordinal (proportional-odds) check could not be estimated for any area." in " ".join(methods(analysis))
