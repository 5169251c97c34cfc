"""A REFI-QDA project through the whole pipeline (docs/data-contract.md §7): the published interview
tables equal those of the equivalent interview_segments.csv, and a hostile archive publishes nothing."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

import duckdb
import pandas as pd
import pytest

from engagement_pipeline.cli import main
from engagement_pipeline.ingest.qdc import read_codebook_qdc
from engagement_pipeline.ingest.readers import ROW_NUMBER
from engagement_pipeline.synthetic import write_wave

from .test_refi_qda import BILLION_LAUGHS, CODEBOOK, EXPECTED, ZOE_TEXT, _hand_built, _project_xml

WAVE = "2031-05"


def _workspace(root, interviews: str):
    """A wave of 60 synthetic respondents, the hand-built project's codebook, and its interviews
    either as the hand-built .qdpx or as the equivalent interview_segments.csv."""
    data = root / "data"
    write_wave(data, WAVE, 60, seed=5, n_interviews=0)
    CODEBOOK.to_csv(data / "raw" / "codebook.csv", index=False)
    folder = data / "raw" / "waves" / WAVE
    if interviews == "qdpx":
        shutil.copy(_hand_built(root), folder / "coded.qdpx")
    else:
        EXPECTED.drop(columns=[ROW_NUMBER]).to_csv(folder / "interview_segments.csv", index=False)
    return data, root / "outputs"


def _run(data, outputs, *extra: str) -> int:
    return main(["run", "--data-dir", str(data), "--output-dir", str(outputs), *extra])


def _tables(outputs) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
                for table in ("interview_themes", "interview_quotes", "quarantine", "load_log", "findings")}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    published = {}
    for kind in ("qdpx", "csv"):
        root = tmp_path_factory.mktemp(kind)
        data, outputs = _workspace(root, kind)
        assert _run(data, outputs) == 0
        published[kind] = _tables(outputs)
    return published


@pytest.mark.parametrize("table", ["interview_themes", "interview_quotes"])
def test_published_interview_tables_equal_those_of_the_equivalent_csv(both, table):
    pd.testing.assert_frame_equal(both["qdpx"][table], both["csv"][table])
    assert len(both["qdpx"][table])


def test_quotes_keep_code_points_and_the_case_link(both):
    quotes = both["qdpx"]["interview_quotes"].set_index("segment_id")
    assert "naïve café 🙂" in set(quotes["quote"])
    linked = quotes.loc[quotes["interview_id"] == "Interview Zoë", "respondent_key"]
    assert linked.notna().all() and linked.nunique() == 1


def test_a_code_outside_the_codebook_is_quarantined_as_excluded_and_the_log_says_refi_qda(both):
    quarantine = both["qdpx"]["quarantine"]
    funny = quarantine[quarantine["reason"].str.contains("'Funny stories'")]
    assert funny[["source_file", "row_number", "excluded"]].values.tolist() == [["coded.qdpx", 2, True]]
    log = both["qdpx"]["load_log"].set_index("source_file")
    assert log.loc["coded.qdpx", "source_kind"] == "refi_qda"
    assert log.loc["coded.qdpx", "rows_read"] == log.loc["coded.qdpx", "rows_loaded"] + log.loc["coded.qdpx", "rows_quarantined"]
    assert both["csv"]["load_log"].set_index("source_file").loc["interview_segments.csv", "source_kind"] == "canonical"


def _snapshot(outputs) -> dict[str, str]:
    return {str(p.relative_to(outputs)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outputs.rglob("*")) if p.is_file() and ".pipeline" not in p.parts}


def _hostile(path, kind: str) -> None:
    members = {"project.qde": _project_xml(), "sources/zoe.txt": ZOE_TEXT}
    if kind == "entity-expansion":
        members = {"project.qde": BILLION_LAUGHS}
    elif kind == "path-traversal":
        members["../../outside.txt"] = "x"
    elif kind == "broken-xml":
        members = {"project.qde": "<Project><Sources></Project>"}
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)


@pytest.mark.parametrize(("kind", "message"), [
    ("entity-expansion", "refused: the project file 'project.qde' declares entities in a DTD"),
    ("path-traversal", "refused: archive member"),
    ("broken-xml", "is not well-formed XML"),
    ("oversized-member", "larger than"),
])
def test_a_hostile_archive_fails_the_wave_and_publishes_nothing(tmp_path, capsys, monkeypatch, kind, message):
    data, outputs = _workspace(tmp_path, "qdpx")
    assert _run(data, outputs) == 0
    before = _snapshot(outputs)
    target = data / "raw" / "waves" / WAVE / "coded.qdpx"
    if kind == "oversized-member":
        import engagement_pipeline.ingest.refi_qda as refi_qda

        monkeypatch.setattr(refi_qda, "MAX_MEMBER_BYTES", 64)
    else:
        _hostile(target, kind)
    capsys.readouterr()
    assert _run(data, outputs, "--all") == 1  # --all: a lowered limit alone does not make the wave stale
    err = capsys.readouterr().err
    assert f"wave {WAVE} FAILED: wave {WAVE}, coded.qdpx: " in err and message in err
    assert _snapshot(outputs) == before


def test_both_a_csv_and_a_project_is_a_structural_error(tmp_path, capsys):
    data, outputs = _workspace(tmp_path, "qdpx")
    EXPECTED.drop(columns=[ROW_NUMBER]).to_csv(data / "raw" / "waves" / WAVE / "interview_segments.csv", index=False)
    assert _run(data, outputs) == 1
    assert "the wave folder holds coded.qdpx and interview_segments.csv: keep one file of coded interviews" in \
        capsys.readouterr().err


def test_export_codebook_writes_the_codebook_that_reads_back(tmp_path, capsys):
    data, _ = _workspace(tmp_path, "csv")
    target = tmp_path / "themes.qdc"
    assert main(["export-codebook", str(target), "--data-dir", str(data)]) == 0
    assert "wrote 3 themes" in capsys.readouterr().out
    back = read_codebook_qdc(target)
    pd.testing.assert_frame_equal(back.reset_index(drop=True), CODEBOOK.reset_index(drop=True), check_dtype=False)
