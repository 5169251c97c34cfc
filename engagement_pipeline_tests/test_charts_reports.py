"""The per-wave report (charts, findings.md, self-contained report.html) and the trend charts."""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from engagement_pipeline.analysis.analyse import analyse_wave
from engagement_pipeline.analysis.wave_summary import wave_summary
from engagement_pipeline.ingest.columns import survey_layout
from engagement_pipeline.ingest.survey import typed_responses
from engagement_pipeline.reporting.findings import findings
from engagement_pipeline.reporting.report import write_trends, write_wave_report
from engagement_pipeline.reporting.wording import split_statement
from engagement_pipeline.synthetic import (
    STUDY_PROFILE,
    YEAR_ON_PROFILE,
    generate_interviews,
    generate_survey,
)
from .wave_builders import ALPHA, KEY, LOADED_AT, MIN_GROUP_SIZE, NAMES, TOO_FEW, _cheap_gc_collect, typed_codebook, typed_quotes  # noqa: F401

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def build_wave(wave: str, n: int, seed: int, profile=STUDY_PROFILE, *, interviews: bool = True):
    raw = generate_survey(n, seed, profile)
    responses = typed_responses(raw, survey_layout(list(raw.columns), "survey_responses.csv"), wave, KEY)
    quotes_raw = generate_interviews(raw, seed) if interviews else \
        pd.DataFrame(columns=["interview_id", "segment_id", "theme", "quote", "respondent_id"])
    analysis = analyse_wave(responses, typed_quotes(quotes_raw, wave), typed_codebook(), wave, MIN_GROUP_SIZE, ALPHA, LOADED_AT)
    return responses, analysis, findings(analysis, NAMES)


class Report:
    def __init__(self, folder: Path, analysis, table: pd.DataFrame, charts: list) -> None:
        self.folder, self.analysis, self.findings, self.charts = folder, analysis, table, charts
        self.markdown = (folder / "findings.md").read_text(encoding="utf-8")
        self.html = (folder / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Report]:
    out = {}
    for name, (n, seed, interviews) in {"study": (54, 20190301, True), "tiny": (8, 3, False)}.items():
        _, analysis, table = build_wave("2019-03", n, seed, interviews=interviews)
        folder = tmp_path_factory.mktemp(f"report_{name}") / "2019-03"
        charts = write_wave_report(analysis, table, NAMES, folder)
        out[name] = Report(folder, analysis, table, charts)
    return out


REPORTS = ["study", "tiny"]


def assert_real_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, path
    assert len(data) > 5 * 1024, (path, len(data))
    with Image.open(path) as image:
        image.load()  # decodes the whole image: a truncated file fails here
        width, height = image.size
        assert image.format == "PNG"
    assert 400 <= width <= 4000 and 400 <= height <= 4000, (path, width, height)


# --- charts ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", REPORTS)
def test_at_least_five_real_pngs(reports, name):
    report = reports[name]
    pngs = sorted((report.folder / "charts").glob("*.png"))
    assert len(pngs) >= 5
    assert sorted(c.path for c in report.charts) == pngs
    for path in pngs:
        assert_real_png(path)


@pytest.mark.parametrize("name", REPORTS)
def test_charts_have_captions(reports, name):
    captions = [c.caption for c in reports[name].charts]
    assert all(captions) and len(set(captions)) == len(captions)


# --- findings.md -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", REPORTS)
def test_markdown_has_the_six_findings(reports, name):
    report = reports[name]
    headings = re.findall(r"^## (\d)\. (.+)$", report.markdown, flags=re.MULTILINE)
    assert [int(number) for number, _ in headings] == [1, 2, 3, 4, 5, 6]
    for r in report.findings.itertuples():
        assert f"## {r.finding}. {r.headline}" in report.markdown
        assert f"*Study finding {r.finding}: “{r.title}”*" in report.markdown
        plain, how = split_statement(r.statement)
        assert plain in report.markdown and how in report.markdown


#: The verdict words a finding's line may open with, by its ``supported`` value.
VERDICTS = {True: ("Supported",), False: ("Not supported",), None: ("Described, not tested", "Not judged")}


@pytest.mark.parametrize("name", REPORTS)
def test_markdown_verdicts_follow_supported(reports, name):
    report = reports[name]
    for r in report.findings.itertuples():
        line = re.search(rf"^\*Study finding {r.finding}: .*$", report.markdown, flags=re.MULTILINE).group(0)
        word = re.search(r"\*\*([^*]+):\*\*", line).group(1)
        assert word.startswith(VERDICTS[None if pd.isna(r.supported) else bool(r.supported)]), line


@pytest.mark.parametrize("name", REPORTS)
def test_markdown_methods_and_caveats(reports, name):
    report = reports[name]
    assert "## Methods and caveats" in report.markdown
    methods = report.markdown.split("## Methods and caveats", 1)[1].split("\n## ", 1)[0]
    assert "self-selection" in methods.lower()
    assert f"fewer than {MIN_GROUP_SIZE}" in methods
    assert "Mann–Whitney" in methods and "Holm" in methods and "Wilson" in methods


@pytest.mark.parametrize("name", REPORTS)
def test_markdown_chart_links_resolve(reports, name):
    report = reports[name]
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report.markdown)
    assert len(links) == len(report.charts)
    for link in links:
        assert not re.match(r"[a-z]+://", link)
        assert (report.folder / link).is_file(), link


# --- report.html -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", REPORTS)
def test_html_is_self_contained(reports, name):
    report = reports[name]
    page = report.html
    assert page.count("data:image/png;base64,") == len(report.charts) == page.count("<img")
    for chart in report.charts:
        encoded = base64.b64encode(chart.path.read_bytes()).decode("ascii")
        assert f"data:image/png;base64,{encoded}" in page, chart.path.name
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, flags=re.IGNORECASE)
    assert "<link" not in page.lower() and "<script" not in page.lower()
    assert "@import" not in page


@pytest.mark.parametrize("name", REPORTS)
def test_html_carries_every_finding(reports, name):
    report = reports[name]
    def esc(text: str) -> str:  # as the page writes it: a figure and its per cent sign kept together
        return html.escape(text).replace(" %", "\u00a0%")

    for r in report.findings.itertuples():
        for part in split_statement(r.statement):
            assert esc(part) in report.html
        assert esc(r.title) in report.html and esc(r.headline) in report.html
    assert "Methods and caveats" in report.html
    assert "self-selection" in report.html.lower()


def test_suppressed_wave_says_too_few(reports):
    report = reports["tiny"]
    assert TOO_FEW in report.markdown
    assert TOO_FEW in report.html
    # nothing in the tiny wave's findings claims a result
    assert report.findings["supported"].isna().all()
    assert "higher engagement than non-users" not in report.markdown


def test_study_wave_reports_its_figures(reports):
    report = reports["study"]
    assert "On average 74 %" in report.markdown
    assert TOO_FEW not in report.markdown.split("## Methods and caveats", 1)[0]


# --- trends ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_waves():
    loaded = datetime(2020, 3, 30, 12, 0)
    summaries, comparisons = [], []
    for wave, n, seed, profile in (("2019-03", 54, 20190301, STUDY_PROFILE),
                                   ("2020-03", 62, 20200301, YEAR_ON_PROFILE)):
        responses, analysis, _ = build_wave(wave, n, seed, profile, interviews=False)
        summaries.append(wave_summary(responses, analysis.perceived_impact, wave, loaded))
        comparisons.append(analysis.engagement_comparison)
    return pd.concat(summaries, ignore_index=True), pd.concat(comparisons, ignore_index=True)


def test_trends_need_two_waves(two_waves, tmp_path):
    waves, comparison = two_waves
    one = waves[waves["wave"] == "2019-03"]
    folder = tmp_path / "trends"
    assert write_trends(one, comparison[comparison["wave"] == "2019-03"], NAMES, folder) == []
    assert not folder.exists() or not any(folder.iterdir())


def test_trends_for_two_waves(two_waves, tmp_path):
    waves, comparison = two_waves
    folder = tmp_path / "trends"
    # given out of order: the charts sort waves by name
    charts = write_trends(waves.iloc[::-1].reset_index(drop=True), comparison, NAMES, folder)
    assert len(charts) == 2
    assert sorted(c.path for c in charts) == sorted(folder.glob("*.png"))
    for chart in charts:
        assert chart.caption
        assert_real_png(chart.path)


def test_small_waves_hide_take_up_in_the_table_and_the_trend(tmp_path):
    from engagement_pipeline.analysis.wave_summary import wave_summary

    waves = pd.DataFrame({"wave": ["a", "b"], "n_respondents": [8, 40], "n_users": [3, 20]})
    charts = write_trends(waves, pd.DataFrame(columns=["wave", "area", "suppressed"]), NAMES, tmp_path, 11)
    assert [c.path.name for c in charts] == ["take_up.png", "engagement_gap.png"]
    frame = pd.DataFrame({"uses_twitter": [True] * 3 + [False] * 5})
    empty = pd.DataFrame({"pct_improved": pd.Series(dtype="float64")})
    small = wave_summary(frame, empty, "a", datetime(2020, 1, 1), min_group_size=11).iloc[0]
    assert pd.isna(small["pct_users"]) and small["n_users"] == 3
    big = wave_summary(frame, empty, "a", datetime(2020, 1, 1), min_group_size=5).iloc[0]
    assert big["pct_users"] == 100 * 3 / 8

