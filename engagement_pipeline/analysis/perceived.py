"""``perceived_impact``: share of users saying Twitter improved their engagement, per area."""

from __future__ import annotations

import pandas as pd

from .groups import items, split
from .proportions import percentage

COLUMNS = ["wave", "area", "n_answered", "n_improved", "pct_improved", "ci_low", "ci_high", "suppressed"]


def perceived_impact(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    users, _ = split(responses)
    rows = []
    for area in items(responses, "improved"):
        answers = users[f"improved_{area}"].dropna().astype(bool)
        n_answered, n_improved = int(answers.size), int(answers.sum())
        stats = percentage(n_improved, n_answered, min_group_size)
        suppressed = bool(stats["suppressed"])
        rows.append({
            "wave": wave, "area": area,
            "n_answered": n_answered,
            "n_improved": None if suppressed else n_improved,
            "pct_improved": stats["pct"], "ci_low": stats["ci_low"], "ci_high": stats["ci_high"],
            "suppressed": suppressed,
        })
    return pd.DataFrame(rows, columns=COLUMNS).astype({
        "wave": "string", "area": "string", "n_answered": "int64", "n_improved": "Int64",
        "pct_improved": "float64", "ci_low": "float64", "ci_high": "float64", "suppressed": "bool",
    })
