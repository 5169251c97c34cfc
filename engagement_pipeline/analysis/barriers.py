"""``barriers``: what holds non-users back, as percentages with Wilson intervals."""

from __future__ import annotations

import pandas as pd

from .groups import items, split
from .proportions import percentage

COLUMNS = ["wave", "barrier", "n_answered", "n_selected", "pct_selected", "ci_low", "ci_high", "suppressed"]


def barriers(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    _, non_users = split(responses)
    rows = []
    for barrier in items(responses, "barrier"):
        answers = non_users[f"barrier_{barrier}"].dropna().astype(bool)
        stats = percentage(int(answers.sum()), int(answers.size), min_group_size)
        rows.append({"wave": wave, "barrier": barrier, "n_answered": int(answers.size),
                     "n_selected": None if stats["suppressed"] else int(answers.sum()),
                     "pct_selected": stats["pct"], "ci_low": stats["ci_low"], "ci_high": stats["ci_high"],
                     "suppressed": stats["suppressed"]})
    return pd.DataFrame(rows, columns=COLUMNS).astype({
        "wave": "string", "barrier": "string", "n_answered": "int64", "n_selected": "Int64",
        "pct_selected": "float64", "ci_low": "float64", "ci_high": "float64", "suppressed": "bool"})
