"""What a board member sees (issue: reports a board can read): a synthetic-data banner on generated
data only, a plain summary first, each chart beside its finding, a trends report, and a footer
saying when, from which files, with which settings and which version the report was made."""

from __future__ import annotations

import html
import re

import duckdb
import pytest

from engagement_pipeline.reporting.provenance import SYNTHETIC_BANNER

WAVE = "2019-03"


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
    return {"html": (folder / "report.html").read_text(encoding="utf-8"),
            "md": (folder / "findings.md").read_text(encoding="utf-8"), "log": log, "settings": settings,
            "findings": findings, "trends": bundled_run.outputs / "reports" / "trends"}


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


def test_the_summary_comes_first_and_follows_each_findings_verdict(report):
    words = {True: "the data support this", False: "the data do not support this", None: "described, not tested"}
    brief = report["md"].split("## In brief", 1)[1].split("\n## ", 1)[0]
    lines = [line[2:] for line in brief.strip().splitlines()]
    assert lines == [f"{title}: {words[supported]}." for number, title, supported in report["findings"] if number <= 5]
    assert report["md"].index("## In brief") < report["md"].index("## 1. ")


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
