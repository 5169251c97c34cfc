"""``barriers``: what holds non-users back, as percentages with Wilson intervals."""

from __future__ import annotations

import pandas as pd

from .respondent_groups import split
from .proportions import yes_share_table


def barriers(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    _, non_users = split(responses, "barrier")
    return yes_share_table(non_users, "barrier", wave, min_group_size, "barriers", item="barrier", selected="n_selected",
                           pct="pct_selected")
