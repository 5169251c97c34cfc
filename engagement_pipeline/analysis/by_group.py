"""``engagement_by_group``: mean engagement by locality and by staff group, for users, non-users and all."""

from __future__ import annotations

import pandas as pd

from .groups import ALL, NON_USERS, USERS, items

COLUMNS = ["wave", "dimension", "category", "area", "respondent_group", "n", "mean_score", "suppressed"]
DIMENSIONS = ("locality", "staff_group")


def engagement_by_group(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    areas = items(responses, "engagement")
    group = responses["uses_twitter"].astype(bool).map({True: USERS, False: NON_USERS})
    parts = []
    for dimension in DIMENSIONS:
        category = responses[dimension].astype(str)
        for area in areas:
            scores = responses[f"engagement_{area}"].astype("float64")
            by_group = scores.groupby([category, group]).agg(["count", "mean"])
            by_group.index.names = ["category", "respondent_group"]
            overall = scores.groupby(category).agg(["count", "mean"])
            overall.index = pd.MultiIndex.from_arrays([overall.index, [ALL] * len(overall)],
                                                      names=["category", "respondent_group"])
            stats = pd.concat([by_group, overall]).reset_index()
            parts.append(stats.assign(dimension=dimension, area=area))
    result = pd.concat(parts, ignore_index=True).rename(columns={"count": "n", "mean": "mean_score"})
    result["suppressed"] = result["n"] < min_group_size
    result.loc[result["suppressed"], "mean_score"] = None
    result["wave"] = wave
    order = {USERS: 0, NON_USERS: 1, ALL: 2}
    result = result.sort_values(["dimension", "category", "area", "respondent_group"],
                                key=lambda s: s.map(order) if s.name == "respondent_group" else s)
    return result[COLUMNS].reset_index(drop=True).astype({
        "wave": "string", "dimension": "string", "category": "string", "area": "string",
        "respondent_group": "string", "n": "int64", "mean_score": "float64", "suppressed": "bool"})
