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
from .engagement_ordinal import alone, ordinal_fit
from .respondent_groups import items

_STATS = ["estimate", "ci_low", "ci_high", "p_value", "p_holm", "significant"]


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    dummies = pd.get_dummies(frame[["staff_group", "locality"]].astype(str), drop_first=True, dtype=float)
    design = pd.concat([frame["uses_twitter"].astype(float).rename("uses_twitter"), dummies], axis=1)
    return add_constant(design, has_constant="add")


def _varying(design: pd.DataFrame) -> pd.DataFrame:
    """The constant and the columns that take more than one value."""
    return design.loc[:, design.nunique().gt(1) | (design.columns == "const")]


def _identified(design: pd.DataFrame) -> bool:
    """True when the Twitter-use column is not a linear combination of the other columns."""
    others = design.drop(columns="uses_twitter").to_numpy()
    full = design.to_numpy()
    return bool(np.linalg.matrix_rank(full.T @ full) > np.linalg.matrix_rank(others.T @ others))


#: A respondent whose leverage is this close to 1 is fitted exactly by its own indicator.
LEVERAGE_ONE = 1e-8
#: Residuals this small are rounding, not error: the scores are whole numbers from 1 to 5, so a
#: residual that is not zero is a sizeable fraction of a point.
EXACT_FIT = 1e-9


def hc3_fit(design: pd.DataFrame, score: np.ndarray, count: np.ndarray, column: str) -> tuple[float, float, float, float] | None:
    """(estimate, ci_low, ci_high, p_value) of ``column`` for OLS with HC3 errors on rows that each
    stand for ``count`` identical respondents; None when the coefficient's error cannot be estimated
    (the scores fitted exactly, or the estimate leaning on a leverage-one respondent).

    A respondent with leverage 1 (alone in a locality or staff group) is fitted exactly by that
    group's indicator: it carries no information about the other coefficients, and its HC3 term is
    0/0. It gets zero weight in the sandwich, which gives exactly statsmodels' HC3 fit on the data
    without that respondent (the other rows' leverages are the same in both fits). If ``column``'s
    estimate itself leans on such a respondent's score, that respondent is the evidence and its
    error cannot be estimated: None.
    """
    x = design.to_numpy()
    bread = np.linalg.pinv(x.T @ (x * count[:, None]))
    beta = bread @ (x.T @ (count * score))
    leverage = np.einsum("ij,jk,ik->i", x, bread, x)  # of one respondent in the row's cell
    informative = leverage < 1.0 - LEVERAGE_ONE
    k = design.columns.get_loc(column)
    weight_on_estimate = (bread @ x.T)[k] * count  # how much each row's score moves the estimate
    if np.abs(weight_on_estimate[~informative]).max(initial=0.0) > LEVERAGE_ONE:
        return None
    residual = score - x @ beta
    # Scores the model fits exactly (every respondent giving the same score, or the groups
    # separating the scores perfectly) leave an error of zero or of rounding noise, not an
    # estimate of it: None, never a zero-width interval or a p-value made of rounding.
    if np.abs(residual[informative]).max(initial=0.0) <= EXACT_FIT:
        return None
    # A leverage-one row's residual is divided by a placeholder 1 (not 0/0) and then left out.
    scaled = np.where(informative, residual / np.where(informative, 1.0 - leverage, 1.0), 0.0)
    meat = (x * (count * scaled**2)[:, None]).T @ x
    covariance = bread @ meat @ bread
    estimate, variance = float(beta[k]), float(covariance[k, k])
    # All finite here (pinv raises on non-finite input); NaN would fail this test too.
    if not variance > 0:
        return None
    se = float(np.sqrt(variance))
    half_width = norm.ppf(0.975) * se
    return estimate, estimate - half_width, estimate + half_width, float(2 * norm.sf(abs(estimate / se)))


_ORDINAL = ["odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "odds_ratio_p_value", "odds_ratio_p_holm",
            "models_agree"]


def _ordinal(cells: pd.DataFrame, area: str) -> dict:
    """The proportional-odds check of one area (:mod:`.engagement_ordinal`)."""
    kept = cells.loc[~alone(cells)]
    if kept.empty:
        return dict.fromkeys(_ORDINAL)
    design = _varying(_design(kept))  # without uses_twitter when only one group is left
    if "uses_twitter" not in design or not _identified(design):
        return dict.fromkeys(_ORDINAL)
    fit = ordinal_fit(design.drop(columns="const"), kept[f"engagement_{area}"].to_numpy(), kept["count"].to_numpy())
    if fit is None:
        return dict.fromkeys(_ORDINAL)
    return dict(zip(_ORDINAL, [*fit, None, None]))


def _verdict(significant: bool, effect: float) -> int:
    """+1 / -1: a significant difference in that direction; 0: none."""
    return int(np.sign(effect)) if significant else 0


def engagement_adjusted(responses: pd.DataFrame, wave: str, min_group_size: int, alpha: float) -> pd.DataFrame:
    """One row per area; ``p_holm`` adjusts the estimated areas' p-values together (Holm), and
    ``significant`` is ``p_holm < alpha`` (NULL where nothing could be estimated). Beside it, the
    proportional-odds check: odds ratio, interval, p-value and its Holm adjustment, and whether the
    two models reach the same verdict (the same direction significant, or neither significant)."""
    rows = []
    for area in items(responses, "engagement"):
        answered = responses.loc[responses[f"engagement_{area}"].notna()]
        n_users = int(answered["uses_twitter"].sum())
        row = {"wave": wave, "area": area, "n": len(answered)}
        if min(n_users, len(answered) - n_users) < min_group_size:
            rows.append({**row, "n": None, **dict.fromkeys(_STATS), **dict.fromkeys(_ORDINAL), "suppressed": True})
            continue
        cells = (answered.astype({"staff_group": str, "locality": str, "uses_twitter": bool})
                 .groupby(["uses_twitter", "staff_group", "locality", f"engagement_{area}"])
                 .size().rename("count").reset_index())
        row.update(_ordinal(cells, area))
        design = _varying(_design(cells))
        if not _identified(design):
            # Twitter use is fully explained by staff group and locality: no adjusted estimate exists.
            rows.append({**row, **dict.fromkeys(_STATS), "suppressed": False})
            continue
        fit = hc3_fit(design, cells[f"engagement_{area}"].to_numpy(), cells["count"].to_numpy(), "uses_twitter")
        if fit is None:
            # No respondent left to estimate the coefficient's error from: not estimable, never NaN.
            rows.append({**row, **dict.fromkeys(_STATS), "suppressed": False})
            continue
        estimate, low, high, p_value = fit
        rows.append({**row, "estimate": estimate, "ci_low": low, "ci_high": high, "p_value": p_value,
                     "p_holm": None, "significant": None, "suppressed": False})
    frame = pd.DataFrame(rows, columns=[*TABLES["engagement_adjusted"].column_names])
    estimated = frame["p_value"].notna()
    if estimated.any():
        p_holm = multipletests(frame.loc[estimated, "p_value"], method="holm")[1]
        frame.loc[estimated, "p_holm"] = p_holm
        frame.loc[estimated, "significant"] = p_holm < alpha
    ordinal = frame["odds_ratio_p_value"].notna()
    if ordinal.any():
        frame.loc[ordinal, "odds_ratio_p_holm"] = multipletests(frame.loc[ordinal, "odds_ratio_p_value"], method="holm")[1]
    both = estimated & ordinal
    frame.loc[both, "models_agree"] = [
        _verdict(bool(r.significant), r.estimate) == _verdict(r.odds_ratio_p_holm < alpha, np.log(r.odds_ratio))
        for r in frame.loc[both].itertuples()]
    return TABLES["engagement_adjusted"].conform(frame)
