"""``perceived_impact``: share of users saying Twitter improved their engagement, per area."""

from __future__ import annotations

import pandas as pd

from .respondent_groups import split
from .proportions import yes_share_table


def perceived_impact(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    users, _ = split(responses, "improved")
    return yes_share_table(users, "improved", wave, min_group_size, "perceived_impact", item="area", selected="n_improved",
                           pct="pct_improved")
