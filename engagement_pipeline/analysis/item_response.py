"""``item_response``: item non-response, per item and respondent group.

For every item a group is asked (engagement and the other channels: both groups; improved_* and
channel_twitter: users; barrier_*: non-users), how many of the group answered it, as a
percentage with a Wilson 95 % interval. A row whose group is smaller than the minimum group size
is suppressed.
"""

from __future__ import annotations

import pandas as pd

from ..warehouse.registry import TABLES
from .proportions import percentage
from .respondent_groups import NON_USERS, USERS, split

FAMILIES = ("engagement", "improved", "channel", "barrier")


def asked_of(column: str) -> tuple[str, ...]:
    """The groups an item is put to (docs/data-contract.md §2)."""
    if column.startswith("improved_") or column == "channel_twitter":
        return (USERS,)
    if column.startswith("barrier_"):
        return (NON_USERS,)
    return (USERS, NON_USERS)


def item_response(responses: pd.DataFrame, wave: str, min_group_size: int) -> pd.DataFrame:
    users, non_users = split(responses, *FAMILIES)
    groups = {USERS: users, NON_USERS: non_users}
    rows = []
    for column in users.columns:
        for group in asked_of(column):
            answers = groups[group][column]
            asked, answered = len(answers), int(answers.notna().sum())
            stats = percentage(answered, asked, min_group_size)
            rows.append({"wave": wave, "item": column, "respondent_group": group,
                         "n_asked": None if stats["suppressed"] else asked,
                         "n_answered": None if stats["suppressed"] else answered,
                         "pct_answered": stats["pct"], "ci_low": stats["ci_low"], "ci_high": stats["ci_high"],
                         "suppressed": stats["suppressed"]})
    return TABLES["item_response"].conform(pd.DataFrame(rows, columns=TABLES["item_response"].column_names))
