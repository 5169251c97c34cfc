"""What a board member sees in each chart (issue 14): the rating scale's floor, intervals beside
every rank and difference, plain axis words, percentages that stop at 100, legends in the order of
the bars with their totals, one colour per concept, and the wave and n in a subtitle.

The chart functions are driven with small tables shaped by the warehouse registry; each figure is
kept as ``_save`` hands it over (a closed figure keeps its artists) and inspected."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.collections import Collection, LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from engagement_pipeline.reporting import charts
from engagement_pipeline.reporting.wording import TOO_FEW, Names
from engagement_pipeline.warehouse.registry import TABLES

NAMES = Names({"face_to_face": "face-to-face", "organisation": "the organisation"})
WAVE = "2020-03"
USERS, NON_USERS = charts.COLOURS["users"].lower(), charts.COLOURS["non_users"].lower()
JARGON = ("rank-biserial", "wilson", "hc3", "bootstrap", "n≤", "n=", "#1", "#2")


# --- tables ------------------------------------------------------------------------------------------

def channel_table() -> pd.DataFrame:
    rows = [  # channel, group, n, mean, ci_low, ci_high, rank, suppressed
        ("face_to_face", "users", 37, 4.30, 4.07, 4.53, 1, False),
        ("twitter", "users", 36, 4.24, 3.99, 4.49, 2, False),
        ("intranet", "users", 35, 2.62, 2.27, 2.97, 3, False),
        ("face_to_face", "non_users", 25, 4.08, 3.75, 4.41, 1, False),
        ("intranet", "non_users", 25, 2.76, 2.33, 3.19, 2, False),
        ("newsletter", "users", None, None, None, None, None, True),
        ("newsletter", "non_users", None, None, None, None, None, True),
    ]
    frame = pd.DataFrame(rows, columns=["channel", "respondent_group", "n", "mean_score", "ci_low", "ci_high",
                                        "rank", "suppressed"])
    return TABLES["channel_impact"].conform(frame.assign(wave=WAVE))


def comparison_table(wave: str = WAVE, shift: float = 0.0, suppress: tuple[str, ...] = ()) -> pd.DataFrame:
    rows = []
    for area, r, low, high in (("organisation", 0.46, 0.20, 0.69), ("colleagues", 0.10, -0.52, 0.58)):
        hidden = area in suppress
        rows.append({"wave": wave, "area": area, "n_users": 36, "n_non_users": 24,
                     "mean_users": None if hidden else 3.9, "mean_non_users": None if hidden else 3.2,
                     "median_users": 4.0, "median_non_users": 3.0, "u_statistic": None if hidden else 630.0,
                     "p_value": None if hidden else 0.002, "p_holm": None if hidden else 0.004,
                     "rank_biserial": None if hidden else r + shift,
                     "rank_biserial_ci_low": None if hidden else low + shift,
                     "rank_biserial_ci_high": None if hidden else high + shift,
                     "significant": None if hidden else r > 0.3, "suppressed": hidden})
    return TABLES["engagement_comparison"].conform(pd.DataFrame(rows))


def themes_table() -> pd.DataFrame:
    rows = [  # theme, label, golden thread, interviews, segments — deliberately not in thread order
        ("faster", "Things happen faster", None, 3, 4),
        ("equality", "Equality and diversity", "equality_diversity", 5, 5),
        ("model", "Adopting another service's model", "patient_care", 4, 5),
        ("allowed", "Unsure whether tweeting is allowed", None, 2, 2),
        ("links", "Direct links with service users", "patient_experience", 6, 7),
        ("mental", "Integrated working with mental health", "patient_care", 3, 4),
    ]
    frame = pd.DataFrame(rows, columns=["theme", "label", "golden_thread", "n_interviews", "n_segments"])
    return TABLES["interview_themes"].conform(frame.assign(wave=WAVE, golden_thread=frame["golden_thread"]))


def share_table(name: str, item: str, yes: str, pct: str, rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[item, "n_answered", yes, pct, "ci_low", "ci_high", "suppressed"])
    return TABLES[name].conform(frame.assign(wave=WAVE))


def perceived_table() -> pd.DataFrame:
    return share_table("perceived_impact", "area", "n_improved", "pct_improved",
                       [("organisation", 37, 36, 97.3, 86.2, 99.5, False),
                        ("colleagues", 37, None, None, None, None, True)])


def barriers_table() -> pd.DataFrame:
    return share_table("barriers", "barrier", "n_selected", "pct_selected",
                       [("time", 23, 6, 26.1, 12.5, 46.5, False), ("no_value", 25, 24, 96.0, 80.5, 99.3, False)])


def distribution() -> pd.DataFrame:
    rows = []
    for area in ("organisation", "colleagues"):
        for group, counts in (("users", (0, 2, 7, 18, 9)), ("non_users", (1, 4, 10, 8, 1))):
            rows += [{"item": area, "respondent_group": group, "score": s + 1, "n": n} for s, n in enumerate(counts)]
    return pd.DataFrame(rows)


def waves_table() -> pd.DataFrame:
    frame = pd.DataFrame({"wave": ["2020-03", "2019-03", "2021-03"], "n_respondents": [62, 54, 60],
                          "n_users": [37, 27, 59], "n_non_users": [25, 27, 1], "pct_users": [59.7, 50.0, 98.3],
                          "mean_pct_improved": [78.0, 74.0, 80.0], "loaded_at": pd.Timestamp("2021-03-30")})
    return TABLES["waves"].conform(frame)


def trend_comparison() -> pd.DataFrame:
    return pd.concat([comparison_table("2019-03", 0.05), comparison_table("2020-03"),
                      comparison_table("2021-03", suppress=("colleagues",))], ignore_index=True)


# --- drawing and looking -----------------------------------------------------------------------------

@pytest.fixture
def draw(monkeypatch, tmp_path):
    """``draw(name)`` draws one chart inside ``labelled`` and returns its (closed) figure."""
    kept = []
    original = charts._save

    def keep(fig, path):
        kept.append(fig)
        return original(fig, path)

    monkeypatch.setattr(charts, "_save", keep)
    calls = {
        "channel": lambda p: charts.channel_chart(channel_table(), NAMES, p),
        "gap": lambda p: charts.effect_size_chart(comparison_table(), NAMES, p),
        "themes": lambda p: charts.theme_chart(themes_table(), 10, NAMES, p),
        "perceived": lambda p: charts.perceived_improvement(perceived_table(), NAMES, p),
        "barriers": lambda p: charts.barrier_chart(barriers_table(), NAMES, p),
        "likert": lambda p: charts.engagement_likert(distribution(), 11, NAMES, p),
        "take_up": lambda p: charts.take_up_trend(waves_table(), 11, p),
        "gap_trend": lambda p: charts.gap_trend(trend_comparison(), NAMES, p),
    }

    def run(name: str, source: str = f"Wave {WAVE}"):
        with charts.labelled(source, synthetic=True):
            path = calls[name](tmp_path / f"{name}.png")
        assert Path(path).is_file()
        return kept[-1]

    return run


WAVE_CHARTS = ("channel", "gap", "themes", "perceived", "barriers", "likert")
TREND_CHARTS = ("take_up", "gap_trend")
ALL_CHARTS = WAVE_CHARTS + TREND_CHARTS


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def heading(fig, gid: str) -> str:
    [text] = [t.get_text() for t in fig.texts if t.get_gid() == gid]
    return text.replace("\n", " ")


def data_axes(fig) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def colours(fig) -> set[str]:
    """Every colour given to a patch, line or collection (the data marks and legend keys)."""
    found = set()
    for artist in fig.findobj(lambda a: isinstance(a, (Patch, Line2D, Collection))):
        if isinstance(artist, Patch):
            values = [artist.get_facecolor(), artist.get_edgecolor()]
        elif isinstance(artist, Line2D):
            values = [artist.get_color(), artist.get_markerfacecolor()]
        else:
            values = [*artist.get_facecolor(), *artist.get_edgecolor()]
        for value in values:
            if isinstance(value, str) and value == "none":
                continue
            if mcolors.to_rgba(value)[3] > 0:
                found.add(mcolors.to_hex(value).lower())
    return found


def legend_entries(ax) -> list[tuple[str, str]]:
    """(label, colour) of each legend entry, in order."""
    legend = ax.get_legend()
    assert legend is not None
    out = []
    for handle, text in zip(legend.legend_handles, legend.get_texts()):
        colour = handle.get_color() if isinstance(handle, Line2D) else handle.get_facecolor()
        out.append((text.get_text(), mcolors.to_hex(colour).lower()))
    return out


def interval_segments(ax) -> list[tuple[float, float]]:
    """(low, high) of every horizontal or vertical interval line drawn by errorbar."""
    spans = []
    for collection in ax.collections:
        if isinstance(collection, LineCollection):
            for (x0, y0), (x1, y1) in collection.get_segments():
                spans.append((min(x0, x1), max(x0, x1)) if y0 == y1 else (min(y0, y1), max(y0, y1)))
    return spans


# --- the palette and the shared style ----------------------------------------------------------------

def test_each_concept_has_a_colour_of_its_own():
    values = [v.lower() for v in charts.COLOURS.values()]
    assert len(set(values)) == len(values)
    assert {k: v.lower() for k, v in charts.GROUP_COLOURS.items()} == {"users": USERS, "non_users": NON_USERS}
    others = [c.lower() for c in charts.LIKERT_COLOURS + list(charts.THREAD_COLOURS.values())]
    assert USERS not in others and NON_USERS not in others


def test_style_is_set_once_and_drawing_leaves_it_alone(draw):
    before = dict(matplotlib.rcParams)
    for key, value in charts.STYLE.items():
        assert matplotlib.rcParams[key] == value, key
    for name in ALL_CHARTS:
        draw(name)
    assert dict(matplotlib.rcParams) == before


# --- every chart -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL_CHARTS)
def test_every_chart_has_a_title_and_a_subtitle_with_the_wave(draw, name):
    fig = draw(name, "Waves 2019-03 to 2021-03" if name in TREND_CHARTS else f"Wave {WAVE}")
    assert heading(fig, "title")
    subtitle = heading(fig, "subtitle")
    assert ("Waves 2019-03 to 2021-03" if name in TREND_CHARTS else f"Wave {WAVE}") in subtitle
    # the stamp of ``labelled`` is still there
    assert "SYNTHETIC DATA — not real survey results" in texts(fig)


@pytest.mark.parametrize(("name", "words"), [
    ("channel", ["35 to 37 Twitter users and 25 non-users"]),
    ("gap", ["36 Twitter users and 24 non-users answered"]),
    ("themes", ["10 interviews"]),
    ("perceived", ["37 answered each question", "Twitter users only"]),
    ("barriers", ["23 to 25 answered each question", "non-users only"]),
    ("likert", ["36 Twitter users and 24 non-users rated each area", "skipped"]),
    ("take_up", ["54 in 2019-03", "62 in 2020-03", "60 in 2021-03"]),
    ("gap_trend", ["2019-03: 36 Twitter users and 24 non-users answered"]),
])
def test_subtitles_give_n_in_words(draw, name, words):
    subtitle = heading(draw(name), "subtitle")
    for word in words:
        assert word in subtitle


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_no_jargon_on_any_chart(draw, name):
    for text in texts(draw(name)):
        assert not any(word in text.lower() for word in JARGON), text


@pytest.mark.parametrize("name", ("gap", "perceived", "barriers", "take_up", "gap_trend"))
def test_percentage_axes_stop_at_100(draw, name):
    for ax in data_axes(draw(name)):
        limits = ax.get_ylim() if name in TREND_CHARTS else ax.get_xlim()
        assert 0 <= min(limits) and max(limits) <= 100, limits
        ticks = ax.get_yticks() if name in TREND_CHARTS else ax.get_xticks()
        assert max(ticks) <= 100


def test_no_chart_warns_even_with_nothing_to_show(tmp_path):
    empty = pd.DataFrame(columns=["wave", "area", "suppressed"])
    hidden = comparison_table(suppress=("organisation", "colleagues"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts.gap_trend(empty, NAMES, tmp_path / "a.png")
        charts.gap_trend(pd.concat([hidden, hidden.assign(wave="2021-03")]), NAMES, tmp_path / "b.png")
        charts.effect_size_chart(hidden, NAMES, tmp_path / "c.png")
        charts.engagement_likert(distribution(), 1000, NAMES, tmp_path / "d.png")
        charts.theme_chart(themes_table().iloc[0:0], 0, NAMES, tmp_path / "e.png")
        charts.channel_chart(channel_table().assign(suppressed=True), NAMES, tmp_path / "f.png")


# --- colour meaning ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "group"), [("channel", "users"), ("channel", "non_users"),
                                             ("perceived", "users"), ("take_up", "users"),
                                             ("barriers", "non_users")])
def test_a_group_is_drawn_in_its_colour(draw, name, group):
    assert charts.COLOURS[group].lower() in colours(draw(name))


@pytest.mark.parametrize("name", ("themes", "likert", "gap", "gap_trend"))
def test_user_colours_mean_nothing_else(draw, name):
    found = colours(draw(name))
    assert USERS not in found and NON_USERS not in found


def test_only_the_groups_colours_in_group_charts(draw):
    assert NON_USERS not in colours(draw("perceived")) | colours(draw("take_up"))
    assert USERS not in colours(draw("barriers"))


# --- channel chart -----------------------------------------------------------------------------------

def test_channels_sit_on_the_1_to_5_scale_as_points_with_intervals(draw):
    [ax] = data_axes(draw("channel"))
    assert ax.get_xlim() == (1, 5)
    assert not [p for p in ax.patches if p.get_width() > 0]  # no bars growing from 0
    table = channel_table()
    shown = table[~table["suppressed"]]
    spans = interval_segments(ax)
    for r in shown.itertuples():
        assert any(abs(lo - r.ci_low) < 1e-9 and abs(hi - r.ci_high) < 1e-9 for lo, hi in spans), r.channel


def test_channel_ranks_in_words_and_legend_counts_in_words(draw):
    fig = draw("channel")
    [ax] = data_axes(fig)
    words = texts(fig)
    assert any(t.endswith(", 1st") for t in words) and any(t.endswith(", 2nd") for t in words)
    assert any("(4.1–4.5), 1st" in t for t in words)  # the interval beside the rank
    assert "not asked of non-users" in words and TOO_FEW in words
    assert legend_entries(ax) == [("Twitter users (35 to 37 answered)", USERS), ("Non-users (25 answered)", NON_USERS)]


def test_tied_ranks_say_joint():
    ranks = pd.Series([1, 2, 2, 4], dtype="Int64")
    assert [charts._rank_words(r, ranks) for r in ranks] == ["1st", "joint 2nd", "joint 2nd", "4th"]


# --- the users-non-users gap -------------------------------------------------------------------------

def test_gap_is_the_chance_a_user_scores_higher(draw):
    [ax] = data_axes(draw("gap"))
    assert "Chance that a Twitter user rates their engagement higher" in ax.get_xlabel()
    low, high = ax.get_xlim()
    assert high == 100 and 0 <= low <= 50 - 10  # 50 % (no difference) is on the chart with room beside it
    assert low <= 50 * (1 - 0.52)  # the widest interval fits
    points = sorted(round(float(x), 6) for line in ax.lines if line.get_marker() == "o" for x in line.get_xdata())
    assert points == sorted(round(50 * (r + 1), 6) for r in (0.46, 0.10))
    assert sorted((round(lo, 6), round(hi, 6)) for lo, hi in interval_segments(ax)) == \
        sorted((round(50 * (a + 1), 6), round(50 * (b + 1), 6)) for a, b in ((0.20, 0.69), (-0.52, 0.58)))


def test_gap_axis_does_not_start_at_zero_when_the_data_sit_high(tmp_path, monkeypatch):
    kept = []
    monkeypatch.setattr(charts, "_save", lambda fig, path: kept.append(fig) or path)
    table = comparison_table()
    table = table[table["area"] == "organisation"]
    charts.effect_size_chart(table, NAMES, tmp_path / "x.png")
    assert kept[0].axes[0].get_xlim() == (40, 100)


# --- interview themes --------------------------------------------------------------------------------

def test_theme_legend_follows_the_bar_groups_with_totals(draw):
    [ax] = data_axes(draw("themes"))
    table = themes_table()
    threads = table["golden_thread"].astype(object)
    thread_of = dict(zip(table["label"], threads.where(threads.notna(), None)))
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]))  # top to bottom
    groups = list(dict.fromkeys(thread_of[label] for _, label in ticks))
    assert groups == ["patient_care", "patient_experience", "equality_diversity", None]
    entries = legend_entries(ax)
    assert [label.split(":")[0] for label, _ in entries] == \
        ["patient care", "patient experience", "equality and diversity", "no golden thread"]
    assert [label.split(": ")[1] for label, _ in entries] == \
        ["2 themes, 9 coded passages", "1 theme, 7 coded passages", "1 theme, 5 coded passages",
         "2 themes, 6 coded passages"]
    assert [colour for _, colour in entries] == [charts.THREAD_COLOURS[t].lower() for t in groups[:3]] + \
        [charts.COLOURS["thread_none"].lower()]
    # each bar, top to bottom, has its group's colour
    bars = sorted((p.get_y() + p.get_height() / 2, mcolors.to_hex(p.get_facecolor())) for p in ax.patches)
    assert [colour for _, colour in bars] == \
        [charts.COLOURS[f"thread_{thread_of[label] or 'none'}"].lower() for _, label in ticks]


def test_theme_legend_can_count_interviews_per_thread(tmp_path, monkeypatch):
    kept = []
    monkeypatch.setattr(charts, "_save", lambda fig, path: kept.append(fig) or path)
    charts.theme_chart(themes_table(), 10, NAMES, tmp_path / "x.png",
                       interviews_by_thread={"patient_care": 6, "patient_experience": 6, "equality_diversity": 5})
    labels = [t.get_text() for t in kept[0].axes[0].get_legend().get_texts()]
    assert labels[0] == "patient care: 2 themes, 9 coded passages, in 6 of 10 interviews"


# --- trends ------------------------------------------------------------------------------------------

def test_take_up_has_one_point_per_wave_in_order(draw):
    [ax] = data_axes(draw("take_up"))
    assert list(ax.get_xticks()) == [0, 1, 2]
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["2019-03", "2020-03", "2021-03"]
    assert ax.get_ylim() == (0, 100)
    line = next(line for line in ax.lines if line.get_marker() == "o")
    assert list(line.get_xdata()) == [0, 1, 2] and line.get_color().lower() == USERS
    assert [round(v, 1) for v in line.get_ydata()] == [50.0, 59.7, 98.3]
    assert len(interval_segments(ax)) == 3


def test_gap_trend_is_one_panel_per_area_with_waves_along_x(draw):
    axes = data_axes(draw("gap_trend"))
    assert [ax.get_title() for ax in axes] == ["the organisation", "colleagues"]
    for ax in axes:
        assert list(ax.get_xticks()) == [0, 1, 2]
        assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == ["2019-03", "2020-03", "2021-03"]
        assert "rank" not in ax.get_ylabel().lower()
    organisation, colleagues = axes
    assert len(interval_segments(organisation)) == 3
    assert len(interval_segments(colleagues)) == 2  # the suppressed wave is words, not a point
    assert colleagues.get_xticklabels()[2].get_text() == "2021-03\ntoo few"
