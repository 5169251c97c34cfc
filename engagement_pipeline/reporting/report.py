"""The per-wave report: charts, ``findings.md`` and a self-contained, printable ``report.html``.

Both documents are rendered from one structure, so they always say the same thing.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.analyse import WaveAnalysis
from ..settings import DEFAULT_MIN_GROUP_SIZE
from . import charts
from .wording import Names, verdict

#: The charts a wave's summary in the UI shows, by file stem.
KEY_CHARTS = ("engagement_gap", "channel_impact")


@dataclass(frozen=True)
class Chart:
    path: Path
    caption: str

    @property
    def is_key(self) -> bool:
        return self.path.stem in KEY_CHARTS


def png_data_uri(path: Path) -> str:
    """A PNG as a ``data:`` URI, so a document carries its charts inside it."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def draw_wave_charts(a: WaveAnalysis, names: Names, folder: Path) -> list[Chart]:
    folder = folder / "charts"
    return [
        Chart(charts.engagement_likert(a.engagement_distribution, a.min_group_size, names,
                                       folder / "engagement_by_group.png"),
              "Self-rated engagement, users and non-users, per area"),
        Chart(charts.effect_size_chart(a.engagement_comparison, names, folder / "engagement_gap.png"),
              "Size of the users–non-users difference per area"),
        Chart(charts.perceived_improvement(a.perceived_impact, names, folder / "perceived_improvement.png"),
              "Users saying Twitter improved their engagement"),
        Chart(charts.channel_chart(a.channel_impact, names, folder / "channel_impact.png"),
              "Impact of each channel on engagement, ranked"),
        Chart(charts.barrier_chart(a.barriers, names, folder / "barriers.png"), "Non-users' barriers"),
        Chart(charts.theme_chart(a.interview_themes, a.n_interviews, names, folder / "interview_themes.png"),
              "Interview themes by golden thread"),
    ]


def methods(a: WaveAnalysis) -> list[str]:
    adjusted = a.engagement_adjusted[~a.engagement_adjusted["suppressed"]]
    survives = adjusted[adjusted["significant"].fillna(False).astype(bool) & (adjusted["estimate"] > 0)]
    if adjusted.empty:
        adjustment = "The adjusted comparison could not be made (too few responses)."
    else:
        adjustment = (f"Adjusted for staff group and locality (OLS with HC3 robust errors), the users' advantage "
                      f"stays statistically significant (Holm-adjusted over areas) in {len(survives)} of {len(adjusted)} areas.")
    return [
        f"Wave {a.wave}: {a.n_respondents} respondents, {a.n_users} Twitter users and "
        f"{a.n_respondents - a.n_users} non-users; each figure uses the respondents who answered that item.",
        "Engagement: two-sided Mann–Whitney U test per area; effect size is the rank-biserial correlation "
        "with a seeded bootstrap 95 % interval; p-values adjusted with Holm's method over the wave's areas; "
        f"significant means adjusted p < {a.alpha:g}.",
        adjustment,
        "Percentages carry 95 % Wilson score intervals. Channels are ranked by mean score within each group "
        "(ties share a rank). Twitter against face-to-face uses the Wilcoxon signed-rank test on users who "
        "rated both.",
        "Self-selection: managers who chose to use Twitter may simply be more engaged people, so these "
        "differences show association, not that Twitter causes engagement. Face-to-face contact still rates "
        "highest; Twitter complements other channels rather than replacing them.",
        f"Small groups: any figure based on fewer than {a.min_group_size} respondents is shown as "
        "“too few responses to report”.",
        "Interview counts come from coded transcripts of a few volunteers and describe, rather than measure.",
    ]


def _markdown(wave: str, findings: pd.DataFrame, notes: list[str], figures: list[Chart], folder: Path) -> str:
    lines = [f"# Twitter and staff engagement — findings for wave {wave}", ""]
    for r in findings.itertuples():
        lines += [f"## {r.finding}. {r.title} ({verdict(r.supported)})", "", r.statement, ""]
    lines += ["## Methods and caveats", ""] + [f"- {note}" for note in notes] + ["", "## Charts", ""]
    lines += [f"![{c.caption}]({c.path.relative_to(folder).as_posix()})" for c in figures]
    return "\n".join(lines) + "\n"


def _html(wave: str, findings: pd.DataFrame, notes: list[str], figures: list[Chart]) -> str:
    esc = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Findings — wave {esc(wave)}</title>",
             "<style>body{font-family:Arial,Helvetica,sans-serif;max-width:56rem;margin:2rem auto;line-height:1.45;"
             "color:#222}h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}figure{margin:1.2rem 0;"
             "page-break-inside:avoid}img{max-width:100%}figcaption{font-size:.9rem;color:#555}"
             ".verdict{font-weight:normal;color:#555}@media print{body{margin:0}}</style></head><body>",
             f"<h1>Twitter and staff engagement — findings for wave {esc(wave)}</h1>"]
    for r in findings.itertuples():
        parts.append(f"<h2>{r.finding}. {esc(r.title)} <span class='verdict'>({verdict(r.supported)})</span></h2>"
                     f"<p>{esc(r.statement)}</p>")
    parts.append("<h2>Methods and caveats</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    parts.append("<h2>Charts</h2>")
    for chart in figures:
        parts.append(f"<figure><img alt='{esc(chart.caption)}' src='{png_data_uri(chart.path)}'>"
                     f"<figcaption>{esc(chart.caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_wave_report(a: WaveAnalysis, findings: pd.DataFrame, names: Names, folder: Path) -> list[Chart]:
    """Draw the charts and write findings.md and report.html into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = draw_wave_charts(a, names, folder)
    notes = methods(a)
    (folder / "findings.md").write_text(_markdown(a.wave, findings, notes, figures, folder), encoding="utf-8")
    (folder / "report.html").write_text(_html(a.wave, findings, notes, figures), encoding="utf-8")
    return figures


def write_trends(waves: pd.DataFrame, comparison: pd.DataFrame, names: Names, folder: Path,
                 min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> list[Chart]:
    """Cross-wave charts, once there are two or more waves."""
    if waves["wave"].nunique() < 2:
        return []
    waves = waves.sort_values("wave").reset_index(drop=True)
    return [
        Chart(charts.take_up_trend(waves, min_group_size, folder / "take_up.png"), "Twitter take-up by wave"),
        Chart(charts.gap_trend(comparison, names, folder / "engagement_gap.png"),
              "Users–non-users engagement gap per area by wave"),
    ]
