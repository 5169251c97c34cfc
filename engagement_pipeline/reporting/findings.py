"""The six findings of the study, written from one wave's figures (docs/data-contract.md §5 ``findings``).

Each statement is generated from the analysis tables and never claims more than its
``supported`` value: a difference only when supported is true, a majority only above 50 %, a
rank only as measured; "too few responses to report" where suppression hides the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..analysis.analyse import WaveAnalysis
from ..analysis.channel_impact import FACE_TO_FACE, TWITTER
from ..warehouse.registry import TABLES
from .wording import TOO_FEW, Names, join, number, ordinal, p_value, pct, pct_ci

TITLES = {
    1: "Twitter users are more engaged than non-users",
    2: "Users say Twitter improved their engagement",
    3: "Twitter's impact compares with other channels",
    4: "Twitter has a direct impact on care",
    5: "Barriers limit take-up",
    6: "Leaders should be true to their persona",
}

#: Themes without a golden thread whose codebook label says they are about leadership.
LEADERSHIP = re.compile(r"leader|leading|executive|permission|allowed|authentic", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    number: int
    statement: str
    supported: bool | None


def _engagement(a: WaveAnalysis, display: Names) -> Finding:
    table = a.engagement_comparison
    reported = table[~table["suppressed"]]
    if reported.empty:
        return Finding(1, f"Engagement by Twitter use: {TOO_FEW} (fewer than {a.min_group_size} in a group).", None)
    higher = reported["significant"].astype(bool) & (reported["rank_biserial"] > 0)
    details = [
        f"{display(r.area)}: mean {number(r.mean_users, 1)} vs {number(r.mean_non_users, 1)}, rank-biserial "
        f"{number(r.rank_biserial)} (95 % CI {number(r.rank_biserial_ci_low)} to {number(r.rank_biserial_ci_high)}), "
        f"Holm-adjusted {p_value(r.p_holm)}"
        for r in reported.itertuples()
    ]
    suppressed = table.loc[table["suppressed"], "area"].map(display).tolist()
    tail = f" For {join(suppressed)}: {TOO_FEW}." if suppressed else ""
    if higher.all():
        adjusted = _adjustment_sentence(a, display, supported=True)
        text = (f"Twitter users reported higher engagement than non-users in all {len(reported)} reported areas "
                f"({'; '.join(details)}).{tail} {adjusted}")
        return Finding(1, text.strip(), True)
    adjusted = _adjustment_sentence(a, display, supported=False)
    not_shown = reported.loc[~higher, "area"].map(display).tolist()
    text = (f"The data do not show users more engaged than non-users in every area: no statistically significant "
            f"higher engagement for {join(not_shown)} ({'; '.join(details)}).{tail} {adjusted}")
    return Finding(1, text.strip(), False)


def _adjustment_sentence(a: WaveAnalysis, display: Names, supported: bool) -> str:
    """The regression's estimates; a verdict of significance only when finding 1 itself holds.

    Significance is the table's own (Holm over the estimated areas, as for the unadjusted test).
    """
    table = a.engagement_adjusted[~a.engagement_adjusted["suppressed"] & a.engagement_adjusted["estimate"].notna()]
    if table.empty:
        return ""
    ranges = "; ".join(f"{display(r.area)} {r.estimate:+.2f} points (95 % CI {r.ci_low:+.2f} to {r.ci_high:+.2f})"
                       for r in table.itertuples())
    if not supported:
        return f"Adjusted for staff group and locality, the estimated differences are: {ranges}."
    survives = table[table["significant"].astype(bool) & (table["estimate"] > 0)]
    if len(survives) == len(table):
        verdict = "the difference remains statistically significant in every area"
    elif survives.empty:
        verdict = "no area keeps a statistically significant difference"
    else:
        verdict = f"the difference remains significant for {join(survives['area'].map(display).tolist())} only"
    return f"After adjusting for staff group and locality, {verdict} ({ranges})."


def _perceived(a: WaveAnalysis, display: Names) -> Finding:
    table = a.perceived_impact
    reported = table[~table["suppressed"]]
    if reported.empty:
        return Finding(2, f"Perceived improvement: {TOO_FEW}.", None)
    mean = float(reported["pct_improved"].mean())
    areas = "; ".join(f"{display(r.area)} {r.n_improved} of {r.n_answered}, {pct_ci(r.pct_improved, r.ci_low, r.ci_high)}"
                      for r in reported.itertuples())
    if mean > 50:
        return Finding(2, f"On average {pct(mean)} of users said Twitter had improved their engagement ({areas}).", True)
    return Finding(2, f"On average {pct(mean)} of users said Twitter had improved their engagement, not a majority "
                      f"({areas}).", False)


def _channels(a: WaveAnalysis, display: Names) -> Finding:
    users = a.channel_impact[(a.channel_impact["respondent_group"] == "users")]
    twitter = users[users["channel"] == TWITTER]
    if twitter.empty:
        return Finding(3, "Twitter was not among the channels rated this wave.", None)
    if bool(twitter["suppressed"].iloc[0]):
        return Finding(3, f"Twitter's rank among users' channels: {TOO_FEW}.", None)
    rank, mean = int(twitter["rank"].iloc[0]), float(twitter["mean_score"].iloc[0])
    ranked = users[~users["suppressed"]].sort_values(["rank", "channel"])
    top = ranked.iloc[0]
    ahead = ranked[ranked["rank"] < rank]
    tied = ranked[(ranked["rank"] == rank) & (ranked["channel"] != TWITTER)]
    lead = (f"Among users, Twitter ranked {ordinal(rank)} of {len(ranked)} channels for impact on engagement "
            f"(mean {number(mean)} on a 1–5 scale)")
    if len(tied):
        lead += f", level with {join([display(c) for c in tied['channel']])}"
    if len(ahead):
        lead += f", behind {join([f'{display(r.channel)} ({number(r.mean_score)})' for r in ahead.itertuples()])}"
    paired = a.paired_channels
    sentence = ""
    if paired is not None and not paired.suppressed and FACE_TO_FACE in set(ranked.loc[ranked["rank"] == top["rank"], "channel"]):
        verdict = ("no statistically significant difference" if paired.p_value >= a.alpha
                   else "a statistically significant difference")
        sentence = (f" On the same {paired.n} users, {display(FACE_TO_FACE)} minus {display(TWITTER)} averaged "
                    f"{paired.mean_difference:+.2f} points: {verdict} (Wilcoxon signed-rank, {p_value(paired.p_value)}).")
    non_users = a.channel_impact[(a.channel_impact["respondent_group"] == "non_users") & ~a.channel_impact["suppressed"]]
    if len(non_users):
        first = non_users.sort_values("rank").iloc[0]
        sentence += f" Non-users rated {display(first['channel'])} highest ({number(first['mean_score'])})."
    return Finding(3, lead + "." + sentence, rank <= 2)


def _care(a: WaveAnalysis, display: Names) -> Finding:
    if a.n_interviews == 0:
        return Finding(4, "No interviews were coded this wave.", None)
    if not a.interviews_by_thread:
        return Finding(4, f"None of the {a.n_interviews} interviews had a segment coded to a golden thread.", False)
    parts = [f"{display(t)} in {n} of {a.n_interviews} interviews" for t, n in sorted(a.interviews_by_thread.items())]
    themes = a.interview_themes
    raised = themes[themes["golden_thread"].notna() & (themes["n_interviews"] > 0)]
    examples = join([f"{r.label.lower()} ({r.n_interviews})" for r in raised.itertuples()])
    return Finding(4, f"Interviewees gave concrete examples of impact on the golden threads: {join(parts)}. "
                      f"Examples by theme (interviews): {examples}.", True)


def _barriers(a: WaveAnalysis, display: Names) -> Finding:
    table = a.barriers
    reported = table[~table["suppressed"]].sort_values("pct_selected", ascending=False)
    if reported.empty:
        return Finding(5, f"Barriers to taking up Twitter: {TOO_FEW}.", None)
    parts = [f"{display(r.barrier)} {r.n_selected} of {r.n_answered}, {pct_ci(r.pct_selected, r.ci_low, r.ci_high)}"
             for r in reported.itertuples()]
    return Finding(5, f"Non-users' reasons for not using Twitter, among those who answered: {'; '.join(parts)}.", None)


def _leaders(a: WaveAnalysis) -> Finding:
    if a.n_interviews == 0:
        return Finding(6, "No interviews were coded this wave.", None)
    themes = a.interview_themes
    about_leaders = themes[themes["golden_thread"].isna() & themes["label"].str.contains(LEADERSHIP)]
    raised = about_leaders[about_leaders["n_interviews"] > 0]
    if raised.empty:
        return Finding(6, "No interview raised leadership themes this wave.", None)
    parts = [f"{r.label.lower()} ({r.n_interviews} of {a.n_interviews} interviews)" for r in raised.itertuples()]
    return Finding(6, f"Interviewees raised what leaders do: {join(parts)}.", None)


def findings(a: WaveAnalysis, display: Names | None = None) -> pd.DataFrame:
    display = display or Names()
    rows = [_engagement(a, display), _perceived(a, display), _channels(a, display), _care(a, display),
            _barriers(a, display), _leaders(a)]
    return TABLES["findings"].conform(pd.DataFrame([
        {"wave": a.wave, "finding": f.number, "title": TITLES[f.number], "statement": f.statement,
         "supported": f.supported} for f in rows]))
