"""``analysis/engagement_comparison.py`` where the mutation run found it unguarded: the bootstrap
interval's level against a resampling written out here, the significance boundary (``p_holm <
alpha``, not ``<=``), the wave and suppression flags on every row, a wave without areas, and a
comparison without spread (p is 1, and no warning)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from engagement_pipeline.analysis.engagement_comparison import (LEVELS, area_seed, bootstrap_from_counts,
                                                                bootstrap_rank_biserial, engagement_comparison,
                                                                likert_distribution, mann_whitney, score_counts)
from engagement_pipeline.warehouse.registry import TABLES

WAVE = "2031-05"
USERS = np.array([5, 4, 4, 5, 3, 4, 2, 5, 4, 3, 5, 4])
NON_USERS = np.array([3, 2, 4, 3, 1, 3, 2, 4, 3, 2])


def _percentile_interval(users: np.ndarray, non_users: np.ndarray, seed, resamples: int) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the rank-biserial over resampled groups, each resample
    drawn as counts from the same generator and seed, U counted pair by pair on the scores."""
    rng = np.random.default_rng(seed)
    n1, n2 = len(users), len(non_users)
    c1 = rng.multinomial(n1, score_counts(users) / n1, size=resamples)
    c2 = rng.multinomial(n2, score_counts(non_users) / n2, size=resamples)
    values = []
    for a, b in zip(c1, c2):
        x, y = np.repeat(LEVELS, a), np.repeat(LEVELS, b)
        u = (x[:, None] > y[None, :]).sum() + 0.5 * (x[:, None] == y[None, :]).sum()
        values.append(2 * u / (n1 * n2) - 1)
    return tuple(np.percentile(values, [2.5, 97.5]))


def test_the_bootstrap_interval_is_the_95_percent_percentile_interval():
    seed = area_seed(WAVE, "organisation")
    expected = _percentile_interval(USERS, NON_USERS, seed, 1500)
    assert bootstrap_from_counts(score_counts(USERS), score_counts(NON_USERS), seed, 1500) == \
        pytest.approx(expected, abs=1e-12)
    assert bootstrap_rank_biserial(USERS, NON_USERS, seed, 1500) == pytest.approx(expected, abs=1e-12)
    # the seed and the number of resamples are the ones given
    assert bootstrap_rank_biserial(USERS, NON_USERS, [1, 2, 3], 1500) == pytest.approx(
        _percentile_interval(USERS, NON_USERS, [1, 2, 3], 1500), abs=1e-12)
    assert bootstrap_rank_biserial(USERS, NON_USERS, seed, 700) == pytest.approx(
        _percentile_interval(USERS, NON_USERS, seed, 700), abs=1e-12)


def _wave(users: np.ndarray, non_users: np.ndarray, extra_small: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame({
        "uses_twitter": [True] * len(users) + [False] * len(non_users),
        "engagement_organisation": pd.array(np.concatenate([users, non_users]), dtype="Int8"),
    })
    if extra_small:  # an area only three non-users answered
        answered = [True] * len(users) + [True, True, True] + [False] * (len(non_users) - 3)
        frame["engagement_team"] = frame["engagement_organisation"].where(answered)
    return frame


def test_every_row_names_its_wave_and_whether_it_is_suppressed():
    table = engagement_comparison(_wave(USERS, NON_USERS, extra_small=True), WAVE, 5, 0.05).set_index("area")
    assert table["wave"].tolist() == [WAVE, WAVE]
    assert table["suppressed"].tolist() == [False, True]
    assert table.loc["team", ["n_users", "n_non_users"]].tolist() == [12, 3]
    assert table.loc["team", ["p_value", "p_holm", "rank_biserial", "significant"]].isna().all()


def test_significant_means_p_holm_strictly_below_alpha():
    p_holm = float(engagement_comparison(_wave(USERS, NON_USERS), WAVE, 5, 0.05)["p_holm"].iloc[0])
    at = engagement_comparison(_wave(USERS, NON_USERS), WAVE, 5, p_holm)
    above = engagement_comparison(_wave(USERS, NON_USERS), WAVE, 5, float(np.nextafter(p_holm, 1.0)))
    assert (bool(at["significant"].iloc[0]), bool(above["significant"].iloc[0])) == (False, True)


def test_a_wave_without_areas_gives_empty_tables_with_every_column():
    frame = pd.DataFrame({"uses_twitter": [True, False]})
    table = engagement_comparison(frame, WAVE, 5, 0.05)
    assert len(table) == 0 and list(table.columns) == TABLES["engagement_comparison"].column_names
    distribution = likert_distribution(frame)
    assert len(distribution) == 0 and list(distribution.columns) == ["item", "respondent_group", "score", "n"]


@pytest.mark.parametrize("users, non_users", [
    ([0, 0, 5, 0, 0], [0, 0, 7, 0, 0]),   # every answer the same score: no spread at all
    ([0, 0, 0, 0, 0], [1, 2, 3, 0, 0]),   # no users (with ties, so the normal approximation)
])
def test_a_comparison_without_spread_has_p_one_and_warns_of_nothing(users, non_users):
    """The normal approximation's sigma is 0 there: z is -inf and p is 1 (capped from 2), quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u_statistic, p_value = mann_whitney(np.array(users), np.array(non_users))
    assert (u_statistic, p_value) == (sum(users) * sum(non_users) / 2, 1.0)
