"""What a board member sees (issue 14: reports a board can read): a synthetic-data banner on generated
data only, a plain summary first whose every line carries a figure from the tables, plain headings
with no causal wording or advice, the scale and the golden threads explained before they are used,
every interview theme reported, the statistics kept to "How we know", each chart beside its finding,
a trends report, and a footer saying when, from which files, with which settings and which version
the report was made."""

from __future__ import annotations

import html
import re

import duckdb
import pytest

from engagement_pipeline.reporting.provenance import SYNTHETIC_BANNER

WAVE = "2019-03"


WAVES = ("2019-03", "2020-03")
#: Words that state or suggest a cause, or give advice; none belongs in a heading.
CAUSAL = re.compile(r"impact on|\bcaus|\bshould\b|\bleads? to\b|\bdrives?\b|because of|\bmust\b", re.IGNORECASE)
#: The statistics' names, which belong in "How we know" only.
STATISTICS = ("Mann–Whitney", "rank-biserial", "bootstrap", "Holm", "HC3", "regression", "proportional-odds",
              "Wilcoxon", "Wilson", "p = ", "p < ", "95 % CI", "confidence interval")


def _tables(con, wave: str) -> dict:
    query = lambda sql: con.execute(sql, [wave]).df()  # noqa: E731
    return {name: query(f"SELECT * FROM {name} WHERE wave = ?") for name in (
        "waves", "engagement_comparison", "perceived_impact", "channel_impact", "barriers", "interview_themes",
        "interview_quotes", "codebook", "findings")}


@pytest.fixture(scope="module")
def report(bundled_run):
    folder = bundled_run.outputs / "reports" / WAVE
    with duckdb.connect(str(bundled_run.warehouse), read_only=True) as con:
        log = con.execute("SELECT source_file, source_kind, sha256 FROM load_log WHERE wave = ? ORDER BY source_file",
                          [WAVE]).fetchall()
        settings = con.execute("SELECT pipeline_version, alpha, min_group_size FROM wave_settings WHERE wave = ?",
                               [WAVE]).fetchone()
        findings = con.execute("SELECT finding, title, supported FROM findings WHERE wave = ? ORDER BY finding",
                               [WAVE]).fetchall()
        tables = {wave: _tables(con, wave) for wave in WAVES}
    pages = {wave: (bundled_run.outputs / "reports" / wave / "report.html").read_text(encoding="utf-8")
             for wave in WAVES}
    return {"html": pages[WAVE], "pages": pages, "tables": tables,
            "md": (folder / "findings.md").read_text(encoding="utf-8"), "log": log, "settings": settings,
            "findings": findings, "trends": bundled_run.outputs / "reports" / "trends"}


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: no tags, no images, entities decoded, one space per gap."""
    fragment = re.sub(r"<img[^>]*>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).replace("\u00a0", " ").strip()


def _brief(page: str) -> list[str]:
    block = re.search(r"<h2>In brief</h2>(.*?)</ul>", page, re.DOTALL).group(1)
    return [_text(item) for item in re.findall(r"<li>(.*?)</li>", block, re.DOTALL)]


def _sections(page: str) -> dict[int, str]:
    return {int(n): body for n, body in re.findall(r"<section><h2>(\d)\. (.*?)</section>", page, re.DOTALL)}


def _how(section: str) -> str:
    found = re.search(r"<p class='how'>(.*?)</p>", section, re.DOTALL)
    return _text(found.group(1)) if found else ""


def test_generated_data_carries_the_banner_first(report):
    for text, banner in ((report["html"], html.escape(SYNTHETIC_BANNER)), (report["md"], SYNTHETIC_BANNER)):
        assert banner in text
        assert text.index(banner) < text.index("In brief")


def test_the_footer_says_when_from_what_with_which_settings_and_version(report):
    footer = re.search(r"<footer>(.*)</footer>", report["html"], re.DOTALL).group(1)
    version, alpha, min_group_size = report["settings"]
    assert f"Wave {WAVE}: generated " in footer and f"by engagement-pipeline {version}." in footer
    for name, kind, sha in report["log"]:
        assert f"{name} ({kind}, sha256 {sha[:12]}…)" in footer
    assert f"significance level {alpha:g}; groups under {min_group_size} respondents are not reported" in footer
    assert footer.count("sha256") == len(report["log"]) == 3


def test_the_summary_comes_first_and_gives_the_headlines(report):
    """The In-brief lines are the findings' headlines, in both documents, before the first finding."""
    headlines = report["tables"][WAVE]["findings"].sort_values("finding")
    expected = [f"{h}." for n, h in zip(headlines["finding"], headlines["headline"]) if n <= 5]
    brief = report["md"].split("## In brief", 1)[1].split("\n## ", 1)[0]
    assert [line[2:] for line in brief.splitlines() if line.startswith("- ")] == expected
    assert _brief(report["html"]) == expected
    assert report["md"].index("## In brief") < report["md"].index("## 1. ")
    assert "the data support this" not in report["html"]


def _figures(tables: dict) -> list[list[str]]:
    """For each In-brief line, figures that line must carry, worked out here from the warehouse tables."""
    comparison = tables["engagement_comparison"].query("not suppressed")
    users = tables["channel_impact"].query("respondent_group == 'users' and not suppressed")
    twitter = users[users["channel"] == "twitter"].iloc[0]
    golden = tables["codebook"].dropna(subset=["golden_thread"])
    quotes = tables["interview_quotes"].merge(golden[["theme", "golden_thread"]], on="theme")
    by_thread = quotes.groupby("golden_thread")["interview_id"].nunique()
    n_interviews = tables["interview_quotes"]["interview_id"].nunique()
    rank = int(twitter["rank"])
    return [
        [(float(comparison["mean_users"].mean()), float(comparison["mean_non_users"].mean()))],
        [f"On average {tables['waves']['mean_pct_improved'].iloc[0]:.0f} %"],
        [f"Twitter {rank}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(rank, 'th')} of {len(users)} ",
         f"({twitter['mean_score']:.1f} out of 5)"],
        [f"in {by_thread.max()} of {n_interviews} interviews", *(f" in {n}" for n in by_thread)],
        [f"({p:.0f} %)" for p in tables["barriers"].query("not suppressed")["pct_selected"]],
    ]


@pytest.mark.parametrize("wave", WAVES)
def test_each_summary_line_carries_a_figure_from_the_tables(report, wave):
    lines = _brief(report["pages"][wave])
    assert 1 <= len(lines) <= 5
    for line, figures in zip(lines, _figures(report["tables"][wave]), strict=True):
        assert re.search(r"\d", line), line
        for figure in figures:
            if isinstance(figure, tuple):  # two means, users against non-users, to one decimal
                shown = re.search(r"on average ([\d.]+) against ([\d.]+) out of 5", line)
                assert shown, line
                assert all(abs(float(s) - f) <= 0.05 + 1e-9 for s, f in zip(shown.groups(), figure)), (figure, line)
            else:
                assert figure in line, (figure, line)
        assert not any(name in line for name in STATISTICS), line
        assert not CAUSAL.search(line), line


@pytest.mark.parametrize("wave", WAVES)
def test_no_heading_states_a_cause_or_gives_advice(report, wave):
    page = report["pages"][wave]
    headings = [_text(h) for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, re.DOTALL)]
    assert len(headings) >= 8
    for heading in headings:
        assert not CAUSAL.search(heading), heading
        assert not any(name in heading for name in STATISTICS), heading
    # the study's own titles stay visible, as a small label under the heading, never as a heading
    for number, title, _ in report["findings"]:
        assert f"Study finding {number}: “{html.escape(title)}”" in page
        assert title not in " ".join(headings)
    assert "Leaders should be true to their persona" not in " ".join(headings)


@pytest.mark.parametrize("wave", WAVES)
def test_the_scale_and_the_golden_threads_are_explained_before_their_first_use(report, wave):
    text = _text(report["pages"][wave])
    scale = text.index("for engagement 1 means “not at all engaged” and 5 “extremely engaged”")
    assert "1 means “no impact” and 5 “very high impact”" in text[scale:scale + 200]
    first_use = min(text.index(use) for use in ("out of 5", "1–5", "1 to 5") if use in text)
    assert scale - 80 <= first_use and text.index("out of 5") > scale
    threads = text.index("The “golden threads” are the trust's strategic aims")
    assert text.index("golden thread") > threads
    assert "patient care, patient experience, and equality and diversity" in text[threads:threads + 200]


@pytest.mark.parametrize("wave", WAVES)
def test_every_theme_the_interviews_raised_is_reported(report, wave):
    themes = report["tables"][wave]["interview_themes"]
    raised = themes[themes["n_interviews"] > 0]
    assert len(raised) == len(themes) == 10  # the bundled waves raise every theme of the codebook
    sections = _sections(report["pages"][wave])
    words = (_text(sections[4]) + " " + _text(sections[6])).lower()
    n = report["tables"][wave]["interview_quotes"]["interview_id"].nunique()
    for r in raised.itertuples():
        label = r.label.lower()
        assert re.search(rf"{re.escape(label)} \({r.n_interviews}( of {n} interviews)?\)", words), label


@pytest.mark.parametrize("wave", WAVES)
def test_statistics_stay_in_how_we_know(report, wave):
    sections = _sections(report["pages"][wave])
    assert sorted(sections) == [1, 2, 3, 4, 5, 6]
    wanted = {1: ("Mann–Whitney", "rank-biserial", "bootstrap", "Holm", "HC3"), 2: ("Wilson",), 3: ("Wilcoxon", "Holm"),
              5: ("Wilson",)}
    for number, section in sections.items():
        heading = _text(section.split("</h2>", 1)[0])
        body = _text(re.sub(r"<p class='how'>.*?</p>", "", section.split("</h2>", 1)[1], flags=re.DOTALL))
        for name in STATISTICS:
            assert name not in heading and name not in body, (number, name)
        for name in wanted.get(number, ()):
            assert name in _how(section), (number, name)


@pytest.mark.parametrize("wave", WAVES)
def test_supported_says_what_it_rests_on(report, wave):
    sections = _sections(report["pages"][wave])
    words = {True: "Supported", False: "Not supported"}
    for r in report["tables"][wave]["findings"].itertuples():
        label = re.search(r"<p class='study'>(.*?)</p>", sections[r.finding], re.DOTALL).group(1)
        expected = "Described, not tested" if r.finding >= 5 else words.get(r.supported, "Not judged")
        assert f"<strong>{expected}" in label
        assert len(_text(label).split(":", 2)[-1]) > 30  # a reason follows the verdict
    assert "larger than chance would easily give, even after allowing for testing three areas at once" \
        in _text(sections[1])


def test_differing_n_is_explained(report):
    """2020-03: one user and one non-user left the engagement questions blank, so the engagement
    figures count 36 and 24 where the wave has 37 and 25; the report says so in words."""
    tables = report["tables"]["2020-03"]
    comparison, waves = tables["engagement_comparison"], tables["waves"].iloc[0]
    assert (comparison["n_users"] < waves["n_users"]).all()  # the set-up
    text = _text(_sections(report["pages"]["2020-03"])[1])
    assert (f"{comparison['n_users'].iloc[0]} of the {waves['n_users']} users and {comparison['n_non_users'].iloc[0]} "
            f"of the {waves['n_non_users']} non-users answered these questions") in text
    # where everyone answered, nothing is said
    assert "answered these questions" not in _text(_sections(report["pages"]["2019-03"])[1])


@pytest.mark.parametrize("wave", WAVES)
def test_equal_holm_p_values_are_explained(report, wave):
    """The bundled waves' three Holm-adjusted p-values read the same; the report shows the value once
    and says why (two are exactly equal by Holm's step-down, the third only once rounded)."""
    comparison = report["tables"][wave]["engagement_comparison"]
    how_text = _how(_sections(report["pages"][wave])[1])
    written = {f"{p:.3f}" for p in comparison["p_holm"]}
    assert len(written) == 1  # the set-up
    assert f"Holm-adjusted over the 3 areas, p = {written.pop()} in each" in how_text
    assert "are exactly equal, as Holm's method intends" in how_text and "Before rounding they are" in how_text


@pytest.mark.parametrize(("finding", "charts"), [
    (1, ["Size of the users–non-users difference per area", "Self-rated engagement, users and non-users, per area"]),
    (2, ["Users saying Twitter improved their engagement"]), (3, ["Impact of each channel on engagement, ranked"]),
    (4, ["Interview themes by golden thread"]), (5, ["Non-users' barriers"]),
])
def test_each_chart_stands_beside_its_finding(report, finding, charts):
    sections = re.findall(r"<section><h2>(\d)\. .*?</section>", report["html"], re.DOTALL)
    assert sections == ["1", "2", "3", "4", "5", "6"]
    section = re.search(rf"<section><h2>{finding}\. (.*?)</section>", report["html"], re.DOTALL).group(1)
    assert re.findall(r"<img alt='([^']*)'", section) == [c.replace("'", "&#x27;") for c in charts]


def test_the_trends_have_a_report_of_their_own(report):
    page = (report["trends"] / "report.html").read_text(encoding="utf-8")
    assert "trends, waves 2019-03 to 2020-03" in page and html.escape(SYNTHETIC_BANNER) in page
    assert len(re.findall(r"<img alt=", page)) == 2


def test_real_data_gets_no_banner(workspace):
    for wave in ("2019-03", "2020-03"):
        (workspace.wave(wave) / "SYNTHETIC.txt").unlink()
    assert workspace.run() == 0
    page = (workspace.outputs / "reports" / WAVE / "report.html").read_text(encoding="utf-8")
    assert html.escape(SYNTHETIC_BANNER) not in page and "<footer>" in page
