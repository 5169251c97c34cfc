"""The ordinal sensitivity check beside ``engagement_adjusted``: a proportional-odds model.

Scores are 1-5 ratings, not measurements, so the OLS estimate is checked against a
proportional-odds (ordinal logistic) regression of the same score on Twitter use, staff group and
locality: statsmodels' ``OrderedModel(..., distr="logit")``. Its Twitter-use coefficient is
published as an odds ratio (the odds of a higher score for users), with a Wald 95 % interval
and p-value.

As for the OLS fit, respondents with the same answers are one row weighted by their count: the
log-likelihood is the count-weighted sum of the rows' log-likelihoods, which is exactly the
full-data log-likelihood (a test holds the fit against ``OrderedModel`` on every row). A
respondent alone in a locality or staff group is left out: its own indicator would run off to
infinity to fit it and the model could not be estimated. When the fit does not converge, its
Twitter coefficient has no finite error, or it runs off towards infinity (separation: say every
user answers 5), the figures are NULL (not estimable).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime


#: |log odds ratio| beyond which the fit is taken as separation (odds ratio above ~ 5e8).
SEPARATION = 20.0


class CountedOrderedModel(OrderedModel):
    """``OrderedModel`` whose rows each stand for ``counts`` identical respondents."""

    def __init__(self, endog, exog, counts: np.ndarray, **kwargs):
        self.counts = np.asarray(counts, dtype=float)
        super().__init__(endog, exog, **kwargs)

    def loglike(self, params):
        return float(self.counts @ self.loglikeobs(params))

    def score(self, params):
        """The analytic gradient of the count-weighted log-likelihood (logit link): the optimiser
        then needs a few dozen evaluations, not thousands of finite differences."""
        params = np.asarray(params, dtype=float)
        k = self.k_vars
        thresholds = np.concatenate([[-np.inf], self.transform_threshold_params(params)[1:-1], [np.inf]])
        eta = self.exog @ params[:k]
        level = np.asarray(self.endog, dtype=int)
        upper, lower = thresholds[level + 1] - eta, thresholds[level] - eta
        density = lambda u: np.where(np.isfinite(u), np.exp(-np.abs(u)) / (1 + np.exp(-np.abs(u))) ** 2, 0.0)  # noqa: E731
        f_upper, f_lower = density(upper), density(lower)
        prob = np.clip(self.prob(lower, upper), 1e-300, None)
        weight = self.counts / prob
        grad_beta = self.exog.T @ (weight * -(f_upper - f_lower))
        n_cut = self.k_levels - 1
        grad_cut = np.zeros(n_cut)  # d loglike / d threshold m
        np.add.at(grad_cut, level[level < n_cut], (weight * f_upper)[level < n_cut])
        np.add.at(grad_cut, level[level > 0] - 1, -(weight * f_lower)[level > 0])
        # thresholds: t_0 = p_0, t_m = t_(m-1) + exp(p_m)
        jacobian = np.tril(np.ones((n_cut, n_cut))) * np.concatenate([[1.0], np.exp(params[k + 1:])])[None, :]
        return np.concatenate([grad_beta, jacobian.T @ grad_cut])

    def hessian(self, params):
        """Central differences of the analytic gradient, symmetrised: 2k gradient evaluations where
        the default (second differences of the log-likelihood) needs O(k²) likelihood evaluations."""
        matrix = approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)
        return (matrix + matrix.T) / 2

    @property
    def start_params(self):
        # statsmodels' start values (thresholds of the model without regressors), from the
        # count-weighted category shares as on the full data.
        shares = np.bincount(np.asarray(self.endog, dtype=int), weights=self.counts) / self.counts.sum()
        thresholds = self.transform_reverse_threshold_params(self.distr.ppf(np.clip(shares.cumsum(), 0, 1)))
        return np.concatenate([np.zeros(self.k_vars), thresholds])


def ordinal_fit(design: pd.DataFrame, score: np.ndarray, count: np.ndarray,
                column: str = "uses_twitter") -> tuple[float, float, float, float] | None:
    """(odds_ratio, ci_low, ci_high, p_value) of ``column``, or None when it cannot be estimated.

    ``design`` holds no constant (the thresholds play its part)."""
    levels = np.unique(score)
    if len(levels) < 2:
        return None
    endog = pd.Series(pd.Categorical(score, categories=levels, ordered=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = CountedOrderedModel(endog, design.reset_index(drop=True), count, distr="logit")
            fit = model.fit(method="bfgs", maxiter=2000, disp=False)
        except (np.linalg.LinAlgError, ValueError):
            return None
        converged = bool(fit.mle_retvals.get("converged", False))
        beta, se = float(fit.params[column]), float(fit.bse[column])
    half = norm.ppf(0.975) * se
    # A coefficient this far out is separation (a group answering all at one end), not an estimate.
    if not (converged and np.isfinite(se) and se > 0 and abs(beta) + half < SEPARATION):
        return None
    return float(np.exp(beta)), float(np.exp(beta - half)), float(np.exp(beta + half)), float(2 * norm.sf(abs(beta / se)))


def alone(cells: pd.DataFrame) -> pd.Series:
    """Rows of respondents alone in their staff group or locality (in this area's answers)."""
    out = pd.Series(False, index=cells.index)
    for dimension in ("staff_group", "locality"):
        sizes = cells.groupby(dimension, observed=True)["count"].transform("sum")
        out |= sizes.eq(1)
    return out
