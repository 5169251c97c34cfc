"""``analysis/proportions.py`` where the mutation run found it unguarded: the Wilson bounds just
off the ends (1 of n, n - 1 of n), the mean of the reported percentages (the waves table's
``mean_pct_improved``), and the wave on every row of a yes-share table."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from engagement_pipeline.analysis.proportions import mean_of_reported, percentage, yes_share_table


@pytest.mark.parametrize(("k", "n"), [(1, 12), (1, 27), (26, 27), (11, 12), (5, 11)])
def test_only_0_of_n_and_n_of_n_are_pinned_to_the_ends(k, n):
    """Between the ends the interval is statsmodels' Wilson interval, strictly inside 0-100."""
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    stats = percentage(k, n, 11)
    assert (stats["ci_low"], stats["ci_high"]) == pytest.approx((100 * low, 100 * high), rel=1e-12)
    assert 0.0 < stats["ci_low"] < stats["pct"] < stats["ci_high"] < 100.0
    assert stats["pct"] == pytest.approx(100 * k / n, rel=1e-15) and stats["suppressed"] is False


def test_mean_of_reported_skips_suppressed_and_missing_figures():
    assert mean_of_reported([10.0, None, math.nan, 20.0, 60.0]) == pytest.approx(30.0)
    assert mean_of_reported([74.0]) == 74.0
    assert mean_of_reported([None, math.nan]) is None
    assert mean_of_reported([]) is None


def test_a_yes_share_table_names_its_wave_on_every_row():
    group = pd.DataFrame({"barrier_time": pd.array([True, False, None, True] * 3, dtype="boolean"),
                          "barrier_cost": pd.array([False] * 12, dtype="boolean")})
    table = yes_share_table(group, "barrier", "2031-04", 5, "barriers", item="barrier", selected="n_selected",
                            pct="pct_selected")
    assert table["wave"].tolist() == ["2031-04", "2031-04"]
    assert table[["barrier", "n_answered", "n_selected"]].values.tolist() == [["time", 9, 6], ["cost", 12, 0]]
