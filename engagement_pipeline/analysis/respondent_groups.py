"""Respondent groups and the column families of a responses frame."""

from __future__ import annotations

import pandas as pd

from ..contract import ALL, NON_USERS, USERS  # noqa: F401  (the groups' names, re-exported)


def items(responses: pd.DataFrame, family: str) -> list[str]:
    """Item names of a family present in the frame, in column order (``channel_x`` -> ``x``)."""
    prefix = f"{family}_"
    return [c[len(prefix):] for c in responses.columns if c.startswith(prefix)]


def split(responses: pd.DataFrame, *families: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(users, non_users), with only the columns of ``families`` when any are named.

    Naming the families keeps a large wave from being copied whole for a few columns.
    """
    users = responses["uses_twitter"].astype(bool).to_numpy()
    if families:
        prefixes = tuple(f"{family}_" for family in families)
        responses = responses[[c for c in responses.columns if c.startswith(prefixes)]]
    return responses.loc[users], responses.loc[~users]
