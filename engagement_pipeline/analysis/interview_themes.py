"""``interview_themes``: how many interviews and segments touched each codebook theme."""

from __future__ import annotations

import pandas as pd

from ..warehouse.registry import TABLES


def interview_themes(quotes: pd.DataFrame, codebook: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Every codebook theme, with zero counts for themes nobody raised this wave."""
    if len(quotes):
        counts = quotes.groupby("theme").agg(n_interviews=("interview_id", "nunique"),
                                             n_segments=("segment_id", "nunique")).reset_index()
    else:
        counts = pd.DataFrame({"theme": pd.Series(dtype="string"), "n_interviews": pd.Series(dtype="int64"),
                               "n_segments": pd.Series(dtype="int64")})
    merged = codebook[["theme", "label", "golden_thread"]].merge(counts, on="theme", how="left")
    merged[["n_interviews", "n_segments"]] = merged[["n_interviews", "n_segments"]].fillna(0)
    merged["wave"] = wave
    merged = merged.sort_values(["n_interviews", "theme"], ascending=[False, True])
    return TABLES["interview_themes"].conform(merged.reset_index(drop=True))


def interviews_by_thread(quotes: pd.DataFrame, codebook: pd.DataFrame) -> dict[str, int]:
    """Distinct interviews with at least one segment on each golden thread."""
    if not len(quotes):
        return {}
    threads = quotes.merge(codebook[["theme", "golden_thread"]], on="theme").dropna(subset=["golden_thread"])
    return {str(k): int(v) for k, v in threads.groupby("golden_thread")["interview_id"].nunique().items()}
