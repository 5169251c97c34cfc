"""``engagement_comparison``: users against non-users per area (contract §5).

Two-sided Mann-Whitney U (scipy, default method), U of the users' sample, rank-biserial
correlation with a seeded bootstrap interval, Holm's adjustment over the wave's reported areas.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

from .groups import items, split

LEVELS = np.arange(1, 6)
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20190301

COLUMNS = ["wave", "area", "n_users", "n_non_users", "mean_users", "mean_non_users", "median_users",
           "median_non_users", "u_statistic", "p_value", "p_holm", "rank_biserial", "rank_biserial_ci_low",
           "rank_biserial_ci_high", "significant", "suppressed"]
_STATS = COLUMNS[4:-2]

# U counts, for each pair of scores (x from users, y from non-users), 1 if x > y and 1/2 if tied.
_PAIR_WEIGHTS = (LEVELS[:, None] > LEVELS[None, :]) + 0.5 * (LEVELS[:, None] == LEVELS[None, :])


def rank_biserial(u_statistic: float, n_users: int, n_non_users: int) -> float:
    """2U/(n1 n2) - 1: +1 when every user scores above every non-user, -1 the reverse."""
    return 2.0 * u_statistic / (n_users * n_non_users) - 1.0


def bootstrap_rank_biserial(users: np.ndarray, non_users: np.ndarray, seed: int | list[int],
                            resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile 95 % interval of the rank-biserial, resampling each group with replacement.

    Scores are 1-5, so a resample of a group is a multinomial draw of its score counts and U is
    a bilinear form of the two count vectors: exact and independent of the number of rows.
    """
    rng = np.random.default_rng(seed)
    n1, n2 = len(users), len(non_users)
    p1 = np.bincount(users.astype(int), minlength=6)[1:] / n1
    p2 = np.bincount(non_users.astype(int), minlength=6)[1:] / n2
    c1 = rng.multinomial(n1, p1, size=resamples)
    c2 = rng.multinomial(n2, p2, size=resamples)
    u = np.einsum("bi,ij,bj->b", c1, _PAIR_WEIGHTS, c2)
    low, high = np.percentile(2.0 * u / (n1 * n2) - 1.0, [2.5, 97.5])
    return float(low), float(high)


def area_seed(wave: str, area: str) -> list[int]:
    """A reproducible seed per (wave, area)."""
    return [BOOTSTRAP_SEED, zlib.crc32(wave.encode()), zlib.crc32(area.encode())]


def engagement_comparison(responses: pd.DataFrame, wave: str, min_group_size: int, alpha: float) -> pd.DataFrame:
    users, non_users = split(responses)
    rows = []
    for area in items(responses, "engagement"):
        a = users[f"engagement_{area}"].dropna().to_numpy(dtype=float)
        b = non_users[f"engagement_{area}"].dropna().to_numpy(dtype=float)
        row = {"wave": wave, "area": area, "n_users": len(a), "n_non_users": len(b)}
        if min(len(a), len(b)) < min_group_size:
            rows.append({**row, **dict.fromkeys(_STATS), "significant": None, "suppressed": True})
            continue
        test = mannwhitneyu(a, b, alternative="two-sided")
        low, high = bootstrap_rank_biserial(a, b, area_seed(wave, area))
        rows.append({
            **row, "mean_users": a.mean(), "mean_non_users": b.mean(),
            "median_users": float(np.median(a)), "median_non_users": float(np.median(b)),
            "u_statistic": float(test.statistic), "p_value": float(test.pvalue), "p_holm": None,
            "rank_biserial": rank_biserial(test.statistic, len(a), len(b)),
            "rank_biserial_ci_low": low, "rank_biserial_ci_high": high, "significant": None, "suppressed": False,
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    reported = ~frame["suppressed"].astype(bool)
    if reported.any():
        frame.loc[reported, "p_holm"] = multipletests(frame.loc[reported, "p_value"].astype(float), method="holm")[1]
        frame.loc[reported, "significant"] = frame.loc[reported, "p_holm"].astype(float) < alpha
    return frame.astype({
        "wave": "string", "area": "string", "n_users": "int64", "n_non_users": "int64",
        **{c: "float64" for c in _STATS}, "significant": "boolean", "suppressed": "bool",
    })


def likert_distribution(responses: pd.DataFrame, family: str = "engagement") -> pd.DataFrame:
    """Counts of each score 1-5 per item and group (users / non_users): the input of Likert charts."""
    users, non_users = split(responses)
    rows = []
    for item in items(responses, family):
        for group_name, group in (("users", users), ("non_users", non_users)):
            counts = np.bincount(group[f"{family}_{item}"].dropna().astype(int), minlength=6)[1:]
            rows.extend({"item": item, "respondent_group": group_name, "score": int(level), "n": int(n)}
                        for level, n in zip(LEVELS, counts))
    return pd.DataFrame(rows, columns=["item", "respondent_group", "score", "n"])
