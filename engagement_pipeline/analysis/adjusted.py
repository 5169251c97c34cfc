"""``engagement_adjusted``: the Twitter-use gap after allowing for staff group and locality.

For each area, an OLS regression of the score on Twitter use plus staff-group and locality
indicators (statsmodels, HC3 robust standard errors); the published figures are the Twitter-use
coefficient, in scale points, with its 95 % interval and p-value.
"""

from __future__ import annotations

import pandas as pd
import statsmodels.api as sm

from .groups import items

COLUMNS = ["wave", "area", "n", "estimate", "ci_low", "ci_high", "p_value", "suppressed"]
_STATS = ["estimate", "ci_low", "ci_high", "p_value"]


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    dummies = pd.get_dummies(frame[["staff_group", "locality"]].astype(str), drop_first=True, dtype=float)
    design = pd.concat([frame["uses_twitter"].astype(float).rename("uses_twitter"), dummies], axis=1)
    return sm.add_constant(design, has_constant="add")


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
        fit = sm.OLS(answered[f"engagement_{area}"].astype(float).to_numpy(), design).fit(cov_type="HC3")
        low, high = fit.conf_int(alpha=0.05).loc["uses_twitter"]
        rows.append({**row, "estimate": float(fit.params["uses_twitter"]), "ci_low": float(low),
                     "ci_high": float(high), "p_value": float(fit.pvalues["uses_twitter"]), "suppressed": False})
    return pd.DataFrame(rows, columns=COLUMNS).astype({
        "wave": "string", "area": "string", "n": "int64", **{c: "float64" for c in _STATS}, "suppressed": "bool",
    })
