"""``engagement_adjusted``: the Twitter-use gap after allowing for staff group and locality.

For each area, an OLS regression of the score on Twitter use plus staff-group and locality
indicators (statsmodels, HC3 robust standard errors); the published figures are the Twitter-use
coefficient, in scale points, with its 95 % interval and p-value. When Twitter use is confounded
with those indicators (say every user works in one locality) the coefficient cannot be estimated
and its figures are NULL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from .groups import items

COLUMNS = ["wave", "area", "n", "estimate", "ci_low", "ci_high", "p_value", "suppressed"]
_STATS = ["estimate", "ci_low", "ci_high", "p_value"]


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    dummies = pd.get_dummies(frame[["staff_group", "locality"]].astype(str), drop_first=True, dtype=float)
    design = pd.concat([frame["uses_twitter"].astype(float).rename("uses_twitter"), dummies], axis=1)
    return add_constant(design, has_constant="add")


def _identified(design: pd.DataFrame) -> bool:
    """True when the Twitter-use column is not a linear combination of the other columns."""
    others = design.drop(columns="uses_twitter").to_numpy()
    full = design.to_numpy()
    return bool(np.linalg.matrix_rank(full.T @ full) > np.linalg.matrix_rank(others.T @ others))


def engagement_adjusted(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    rows = []
    for area in items(responses, "engagement"):
        answered = responses.loc[responses[f"engagement_{area}"].notna()]
        n_users = int(answered["uses_twitter"].sum())
        row = {"wave": wave, "area": area, "n": len(answered)}
        if min(n_users, len(answered) - n_users) < min_group_size:
            rows.append({**row, **dict.fromkeys(_STATS), "suppressed": True})
            continue
        design = _design(answered)
        design = design.loc[:, design.std(ddof=0).gt(0) | (design.columns == "const")]
        if not _identified(design):
            # Twitter use is fully explained by staff group and locality: no adjusted estimate exists.
            rows.append({**row, **dict.fromkeys(_STATS), "suppressed": False})
            continue
        fit = OLS(answered[f"engagement_{area}"].astype(float).to_numpy(), design).fit(cov_type="HC3")
        low, high = fit.conf_int(alpha=0.05).loc["uses_twitter"]
        rows.append({**row, "estimate": float(fit.params["uses_twitter"]), "ci_low": float(low),
                     "ci_high": float(high), "p_value": float(fit.pvalues["uses_twitter"]), "suppressed": False})
    return pd.DataFrame(rows, columns=COLUMNS).astype({
        "wave": "string", "area": "string", "n": "int64", **{c: "float64" for c in _STATS}, "suppressed": "bool",
    })
