"""``waves``: one summary row per wave."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ..settings import DEFAULT_MIN_GROUP_SIZE
from ..warehouse.registry import TABLES
from .proportions import mean_of_reported, percentage


def wave_summary(responses: pd.DataFrame, perceived: pd.DataFrame, wave: str, loaded_at: datetime,
                 min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> pd.DataFrame:
    """The wave's counts; ``pct_users`` is NULL when the wave has fewer respondents than the threshold."""
    n, n_users = len(responses), int(responses["uses_twitter"].astype(bool).sum())
    row = {
        "wave": wave, "n_respondents": n, "n_users": n_users, "n_non_users": n - n_users,
        "pct_users": percentage(n_users, n, min_group_size)["pct"],
        "mean_pct_improved": mean_of_reported(perceived["pct_improved"].tolist()),
        "loaded_at": pd.Timestamp(loaded_at).as_unit("us"),
    }
    return TABLES["waves"].conform(pd.DataFrame([row]))
