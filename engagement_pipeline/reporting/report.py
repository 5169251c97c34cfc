"""The per-wave report: charts, ``findings.md`` and a self-contained, printable ``report.html``.

Both documents are rendered from one structure, so they always say the same thing.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests

from ..analysis.analyse import WaveAnalysis
from ..settings import DEFAULT_MIN_GROUP_SIZE
from . import charts
from ..analysis.channel_impact import EXACT_UP_TO, FACE_TO_FACE
from .provenance import Provenance
from .findings import explain
from .wording import (HOW_WE_KNOW, THREADS, TOO_FEW, Names, golden_threads_note, join, ordinal, p_value, pct,
                      scale_note, split_statement, verdict)

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
                                       folder / "engagement_by_group.png",
                                       suppressed_areas=frozenset(a.engagement_comparison.loc[
                                           a.engagement_comparison["suppressed"], "area"])),
              "Self-rated engagement, users and non-users, per area"),
        Chart(charts.effect_size_chart(a.engagement_comparison, names, folder / "engagement_gap.png"),
              "Size of the users–non-users difference per area"),
        Chart(charts.perceived_improvement(a.perceived_impact, names, folder / "perceived_improvement.png"),
              "Users saying Twitter improved their engagement"),
        Chart(charts.channel_chart(a.channel_impact, names, folder / "channel_impact.png"),
              "Impact of each channel on engagement, ranked"),
        Chart(charts.barrier_chart(a.barriers, names, folder / "barriers.png"), "Non-users' barriers"),
        Chart(charts.theme_chart(a.interview_themes, a.n_interviews, names, folder / "interview_themes.png",
                                 interviews_by_thread=a.interviews_by_thread),
              "Interview themes by golden thread"),
    ]


def _adjustment_note(a: WaveAnalysis, names: Names) -> str:
    adjusted = a.engagement_adjusted[~a.engagement_adjusted["suppressed"]]
    if adjusted.empty:
        return "The adjusted comparison could not be made (too few responses)."
    estimated = adjusted[adjusted["estimate"].notna()]
    positive = estimated[estimated["significant"].fillna(False).astype(bool) & (estimated["estimate"] > 0)]
    missing = adjusted.loc[adjusted["estimate"].isna(), "area"].map(names).tolist()
    text = ("Adjusted for staff group and locality (OLS with HC3 robust errors; a respondent alone in a locality or "
            "staff group tells nothing about Twitter use and gets zero weight), the Twitter-use coefficient is positive and "
            f"statistically significant (Holm-adjusted over areas; its 95 % intervals are not) in {len(positive)} of "
            f"{len(estimated)} areas where it can be estimated.")
    if missing:
        text += (f" It cannot be estimated for {join(missing)}: Twitter use cannot be separated from locality and staff "
                 "group, or the answers leave no spread to measure its uncertainty by.")
    return text + " " + _ordinal_note(adjusted, names)


def _ordinal_note(adjusted: pd.DataFrame, names: Names) -> str:
    """Whether the proportional-odds check reaches the OLS verdict, area by area (models_agree)."""
    compared = adjusted[adjusted["models_agree"].notna()]
    if compared.empty:
        return "The ordinal (proportional-odds) check could not be estimated for any area."
    differ = compared.loc[~compared["models_agree"].astype(bool), "area"].map(names).tolist()
    text = (f"A proportional-odds (ordinal logistic) model of the same scores reaches the same verdict in "
            f"{len(compared) - len(differ)} of {len(compared)} areas where both could be estimated")
    return text + (f"; it does not for {join(differ)}, so the verdict there depends on treating scores as "
                   "numbers." if differ else ".")


def _channel_note(a: WaveAnalysis, names: Names) -> str:
    """Which channel users rate highest, worked out from this wave's channel_impact."""
    users = a.channel_impact[(a.channel_impact["respondent_group"] == "users") & ~a.channel_impact["suppressed"]]
    if users.empty:
        return "Users' channel ratings: too few responses to report."
    top = users[users["rank"] == users["rank"].min()].sort_values("channel")
    channels = join([names(c) for c in top["channel"]])
    text = f"Among users' reported channels, {channels} {'rate jointly' if len(top) > 1 else 'rates'} highest this wave"
    face = users[users["channel"] == FACE_TO_FACE]
    if len(face) and FACE_TO_FACE not in set(top["channel"]):
        text += f"; {names(FACE_TO_FACE)} ranks {ordinal(int(face['rank'].iloc[0]))}"
    return text + "."


#: Answer rates of users and non-users "differ markedly" when Fisher's exact test is significant
#: (Holm over the items asked of both groups) and the rates are at least this many points apart.
MARKED_NON_RESPONSE_GAP = 10.0


def non_response_differences(item_response: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Per item asked of both groups (both rows reported): the answer rates, Fisher's exact
    two-sided p of answered / not answered by group, Holm over those items, and ``marked``."""
    rows = []
    for item, part in item_response[~item_response["suppressed"]].groupby("item", sort=False):
        groups = part.set_index("respondent_group")
        if set(groups.index) != {"users", "non_users"}:
            continue
        table = [[int(groups.loc[g, "n_answered"]), int(groups.loc[g, "n_asked"] - groups.loc[g, "n_answered"])]
                 for g in ("users", "non_users")]
        rows.append({"item": item, "pct_users": float(groups.loc["users", "pct_answered"]),
                     "pct_non_users": float(groups.loc["non_users", "pct_answered"]),
                     "p_value": float(fisher_exact(table).pvalue)})
    frame = pd.DataFrame(rows, columns=["item", "pct_users", "pct_non_users", "p_value"])
    frame["p_holm"] = multipletests(frame["p_value"], method="holm")[1] if len(frame) else []
    frame["marked"] = (frame["p_holm"] < alpha) & ((frame["pct_users"] - frame["pct_non_users"]).abs()
                                                   >= MARKED_NON_RESPONSE_GAP)
    return frame


def _non_response_note(a: WaveAnalysis, names: Names) -> str:
    differences = non_response_differences(a.item_response, a.alpha)
    if differences.empty:
        return "Item non-response: too few responses to compare users with non-users."
    marked = differences[differences["marked"]]
    how = (f"Fisher's exact test, Holm-adjusted over {len(differences)} items asked of both groups; marked means "
           f"significant and at least {MARKED_NON_RESPONSE_GAP:.0f} points apart")
    if marked.empty:
        return f"Item non-response does not differ markedly between users and non-users on any item ({how})."
    parts = []
    for r in marked.itertuples():
        family, item = r.item.split("_", 1)
        parts.append(f"{names(item)} ({family}; answered by {r.pct_users:.0f} % of users and {r.pct_non_users:.0f} % "
                     f"of non-users, Holm-adjusted {p_value(r.p_holm, a.alpha)})")
    return (f"Item non-response differs markedly between users and non-users for {join(parts)} ({how}); "
            "those items' comparisons rest on a selected part of a group.")


def methods(a: WaveAnalysis, names: Names | None = None) -> list[str]:
    names = names or Names()
    return [
        f"Wave {a.wave}: {a.n_respondents} respondents, {a.n_users} Twitter users and "
        f"{a.n_respondents - a.n_users} non-users; each figure uses the respondents who answered that item.",
        "Engagement: two-sided Mann–Whitney U test per area; effect size is the rank-biserial correlation r "
        "with a seeded bootstrap 95 % interval, read as the probability (r + 1) / 2 that a user's score is higher "
        "than a non-user's (ties counted half); p-values adjusted with Holm's method over the wave's areas "
        f"(the intervals are not); significant means adjusted p < {a.alpha:g}.",
        _adjustment_note(a, names),
        "Percentages carry 95 % Wilson score intervals. Channels are ranked by mean score within each group "
        "(ties share a rank), with 95 % t-intervals. Twitter against each other channel uses the Wilcoxon "
        f"signed-rank test on the users who rated both, zeros left out, exact when at most {EXACT_UP_TO} users "
        "rated the two differently; significance is Holm-adjusted over channels.",
        "Self-selection: managers who chose to use Twitter may simply be more engaged people, so these "
        "differences show association, not that Twitter causes engagement.",
        _channel_note(a, names),
        _non_response_note(a, names),
        f"Small groups: any figure based on fewer than {a.min_group_size} respondents is shown as "
        "“too few responses to report”, and so is any figure from which such a one could be worked out by "
        "subtraction (complementary suppression).",
        "Interview counts come from coded transcripts of a few volunteers and describe, rather than measure.",
    ]


#: Which chart stands beside which finding (by file stem); charts no finding claims close the report.
BESIDE = {1: ("engagement_gap", "engagement_by_group"), 2: ("perceived_improvement",), 3: ("channel_impact",),
          4: ("interview_themes",), 5: ("barriers",)}


def summary(findings: pd.DataFrame) -> list[str]:
    """Five lines for the board: the headlines of the findings 1 to 5, each with its figure."""
    return [f"{r.headline}." for r in findings.itertuples() if r.finding <= 5]


def reading_notes(a: WaveAnalysis, names: Names) -> list[str]:
    """What a reader needs before the first figure: the 1-5 scales and, with interviews, the golden threads."""
    notes = [scale_note()]
    threads = a.interview_themes["golden_thread"].dropna().unique().tolist() if a.n_interviews else []
    known = list(THREADS)
    threads = sorted(threads, key=lambda t: (known.index(t) if t in known else len(known), t))
    if threads:
        notes.append(golden_threads_note([names(t) for t in threads]))
    return notes


def brief_caveat(a: WaveAnalysis) -> str:
    text = ("Read with care: managers chose whether to use Twitter, so differences between users and non-users "
            "are associations, not proof that Twitter caused them")
    if a.n_interviews:
        text += (f"; the {a.n_interviews} interviews describe what was said, they do not measure how common it is")
    return text + "."


@dataclass(frozen=True)
class Section:
    """One finding as a report shows it: plain headline, the study's name for it, plain text, then the statistics."""
    number: int
    headline: str
    title: str
    basis: str
    plain: str
    how: str
    charts: tuple[Chart, ...]

    @property
    def verdict(self) -> tuple[str, str]:
        """("Supported", "in every area …"): the verdict word and what it rests on."""
        word, _, reason = self.basis.partition(": ")
        return word, reason


@dataclass(frozen=True)
class Document:
    title: str
    notes_before: tuple[str, ...] = ()   # read before the first figure (the scale, the golden threads)
    brief: tuple[str, ...] = ()
    caveat: str = ""
    sections: tuple[Section, ...] = ()
    methods: tuple[str, ...] = ()
    rest: tuple[Chart, ...] = ()


def _basis_fallback(supported: object, number: int) -> str:
    """A verdict without its reasons, for a findings table given without its analysis."""
    word = verdict(supported)
    if word == "descriptive":
        return "Described, not tested: " if number >= 5 else "Not judged: "
    return f"{word.capitalize()}: "


def _sections(findings: pd.DataFrame, figures: list[Chart], bases: dict[int, str]) -> tuple[tuple[Section, ...],
                                                                                               tuple[Chart, ...]]:
    """Each finding with the charts beside it, and the charts no finding claims, in their order."""
    by_stem = {c.path.stem: c for c in figures}
    sections, used = [], set()
    for r in findings.itertuples():
        charts = tuple(by_stem[s] for s in BESIDE.get(r.finding, ()) if s in by_stem)
        used |= {c.path for c in charts}
        plain, how = split_statement(r.statement)
        sections.append(Section(int(r.finding), r.headline, r.title,
                                bases.get(r.finding) or _basis_fallback(r.supported, r.finding), plain, how, charts))
    return tuple(sections), tuple(c for c in figures if c.path not in used)


def _markdown(doc: Document, folder: Path, provenance: Provenance) -> str:
    image = lambda c: f"![{c.caption}]({c.path.relative_to(folder).as_posix()})"  # noqa: E731
    lines = [f"# {doc.title}", ""]
    if provenance.synthetic:
        lines += [provenance.markdown_banner(), ""]
    if doc.brief:
        lines += ["## In brief", ""] + [line for note in doc.notes_before for line in (f"*{note}*", "")]
        lines += [f"- {line}" for line in doc.brief] + [""]
        if doc.caveat:
            lines += [f"*{doc.caveat}*", ""]
    for s in doc.sections:
        word, reason = s.verdict
        lines += [f"## {s.number}. {s.headline}", "",
                  f"*Study finding {s.number}: “{s.title}”* — **{word}:** {reason}", "", s.plain, ""]
        if s.how:
            lines += [f"*{HOW_WE_KNOW}* {s.how}", ""]
        lines += [image(c) for c in s.charts] + [""]
    if doc.methods:
        lines += ["## Methods and caveats", "", "How we know, in more detail.", ""]
        lines += [f"- {note}" for note in doc.methods] + [""]
    if doc.rest:
        lines += ["## More charts" if doc.sections else "## Charts", ""] + [image(c) for c in doc.rest] + [""]
    lines += [provenance.markdown_footer()]
    return "\n".join(lines) + "\n"


_STYLE = ("<style>body{font-family:Arial,Helvetica,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;"
          "line-height:1.45;color:#222}h1{font-size:1.6rem}h2{font-size:1.2rem;margin:2rem 0 .2rem}"
          "figure{margin:1rem 0;break-inside:avoid;page-break-inside:avoid}img{max-width:100%}"
          "figcaption{font-size:.85rem;color:#555}"
          ".study{font-size:.85rem;color:#555;margin:.1rem 0 .6rem}.study strong{color:#222}"
          ".how{font-size:.85rem;color:#444;background:#f6f6f6;border-left:3px solid #bbb;padding:.4rem .7rem}"
          ".note{font-size:.9rem;color:#333;margin:.3rem 0}.caveat{font-size:.9rem;color:#555;font-style:italic}"
          ".banner{border:2px solid #D55E00;color:#8a3300;background:#fff3ec;"
          "padding:.6rem .9rem;font-weight:bold;margin:1rem 0}"
          ".brief{background:#f4f7fa;padding:.7rem 1rem .7rem 2rem;font-size:1.05rem}.brief li{margin:.35rem 0}"
          ".methods{font-size:.9rem}footer{margin-top:2rem;border-top:1px solid #ccc;font-size:.85rem;color:#555}"
          "@page{size:A4;margin:15mm}"
          "@media print{body{margin:0;max-width:none;padding:0;font-size:10.5pt}"
          "h2{break-after:avoid;page-break-after:avoid}.study,.brief,.how{break-inside:avoid}"
          "section{break-before:page;page-break-before:always}img{max-height:118mm;width:auto;max-width:100%}"
          ".banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}}</style>")


def _figure_html(chart: Chart) -> str:
    esc = html.escape
    return (f"<figure><img alt='{esc(chart.caption)}' src='{png_data_uri(chart.path)}'>"
            f"<figcaption>{esc(chart.caption)}</figcaption></figure>")


def _esc(text: str) -> str:
    """Escaped, with a figure and its per cent sign kept on one line."""
    return html.escape(text).replace(" %", "\u00a0%")


def _html(doc: Document, provenance: Provenance) -> str:
    esc = _esc
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{esc(doc.title)}</title>{_STYLE}"
             "</head><body>", f"<h1>{esc(doc.title)}</h1>", provenance.html_banner()]
    if doc.brief:
        parts.append("<h2>In brief</h2>" + "".join(f"<p class='note'>{esc(n)}</p>" for n in doc.notes_before)
                     + "<ul class='brief'>" + "".join(f"<li>{esc(line)}</li>" for line in doc.brief) + "</ul>"
                     + (f"<p class='caveat'>{esc(doc.caveat)}</p>" if doc.caveat else ""))
    for s in doc.sections:
        word, reason = s.verdict
        parts.append(
            f"<section><h2>{s.number}. {esc(s.headline)}</h2>"
            f"<p class='study'>Study finding {s.number}: “{esc(s.title)}” · <strong>{esc(word)}:</strong> "
            f"{esc(reason)}</p><p>{esc(s.plain)}</p>"
            + (f"<p class='how'><strong>{esc(HOW_WE_KNOW)}</strong> {esc(s.how)}</p>" if s.how else "")
            + "".join(_figure_html(c) for c in s.charts) + "</section>")
    if doc.methods:
        parts.append("<h2>Methods and caveats</h2><p class='note'>How we know, in more detail.</p><ul class='methods'>"
                     + "".join(f"<li>{esc(n)}</li>" for n in doc.methods) + "</ul>")
    if doc.rest:
        parts.append("<h2>More charts</h2>" if doc.sections else "<h2>Charts</h2>")
        parts.extend(_figure_html(c) for c in doc.rest)
    parts.append(provenance.html_footer())
    parts.append("</body></html>")
    return "\n".join(parts)


def _write(folder: Path, doc: Document, provenance: Provenance) -> None:
    (folder / "findings.md").write_text(_markdown(doc, folder, provenance), encoding="utf-8")
    (folder / "report.html").write_text(_html(doc, provenance), encoding="utf-8")


def write_wave_report(a: WaveAnalysis, findings: pd.DataFrame, names: Names, folder: Path,
                      provenance: Provenance | None = None) -> list[Chart]:
    """Draw the charts and write findings.md and report.html into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    provenance = provenance or Provenance.unknown(a.wave, a.alpha, a.min_group_size)
    with charts.labelled(f"Wave {a.wave}", provenance.synthetic):
        figures = draw_wave_charts(a, names, folder)
    bases = {f.number: f.basis for f in explain(a, names)}
    sections, rest = _sections(findings, figures, bases)
    doc = Document(f"Twitter and staff engagement — findings for wave {a.wave}",
                   notes_before=tuple(reading_notes(a, names)) if len(findings) else (),
                   brief=tuple(summary(findings)), caveat=brief_caveat(a) if len(findings) else "",
                   sections=sections, methods=tuple(methods(a, names)), rest=rest)
    _write(folder, doc, provenance)
    return figures


def trend_brief(waves: pd.DataFrame, comparison: pd.DataFrame, names: Names, min_group_size: int) -> list[str]:
    """Take-up and the users–non-users gap by wave, from the waves and engagement_comparison tables."""
    takeup = []
    for r in waves.itertuples():
        n, users = int(r.n_respondents), int(r.n_users)
        share = getattr(r, "pct_users", None)
        if "pct_users" not in waves:
            share = None if n < min_group_size or n == 0 else 100 * users / n
        takeup.append(f"{TOO_FEW} in {r.wave}" if share is None or pd.isna(share)
                      else f"{pct(float(share))} of {n} in {r.wave}")
    lines = [f"Share of respondents who use Twitter: {join(takeup)}"]
    if not {"mean_users", "mean_non_users"} <= set(comparison.columns) or comparison.empty:
        return lines
    gaps = []
    for area, rows in comparison.sort_values("wave").groupby("area", sort=False):
        per_wave = [f"{TOO_FEW} in {r.wave}" if r.suppressed or pd.isna(r.mean_users)
                    else f"{r.mean_users - r.mean_non_users:+.1f} in {r.wave}" for r in rows.itertuples()]
        gaps.append((names(area), join(per_wave)))
    what = "users' average minus non-users' (out of 5)"
    if len(gaps) <= 4:
        lines += [f"Engagement with {area}, {what}: {text}" for area, text in gaps]
    else:
        lines.append(f"Engagement, {what}: " + "; ".join(f"with {area} {text}" for area, text in gaps))
    return lines


def write_trends(waves: pd.DataFrame, comparison: pd.DataFrame, names: Names, folder: Path,
                 min_group_size: int = DEFAULT_MIN_GROUP_SIZE, synthetic: bool = False) -> list[Chart]:
    """Cross-wave charts and their own report.html, once there are two or more waves."""
    if waves["wave"].nunique() < 2:
        return []
    waves = waves.sort_values("wave").reset_index(drop=True)
    folder.mkdir(parents=True, exist_ok=True)
    span = f"Waves {waves['wave'].iloc[0]} to {waves['wave'].iloc[-1]}"
    with charts.labelled(span, synthetic):
        figures = [
            Chart(charts.take_up_trend(waves, min_group_size, folder / "take_up.png"), "Twitter take-up by wave"),
            Chart(charts.gap_trend(comparison, names, folder / "engagement_gap.png"),
                  "Users–non-users engagement gap per area by wave"),
        ]
    provenance = Provenance.unknown(span, None, min_group_size, synthetic)
    notes = (f"{span}: {len(waves)} waves, "
             + "; ".join(f"{r.wave} {int(r.n_respondents)} respondents" for r in waves.itertuples()) + ".",
             "Each wave surveyed its own respondents; the changes between waves have not been tested, so a change "
             "may be chance.")
    doc = Document(f"Twitter and staff engagement — trends, {span.lower()}", notes_before=(scale_note(),),
                   brief=tuple(trend_brief(waves, comparison, names, min_group_size)),
                   caveat=("Read with care: differences between users and non-users are associations, not proof that "
                           "Twitter caused them; changes between waves have not been tested for chance."),
                   methods=notes, rest=tuple(figures))
    _write(folder, doc, provenance)
    return figures
