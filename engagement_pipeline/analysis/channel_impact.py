"""``channel_impact``: mean impact score per channel and group, with its 95 % t-interval, ranked;
``channel_comparison``: Twitter against every other channel on the same users (paired
signed-rank tests, Holm over channels)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata, t as student_t, wilcoxon
from statsmodels.stats.multitest import multipletests

from ..warehouse.registry import TABLES
from .respondent_groups import NON_USERS, USERS, items, split

COLUMNS = TABLES["channel_impact"].column_names
TWITTER = "twitter"
FACE_TO_FACE = "face_to_face_senior"


def t_interval(scores: np.ndarray, level: float = 0.95) -> tuple[float | None, float | None]:
    """Mean ± t(0.975, n - 1) · s / √n; NULL for a single score (no spread to estimate)."""
    n = len(scores)
    if n < 2:
        return None, None
    mean = float(scores.mean())
    half = float(student_t.ppf(0.5 + level / 2, n - 1) * scores.std(ddof=1) / np.sqrt(n))
    return mean - half, mean + half


def channel_impact(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    users, non_users = split(responses, "channel")
    rows = []
    for group_name, group in ((USERS, users), (NON_USERS, non_users)):
        for channel in items(responses, "channel"):
            if channel == TWITTER and group_name == NON_USERS:
                continue  # non-users do not rate Twitter
            scores = group[f"channel_{channel}"].dropna().astype(float)
            suppressed = len(scores) < min_group_size
            low, high = (None, None) if suppressed else t_interval(scores.to_numpy())
            rows.append({"wave": wave, "channel": channel, "respondent_group": group_name,
                         "n": None if suppressed else len(scores),
                         "mean_score": None if suppressed else float(scores.mean()),
                         "ci_low": low, "ci_high": high, "suppressed": suppressed})
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    # RANK() semantics within the group: 1 = highest mean, ties share the lower number.
    frame["rank"] = frame.groupby("respondent_group")["mean_score"].rank(method="min", ascending=False)
    return TABLES["channel_impact"].conform(frame)


#: Up to this many non-zero differences the signed-rank p-value is exact (scipy's own limit for its
#: exact method); above it, the normal approximation with the tie correction is close.
EXACT_UP_TO = 50


def signed_rank_p(differences: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value of paired differences, zeros left out.

    With few non-zero differences the p-value is exact: every sign pattern of the non-zero
    differences is equally likely under no difference, and the statistic (the sum of the positive
    differences' mid-ranks) is counted over all of them, ties included; many zero pairs then
    cannot make a handful of +1s look significant (5 of 30 pairs at +1: p = 2/32 = 0.0625, where the
    normal approximation says 0.025). Above ``EXACT_UP_TO`` it is scipy's normal approximation.
    """
    nonzero = differences[differences != 0]
    m = len(nonzero)
    if m == 0:
        return 1.0
    if m > EXACT_UP_TO:
        return float(wilcoxon(nonzero, method="approx").pvalue)
    doubled = np.rint(2 * rankdata(np.abs(nonzero))).astype(np.int64)  # mid-ranks are multiples of 1/2
    total = int(doubled.sum())
    distribution = np.zeros(total + 1)
    distribution[0] = 1.0
    for rank in doubled:  # each difference adds its rank with probability 1/2
        shifted = np.zeros_like(distribution)
        shifted[rank:] = distribution[:-rank]
        distribution = 0.5 * (distribution + shifted)
    observed = int(doubled[nonzero > 0].sum())
    distance = abs(2 * np.arange(total + 1) - total)
    return float(min(1.0, distribution[distance >= abs(2 * observed - total)].sum()))


@dataclass(frozen=True)
class PairedTest:
    """Users who rated both channels: signed-rank test of ``first`` minus ``second``."""

    n: int
    n_nonzero: int | None
    mean_difference: float | None
    p_value: float | None
    suppressed: bool


def paired_test(first: pd.Series, second: pd.Series, min_group_size: int) -> PairedTest:
    """The two ratings of the users who gave both; suppressed below the minimum group size."""
    both = pd.concat([first, second], axis=1).dropna().astype(float)
    if len(both) < min_group_size:
        return PairedTest(len(both), None, None, None, True)
    difference = (both.iloc[:, 0] - both.iloc[:, 1]).to_numpy()
    return PairedTest(len(both), int((difference != 0).sum()), float(difference.mean()),
                      signed_rank_p(difference), False)


def channel_comparison(responses: pd.DataFrame, wave: str, min_group_size: int, alpha: float) -> pd.DataFrame:
    """Twitter against each other channel, on the users who rated both: signed-rank test of
    Twitter minus the channel (:func:`signed_rank_p`), Holm over the reported channels.

    A row is suppressed when fewer than ``min_group_size`` users rated both, and also when the
    users who rated only one of the two number 1 to ``min_group_size`` - 1: channel_impact
    publishes each channel's mean over all its raters, so the pairs' mean difference would
    otherwise give away the few others' mean (complementary suppression, §4.4).
    """
    rows = []
    column = f"channel_{TWITTER}"
    if column in responses:
        users, _ = split(responses, "channel")
        for channel in items(responses, "channel"):
            if channel == TWITTER:
                continue
            test = paired_test(users[column], users[f"channel_{channel}"], min_group_size)
            rated_one = int(users[column].notna().sum() + users[f"channel_{channel}"].notna().sum()) - 2 * test.n
            suppressed = test.suppressed or 0 < rated_one < min_group_size
            rows.append({"wave": wave, "channel": channel, "n_pairs": None if suppressed else test.n,
                         "n_nonzero": None if suppressed else test.n_nonzero,
                         "mean_difference": None if suppressed else test.mean_difference,
                         "p_value": None if suppressed else test.p_value, "p_holm": None, "significant": None,
                         "suppressed": suppressed})
    frame = pd.DataFrame(rows, columns=TABLES["channel_comparison"].column_names)
    reported = ~frame["suppressed"].astype(bool)
    if reported.any():
        frame.loc[reported, "p_holm"] = multipletests(frame.loc[reported, "p_value"].astype(float), method="holm")[1]
        frame.loc[reported, "significant"] = frame.loc[reported, "p_holm"].astype(float) < alpha
    return TABLES["channel_comparison"].conform(frame)


def twitter_against_face_to_face(responses: pd.DataFrame, min_group_size: int) -> PairedTest | None:
    columns = [f"channel_{FACE_TO_FACE}", f"channel_{TWITTER}"]
    if not all(c in responses for c in columns):
        return None
    users, _ = split(responses, "channel")
    return paired_test(users[columns[0]], users[columns[1]], min_group_size)
