"""``channel_impact``: mean impact score per channel and group, ranked, and the users' paired
Twitter-against-face-to-face test."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy.stats import wilcoxon

from ..warehouse.registry import TABLES
from .respondent_groups import NON_USERS, USERS, items, split

COLUMNS = TABLES["channel_impact"].column_names
TWITTER = "twitter"
FACE_TO_FACE = "face_to_face_senior"


def channel_impact(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    users, non_users = split(responses, "channel")
    rows = []
    for group_name, group in ((USERS, users), (NON_USERS, non_users)):
        for channel in items(responses, "channel"):
            if channel == TWITTER and group_name == NON_USERS:
                continue  # non-users do not rate Twitter
            scores = group[f"channel_{channel}"].dropna()
            suppressed = len(scores) < min_group_size
            rows.append({"wave": wave, "channel": channel, "respondent_group": group_name, "n": len(scores),
                         "mean_score": None if suppressed else float(scores.astype(float).mean()),
                         "suppressed": suppressed})
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    # RANK() semantics within the group: 1 = highest mean, ties share the lower number.
    frame["rank"] = frame.groupby("respondent_group")["mean_score"].rank(method="min", ascending=False)
    return TABLES["channel_impact"].conform(frame)


@dataclass(frozen=True)
class PairedTest:
    """Users who rated both channels: Wilcoxon signed-rank of face-to-face minus Twitter."""

    n: int
    mean_difference: float | None
    p_value: float | None
    suppressed: bool


def twitter_against_face_to_face(responses: pd.DataFrame, min_group_size: int) -> PairedTest | None:
    columns = [f"channel_{FACE_TO_FACE}", f"channel_{TWITTER}"]
    if not all(c in responses for c in columns):
        return None
    users, _ = split(responses, "channel")
    both = users[columns].dropna().astype(float)
    if len(both) < min_group_size:
        return PairedTest(len(both), None, None, True)
    difference = both[columns[0]] - both[columns[1]]
    p_value = 1.0 if (difference == 0).all() else float(wilcoxon(both[columns[0]], both[columns[1]]).pvalue)
    return PairedTest(len(both), float(difference.mean()), p_value, False)
