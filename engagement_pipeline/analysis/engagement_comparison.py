"""``engagement_comparison``: users against non-users per area (docs/data-contract.md §5).

Two-sided Mann-Whitney U (scipy's default method), U of the users' sample, rank-biserial
correlation with a seeded bootstrap interval, Holm's adjustment over the wave's reported areas.
Scores are 1-5, so everything is computed from each group's five score counts: the same numbers
as on the raw rows, at a cost that does not grow with the wave.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy.special import ndtr
from scipy.stats import mannwhitneyu
from statsmodels.stats.multitest import multipletests

from ..warehouse.registry import TABLES
from .respondent_groups import NON_USERS, USERS, items

LEVELS = np.arange(1, 6)
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_SEED = 20190301

COLUMNS = TABLES["engagement_comparison"].column_names
_STATS = COLUMNS[4:-2]

# U counts, for each pair of scores (x from users, y from non-users), 1 if x > y and 1/2 if tied.
_PAIR_WEIGHTS = (LEVELS[:, None] > LEVELS[None, :]) + 0.5 * (LEVELS[:, None] == LEVELS[None, :])


def rank_biserial(u_statistic: float, n_users: int, n_non_users: int) -> float:
    """2U/(n1 n2) - 1: +1 when every user scores above every non-user, -1 the reverse."""
    return 2.0 * u_statistic / (n_users * n_non_users) - 1.0


def score_counts(scores: pd.Series | np.ndarray) -> np.ndarray:
    """How many answered 1, 2, 3, 4 and 5 (blanks left out)."""
    values = pd.Series(scores).dropna().to_numpy(dtype=np.int64)
    return np.bincount(values, minlength=6)[1:]


def mann_whitney(users: np.ndarray, non_users: np.ndarray) -> tuple[float, float]:
    """(U of the users, two-sided p) of ``scipy.stats.mannwhitneyu`` with its default method, from
    the groups' score counts.

    Where scipy would take its asymptotic branch (either group above 8, or any tie) this is that
    branch's formula: U as a count of pairs, the normal approximation with the tie correction
    and the continuity correction. Otherwise (tiny samples without ties) scipy's exact test is
    called on the few scores themselves.
    """
    n1, n2 = int(users.sum()), int(non_users.sum())
    ties = (users + non_users) > 1
    if not (n1 > 8 and n2 > 8) and not ties.any():
        test = mannwhitneyu(np.repeat(LEVELS, users), np.repeat(LEVELS, non_users))  # two-sided
        return float(test.statistic), float(test.pvalue)
    u1 = float(users @ _PAIR_WEIGHTS @ non_users)
    u = max(u1, n1 * n2 - u1)
    n, t = n1 + n2, (users + non_users).astype(float)
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - (t ** 3 - t).sum() / (n * (n - 1))))
    # sigma is 0 when every answer is the same score or a group is empty: z is then -inf, p is 1.
    with np.errstate(divide="ignore"):
        z = (u - n1 * n2 / 2 - 0.5) / sigma
    return u1, float(min(2 * ndtr(-z), 1.0))


def bootstrap_rank_biserial(users: np.ndarray, non_users: np.ndarray, seed: int | list[int],
                            resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile 95 % interval of the rank-biserial, resampling each group's scores with replacement."""
    return bootstrap_from_counts(score_counts(users), score_counts(non_users), seed, resamples)


def bootstrap_from_counts(users: np.ndarray, non_users: np.ndarray, seed: int | list[int],
                          resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """``bootstrap_rank_biserial`` from score counts.

    A resample of a group is a multinomial draw of its score counts and U is a bilinear form of
    the two count vectors: exact and independent of the number of rows.
    """
    rng = np.random.default_rng(seed)
    n1, n2 = int(users.sum()), int(non_users.sum())
    c1 = rng.multinomial(n1, users / n1, size=resamples)
    c2 = rng.multinomial(n2, non_users / n2, size=resamples)
    u = ((c1 @ _PAIR_WEIGHTS) * c2).sum(axis=1)
    low, high = np.percentile(2.0 * u / (n1 * n2) - 1.0, [2.5, 97.5])
    return float(low), float(high)


def _median(counts: np.ndarray) -> float:
    return float(np.median(np.repeat(LEVELS, counts)))


def area_seed(wave: str, area: str) -> list[int]:
    """A reproducible seed per (wave, area)."""
    return [BOOTSTRAP_SEED, zlib.crc32(wave.encode()), zlib.crc32(area.encode())]


def engagement_comparison(responses: pd.DataFrame, wave: str, min_group_size: int, alpha: float) -> pd.DataFrame:
    users = responses["uses_twitter"].astype(bool).to_numpy()
    rows = []
    for area in items(responses, "engagement"):
        scores = responses[f"engagement_{area}"]
        a, b = score_counts(scores[users]), score_counts(scores[~users])
        n_users, n_non_users = int(a.sum()), int(b.sum())
        row = {"wave": wave, "area": area, "n_users": n_users, "n_non_users": n_non_users}
        if min(n_users, n_non_users) < min_group_size:
            rows.append({**row, **dict.fromkeys(_STATS), "significant": None, "suppressed": True})
            continue
        u_statistic, p_value = mann_whitney(a, b)
        low, high = bootstrap_from_counts(a, b, area_seed(wave, area))
        rows.append({
            **row, "mean_users": float(LEVELS @ a) / n_users, "mean_non_users": float(LEVELS @ b) / n_non_users,
            "median_users": _median(a), "median_non_users": _median(b),
            "u_statistic": u_statistic, "p_value": p_value, "p_holm": None,
            "rank_biserial": rank_biserial(u_statistic, n_users, n_non_users),
            "rank_biserial_ci_low": low, "rank_biserial_ci_high": high, "significant": None, "suppressed": False,
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    reported = ~frame["suppressed"].astype(bool)
    if reported.any():
        p_holm = multipletests(frame.loc[reported, "p_value"], method="holm")[1]
        frame.loc[reported, "p_holm"] = p_holm
        frame.loc[reported, "significant"] = p_holm < alpha
    return TABLES["engagement_comparison"].conform(frame)


def likert_distribution(responses: pd.DataFrame, family: str = "engagement") -> pd.DataFrame:
    """Counts of each score 1-5 per item and group (users / non_users): the input of Likert charts."""
    users = responses["uses_twitter"].astype(bool).to_numpy()
    rows = []
    for item in items(responses, family):
        scores = responses[f"{family}_{item}"]
        for group_name, members in ((USERS, users), (NON_USERS, ~users)):
            counts = score_counts(scores[members])
            rows.extend({"item": item, "respondent_group": group_name, "score": int(level), "n": int(n)}
                        for level, n in zip(LEVELS, counts))
    return pd.DataFrame(rows, columns=["item", "respondent_group", "score", "n"])
