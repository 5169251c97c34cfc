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
from ..analysis.channel_impact import EXACT_UP_TO, TWITTER
from ..warehouse.registry import TABLES
from .wording import TOO_FEW, Names, join, number, ordinal, p_value, pct_beside, pct_ci

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


def _scope(reported: list[str]) -> str:
    """"the only reported area, X" / "both reported areas" / "all 3 reported areas"."""
    if len(reported) == 1:
        return f"the only reported area, {reported[0]}"
    return "both reported areas" if len(reported) == 2 else f"all {len(reported)} reported areas"


def _engagement(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 1: supported when every reported area is significant, with users ahead on the
    test (rank-biserial > 0) and on the means; the reverse direction is said plainly."""
    table = a.engagement_comparison
    reported = table[~table["suppressed"]]
    if reported.empty:
        return Finding(1, f"Engagement by Twitter use: {TOO_FEW} (fewer than {a.min_group_size} in a group).", None)
    significant = reported["significant"].astype(bool)
    users_ahead = significant & (reported["rank_biserial"] > 0) & (reported["mean_users"] > reported["mean_non_users"])
    reverse = significant & (reported["rank_biserial"] < 0) & (reported["mean_users"] < reported["mean_non_users"])
    unclear = significant & ~users_ahead & ~reverse  # the test and the means point different ways
    details = "; ".join(
        f"{display(r.area)}: mean {number(r.mean_users, 1)} vs {number(r.mean_non_users, 1)}, a user's score is higher "
        f"than a non-user's with probability {number((r.rank_biserial + 1) / 2)} (ties counted half; rank-biserial "
        f"{number(r.rank_biserial)}, 95 % CI {number(r.rank_biserial_ci_low)} to {number(r.rank_biserial_ci_high)}), "
        f"Holm-adjusted {p_value(r.p_holm, a.alpha)}"
        for r in reported.itertuples())
    details += "; intervals unadjusted, significance Holm-adjusted over areas"
    suppressed = table.loc[table["suppressed"], "area"].map(display).tolist()
    tail = f" For {join(suppressed)}: {TOO_FEW}." if suppressed else ""
    names = lambda mask: join(reported.loc[mask, "area"].map(display).tolist())  # noqa: E731
    if users_ahead.all():
        adjusted = _adjustment_sentence(a, display, supported=True)
        text = (f"Twitter users scored significantly higher than non-users in "
                f"{_scope(reported['area'].map(display).tolist())}, on the test and on the means ({details}).{tail} "
                f"{adjusted}")
        return Finding(1, text.strip(), True)
    parts = []
    if reverse.any():
        parts.append(f"Non-users scored significantly higher than users for {names(reverse)}.")
    if unclear.any():
        parts.append(f"For {names(unclear)} the test and the means point different ways, so no direction is claimed.")
    if (~significant).any():
        parts.append(f"There is no statistically significant difference for {names(~significant)}.")
    if users_ahead.any():
        parts.append(f"Users scored significantly higher for {names(users_ahead)} only.")
    adjusted = _adjustment_sentence(a, display, supported=False)
    text = (f"The data do not show users more engaged than non-users in every reported area. {' '.join(parts)} "
            f"({details}).{tail} {adjusted}")
    return Finding(1, text.strip(), False)


def _adjustment_sentence(a: WaveAnalysis, display: Names, supported: bool) -> str:
    """The regression's estimates; a verdict of significance only when finding 1 itself holds.

    Significance is the table's own (Holm over the estimated areas, as for the unadjusted test);
    the intervals beside it are unadjusted, and the sentence says so. An area whose coefficient
    cannot be estimated is named, never counted as "not significant".
    """
    table = a.engagement_adjusted[~a.engagement_adjusted["suppressed"]]
    estimated = table[table["estimate"].notna()]
    missing = table.loc[table["estimate"].isna(), "area"].map(display).tolist()
    not_estimable = (f" For {join(missing)} the adjusted difference cannot be estimated: Twitter use cannot be "
                     f"separated from locality and staff group there." if missing else "")
    if estimated.empty:
        return not_estimable.strip()
    ranges = "; ".join(f"{display(r.area)} {r.estimate:+.2f} points (95 % CI {r.ci_low:+.2f} to {r.ci_high:+.2f}, "
                       f"Holm-adjusted {p_value(r.p_holm, a.alpha)})" for r in estimated.itertuples())
    if not supported:
        return (f"Adjusted for staff group and locality, the estimated differences are: {ranges} "
                f"(intervals not adjusted for multiplicity).{not_estimable}")
    survives = estimated[estimated["significant"].astype(bool) & (estimated["estimate"] > 0)]
    if len(survives) == len(estimated):
        verdict = ("the difference remains statistically significant in every area" if not missing else
                   f"the difference remains statistically significant in every area where it can be estimated "
                   f"({len(estimated)} of {len(table)})")
    elif survives.empty:
        verdict = "no area keeps a statistically significant difference"
    else:
        verdict = f"the difference remains significant for {join(survives['area'].map(display).tolist())} only"
    return (f"After adjusting for staff group and locality, {verdict} ({ranges}; intervals not adjusted for "
            f"multiplicity).{not_estimable}")


def _perceived(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 2: supported when the mean of the reported areas' percentages is above 50; the
    statement also gives the lowest Wilson lower bound and names the suppressed areas."""
    table = a.perceived_impact
    reported = table[~table["suppressed"]]
    if reported.empty:
        return Finding(2, f"Perceived improvement: {TOO_FEW}.", None)
    mean = float(reported["pct_improved"].mean())
    areas = "; ".join(f"{display(r.area)} {r.n_improved} of {r.n_answered}, {pct_ci(r.pct_improved, r.ci_low, r.ci_high)}"
                      for r in reported.itertuples())
    lowest = reported.loc[reported["ci_low"].astype(float).idxmin()]
    bound = (f" The lowest lower 95 % bound among the areas is {pct_beside(float(lowest['ci_low']))} "
             f"({display(lowest['area'])})")
    bound += (", so a majority is not established with 95 % confidence in every area." if lowest["ci_low"] <= 50
              else ", above 50 % in every reported area.")
    suppressed = table.loc[table["suppressed"], "area"].map(display).tolist()
    tail = f" For {join(suppressed)}: {TOO_FEW}." if suppressed else ""
    if mean > 50:
        return Finding(2, f"On average {pct_beside(mean)} of users said Twitter had improved their engagement "
                          f"({areas}).{bound}{tail}", True)
    return Finding(2, f"On average {pct_beside(mean)} of users said Twitter had improved their engagement, not a "
                      f"majority ({areas}).{bound}{tail}", False)


def _channel_list(rows: pd.DataFrame, display: Names) -> str:
    return join([display(c) for c in rows["channel"]])


def _channels(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 3: supported when users have three or more reported channels, none suppressed, and
    Twitter ranks 1 or 2; NULL when a suppressed channel might outrank Twitter."""
    users = a.channel_impact[(a.channel_impact["respondent_group"] == "users")]
    twitter = users[users["channel"] == TWITTER]
    if twitter.empty:
        return Finding(3, "Twitter was not among the channels rated this wave.", None)
    if bool(twitter["suppressed"].iloc[0]):
        return Finding(3, f"Twitter's rank among users' channels: {TOO_FEW}.", None)
    rank, mean = int(twitter["rank"].iloc[0]), float(twitter["mean_score"].iloc[0])
    ranked = users[~users["suppressed"]].sort_values(["rank", "channel"])
    hidden = users[users["suppressed"]].sort_values("channel")
    ahead = ranked[ranked["rank"] < rank]
    tied = ranked[(ranked["rank"] == rank) & (ranked["channel"] != TWITTER)]
    of = f"{len(ranked)} reported channels" if len(hidden) else f"{len(ranked)} channels"
    lead = f"Among users, Twitter ranked {'jointly ' if len(tied) else ''}{ordinal(rank)} of {of} for impact on " \
           f"engagement (mean {number(mean)} on a 1–5 scale)"
    if len(tied):
        lead += f", level with {_channel_list(tied, display)}"
    if len(ahead):
        lead += f", behind {join([f'{display(r.channel)} ({number(r.mean_score)})' for r in ahead.itertuples()])}"
    lead += "."
    could_outrank = len(hidden) > 0 and mean < 5
    if could_outrank:
        supported = None
        lead += (f" For {_channel_list(hidden, display)}: {TOO_FEW}, and such a channel might outrank Twitter, "
                 f"so Twitter's rank among all channels cannot be judged.")
    elif len(hidden):
        supported = False
        lead += f" For {_channel_list(hidden, display)}: {TOO_FEW}."
    elif len(ranked) < 3:
        supported = False
        lead += f" With only {len(ranked)} channels rated, the rank is not a comparison with other channels."
    else:
        supported = rank <= 2
    return Finding(3, lead + _paired_sentence(a, display, ranked) + _non_users_sentence(a, display), supported)


def _paired_sentence(a: WaveAnalysis, display: Names, ranked: pd.DataFrame) -> str:
    """Twitter against each channel ranked above or level with it, on the same users
    (channel_comparison: signed-rank test, Holm over channels)."""
    twitter_rank = ranked.loc[ranked["channel"] == TWITTER, "rank"]
    if twitter_rank.empty:
        return ""
    above = ranked.loc[(ranked["rank"] <= twitter_rank.iloc[0]) & (ranked["channel"] != TWITTER), "channel"]
    table = a.channel_comparison
    reported = table[table["channel"].isin(above) & ~table["suppressed"]]
    sentences = []
    for r in reported.itertuples():
        verdict = ("a statistically significant difference" if bool(r.significant)
                   else "no statistically significant difference")
        method = "exact" if r.n_nonzero <= EXACT_UP_TO else "normal approximation"
        sentences.append(
            f" On the same {r.n_pairs} users, {r.n_nonzero} rated the two channels differently; "
            f"{display(TWITTER)} minus {display(r.channel)} averaged {r.mean_difference:+.2f} points: {verdict} "
            f"(Wilcoxon signed-rank on the non-zero differences, {method}; Holm-adjusted over "
            f"{int((~table['suppressed']).sum())} channels, {p_value(r.p_holm, a.alpha)}).")
    hidden = table.loc[table["channel"].isin(above) & table["suppressed"], "channel"].tolist()
    if hidden:
        sentences.append(f" Twitter against {join([display(c) for c in hidden])} on the same users: {TOO_FEW}.")
    return "".join(sentences)


def _non_users_sentence(a: WaveAnalysis, display: Names) -> str:
    """The non-users' top channel; tied channels named together."""
    non_users = a.channel_impact[a.channel_impact["respondent_group"] == "non_users"]
    reported = non_users[~non_users["suppressed"]]
    if reported.empty:
        return ""
    top = reported[reported["rank"] == reported["rank"].min()].sort_values("channel")
    jointly = " jointly" if len(top) > 1 else ""
    of = " of the reported channels" if non_users["suppressed"].any() else ""
    return f" Non-users rated {_channel_list(top, display)}{jointly} highest{of} ({number(float(top['mean_score'].iloc[0]))})."


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
