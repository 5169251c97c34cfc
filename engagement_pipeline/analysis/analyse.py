"""All analysis tables of one wave, computed together from its responses and interviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from .engagement_adjusted import engagement_adjusted
from .barriers import barriers
from .engagement_by_group import engagement_by_group
from .channel_impact import channel_comparison, channel_impact
from .engagement_comparison import engagement_comparison, likert_distribution
from .perceived_impact import perceived_impact
from .item_response import item_response
from .interview_themes import interview_themes, interviews_by_thread
from .wave_summary import wave_summary


@dataclass(frozen=True)
class WaveAnalysis:
    wave: str
    n_respondents: int
    n_users: int
    min_group_size: int
    alpha: float
    waves: pd.DataFrame
    engagement_comparison: pd.DataFrame
    engagement_adjusted: pd.DataFrame
    perceived_impact: pd.DataFrame
    channel_impact: pd.DataFrame
    channel_comparison: pd.DataFrame
    barriers: pd.DataFrame
    engagement_by_group: pd.DataFrame
    item_response: pd.DataFrame
    interview_themes: pd.DataFrame
    engagement_distribution: pd.DataFrame
    n_interviews: int
    interviews_by_thread: dict[str, int]

    #: The warehouse tables computed here, by name (``findings`` is written by reporting).
    TABLES = ("waves", "engagement_comparison", "engagement_adjusted", "perceived_impact", "channel_impact",
              "channel_comparison", "barriers", "engagement_by_group", "item_response", "interview_themes")

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in self.TABLES}


def analyse_wave(responses: pd.DataFrame, quotes: pd.DataFrame, codebook: pd.DataFrame, wave: str,
                 min_group_size: int, alpha: float, loaded_at: datetime) -> WaveAnalysis:
    perceived = perceived_impact(responses, wave, min_group_size)
    return WaveAnalysis(
        wave=wave,
        n_respondents=len(responses),
        n_users=int(responses["uses_twitter"].sum()),
        min_group_size=min_group_size,
        alpha=alpha,
        engagement_comparison=engagement_comparison(responses, wave, min_group_size, alpha),
        waves=wave_summary(responses, perceived, wave, loaded_at, min_group_size),
        engagement_adjusted=engagement_adjusted(responses, wave, min_group_size, alpha),
        perceived_impact=perceived,
        channel_impact=channel_impact(responses, wave, min_group_size),
        channel_comparison=channel_comparison(responses, wave, min_group_size, alpha),
        barriers=barriers(responses, wave, min_group_size),
        engagement_by_group=engagement_by_group(responses, wave, min_group_size),
        item_response=item_response(responses, wave, min_group_size),
        interview_themes=interview_themes(quotes, codebook, wave),
        engagement_distribution=likert_distribution(responses),
        n_interviews=int(quotes["interview_id"].nunique()) if len(quotes) else 0,
        interviews_by_thread=interviews_by_thread(quotes, codebook),
    )
