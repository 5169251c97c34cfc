"""Matplotlib charts of one wave and across waves, drawn from the analysis tables (never raw rows).

Conventions, for a reader who sees one chart at a time:

- one colour per concept in every chart (``COLOURS``): blue is always Twitter users, orange always
  non-users, and no other concept borrows either;
- a bold title says what is asked, a subtitle says in words which wave and how many people answered;
- every rank or difference is drawn with its 95 % interval, so overlaps are visible;
- axes speak plainly (the statistics' names belong in the report's "how we know" text), percentages
  run from 0 to 100 at most, and the 1-5 rating scale starts at 1;
- a suppressed group is drawn as the words "too few responses" rather than dropped.

The shared look is set once, at import (``STYLE``); no chart sets fonts or styles of its own.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from ..contract import GOLDEN_THREADS  # noqa: E402
from .wording import TOO_FEW, Names, ordinal  # noqa: E402

#: Every colour a chart gives to data, by the concept it stands for; no two concepts share one.
#: Okabe-Ito blue and orange for the two respondent groups (safe for colour-blind readers), a
#: brown-to-teal diverging scale for the five engagement levels, and for the golden threads hues
#: that are neither blue nor orange.
COLOURS: dict[str, str] = {
    "users": "#0072B2",
    "non_users": "#E69F00",
    "difference": "#333333",  # a users-against-non-users comparison (the gap charts)
    "engaged_1": "#8C510A",
    "engaged_2": "#D8B365",
    "engaged_3": "#DDDDDD",
    "engaged_4": "#5AB4AC",
    "engaged_5": "#01665E",
    "thread_patient_care": "#CC79A7",
    "thread_patient_experience": "#6A3D9A",
    "thread_equality_diversity": "#F0E442",
    "thread_none": "#BBBBBB",
}
GROUP_COLOURS = {"users": COLOURS["users"], "non_users": COLOURS["non_users"]}
GROUP_LABELS = {"users": "Twitter users", "non_users": "Non-users"}
LIKERT_COLOURS = [COLOURS[f"engaged_{level}"] for level in range(1, 6)]
THREAD_COLOURS = {thread: COLOURS[f"thread_{thread}"] for thread in GOLDEN_THREADS}
#: Text and guide lines (not data).
INK, MUTED, GUIDE = "#222222", "#555555", "#999999"
STAMP_RED = "#C0001A"
DPI = 110

#: The one style every chart shares, applied once when this module is imported.
STYLE = {
    "font.size": 10, "axes.labelsize": 10, "axes.titlesize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
    "legend.fontsize": 9, "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False,
    "axes.edgecolor": GUIDE, "axes.labelcolor": INK, "text.color": INK, "xtick.color": MUTED,
    "ytick.color": MUTED, "axes.axisbelow": True, "grid.color": "#E6E6E6", "grid.linewidth": 0.8,
    "errorbar.capsize": 3, "figure.dpi": DPI, "savefig.dpi": DPI,
}
matplotlib.rcParams.update(STYLE)

_TITLE_PT, _SUBTITLE_PT = 13.0, 9.5
_MARGIN_IN = 0.12  # space above the title and between the heading and the plot

#: What every chart drawn inside ``labelled`` says under its plot: the wave, and whether it is synthetic.
_LABEL: dict[str, str] = {}


@contextmanager
def labelled(source: str, synthetic: bool) -> Iterator[None]:
    """Charts drawn inside carry ``source`` (e.g. "Wave 2019-03") in a footnote and, for generated
    data, a red "SYNTHETIC DATA" mark, so a chart copied out of its report still says what it shows."""
    _LABEL.update(source=source, synthetic="yes" if synthetic else "")
    try:
        yield
    finally:
        _LABEL.clear()


def _stamp(fig: plt.Figure) -> None:
    if not _LABEL:
        return
    fig.text(0.01, 0.005, _LABEL["source"], fontsize=8, color=MUTED, ha="left", va="bottom")
    if _LABEL["synthetic"]:
        fig.text(0.99, 0.005, "SYNTHETIC DATA — not real survey results", fontsize=8, color=STAMP_RED,
                 fontweight="bold", ha="right", va="bottom")


def _heading(fig: plt.Figure, title: str, subtitle: str) -> None:
    """A bold title and a wrapped grey subtitle at the figure's top left, above every panel.

    The texts carry the gids "title" and "subtitle"; ``_save`` keeps the plot clear of them."""
    height = fig.get_figheight()
    per_line = max(40, int((fig.get_figwidth() - 0.3) * 72 / (_SUBTITLE_PT * 0.56)))
    lines = textwrap.wrap(subtitle, per_line) or [""]
    top = _MARGIN_IN
    fig.text(0.01, 1 - top / height, title, fontsize=_TITLE_PT, fontweight="bold", ha="left", va="top", gid="title")
    top += _TITLE_PT * 1.35 / 72
    fig.text(0.01, 1 - top / height, "\n".join(lines), fontsize=_SUBTITLE_PT, color=MUTED, ha="left", va="top",
             linespacing=1.3, gid="subtitle")
    top += len(lines) * _SUBTITLE_PT * 1.3 / 72 + _MARGIN_IN
    fig._engagement_heading_in = top  # read by _save


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _stamp(fig)
    height = fig.get_figheight()
    top = 1 - getattr(fig, "_engagement_heading_in", 0.0) / height
    bottom = 0.22 / height if _LABEL else 0.0
    fig.tight_layout(rect=(0, bottom, 1, top))
    # tight_layout leaves a placeholder layout engine behind, which makes savefig draw the whole
    # figure an extra time; the layout is already done.
    fig.set_layout_engine(None)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


# --- words -------------------------------------------------------------------------------------------

def _wave_words(table: pd.DataFrame) -> str:
    """ "Wave 2020-03" from the table's own wave column, else the ``labelled`` source, else ""."""
    if "wave" in table.columns:
        waves = sorted(str(w) for w in table["wave"].dropna().unique())
        if len(waves) == 1:
            return f"Wave {waves[0]}"
        if len(waves) > 1:
            return f"Waves {waves[0]} to {waves[-1]}"
    return _LABEL.get("source", "")


def _count_words(values: Iterable[object]) -> str | None:
    """ "37", or "23 to 25" when the questions had different numbers of answers; None when none."""
    counts = sorted({int(v) for v in values if v is not None and not pd.isna(v)})
    if not counts:
        return None
    return str(counts[0]) if counts[0] == counts[-1] else f"{counts[0]} to {counts[-1]}"


def _groups_words(users: str | None, non_users: str | None, verb: str) -> str:
    """ "37 Twitter users and 25 non-users answered", naming a group with too few answers as such."""
    if not users and not non_users:
        return "too few answered to report"
    return f"{users or 'too few'} Twitter users and {non_users or 'too few'} non-users {verb}"


def _subtitle(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def _interval_note() -> str:
    return "lines show 95 % intervals"


def _too_few(ax: plt.Axes, y: float, x: float = 0.0) -> None:
    ax.text(x, y, TOO_FEW, va="center", ha="left", fontsize=9, style="italic", color=MUTED)


def _right_column(ax: plt.Axes, y: float, text: str, **kwargs) -> None:
    """A figure's numbers in a column just right of the plot, so no label runs past the axis."""
    ax.text(1.02, y, text, transform=blended_transform_factory(ax.transAxes, ax.transData), va="center",
            ha="left", fontsize=9, clip_on=False, **kwargs)


def _points(ax: plt.Axes, where: list[float], values: list[float], lows: list[float], highs: list[float],
            colour: str, *, vertical: bool = False, markersize: float = 7, **kwargs) -> None:
    """Dots with interval whiskers, all in one ``errorbar`` call (an interval that is not known
    draws no whisker)."""
    if not values:
        return
    values = np.asarray(values, dtype=float)
    below = np.nan_to_num(values - np.asarray(lows, dtype=float), nan=0.0)
    above = np.nan_to_num(np.asarray(highs, dtype=float) - values, nan=0.0)
    x, y = (where, values) if vertical else (values, where)
    err = {"yerr" if vertical else "xerr": [below, above]}
    ax.errorbar(x, y, **err, fmt="o", color=colour, markersize=markersize, linewidth=1.6, **kwargs)


def _percent_ticks(ax: plt.Axes, low: int = 0, step: int = 20, axis: str = "x") -> None:
    ticks = list(range(low, 101, step))
    labels = [f"{t} %" for t in ticks]
    if axis == "x":
        ax.set_xlim(low, 100)
        ax.set_xticks(ticks, labels)
    else:
        ax.set_ylim(low, 100)
        ax.set_yticks(ticks, labels)


def _chance_higher(r: float) -> float:
    """Rank-biserial r read as the chance (in %) that a user's score is above a non-user's, ties
    counted half: (r + 1) / 2."""
    return 50.0 * (float(r) + 1.0)


def _chance_floor(lows: Iterable[float]) -> int:
    """The lower end of a "chance higher" axis: 40 %, or lower in steps of 10 to show every interval."""
    lows = [v for v in lows if not pd.isna(v)]
    return int(max(0, min(40, 10 * math.floor(min(lows, default=40) / 10))))


def _legend_above(ax: plt.Axes, handles: list, labels: list[str], ncol: int, title: str | None = None) -> None:
    """A legend between the heading and the plot, entries in the order given (nothing when none)."""
    if not handles:
        return
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1), bbox_transform=ax.transAxes,
              borderaxespad=0.4, ncol=ncol, title=title, alignment="left", handlelength=1.4,
              title_fontsize=9, columnspacing=1.6)


# --- one wave ----------------------------------------------------------------------------------------

def engagement_likert(distribution: pd.DataFrame, min_group_size: int, names: Names, path: Path,
                      scale: tuple[str, ...] = ("not at all", "slightly", "moderately", "very", "extremely"),
                      suppressed_areas: frozenset[str] = frozenset()) -> Path:
    """Diverging stacked bars per area and group, centred on the neutral midpoint, on one shared axis.

    An area ``engagement_comparison`` suppresses is drawn as "too few responses" for both groups:
    the chart follows the table, so its distributions give away no figure the table hides."""
    areas = list(dict.fromkeys(distribution["item"]))
    rows = [(area, group) for area in areas for group in ("users", "non_users")]
    fig, ax = plt.subplots(figsize=(9, 0.58 * len(rows) + 2.8))
    labels, shown = [], {"users": [], "non_users": []}
    segments: list[list[tuple[float, float, float]]] = [[] for _ in LIKERT_COLOURS]  # (y, left, width)
    for y, (area, group) in enumerate(rows):
        counts = (distribution[(distribution["item"] == area) & (distribution["respondent_group"] == group)]
                  .sort_values("score")["n"].to_numpy())
        n = int(counts.sum())
        labels.append(f"{names(area)}\n{GROUP_LABELS[group]}")
        if n < min_group_size or area in suppressed_areas:
            _too_few(ax, y, -97)
            continue
        shown[group].append(n)
        share = 100 * counts / n
        left = -(share[0] + share[1] + share[2] / 2)
        for level, width in enumerate(share):
            segments[level].append((y, left, width))
            if width >= 7:
                ax.text(left + width / 2, y, f"{width:.0f}", ha="center", va="center", fontsize=8,
                        color="white" if level in (0, 4) else INK)
            left += width
    for level, parts in enumerate(segments):
        if parts:
            where, lefts, widths = zip(*parts)
            ax.barh(where, widths, left=lefts, color=LIKERT_COLOURS[level], edgecolor="white", height=0.7)
    ax.axvline(0, color=INK, linewidth=0.8, zorder=0.9)  # behind the bars and their numbers
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(-100, 100)
    ax.set_xticks(range(-100, 101, 25), [f"{abs(t)} %" for t in range(-100, 101, 25)])
    ax.grid(axis="x")
    ax.set_xlabel("% of respondents   ← less engaged  |  more engaged →   (the middle answer is split at 0)")
    users, non_users = _count_words(shown["users"]), _count_words(shown["non_users"])
    answered = _groups_words(users, non_users, "rated each area") + (
        "; people who skipped a question are not counted, so these can be below the wave's totals")
    _heading(fig, "How engaged do Twitter users and non-users feel?",
             _subtitle(_wave_words(distribution), answered, "numbers in the bars are % of the row"))
    if shown["users"] or shown["non_users"]:
        _legend_above(ax, [Patch(color=c) for c in LIKERT_COLOURS], list(scale), ncol=len(scale),
                      title="How engaged they feel with the area")
    return _save(fig, path)


def _interval_bars(ax: plt.Axes, labels: list[str], values: pd.Series, low: pd.Series, high: pd.Series,
                   suppressed: pd.Series, colour: str) -> None:
    """Horizontal percentage bars from 0 to 100 with their intervals and the figures in a column at right."""
    y = np.arange(len(labels))
    for i in y:
        if suppressed.iloc[i]:
            _too_few(ax, i, 1)
            continue
        value, lo, hi = float(values.iloc[i]), float(low.iloc[i]), float(high.iloc[i])
        ax.barh(i, value, color=colour, height=0.6)
        ax.errorbar(value, i, xerr=[[value - lo], [hi - value]], fmt="none", color=INK, linewidth=1)
        _right_column(ax, i, f"{value:.0f} %  ({lo:.0f}–{hi:.0f} %)")
    ax.set_yticks(y, labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    _percent_ticks(ax)
    ax.grid(axis="x")


def perceived_improvement(table: pd.DataFrame, names: Names, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8.5, 0.6 * len(table) + 2.2))
    _interval_bars(ax, [names(a) for a in table["area"]], table["pct_improved"], table["ci_low"],
                   table["ci_high"], table["suppressed"], GROUP_COLOURS["users"])
    ax.axvline(50, color=GUIDE, linestyle="--", linewidth=0.8)
    ax.set_xlabel("% of Twitter users answering yes (dashed line: half)")
    n = _count_words(table["n_answered"])
    _heading(fig, "Has Twitter improved engagement? What users say",
             _subtitle(_wave_words(table), f"asked of Twitter users only; {n or 'none'} answered each question",
                       _interval_note()))
    return _save(fig, path)


def barrier_chart(table: pd.DataFrame, names: Names, path: Path) -> Path:
    table = table.sort_values("pct_selected", ascending=False, na_position="last")
    fig, ax = plt.subplots(figsize=(9.5, 0.55 * len(table) + 2.2))
    _interval_bars(ax, [names(b) for b in table["barrier"]], table["pct_selected"], table["ci_low"],
                   table["ci_high"], table["suppressed"], GROUP_COLOURS["non_users"])
    ax.set_xlabel("% of non-users who gave the reason (each could give several)")
    n = _count_words(table["n_answered"])
    _heading(fig, "What holds non-users back from Twitter?",
             _subtitle(_wave_words(table), f"asked of non-users only; {n or 'none'} answered each question",
                       _interval_note()))
    return _save(fig, path)


def _rank_words(rank: float, ranks: pd.Series) -> str:
    place = ordinal(int(rank))
    return f"joint {place}" if int((ranks == rank).sum()) > 1 else place


def channel_chart(table: pd.DataFrame, names: Names, path: Path) -> Path:
    """Mean impact per channel on the 1-5 scale with its 95 % interval, users beside non-users,
    ordered by the users' rank; each group's rank in words in a column at right."""
    users = table[table["respondent_group"] == "users"].sort_values(["rank", "channel"], na_position="last")
    order = list(users["channel"]) + [c for c in table["channel"].unique() if c not in set(users["channel"])]
    fig, ax = plt.subplots(figsize=(9, 0.68 * len(order) + 2.5))
    offsets = {"users": -0.18, "non_users": 0.18}
    answered: dict[str, str | None] = {}
    for group, offset in offsets.items():
        part = table[table["respondent_group"] == group].set_index("channel")
        reported = part[~part["suppressed"].astype(bool)]
        answered[group] = _count_words(reported["n"])
        where, means, lows, highs = [], [], [], []
        for i, channel in enumerate(order):
            y = i + offset
            if channel not in part.index:
                if group == "non_users" and channel == "twitter":
                    ax.text(1.05, y, "not asked of non-users", va="center", fontsize=8, color=MUTED)
                continue
            row = part.loc[channel]
            if row["suppressed"]:
                _too_few(ax, y, 1.05)
                continue
            mean, lo, hi = float(row["mean_score"]), row["ci_low"], row["ci_high"]
            known = not (pd.isna(lo) or pd.isna(hi))
            where.append(y), means.append(mean)
            lows.append(float(lo) if known else np.nan), highs.append(float(hi) if known else np.nan)
            interval = f" ({float(lo):.1f}–{float(hi):.1f})" if known else ""
            _right_column(ax, y, f"{mean:.2f}{interval}, {_rank_words(row['rank'], reported['rank'])}",
                          color=INK)
        _points(ax, where, means, lows, highs, GROUP_COLOURS[group], clip_on=False)
    ax.set_yticks(range(len(order)), [names(c) for c in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(1, 5)
    ax.set_xticks(range(1, 6), ["1\nno impact", "2", "3", "4", "5\nvery high"])
    ax.grid(axis="x")
    ax.set_xlabel("Average rating of the channel's impact on engagement")
    handles = [Line2D([], [], marker="o", color=GROUP_COLOURS[g], linewidth=1.6, markersize=7) for g in offsets]
    labels = [f"{GROUP_LABELS[g]} ({answered[g]} answered)" if answered[g] else f"{GROUP_LABELS[g]} (too few answered)"
              for g in offsets]
    _legend_above(ax, handles, labels, ncol=2)
    _heading(fig, "Which channels do staff say help their engagement most?",
             _subtitle(_wave_words(table),
                       _groups_words(answered["users"], answered["non_users"], "rated the channels"),
                       "dots are averages, lines their 95 % intervals; at right: average (interval), rank within the "
                       "group — where lines overlap, the order may be chance"))
    return _save(fig, path)


def theme_chart(themes: pd.DataFrame, n_interviews: int, names: Names, path: Path,
                interviews_by_thread: dict[str, int] | None = None) -> Path:
    """Interviews raising each theme, grouped by golden thread (in ``GOLDEN_THREADS`` order, then the
    themes with none); the legend lists the groups in the same order with their totals.

    ``interviews_by_thread`` (distinct interviews per thread, optional) adds "in k of n interviews"
    to each thread's legend entry; summing the bars would count an interview once per theme."""
    thread = themes["golden_thread"].astype(object)
    groups = [t for t in GOLDEN_THREADS if (thread == t).any()] + ([None] if thread.isna().any() else [])
    ordered, ys, y = [], [], 0.0
    for group in groups:
        part = themes[thread.isna()] if group is None else themes[thread == group]
        part = part.sort_values(["n_interviews", "label"], ascending=[False, True])
        for row in part.itertuples():
            ordered.append((group, row))
            ys.append(y)
            y += 1
        y += 0.5  # a gap between golden threads
    fig, ax = plt.subplots(figsize=(9, 0.36 * len(ordered) + 0.2 * len(groups) + 2.7))
    colour = {group: COLOURS[f"thread_{group or 'none'}"] for group in groups}
    if ordered:
        ax.barh(ys, [row.n_interviews for _, row in ordered], color=[colour[g] for g, _ in ordered],
                edgecolor="#666666", linewidth=0.5, height=0.65)
    for (group, row), pos in zip(ordered, ys):
        ax.text(row.n_interviews + 0.1, pos, str(int(row.n_interviews)), va="center", fontsize=8)
    ax.set_yticks(ys, [row.label for _, row in ordered])
    ax.set_ylim((ys[-1] if ys else 0) + 0.6, -0.6)
    ax.set_xlim(0, max(n_interviews, 1) + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="x")
    ax.set_xlabel(f"Interviews raising the theme (of {n_interviews})")
    if n_interviews == 0:
        ax.text(0.5, 0.5, "No interviews were coded for this wave", transform=ax.transAxes, ha="center",
                va="center", style="italic", color=MUTED)
    labels = []
    for group in groups:
        part = themes[thread.isna()] if group is None else themes[thread == group]
        k = len(part)
        text = (f"{'no golden thread' if group is None else names(group)}: {k} theme{'s' if k != 1 else ''}, "
                f"{int(part['n_segments'].sum())} coded passages")
        if group is not None and interviews_by_thread is not None:
            text += f", in {interviews_by_thread.get(group, 0)} of {n_interviews} interviews"
        labels.append(text)
    _legend_above(ax, [Patch(facecolor=colour[g], edgecolor="#666666", linewidth=0.5) for g in groups], labels,
                  ncol=1, title="Golden thread (in the order of the bars)")
    _heading(fig, "What did the interviews raise?",
             _subtitle(_wave_words(themes), f"{n_interviews} interview{'s' if n_interviews != 1 else ''}",
                       "bars: interviews raising each theme", "a coded passage is a quote tagged with a theme"))
    return _save(fig, path)


def effect_size_chart(comparison: pd.DataFrame, names: Names, path: Path) -> Path:
    """Per area, the chance that a user's score is above a non-user's ((rank-biserial + 1) / 2, ties
    counted half; 50 % = no difference) with its bootstrap 95 % interval."""
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(comparison) + 2.4))
    reported = comparison[~comparison["suppressed"].astype(bool)]
    floor = _chance_floor(_chance_higher(v) for v in reported["rank_biserial_ci_low"])
    where, values, lows, highs = [], [], [], []
    for i, r in enumerate(comparison.itertuples()):
        if r.suppressed:
            _too_few(ax, i, floor + 1)
            continue
        value, lo, hi = (_chance_higher(v) for v in (r.rank_biserial, r.rank_biserial_ci_low, r.rank_biserial_ci_high))
        where.append(i), values.append(value), lows.append(lo), highs.append(hi)
        mark = "a clear difference" if r.significant else "may be chance"
        _right_column(ax, i, f"{value:.0f} % ({lo:.0f}–{hi:.0f} %), {mark}")
    _points(ax, where, values, lows, highs, COLOURS["difference"])
    ax.axvline(50, color=GUIDE, linestyle="--", linewidth=1)
    ax.text(50, -0.5, " no difference", fontsize=8, color=MUTED, va="bottom", ha="left")
    ax.set_yticks(range(len(comparison)), [names(a) for a in comparison["area"]])
    ax.set_ylim(len(comparison) - 0.5, -0.5)
    _percent_ticks(ax, floor, 10)
    ax.grid(axis="x")
    ax.set_xlabel("Chance that a Twitter user rates their engagement higher than a non-user does")
    users, non_users = _count_words(reported["n_users"]), _count_words(reported["n_non_users"])
    answered = _groups_words(users, non_users, "answered")
    _heading(fig, "Do Twitter users rate their engagement higher than non-users?",
             _subtitle(_wave_words(comparison), answered, "50 % would mean no difference", _interval_note()))
    return _save(fig, path)


# --- across waves ------------------------------------------------------------------------------------

def take_up_trend(waves: pd.DataFrame, min_group_size: int, path: Path) -> Path:
    """Share of respondents using Twitter per wave, with the same Wilson intervals and suppression
    as every published percentage; the waves are categories, in order."""
    from ..analysis.proportions import percentage

    waves = waves.sort_values("wave").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 5))
    x = np.arange(len(waves))
    shares = [percentage(int(r.n_users), int(r.n_respondents), min_group_size) for r in waves.itertuples()]
    shown = [i for i, share in enumerate(shares) if not share["suppressed"]]
    pct = np.array([shares[i]["pct"] for i in shown])
    low = np.array([shares[i]["ci_low"] for i in shown])
    high = np.array([shares[i]["ci_high"] for i in shown])
    line = np.full(len(waves), np.nan)  # joins neighbouring waves only
    line[shown] = pct
    ax.plot(x, line, color=GROUP_COLOURS["users"], linewidth=1.6)
    _points(ax, list(x[shown]), list(pct), list(low), list(high), GROUP_COLOURS["users"], vertical=True)
    ticks = []
    for i, (share, r) in enumerate(zip(shares, waves.itertuples())):
        if share["suppressed"]:
            ax.text(i, 4, TOO_FEW.replace(" to ", "\nto "), ha="center", fontsize=8, style="italic", color=MUTED)
            ticks.append(f"{r.wave}\ntoo few responses")
        else:
            ticks.append(f"{r.wave}\n{share['pct']:.0f} % ({share['ci_low']:.0f}–{share['ci_high']:.0f} %)")
    ax.set_xticks(x, ticks)
    ax.set_xlim(-0.5, len(waves) - 0.5)
    _percent_ticks(ax, axis="y")
    ax.grid(axis="y")
    ax.set_xlabel("Wave, with the share and its interval")
    ax.set_ylabel("% of respondents who use Twitter for work")
    counts = ", ".join(f"{int(r.n_respondents)} in {r.wave}" for r in waves.itertuples())
    _heading(fig, "How many staff use Twitter for work?",
             _subtitle(_wave_words(waves), f"staff who answered: {counts}", _interval_note()))
    return _save(fig, path)


def gap_trend(comparison: pd.DataFrame, names: Names, path: Path) -> Path:
    """One panel per engagement area: the chance that a user rates the area higher than a non-user
    (as in ``effect_size_chart``) at each wave, waves in order along the x-axis, with intervals."""
    waves = sorted(str(w) for w in comparison["wave"].dropna().unique())
    areas = list(dict.fromkeys(comparison["area"]))
    columns = max(1, min(3, len(areas)))
    rows = max(1, math.ceil(len(areas) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.5 * columns + 1.2, 3.2 * rows + 1.6), sharey=True,
                             squeeze=False)
    reported = comparison[~comparison["suppressed"].astype(bool)] if len(comparison) else comparison
    lows = reported["rank_biserial_ci_low"] if "rank_biserial_ci_low" in reported else []
    floor = _chance_floor(_chance_higher(v) for v in lows)
    x = np.arange(len(waves))
    if not areas:
        axes[0, 0].text(0.5, 0.5, "No comparison to show", transform=axes[0, 0].transAxes, ha="center",
                        style="italic", color=MUTED)
        _percent_ticks(axes[0, 0], floor, 10, axis="y")
    for ax in axes.flat[len(areas):]:
        ax.set_visible(not areas)
    for k, ax in enumerate(axes.flat[:len(areas)]):
        area = areas[k]
        part = comparison[comparison["area"] == area].set_index("wave")
        points, ticks = [], [f"{wave}\ntoo few" for wave in waves]
        for i, wave in enumerate(waves):
            if wave not in part.index or bool(part.loc[wave, "suppressed"]):
                ax.text(i, floor + 2, "too few\nresponses", ha="center", va="bottom", fontsize=8, style="italic",
                        color=MUTED)
                continue
            r = part.loc[wave]
            value, lo, hi = (_chance_higher(r[c]) for c in
                             ("rank_biserial", "rank_biserial_ci_low", "rank_biserial_ci_high"))
            points.append((i, value, lo, hi))
            ticks[i] = f"{wave}\n{value:.0f} % ({lo:.0f}–{hi:.0f} %)"
        line = np.full(len(waves), np.nan)  # joins neighbouring waves only
        line[[p[0] for p in points]] = [p[1] for p in points]
        ax.plot(x, line, color=COLOURS["difference"], linewidth=1, alpha=0.6)
        _points(ax, *([p[k] for p in points] for k in range(4)), COLOURS["difference"], vertical=True, markersize=6)
        ax.axhline(50, color=GUIDE, linestyle="--", linewidth=1)
        ax.set_title(names(area), fontsize=10, fontweight="bold")
        ax.set_xticks(x, ticks)
        ax.set_xlim(-0.5, len(waves) - 0.5)
        _percent_ticks(ax, floor, 10, axis="y")
        ax.grid(axis="y")
    for ax in axes[:, 0]:
        ax.set_ylabel("Chance a user rates engagement\nhigher than a non-user")
    counts = []
    for wave in waves:
        part = reported[reported["wave"] == wave] if len(reported) else reported
        users = _count_words(part["n_users"]) if "n_users" in part else None
        non_users = _count_words(part["n_non_users"]) if "n_non_users" in part else None
        if users and non_users:
            counts.append(f"{wave}: {users} Twitter users and {non_users} non-users answered")
    _heading(fig, "Has the gap between Twitter users and non-users changed?",
             _subtitle(_wave_words(comparison), "; ".join(counts) or None, "dashed line: 50 % = no difference",
                       _interval_note()))
    return _save(fig, path)
