"""``engagement_by_group``: mean engagement by locality and by staff group, for users, non-users and all.

Suppression is complementary (docs/data-contract.md §4.4, :mod:`.disclosure`): a category's
``users`` and ``non_users`` rows add up to its ``all`` row, and a group's rows over a dimension's
categories add up to the wave's figure in ``engagement_comparison``; rows are suppressed until no
suppressed figure follows from published ones. A suppressed row's ``n`` is NULL too.
"""

from __future__ import annotations

import pandas as pd

from ..contract import DIMENSIONS
from ..warehouse.registry import TABLES
from .disclosure import Line, comparison_suppressed, protect
from .respondent_groups import ALL, NON_USERS, USERS, items

GROUPS = (USERS, NON_USERS, ALL)
#: The wave's figure for a group and area (``engagement_comparison``), as a category of its own.
WAVE_TOTAL = "\0wave"


def _suppressed(stats: pd.DataFrame, n_users: int, n_non_users: int, min_group_size: int) -> pd.Series:
    """Which rows of one dimension and area to suppress, primary and complementary."""
    # A row nobody answered holds no figure to protect: it is suppressed, outside every line.
    bases = {(r.category, r.respondent_group): int(r.n) for r in stats.itertuples() if r.n > 0}
    hidden_total = comparison_suppressed(n_users, n_non_users, min_group_size)
    totals = {(WAVE_TOTAL, USERS): n_users, (WAVE_TOTAL, NON_USERS): n_non_users,
              (WAVE_TOTAL, ALL): n_users + n_non_users}
    bases.update(totals)
    categories = list(dict.fromkeys(stats["category"]))
    lines = [Line(((c, USERS), (c, NON_USERS)), (c, ALL)) for c in [*categories, WAVE_TOTAL]]
    lines += [Line(tuple((c, g) for c in categories), (WAVE_TOTAL, g)) for g in GROUPS]
    hidden = protect(bases, lines, min_group_size, fixed=dict.fromkeys(totals, hidden_total))
    return pd.Series([(c, g) in hidden or n == 0 for c, g, n in
                      zip(stats["category"], stats["respondent_group"], stats["n"])], index=stats.index)


def engagement_by_group(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    areas = items(responses, "engagement")
    # Categorical keys: grouping a large wave by codes, not by a million strings.
    users = responses["uses_twitter"].astype(bool).to_numpy()
    group = pd.Series(pd.Categorical.from_codes((~users).astype("int8"), [USERS, NON_USERS]), index=responses.index)
    parts = []
    for area in areas:
        scores = responses[f"engagement_{area}"].astype("float64")
        answered = scores.notna().to_numpy()
        n_users, n_non_users = int((answered & users).sum()), int((answered & ~users).sum())
        for dimension in DIMENSIONS:
            category = responses[dimension].astype("category")
            by_group = scores.groupby([category, group], observed=True).agg(["count", "mean"]).reset_index()
            by_group.columns = ["category", "respondent_group", "n", "mean_score"]
            overall = scores.groupby(category, observed=True).agg(["count", "mean"]).reset_index()
            overall.columns = ["category", "n", "mean_score"]
            stats = pd.concat([by_group, overall.assign(respondent_group=ALL)], ignore_index=True)
            stats = stats.astype({"category": str, "respondent_group": str})
            stats["suppressed"] = _suppressed(stats, n_users, n_non_users, min_group_size)
            parts.append(stats.assign(dimension=dimension, area=area))
    result = pd.concat(parts, ignore_index=True).astype({"n": "Int64"})
    result.loc[result["suppressed"], ["n", "mean_score"]] = None
    result["wave"] = wave
    order = {USERS: 0, NON_USERS: 1, ALL: 2}
    result = result.sort_values(["dimension", "category", "area", "respondent_group"],
                                key=lambda s: s.map(order) if s.name == "respondent_group" else s)
    return TABLES["engagement_by_group"].conform(result.reset_index(drop=True))
