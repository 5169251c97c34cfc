"""Respondent groups and the column families of a responses frame."""

from __future__ import annotations

import pandas as pd

USERS, NON_USERS, ALL = "users", "non_users", "all"


def items(responses: pd.DataFrame, family: str) -> list[str]:
    """Item names of a family present in the frame, in column order (``channel_x`` -> ``x``)."""
    prefix = f"{family}_"
    return [c[len(prefix):] for c in responses.columns if c.startswith(prefix)]


def split(responses: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(users, non_users)."""
    users = responses["uses_twitter"].astype(bool)
    return responses.loc[users], responses.loc[~users]
