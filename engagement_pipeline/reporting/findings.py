"""The six findings of the study, written from one wave's figures (docs/data-contract.md §5.4).

Each finding has three parts, all worked out from the wave's analysis tables:

- a plain **headline** with its key figure (the report's heading and its "In brief" line);
- plain sentences on what the figures show, with counts;
- after "How we know:", the tests, intervals and adjustments behind them.

``findings.statement`` holds the plain sentences and the "How we know" part together; ``basis``
says in plain words what the ``supported`` value rests on. Nothing claims more than ``supported``:
a difference only when supported is true, a majority only above 50 %, a rank only as measured;
"too few responses to report" where suppression hides the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.analyse import WaveAnalysis
from ..analysis.channel_impact import EXACT_UP_TO, TWITTER
from ..warehouse.registry import TABLES
from .wording import (HOW_WE_KNOW, TOO_FEW, Names, distinct, in_words, join, number, ordinal, p_value, pct,
                      pct_beside)

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

#: Said wherever a difference between users and non-users is claimed.
ASSOCIATION = ("Managers chose whether to use Twitter, so this is an association, not evidence that Twitter "
               "changed anyone's engagement: those who took it up may have been more engaged already.")

_DESCRIBED = "Described, not tested"


@dataclass(frozen=True)
class Finding:
    number: int
    headline: str
    plain: str
    how: str
    supported: bool | None
    basis: str  # what ``supported`` rests on, in plain words, starting with the verdict

    @property
    def statement(self) -> str:
        return f"{self.plain} {HOW_WE_KNOW} {self.how}" if self.how else self.plain


def _scope(reported: list[str], partial: bool) -> str:
    """"the only reported area, X" / "both areas" / "all three reported areas"."""
    if len(reported) == 1:
        return f"the only reported area, {reported[0]}"
    what = "reported areas" if partial else "areas"
    return f"both {what}" if len(reported) == 2 else f"all {in_words(len(reported))} {what}"


def _against(first: float, second: float) -> str:
    return " against ".join(distinct([float(first), float(second)]))


def _range(values: list[int]) -> str:
    return f"{min(values)}" if min(values) == max(values) else f"{min(values)}–{max(values)}"


def _sig(values: list[float]) -> list[str]:
    """Values to two significant figures, or more until different values read differently."""
    for digits in range(2, 8):
        shown = [f"{v:.{digits}g}" for v in values]
        if len(set(shown)) == len(set(values)):
            return shown
    return [repr(v) for v in values]


def holm_sentence(names: list[str], raw: list[float], adjusted: list[float], alpha: float, what: str) -> str:
    """The Holm-adjusted p-values of a family, each written once; equal written values are explained.

    Holm's step-down multiplies the smallest raw p by m, the next by m - 1 and so on, then raises
    any value below the one before it. Two adjusted values are *exactly* equal when that raising
    happened; they may also only *look* equal once rounded. Each case is said only when it occurs.
    """
    m = len(names)
    written = [p_value(p, alpha) for p in adjusted]
    if m == 1:
        return written[0]
    if len(set(written)) == 1:
        text = f"Holm-adjusted over the {m} {what}, {written[0]} in each"
    else:
        text = f"Holm-adjusted over the {m} {what}: " + "; ".join(f"{n} {w}" for n, w in zip(names, written))
    repeated = [i for i, w in enumerate(written) if written.count(w) > 1 and not w.startswith("p <")]
    if not repeated:
        return text
    order = np.argsort(raw, kind="stable")
    raised = {int(i) for step, i in enumerate(order) if adjusted[i] > min(1.0, (m - step) * raw[i]) * (1 + 1e-9)}
    notes = []
    values = [adjusted[i] for i in repeated]
    if len(set(values)) > 1:
        shown = _sig(values)
        groups: dict[str, list[str]] = {}
        for i, s in zip(repeated, shown):
            groups.setdefault(s, []).append(names[i])
        notes.append("Before rounding they are " + join([f"{s} ({join(g)})" for s, g in groups.items()]))
    shared: list[str] = []
    for i in repeated:
        same = [j for j in repeated if adjusted[j] == adjusted[i]]
        if len(same) > 1 and any(j in raised for j in same) and names[i] not in shared:
            shared.extend(names[j] for j in same if names[j] not in shared)
    if shared:
        notes.append(f"The values for {join(shared)} are exactly equal, as Holm's method intends: it multiplies "
                     f"the smallest raw p-value by {m}, the next by {m - 1} and so on, and never lets a larger raw p-value end up with "
                     "a smaller adjusted one, so close raw p-values can share an adjusted value")
    elif all(adjusted[i] >= 1.0 for i in repeated):
        notes.append("An adjusted p-value cannot exceed 1")
    return ". ".join([text, *notes])


def _answered_pairs(counts: list[tuple[str, int, int]], users: int, non_users: int) -> str:
    """Who answered, when it is not everyone: explains an n that differs from the wave's."""
    if all(u == users and v == non_users for _, u, v in counts):
        return ""
    if len({(u, v) for _, u, v in counts}) == 1:
        _, u, v = counts[0]
        them, it = ("these questions", "them") if len(counts) > 1 else ("this question", "it")
        return (f" {u} of the {users} users and {v} of the {non_users} non-users answered {them}; the others "
                f"left {it} blank, so the figures count only those who answered.")
    parts = "; ".join(f"{name} {u} users and {v} non-users" for name, u, v in counts)
    return (f" Not everyone answered every question, so the numbers differ (of {users} users and {non_users} "
            f"non-users in the wave): {parts}.")


def _answered(counts: list[int], total: int, who: str, item: str) -> str:
    if all(n == total for n in counts):
        return ""
    return (f" Each figure counts the {who} who answered that {item} ({_range(counts)} of the {total}); "
            "the others left it blank.")


# --- finding 1 -----------------------------------------------------------------------------------------

def _areas_and_suppressed(table: pd.DataFrame, reported: pd.DataFrame,
                          display: Names) -> tuple[list[str], list[str], str]:
    """The reported areas' names, the suppressed ones', and a sentence naming the latter ("" if none)."""
    suppressed = table.loc[table["suppressed"], "area"].map(display).tolist()
    return (reported["area"].map(display).tolist(), suppressed,
            f" For {join(suppressed)}: {TOO_FEW}." if suppressed else "")


def _engagement(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 1: supported when every reported area is significant, with users ahead on the
    test (rank-biserial > 0) and on the means; the reverse direction is said plainly."""
    table = a.engagement_comparison
    reported = table[~table["suppressed"]]
    k = a.min_group_size
    if reported.empty:
        return Finding(1, f"Engagement of Twitter users and non-users: {TOO_FEW} (fewer than {k} in a group)",
                       f"Engagement by Twitter use: {TOO_FEW} (fewer than {k} in a group).", "", None,
                       f"Not judged: in every area fewer than {k} users or non-users answered.")
    significant = reported["significant"].astype(bool)
    users_ahead = significant & (reported["rank_biserial"] > 0) & (reported["mean_users"] > reported["mean_non_users"])
    reverse = significant & (reported["rank_biserial"] < 0) & (reported["mean_users"] < reported["mean_non_users"])
    unclear = significant & ~users_ahead & ~reverse  # the test and the means point different ways
    names = lambda mask: join(reported.loc[mask, "area"].map(display).tolist())  # noqa: E731
    mean_of = lambda mask, first, second: _against(reported.loc[mask, first].mean(),  # noqa: E731
                                                   reported.loc[mask, second].mean())
    areas, suppressed, tail = _areas_and_suppressed(table, reported, display)
    means = "; ".join(f"with {display(r.area)} {_against(r.mean_users, r.mean_non_users)}"
                      for r in reported.itertuples())
    means = f" Average scores out of 5, users against non-users: {means}."
    answered = _answered_pairs([(display(r.area), int(r.n_users), int(r.n_non_users)) for r in reported.itertuples()],
                               a.n_users, a.n_respondents - a.n_users)
    everyone = users_ahead.all()
    how = _engagement_how(a, display, reported, bool(everyone))
    m = len(reported)
    if everyone:
        headline = (f"Twitter users rated their engagement with {join(areas)} higher than non-users did: "
                    f"on average {mean_of(users_ahead, 'mean_users', 'mean_non_users')} out of 5")
        if suppressed:
            headline += f" ({TOO_FEW} for {join(suppressed)})"
        pairs = join([f"{100 * (r.rank_biserial + 1) / 2:.0f} % of the time for {display(r.area)}"
                      for r in reported.itertuples()])
        plain = (f"Twitter users rated their engagement higher than non-users in {_scope(areas, bool(suppressed))}."
                 f"{means} Put another way, a user picked at random rated higher than a non-user picked at random "
                 f"{pairs} (a tie counts half; 50 % would mean no difference).{_adjusted_plain(a, display)}"
                 f"{answered}{tail} {ASSOCIATION}")
        allowing = f", even after allowing for testing {in_words(m)} areas at once" if m > 1 else ""
        basis = (f"Supported: in {'every' if m > 1 else 'the'} area users' average is the higher one and the gap is "
                 f"larger than chance would easily give{allowing}.")
        return Finding(1, headline, plain, how, True, basis)
    parts = []
    if reverse.any():
        parts.append(f"Non-users scored significantly higher than users for {names(reverse)}.")
    if unclear.any():
        parts.append(f"For {names(unclear)} the test and the means point different ways, so no direction is claimed.")
    if (~significant).any():
        parts.append(f"There is no statistically significant difference for {names(~significant)}.")
    if users_ahead.any():
        parts.append(f"Users scored significantly higher for {names(users_ahead)} only.")
    if users_ahead.any():
        headline = (f"Twitter users rated their engagement with {names(users_ahead)} higher than non-users did "
                    f"({mean_of(users_ahead, 'mean_users', 'mean_non_users')} out of 5), but not with "
                    f"{names(~users_ahead)}")
        if reverse.any():
            headline += f"; non-users rated {names(reverse)} higher"
    elif reverse.any():
        headline = (f"Non-users rated their engagement with {names(reverse)} higher than Twitter users did "
                    f"({mean_of(reverse, 'mean_non_users', 'mean_users')} out of 5)")
    else:
        headline = (f"No clear difference in engagement between Twitter users and non-users: on average "
                    f"{mean_of(significant | ~significant, 'mean_users', 'mean_non_users')} out of 5")
    claimed = f" {ASSOCIATION}" if users_ahead.any() or reverse.any() else ""
    plain = (f"The data do not show users more engaged than non-users in every reported area. {' '.join(parts)}"
             f"{means}{answered}{tail}{claimed}")
    basis = (f"Not supported: the study's claim needs users clearly ahead (a gap larger than chance would easily "
             f"give) in every area; that holds in {int(users_ahead.sum())} of {m}.")
    return Finding(1, headline, plain, how, False, basis)


def _engagement_how(a: WaveAnalysis, display: Names, reported: pd.DataFrame, supported: bool) -> str:
    rows = list(reported.itertuples())
    names = [display(r.area) for r in rows]
    chance = join([f"{number((r.rank_biserial + 1) / 2)} for {name}" for r, name in zip(rows, names)])
    effect = join([f"{number(r.rank_biserial)}" for r in rows])
    intervals = join([f"{number(r.rank_biserial_ci_low)} to {number(r.rank_biserial_ci_high)}" for r in rows])
    details = (f"Mann–Whitney U test in each area: a user's score is higher than a non-user's with probability "
               f"{chance} (ties counted half; rank-biserial {effect}, 95 % bootstrap "
               f"{'CIs' if len(rows) > 1 else 'CI'} {intervals}).")
    holm = holm_sentence(names, reported["p_value"].astype(float).tolist(), reported["p_holm"].astype(float).tolist(),
                         a.alpha, "areas")
    if len(rows) == 1:
        return (f"{details} {holm} (one area, so nothing to adjust for). "
                f"{_adjustment_sentence(a, display, supported)}").strip()
    return (f"{details} {holm}. The intervals are not adjusted for testing several areas. "
            f"{_adjustment_sentence(a, display, supported)}").strip()


def _adjusted_plain(a: WaveAnalysis, display: Names) -> str:
    """The like-for-like comparison in words, for a supported finding 1."""
    table = a.engagement_adjusted[~a.engagement_adjusted["suppressed"]]
    estimated = table[table["estimate"].notna()]
    if estimated.empty:
        return ""
    survives = estimated[estimated["significant"].astype(bool) & (estimated["estimate"] > 0)]
    like = "Compared with non-users of the same staff group and locality"
    if len(survives) == len(estimated):
        where = ("in every area" if len(estimated) == len(table) else
                 f"in every area where that comparison can be made ({len(estimated)} of {len(table)})")
        low, high = f"{survives['estimate'].min():.1f}", f"{survives['estimate'].max():.1f}"
        by = f"about {low} points" if low == high else f"{low} to {high} points"
        return f" {like}, users still rated higher {where}, by {by}."
    if survives.empty:
        return f" {like}, no area keeps a clear gap."
    return f" {like}, the gap stays clear for {join(survives['area'].map(display).tolist())} only."


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
                     f"separated from locality and staff group there, or the answers leave no spread to measure its "
                     f"uncertainty by." if missing else "")
    if estimated.empty:
        return not_estimable.strip()
    ranges = "; ".join(f"{display(r.area)} {r.estimate:+.2f} points (95 % CI {r.ci_low:+.2f} to {r.ci_high:+.2f}, "
                       f"Holm-adjusted {p_value(r.p_holm, a.alpha)})" for r in estimated.itertuples())
    model = "linear regression on Twitter use, staff group and locality, HC3 robust errors"
    if not supported:
        return (f"Adjusted for staff group and locality ({model}), the estimated differences are: {ranges} "
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
    return (f"After adjusting for staff group and locality ({model}), {verdict} ({ranges}; intervals not "
            f"adjusted for multiplicity).{not_estimable}")


# --- finding 2 -----------------------------------------------------------------------------------------

def _perceived(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 2: supported when the mean of the reported areas' percentages is above 50; the
    statement also gives the lowest Wilson lower bound and names the suppressed areas."""
    table = a.perceived_impact
    reported = table[~table["suppressed"]]
    if reported.empty:
        return Finding(2, f"Whether Twitter improved users' engagement: {TOO_FEW}",
                       f"Perceived improvement: {TOO_FEW}.", "", None, f"Not judged: in every area fewer than {a.min_group_size} Twitter users answered.")
    mean = float(reported["pct_improved"].mean())
    shown, majority = pct_beside(mean), mean > 50
    areas, suppressed, tail = _areas_and_suppressed(table, reported, display)
    yes = "; ".join(f"{display(r.area)} {r.n_improved} of {r.n_answered} ({pct(r.pct_improved)})"
                    for r in reported.itertuples())
    headline = f"On average {shown} of Twitter users said Twitter had improved their engagement with {join(areas)}"
    headline += "" if majority else ": not a majority"
    plain = (f"Twitter users were asked, area by area, whether Twitter had improved their engagement. Yes: {yes}; "
             f"on average {shown}{'' if majority else ', not a majority'}."
             f"{_answered(reported['n_answered'].astype(int).tolist(), a.n_users, 'users', 'question')}{tail}")
    lowest = reported.loc[reported["ci_low"].astype(float).idxmin()]
    bound = (f" The lowest lower 95 % bound among the areas is {pct_beside(float(lowest['ci_low']))} "
             f"({display(lowest['area'])})")
    bound += (", so a majority is not established with 95 % confidence in every area." if lowest["ci_low"] <= 50
              else ", above 50 % in every reported area.")
    intervals = "; ".join(f"{display(r.area)} {r.ci_low:.0f}–{r.ci_high:.0f} %" for r in reported.itertuples())
    how = f"95 % Wilson score intervals: {intervals}.{bound}"
    over = f"the average across the {in_words(len(areas))} areas" if len(areas) > 1 else "the one reported area"
    basis = (f"Supported: {over}, {shown}, is above half." if majority
             else f"Not supported: {over}, {shown}, is not above half.")
    return Finding(2, headline, plain, how, majority, basis)


# --- finding 3 -----------------------------------------------------------------------------------------

def _channel_list(rows: pd.DataFrame, display: Names) -> str:
    return join([display(c) for c in rows["channel"]])


def _channels(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 3: supported when users have three or more reported channels, none suppressed, and
    Twitter ranks 1 or 2; NULL when a suppressed channel might outrank Twitter."""
    users = a.channel_impact[(a.channel_impact["respondent_group"] == "users")]
    twitter = users[users["channel"] == TWITTER]
    if twitter.empty:
        text = "Twitter was not among the channels rated this wave"
        return Finding(3, text, text + ".", "", None, "Not judged: Twitter was not among the channels rated.")
    if bool(twitter["suppressed"].iloc[0]):
        return Finding(3, f"Twitter's rank among users' channels: {TOO_FEW}",
                       f"Twitter's rank among users' channels: {TOO_FEW}.", "", None,
                       f"Not judged: fewer than {a.min_group_size} users rated Twitter.")
    rank, mean = int(twitter["rank"].iloc[0]), float(twitter["mean_score"].iloc[0])
    ranked = users[~users["suppressed"]].sort_values(["rank", "channel"])
    hidden = users[users["suppressed"]].sort_values("channel")
    ahead = ranked[ranked["rank"] < rank]
    tied = ranked[(ranked["rank"] == rank) & (ranked["channel"] != TWITTER)]
    jointly = "jointly " if len(tied) else ""
    of = f"{len(ranked)} reported channels" if len(hidden) else f"{len(ranked)} channels"
    lead = (f"Among users, Twitter ranked {jointly}{ordinal(rank)} of {of} for their engagement "
            f"({number(mean)} out of 5)")
    short = distinct([mean, *ahead["mean_score"].astype(float)])
    headline = (f"Twitter users put Twitter {jointly}{ordinal(rank)} of {len(ranked)} communication channels"
                f"{' with enough answers' if len(hidden) else ''} for their engagement ({short[0]} out of 5)")
    if len(tied):
        lead += f", level with {_channel_list(tied, display)}"
        headline += f", level with {_channel_list(tied, display)}"
    if len(ahead):
        lead += f", behind {join([f'{display(r.channel)} ({number(r.mean_score)})' for r in ahead.itertuples()])}"
        headline += f", behind {join([f'{display(c)} ({s})' for c, s in zip(ahead['channel'], short[1:])])}"
    lead += "."
    could_outrank = len(hidden) > 0 and mean < 5
    if could_outrank:
        supported = None
        lead += (f" For {_channel_list(hidden, display)}: {TOO_FEW}, and such a channel might outrank Twitter, "
                 f"so Twitter's rank among all channels cannot be judged.")
        basis = (f"Not judged: {_channel_list(hidden, display)} had too few answers to rank and might rank above "
                 "Twitter.")
    elif len(hidden):
        supported = False
        lead += f" For {_channel_list(hidden, display)}: {TOO_FEW}."
        basis = (f"Not supported: {_channel_list(hidden, display)} had too few answers to rank, and the study's claim "
                 "needs every channel ranked.")
    elif len(ranked) < 3:
        supported = False
        lead += f" With only {len(ranked)} channels rated, the rank is not a comparison with other channels."
        basis = f"Not supported: with only {in_words(len(ranked))} channels rated there is too little to compare."
    else:
        supported = rank <= 2
        basis = (f"{'Supported' if supported else 'Not supported'}: Twitter is {ordinal(rank)} of the "
                 f"{in_words(len(ranked))} channels users rated; the study's claim needs 1st or 2nd of three or more.")
    if len(hidden):
        headline += f"; {TOO_FEW} for {_channel_list(hidden, display)}"
    answered = _answered(ranked["n"].astype(int).tolist(), a.n_users, "users", "channel")
    plain = lead + _paired_plain(a, display, ranked) + _non_users_sentence(a, display) + answered
    how = (_paired_sentence(a, display, ranked) + _t_intervals(ranked, rank, display)).strip()
    return Finding(3, headline, plain, how, supported, basis)


def _above_twitter(ranked: pd.DataFrame) -> pd.Series:
    twitter_rank = ranked.loc[ranked["channel"] == TWITTER, "rank"]
    if twitter_rank.empty:
        return pd.Series([], dtype=object)
    return ranked.loc[(ranked["rank"] <= twitter_rank.iloc[0]) & (ranked["channel"] != TWITTER), "channel"]


def _paired_plain(a: WaveAnalysis, display: Names, ranked: pd.DataFrame) -> str:
    """Twitter against each channel ranked above or level with it, on the users who rated both, in words."""
    table = a.channel_comparison
    reported = table[table["channel"].isin(_above_twitter(ranked)) & ~table["suppressed"]]
    sentences = []
    for r in reported.itertuples():
        if r.mean_difference == 0:
            sentences.append(f" The {r.n_pairs} users who rated both Twitter and {display(r.channel)} gave them "
                             "the same average score.")
            continue
        side = "below" if r.mean_difference < 0 else "above"
        verdict = ("a gap larger than chance would easily give" if bool(r.significant)
                   else "a gap small enough to be chance")
        sentences.append(f" The {r.n_pairs} users who rated both scored Twitter on average "
                         f"{abs(r.mean_difference):.2f} points {side} {display(r.channel)}: {verdict}.")
    return "".join(sentences)


def _paired_sentence(a: WaveAnalysis, display: Names, ranked: pd.DataFrame) -> str:
    """Twitter against each channel ranked above or level with it, on the same users
    (channel_comparison: signed-rank test, Holm over channels)."""
    above = _above_twitter(ranked)
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


def _t_intervals(ranked: pd.DataFrame, rank: int, display: Names) -> str:
    """The 95 % t-intervals of Twitter and of the channels ranked above or level with it."""
    if "ci_low" not in ranked or ranked["ci_low"].isna().all():
        return ""
    shown = ranked[(ranked["rank"] <= rank) & ranked["ci_low"].notna()]
    return (" Channel averages with 95 % t-intervals: "
            + "; ".join(f"{display(r.channel)} {r.mean_score:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})"
                        for r in shown.itertuples())
            + "; ranks are by average alone.")


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


# --- findings 4 to 6: interviews and barriers ----------------------------------------------------------

def _by_count(themes: pd.DataFrame) -> pd.DataFrame:
    return themes.assign(_label=themes["label"].str.lower()).sort_values(
        ["n_interviews", "_label"], ascending=[False, True], kind="stable")


def _leadership(themes: pd.DataFrame) -> pd.Series:
    return themes["golden_thread"].isna() & themes["label"].str.contains(LEADERSHIP).fillna(False).astype(bool)


def _theme_list(themes: pd.DataFrame, n_interviews: int, in_full: str = "first") -> str:
    """"label (3 of 10 interviews), label (2)" in order of how many interviews raised each; ``in_full``
    ("first", "all" or "none") says which carry "of N interviews"."""
    rows = list(_by_count(themes).itertuples())
    full = {"all": len(rows), "first": 1, "none": 0}[in_full]
    return join([f"{r.label.lower()} ({r.n_interviews} of {n_interviews} interviews)" if i < full
                 else f"{r.label.lower()} ({r.n_interviews})" for i, r in enumerate(rows)])


def _interview_how(themes: pd.DataFrame) -> str:
    raised, silent = themes[themes["n_interviews"] > 0], themes[themes["n_interviews"] == 0]
    text = ("Counted from the coded interview transcripts: an interview counts once for a theme however many of "
            f"its passages were coded to it ({int(raised['n_segments'].sum())} coded passages on these themes).")
    if len(silent):
        text += f" Codebook themes raised in no interview this wave: {join(silent['label'].str.lower().tolist())}."
    return text


def _care(a: WaveAnalysis, display: Names) -> Finding:
    """Finding 4: every golden-thread theme raised, and every other theme that is not about leaders
    (those are finding 6's), so that between them findings 4 and 6 report every theme raised."""
    if a.n_interviews == 0:
        text = "No interviews were coded this wave"
        return Finding(4, text, text + ".", "", None, "Not judged: no interviews were coded this wave.")
    themes, n = a.interview_themes, a.n_interviews
    golden = themes[themes["golden_thread"].notna()]
    others = themes[themes["golden_thread"].isna() & ~_leadership(themes)]
    raised_others = others[others["n_interviews"] > 0]
    also = (f" Also raised, with no golden thread: {_theme_list(raised_others, n, 'none')}."
            if len(raised_others) else "")
    how = _interview_how(pd.concat([golden, others]))
    if not a.interviews_by_thread:
        return Finding(4, f"None of the {n} interviews gave an example touching a golden thread",
                       f"None of the {n} interviews had a segment coded to a golden thread.{also}", how, False,
                       "Not supported: no interview gave an example touching a golden thread.")
    threads = sorted(golden["golden_thread"].dropna().unique())
    counts = sorted(a.interviews_by_thread.items(), key=lambda item: (-item[1], display(item[0])))
    if len(threads) > 1 and set(threads) <= set(a.interviews_by_thread):
        which = f"all {in_words(len(threads))} golden threads"
    elif len(counts) == 1 and len(threads) <= 1:
        which = "the golden thread"
    else:
        which = f"{in_words(len(counts))} of the {in_words(max(len(threads), len(counts)))} golden threads"
    headline = (f"Interviewees described examples touching {which}: "
                + join([f"{display(t)} in {c} of {n} interviews" if i == 0 else f"{display(t)} in {c}"
                        for i, (t, c) in enumerate(counts)]))
    parts = [f"{display(t)} in {c} of {n} interviews" for t, c in counts]
    examples = _theme_list(golden[golden["n_interviews"] > 0], n)
    plain = (f"Interviewees gave examples touching the golden threads: {join(parts)}. Themes, with the number of "
             f"interviews that raised each: {examples}.{also} These are accounts from {n} interviews: they show that "
             "such examples were described, not how often they happen or that Twitter brought them about.")
    basis = ("Supported in the study's sense: at least one interview gave an example touching a golden thread. "
             "That is all the rule asks; interviews cannot measure how common such examples are.")
    return Finding(4, headline, plain, how, True, basis)


def _barriers(a: WaveAnalysis, display: Names) -> Finding:
    table = a.barriers
    reported = table[~table["suppressed"]].sort_values("pct_selected", ascending=False, kind="stable")
    basis = f"{_DESCRIBED}: the study reports these reasons as given; no rule calls them supported or not."
    if reported.empty:
        return Finding(5, f"Non-users' reasons for not using Twitter: {TOO_FEW}",
                       f"Barriers to taking up Twitter: {TOO_FEW}.", "", None, basis)
    suppressed = table.loc[table["suppressed"], "barrier"].map(display).tolist()
    tail = f" For {join(suppressed)}: {TOO_FEW}." if suppressed else ""
    headline = "Non-users' reasons for not using Twitter: " + ", ".join(
        f"{display(r.barrier)} ({pct(r.pct_selected)})" for r in reported.itertuples())
    parts = "; ".join(f"{display(r.barrier)} {r.n_selected} of {r.n_answered} ({pct(r.pct_selected)})"
                      for r in reported.itertuples())
    answered = _answered(reported["n_answered"].astype(int).tolist(), a.n_respondents - a.n_users, "non-users", "item")
    plain = (f"Non-users were asked which reasons applied to them, and could give more than one: {parts}."
             f"{answered}{tail}")
    how = "95 % Wilson score intervals: " + "; ".join(
        f"{display(r.barrier)} {r.ci_low:.0f}–{r.ci_high:.0f} %" for r in reported.itertuples()) + "."
    return Finding(5, headline, plain, how, None, basis)


def _leaders(a: WaveAnalysis) -> Finding:
    basis = f"{_DESCRIBED}: themes from the interviews, counted by interview."
    if a.n_interviews == 0:
        text = "No interviews were coded this wave"
        return Finding(6, text, text + ".", "", None, basis)
    themes, n = a.interview_themes, a.n_interviews
    about_leaders = themes[_leadership(themes)]
    raised = about_leaders[about_leaders["n_interviews"] > 0]
    how = _interview_how(about_leaders)
    if raised.empty:
        return Finding(6, f"None of the {n} interviews raised a theme about leaders",
                       "No interview raised leadership themes this wave.", how, None, basis)
    headline = f"What interviewees said about leaders: {_theme_list(raised, n)}"
    plain = (f"Interviewees raised what leaders do: {_theme_list(raised, n, 'all')}. "
             "These describe what was said in the interviews; they do not measure how widely it is felt.")
    return Finding(6, headline, plain, how, None, basis)


def explain(a: WaveAnalysis, display: Names | None = None) -> list[Finding]:
    """The six findings of a wave with their headlines, plain sentences, statistics and verdicts."""
    display = display or Names()
    return [_engagement(a, display), _perceived(a, display), _channels(a, display), _care(a, display),
            _barriers(a, display), _leaders(a)]


def findings(a: WaveAnalysis, display: Names | None = None) -> pd.DataFrame:
    return TABLES["findings"].conform(pd.DataFrame([
        {"wave": a.wave, "finding": f.number, "title": TITLES[f.number], "headline": f.headline,
         "statement": f.statement, "supported": f.supported} for f in explain(a, display)]))
