"""Survey-tool exports through the whole pipeline (docs/data-contract.md §6): the same answers in
all four layouts publish the same figures; previews are excluded; nothing identifying the tools
add reaches the warehouse, the reports or the Dagster event log."""

from __future__ import annotations

import csv
import re

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from engagement_pipeline.cli import main
from engagement_pipeline.synthetic import codebook, generate_survey, generate_interviews
from engagement_pipeline.synthetic_exports import EXPORT_KINDS, exportable, write_export
from engagement_pipeline.warehouse.registry import TABLES

WAVE = "2031-04"
SEED = 11
#: Tables whose every figure must agree across layouts (responses are compared apart: Forms ids differ).
ANALYSIS = [t for t in TABLES if t not in ("responses", "load_log", "quarantine", "codebook")]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return exportable(generate_survey(240, SEED, wave_date="2031-04-01"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, survey):
    """One run per layout, each on a persistent Dagster instance so its event log is on disk."""
    published = {}
    for kind in EXPORT_KINDS:
        root = tmp_path_factory.mktemp(kind)
        data, outputs, home = root / "data", root / "outputs", root / "dagster_home"
        folder = data / "raw" / "waves" / WAVE
        folder.mkdir(parents=True)
        home.mkdir()
        codebook().to_csv(data / "raw" / "codebook.csv", index=False)
        export = write_export(survey, kind, folder, WAVE, SEED)
        generate_interviews(survey, SEED).to_csv(folder / "interview_segments.csv", index=False)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DAGSTER_HOME", str(home))
            patch.setenv("ENGAGEMENT_PSEUDONYM_KEY", "one-key-for-every-layout")
            assert main(["run", "--data-dir", str(data), "--output-dir", str(outputs)]) == 0
        with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
            tables = {t: con.execute(f"SELECT * FROM {t}").df() for t in TABLES}
        published[kind] = {"tables": tables, "export": export, "roots": (outputs, home)}
    return published


@pytest.mark.parametrize("table", ANALYSIS)
@pytest.mark.parametrize("kind", [k for k in EXPORT_KINDS if k != "canonical"])
def test_every_analysis_figure_is_the_same_whichever_tool_collected_the_answers(runs, kind, table):
    moments = ["loaded_at", "computed_at"]  # when each run happened differs, nothing else may
    expected, got = (runs[k]["tables"][table].drop(columns=moments, errors="ignore") for k in ("canonical", kind))
    assert len(got) == len(expected) and len(got)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kind", [k for k in EXPORT_KINDS if k != "canonical"])
def test_responses_are_the_same_apart_from_the_forms_pseudonyms(runs, kind):
    expected = runs["canonical"]["tables"]["responses"]
    got = runs[kind]["tables"]["responses"]
    same_ids = kind != "ms_forms"  # a Forms ID is a per-form counter, hashed with the wave
    columns = [c for c in expected.columns if same_ids or c != "respondent_key"]
    pd.testing.assert_frame_equal(got[columns], expected[columns])
    if not same_ids:
        assert not set(got["respondent_key"]) & set(expected["respondent_key"])


def test_each_load_log_names_its_kind_and_previews_are_excluded(runs, survey):
    for kind in EXPORT_KINDS:
        log = runs[kind]["tables"]["load_log"]
        log = log[~log["source_file"].isin(["interview_segments.csv", "codebook.csv"])].set_index("source_kind")
        assert log.loc[kind, "rows_loaded"] == len(survey)
        assert log.loc[kind, "rows_read"] == log.loc[kind, "rows_loaded"] + log.loc[kind, "rows_quarantined"]
    quarantine = runs["qualtrics"]["tables"]["quarantine"]
    assert len(quarantine) == 2 and quarantine["excluded"].all()
    assert quarantine["row_number"].min() == 4  # the first data row under three header rows
    assert quarantine["reason"].str.contains("Survey Preview").all()
    for kind in ("canonical", "ms_forms", "surveymonkey"):
        assert runs[kind]["tables"]["quarantine"].empty


#: The identifying columns each tool adds (contract §6), as the synthetic exports head them.
IDENTIFYING = {
    "ms_forms": ("Email", "Name"),
    "surveymonkey": ("IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1"),
    "qualtrics": ("IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference"),
}


def _identifying_values(path, kind: str) -> set[str]:
    """Every value of the export's identifying columns (four characters or more)."""
    if path.suffix == ".xlsx":
        rows = [["" if c is None else str(c) for c in row]
                for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    header = rows[0]
    positions = [header.index(name) for name in IDENTIFYING[kind]]
    return {row[i] for row in rows[1:] for i in positions if i < len(row) and len(row[i]) >= 4}


@pytest.mark.parametrize("kind", [k for k in EXPORT_KINDS if k != "canonical"])
def test_no_email_name_or_ip_address_reaches_the_outputs_or_the_event_log(runs, kind):
    needles = _identifying_values(runs[kind]["export"], kind)
    assert any("@" in n for n in needles) and len(needles) > 200
    if kind != "ms_forms":
        assert any(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", n) for n in needles)
    outputs, home = runs[kind]["roots"]
    files = [p for root in (outputs, home) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files), "expected the event log's sqlite files under DAGSTER_HOME"
    for path in files:
        blob = _decoded(path.read_bytes())
        leaked = [n for n in needles if n.encode() in blob]
        assert not leaked, f"{leaked[:3]} found in {path}"


#: A run of base64 text: the charts embedded in report.html, findings.md and the event log's
#: markdown (split across pages in SQLite, so not always behind its "base64," prefix).
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{100,}={0,2}")


def _decoded(blob: bytes) -> bytes:
    """``blob`` with each long base64 run taken out. A four-letter first name turns up by chance in
    a few hundred kilobytes of base64 (1 in 16.7 million a position); what the runs encode is
    searched where it is written whole — the chart PNGs are among the files — and a value leaked
    into text stands beside spaces or punctuation, never inside a 100-character base64 run."""
    return _BASE64_RUN.sub(b" ", blob)
