"""Proportions with Wilson intervals, suppressed below the minimum group size (docs/data-contract.md §4-§5)."""

from __future__ import annotations

import math

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ..warehouse.registry import TABLES
from .respondent_groups import items


def percentage(selected: int, answered: int, min_group_size: int) -> dict[str, float | int | bool | None]:
    """``pct``, Wilson 95 % ``ci_low``/``ci_high`` (0-100), or NULLs and ``suppressed`` below the threshold."""
    if answered < min_group_size or answered == 0:
        return {"pct": None, "ci_low": None, "ci_high": None, "suppressed": True}
    low, high = proportion_confint(selected, answered, method="wilson")  # 95 %: alpha 0.05 is the default
    pct = 100.0 * selected / answered
    # Floating point can leave 0/n or n/n a hair outside its own interval; the bounds are exact there.
    low = 0.0 if selected == 0 else min(100.0 * float(low), pct)
    high = 100.0 if selected == answered else max(100.0 * float(high), pct)
    return {"pct": pct, "ci_low": low, "ci_high": high, "suppressed": False}


def mean_of_reported(values: list[float | None]) -> float | None:
    reported = [v for v in values if v is not None and not math.isnan(v)]
    return sum(reported) / len(reported) if reported else None


def yes_share_table(group: pd.DataFrame, family: str, wave: str, min_group_size: int, table: str, *,
                    item: str, selected: str, pct: str) -> pd.DataFrame:
    """One row per item of a yes/no family: answered, yes count and share with its interval.

    Column names follow the table being built (``area``/``n_improved``/``pct_improved`` or
    ``barrier``/``n_selected``/``pct_selected``); item non-response is left out.
    """
    rows = []
    for name in items(group, family):
        answers = group[f"{family}_{name}"].dropna().astype(bool)
        stats = percentage(int(answers.sum()), int(answers.size), min_group_size)
        rows.append({"wave": wave, item: name, "n_answered": int(answers.size),
                     selected: None if stats["suppressed"] else int(answers.sum()),
                     pct: stats["pct"], "ci_low": stats["ci_low"], "ci_high": stats["ci_high"],
                     "suppressed": stats["suppressed"]})
    return TABLES[table].conform(pd.DataFrame(rows, columns=TABLES[table].column_names))
