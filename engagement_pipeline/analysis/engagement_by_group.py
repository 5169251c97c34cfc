"""``engagement_by_group``: mean engagement by locality and by staff group, for users, non-users and all."""

from __future__ import annotations

import pandas as pd

from ..contract import DIMENSIONS
from ..warehouse.registry import TABLES
from .respondent_groups import ALL, NON_USERS, USERS, items


def engagement_by_group(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    areas = items(responses, "engagement")
    # Categorical keys: grouping a large wave by codes, not by a million strings.
    non_user = (~responses["uses_twitter"].astype(bool)).to_numpy(dtype="int8")
    group = pd.Series(pd.Categorical.from_codes(non_user, [USERS, NON_USERS]), index=responses.index)
    parts = []
    for dimension in DIMENSIONS:
        category = responses[dimension].astype("category")
        for area in areas:
            scores = responses[f"engagement_{area}"].astype("float64")
            by_group = scores.groupby([category, group], observed=True).agg(["count", "mean"]).reset_index()
            by_group.columns = ["category", "respondent_group", "count", "mean"]
            overall = scores.groupby(category, observed=True).agg(["count", "mean"]).reset_index()
            overall.columns = ["category", "count", "mean"]
            stats = pd.concat([by_group, overall.assign(respondent_group=ALL)], ignore_index=True)
            stats = stats.astype({"category": str, "respondent_group": str})
            parts.append(stats.assign(dimension=dimension, area=area))
    result = pd.concat(parts, ignore_index=True).rename(columns={"count": "n", "mean": "mean_score"})
    result["suppressed"] = result["n"] < min_group_size
    result.loc[result["suppressed"], "mean_score"] = None
    result["wave"] = wave
    order = {USERS: 0, NON_USERS: 1, ALL: 2}
    result = result.sort_values(["dimension", "category", "area", "respondent_group"],
                                key=lambda s: s.map(order) if s.name == "respondent_group" else s)
    return TABLES["engagement_by_group"].conform(result.reset_index(drop=True))
