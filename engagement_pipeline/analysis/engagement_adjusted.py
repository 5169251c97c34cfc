"""``engagement_adjusted``: the Twitter-use gap after allowing for staff group and locality.

For each area, an OLS regression of the score on Twitter use plus staff-group and locality
indicators with HC3 robust standard errors; the published figures are the Twitter-use
coefficient, in scale points, with its 95 % interval and (normal) p-value, as statsmodels'
``OLS(...).fit(cov_type="HC3")`` gives them. When Twitter use is confounded with those
indicators (say every user works in one locality) the coefficient cannot be estimated and its
figures are NULL.

Respondents with the same Twitter use, staff group, locality and score are identical rows of
the regression, so it is fitted on those few hundred distinct rows with their counts as
frequency weights. The estimate, the per-row leverage and residual, and hence the HC3 sandwich
are exactly those of the full data (a test holds this against statsmodels on the expanded rows),
at a cost that no longer grows with the number of respondents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.tools.tools import add_constant

from statsmodels.stats.multitest import multipletests

from ..warehouse.registry import TABLES
from .respondent_groups import items

_STATS = ["estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"]


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    dummies = pd.get_dummies(frame[["staff_group", "locality"]].astype(str), drop_first=True, dtype=float)
    design = pd.concat([frame["uses_twitter"].astype(float).rename("uses_twitter"), dummies], axis=1)
    return add_constant(design, has_constant="add")


def _identified(design: pd.DataFrame) -> bool:
    """True when the Twitter-use column is not a linear combination of the other columns."""
    others = design.drop(columns="uses_twitter").to_numpy()
    full = design.to_numpy()
    return bool(np.linalg.matrix_rank(full.T @ full) > np.linalg.matrix_rank(others.T @ others))


def hc3_fit(design: pd.DataFrame, score: np.ndarray, count: np.ndarray, column: str) -> tuple[float, float, float, float]:
    """(estimate, ci_low, ci_high, p_value) of ``column`` for OLS with HC3 errors on rows that each
    stand for ``count`` identical respondents."""
    x = design.to_numpy(dtype=float)
    bread = np.linalg.pinv(x.T @ (x * count[:, None]))
    beta = bread @ (x.T @ (count * score))
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)  # of one respondent in the row's cell
    with np.errstate(divide="ignore", invalid="ignore"):  # degenerate fits give inf/NaN, as statsmodels does
        scaled = (score - x @ beta) / (1.0 - leverage)
        meat = (x * (count * scaled**2)[:, None]).T @ x
        covariance = bread @ meat @ bread
        k = design.columns.get_loc(column)
        estimate, se = float(beta[k]), float(np.sqrt(covariance[k, k]))
        z = np.float64(estimate) / np.float64(se)
    half_width = norm.ppf(0.975) * se
    return estimate, estimate - half_width, estimate + half_width, float(2 * norm.sf(abs(z)))


def engagement_adjusted(responses: pd.DataFrame, wave: str, min_group_size: int, alpha: float) -> pd.DataFrame:
    """One row per area; ``p_holm`` adjusts the estimated areas' p-values together (Holm), and
    ``significant`` is ``p_holm < alpha`` (NULL where nothing could be estimated)."""
    rows = []
    for area in items(responses, "engagement"):
        answered = responses.loc[responses[f"engagement_{area}"].notna()]
        n_users = int(answered["uses_twitter"].sum())
        row = {"wave": wave, "area": area, "n": len(answered)}
        if min(n_users, len(answered) - n_users) < min_group_size:
            rows.append({**row, **dict.fromkeys(_STATS), "suppressed": True})
            continue
        cells = (answered.astype({"staff_group": str, "locality": str, "uses_twitter": bool})
                 .groupby(["uses_twitter", "staff_group", "locality", f"engagement_{area}"], observed=True)
                 .size().rename("count").reset_index())
        design = _design(cells)
        design = design.loc[:, design.std(ddof=0).gt(0) | (design.columns == "const")]
        if not _identified(design):
            # Twitter use is fully explained by staff group and locality: no adjusted estimate exists.
            rows.append({**row, **dict.fromkeys(_STATS), "suppressed": False})
            continue
        estimate, low, high, p_value = hc3_fit(design, cells[f"engagement_{area}"].to_numpy(dtype=float),
                                               cells["count"].to_numpy(dtype=float), "uses_twitter")
        rows.append({**row, "estimate": estimate, "ci_low": low, "ci_high": high, "p_value": p_value,
                     "p_holm": None, "significant": None, "suppressed": False})
    frame = pd.DataFrame(rows, columns=[*TABLES["engagement_adjusted"].column_names])
    estimated = frame["p_value"].notna()
    if estimated.any():
        frame.loc[estimated, "p_holm"] = multipletests(frame.loc[estimated, "p_value"].astype(float), method="holm")[1]
        frame.loc[estimated, "significant"] = frame.loc[estimated, "p_holm"].astype(float) < alpha
    return TABLES["engagement_adjusted"].conform(frame)
