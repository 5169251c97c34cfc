"""Matplotlib charts of one wave and across waves, drawn from the analysis tables (never raw rows).

Conventions: Okabe-Ito colours (safe for colour-blind readers), titles carry n, axes are
labelled, and a suppressed group is drawn as the words "too few responses" rather than dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .wording import TOO_FEW, Names  # noqa: E402

# Okabe-Ito
BLUE, ORANGE, GREEN, SKY, VERMILION, PURPLE, YELLOW, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#56B4E9", "#D55E00", "#CC79A7", "#F0E442", "#999999")
GROUP_COLOURS = {"users": BLUE, "non_users": ORANGE}
GROUP_LABELS = {"users": "Twitter users", "non_users": "Non-users"}
LIKERT_COLOURS = [VERMILION, "#F4A582", "#DDDDDD", SKY, BLUE]
THREAD_COLOURS = {"patient_care": GREEN, "patient_experience": BLUE, "equality_diversity": PURPLE}
DPI = 110


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
    fig.text(0.01, 0.005, _LABEL["source"], fontsize=8, color="#555555", ha="left", va="bottom")
    if _LABEL["synthetic"]:
        fig.text(0.99, 0.005, "SYNTHETIC DATA — not real survey results", fontsize=8, color=VERMILION,
                 fontweight="bold", ha="right", va="bottom")


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    _stamp(fig)
    fig.tight_layout(rect=(0, 0.03, 1, 1) if _LABEL else None)
    # tight_layout leaves a placeholder layout engine behind, which makes savefig draw the whole
    # figure an extra time; the layout is already done.
    fig.set_layout_engine(None)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _too_few(ax: plt.Axes, y: float, x: float = 0.0) -> None:
    ax.text(x, y, TOO_FEW, va="center", ha="left", fontsize=9, style="italic", color="#555555")


def engagement_likert(distribution: pd.DataFrame, min_group_size: int, names: Names, path: Path,
                      scale: tuple[str, ...] = ("not at all", "slightly", "moderately", "very", "extremely"),
                      suppressed_areas: frozenset[str] = frozenset()) -> Path:
    """Diverging stacked bars per area and group, centred on the neutral midpoint, on one shared axis.

    An area ``engagement_comparison`` suppresses is drawn as "too few responses" for both groups:
    the chart follows the table, so its distributions give away no figure the table hides."""
    areas = list(dict.fromkeys(distribution["item"]))
    rows = [(area, group) for area in areas for group in ("users", "non_users")]
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(rows) + 1.8))
    labels = []
    for y, (area, group) in enumerate(rows):
        counts = (distribution[(distribution["item"] == area) & (distribution["respondent_group"] == group)]
                  .sort_values("score")["n"].to_numpy())
        n = int(counts.sum())
        labels.append(f"{names(area)}\n{GROUP_LABELS[group]} (n={n})")
        if n < min_group_size or area in suppressed_areas:
            _too_few(ax, y, -95)
            continue
        share = 100 * counts / n
        left = -(share[0] + share[1] + share[2] / 2)
        for level, width in enumerate(share):
            ax.barh(y, width, left=left, color=LIKERT_COLOURS[level], edgecolor="white", height=0.7,
                    label=scale[level] if y == 0 else None)
            if width >= 7:
                ax.text(left + width / 2, y, f"{width:.0f}", ha="center", va="center", fontsize=8)
            left += width
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(rows)), labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xticks(range(-100, 101, 25), [f"{abs(t)}" for t in range(-100, 101, 25)])
    ax.set_xlabel("% of respondents (less engaged ← | → more engaged; neutral split at 0)")
    ax.set_title("Self-rated engagement by Twitter use")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title="engaged", ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.16 - 0.2 / len(rows)),
                  fontsize=8, frameon=False)
    return _save(fig, path)


def _interval_bars(ax: plt.Axes, labels: list[str], values: pd.Series, low: pd.Series, high: pd.Series,
                   suppressed: pd.Series, colour: str) -> None:
    y = np.arange(len(labels))
    for i in y:
        if suppressed.iloc[i]:
            _too_few(ax, i, 1)
            continue
        ax.barh(i, values.iloc[i], color=colour, height=0.6)
        ax.errorbar(values.iloc[i], i, xerr=[[values.iloc[i] - low.iloc[i]], [high.iloc[i] - values.iloc[i]]],
                    fmt="none", ecolor="#222222", capsize=4, linewidth=1)
        ax.text(high.iloc[i] + 1.5, i, f"{values.iloc[i]:.0f} %", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xticks(range(0, 101, 20))


def perceived_improvement(table: pd.DataFrame, names: Names, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 0.7 * len(table) + 1.8))
    labels = [f"{names(r.area)} (n={r.n_answered})" for r in table.itertuples()]
    _interval_bars(ax, labels, table["pct_improved"], table["ci_low"], table["ci_high"], table["suppressed"], BLUE)
    ax.axvline(50, color=GREY, linestyle="--", linewidth=0.8)
    ax.set_xlabel("% of users saying Twitter improved their engagement (95 % Wilson interval)")
    n_users = int(table["n_answered"].max()) if len(table) else 0
    ax.set_title(f"Has Twitter improved your engagement? Users, n≤{n_users}")
    return _save(fig, path)


def barrier_chart(table: pd.DataFrame, names: Names, path: Path) -> Path:
    table = table.sort_values("pct_selected", ascending=False, na_position="last")
    fig, ax = plt.subplots(figsize=(9.5, 0.7 * len(table) + 1.8))
    labels = [f"{names(r.barrier)} (n={r.n_answered})" for r in table.itertuples()]
    _interval_bars(ax, labels, table["pct_selected"], table["ci_low"], table["ci_high"], table["suppressed"], ORANGE)
    ax.set_xlabel("% of non-users who answered (95 % Wilson interval)")
    ax.set_title(f"What holds non-users back? n≤{int(table['n_answered'].max()) if len(table) else 0}")
    return _save(fig, path)


def channel_chart(table: pd.DataFrame, names: Names, path: Path) -> Path:
    """Mean impact per channel, users beside non-users, ordered by the users' rank."""
    users = table[table["respondent_group"] == "users"].sort_values(["rank", "channel"], na_position="last")
    order = list(users["channel"]) + [c for c in table["channel"].unique() if c not in set(users["channel"])]
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(order) + 1.8))
    height = 0.38
    for offset, group in ((-height / 2, "users"), (height / 2, "non_users")):
        part = table[table["respondent_group"] == group].set_index("channel")
        for i, channel in enumerate(order):
            y = i + offset
            if channel not in part.index:
                if group == "non_users" and channel == "twitter":
                    ax.text(0.05, y, "not asked of non-users", va="center", fontsize=8, color="#555555")
                continue
            row = part.loc[channel]
            if row["suppressed"]:
                ax.text(0.05, y, TOO_FEW, va="center", fontsize=8, style="italic", color="#555555")
                continue
            ax.barh(y, row["mean_score"], height=height, color=GROUP_COLOURS[group],
                    label=f"{GROUP_LABELS[group]}" if i == 0 or channel == order[0] else None)
            ax.text(row["mean_score"] + 0.05, y, f"{row['mean_score']:.2f} (#{int(row['rank'])})", va="center", fontsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=GROUP_COLOURS[g]) for g in ("users", "non_users")]
    n = {g: int(table.loc[table["respondent_group"] == g, "n"].fillna(0).max() if len(table) else 0)
         for g in ("users", "non_users")}
    ax.legend(handles, [f"{GROUP_LABELS[g]} (n≤{n[g]})" for g in ("users", "non_users")], loc="lower right", fontsize=8)
    ax.set_yticks(range(len(order)), [names(c) for c in order])
    ax.invert_yaxis()
    ax.set_xlim(0, 5.6)
    ax.set_xticks(range(0, 6))
    ax.set_xlabel("Mean impact on engagement (1 no impact … 5 very high impact); #rank within group")
    ax.set_title("Impact of each communication channel on engagement")
    return _save(fig, path)


def theme_chart(themes: pd.DataFrame, n_interviews: int, names: Names, path: Path) -> Path:
    themes = themes.sort_values(["golden_thread", "n_interviews"], ascending=[True, False], na_position="last")
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(themes) + 1.8))
    colours = [THREAD_COLOURS.get(t, GREY) if isinstance(t, str) else GREY for t in themes["golden_thread"]]
    y = np.arange(len(themes))
    ax.barh(y, themes["n_interviews"], color=colours, height=0.6)
    for i, value in enumerate(themes["n_interviews"]):
        ax.text(value + 0.1, i, str(value), va="center", fontsize=8)
    ax.set_yticks(y, themes["label"], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(n_interviews, 1) + 1)
    ax.set_xlabel(f"Interviews raising the theme (of {n_interviews})")
    ax.set_title(f"Interview themes by golden thread (n={n_interviews} interviews)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (*THREAD_COLOURS.values(), GREY)]
    ax.legend(handles, [names(t) for t in THREAD_COLOURS] + ["no golden thread"], fontsize=8, loc="lower right")
    return _save(fig, path)


def effect_size_chart(comparison: pd.DataFrame, names: Names, path: Path) -> Path:
    """Rank-biserial per area with its bootstrap interval: how far users' scores sit above non-users'."""
    fig, ax = plt.subplots(figsize=(9, 0.7 * len(comparison) + 1.8))
    for i, r in enumerate(comparison.itertuples()):
        if r.suppressed:
            _too_few(ax, i, -0.95)
            continue
        ax.errorbar(r.rank_biserial, i, xerr=[[r.rank_biserial - r.rank_biserial_ci_low],
                                               [r.rank_biserial_ci_high - r.rank_biserial]],
                    fmt="o", color=BLUE, ecolor=BLUE, capsize=4)
        mark = "significant" if r.significant else "not significant"
        ax.text(r.rank_biserial_ci_high + 0.04, i, f"{r.rank_biserial:.2f} ({mark})", va="center", fontsize=8)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(comparison)),
                  [f"{names(r.area)} (n={r.n_users}+{r.n_non_users})" for r in comparison.itertuples()])
    ax.invert_yaxis()
    ax.set_xlim(-1, 1.35)
    ax.set_xlabel("Rank-biserial, users vs non-users, 95 % bootstrap interval (> 0: users higher)")
    ax.set_title("How much more engaged are Twitter users?")
    return _save(fig, path)


def take_up_trend(waves: pd.DataFrame, min_group_size: int, path: Path) -> Path:
    """Share of respondents using Twitter per wave, with the same Wilson intervals and suppression
    as every published percentage."""
    from ..analysis.proportions import percentage

    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(waves))
    shares = [percentage(int(r.n_users), int(r.n_respondents), min_group_size) for r in waves.itertuples()]
    shown = [i for i, share in enumerate(shares) if not share["suppressed"]]
    pct = np.array([shares[i]["pct"] for i in shown])
    low = np.array([shares[i]["ci_low"] for i in shown])
    high = np.array([shares[i]["ci_high"] for i in shown])
    if shown:
        ax.errorbar(x[shown], pct, yerr=[pct - low, high - pct], fmt="o-", color=BLUE, capsize=4)
    for i, r in enumerate(waves.itertuples()):
        if shares[i]["suppressed"]:
            ax.text(i, 5, f"{TOO_FEW}\n(n={r.n_respondents})", ha="center", fontsize=8, style="italic")
        else:
            ax.text(i, shares[i]["ci_high"] + 2, f"{shares[i]['pct']:.0f} %\n(n={r.n_respondents})",
                    ha="center", fontsize=8)
    ax.set_xticks(x, waves["wave"])
    ax.set_ylim(0, 110)
    ax.set_xlabel("Wave")
    ax.set_ylabel("% of respondents using Twitter for work")
    ax.set_title("Twitter take-up by wave (95 % Wilson interval)")
    return _save(fig, path)


def gap_trend(comparison: pd.DataFrame, names: Names, path: Path) -> Path:
    waves = sorted(comparison["wave"].unique())
    areas = list(dict.fromkeys(comparison["area"]))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    colours = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION]
    width = 0.8 / max(len(areas), 1)
    for k, area in enumerate(areas):
        part = comparison[comparison["area"] == area].set_index("wave")
        for i, wave in enumerate(waves):
            x = i - 0.4 + width * (k + 0.5)
            if wave not in part.index or part.loc[wave, "suppressed"]:
                ax.text(x, -0.9, "too few", rotation=90, fontsize=7, ha="center")
                continue
            r = part.loc[wave]
            ax.errorbar(x, r["rank_biserial"], yerr=[[r["rank_biserial"] - r["rank_biserial_ci_low"]],
                                                     [r["rank_biserial_ci_high"] - r["rank_biserial"]]],
                        fmt="o", color=colours[k % len(colours)], capsize=3, label=names(area) if i == 0 else None)
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set_xticks(range(len(waves)), waves)
    ax.set_ylim(-1, 1)
    ax.set_xlabel("Wave")
    ax.set_ylabel("Rank-biserial, users vs non-users")
    ax.set_title("Engagement gap between users and non-users by wave (95 % bootstrap interval)")
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)
