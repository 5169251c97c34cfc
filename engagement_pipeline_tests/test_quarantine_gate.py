"""The quarantine limit (docs/data-contract.md §3), through the pipeline: its boundary, its
denominator (rows read, not rows loaded), the interview file, and rows excluded on purpose."""

from __future__ import annotations

import duckdb
import pytest

from engagement_pipeline.cli import main
from engagement_pipeline.synthetic import codebook

from .contract_cases import non_user, survey_csv, user, write

WAVE = "2031-02"


def _survey(n_rows: int, n_bad: int) -> str:
    rows = [(user if i % 2 else non_user)(f"R{i:03d}") for i in range(n_rows)]
    for row in rows[:n_bad]:
        row["engagement_org"] = "9"  # not 1-5: the row is quarantined for an error
    return survey_csv(rows)


def _run(tmp_path, survey: str, interviews: str | None = None, limit: str = "0.10") -> tuple[int, str]:
    data, outputs = tmp_path / "data", tmp_path / "outputs"
    folder = data / "raw" / "waves" / WAVE
    folder.mkdir(parents=True)
    codebook().to_csv(data / "raw" / "codebook.csv", index=False)
    write(folder, survey)
    if interviews is not None:
        write(folder, interviews, "interview_segments.csv")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENGAGEMENT_MAX_QUARANTINE_FRACTION", limit)
        code = main(["run", "--data-dir", str(data), "--output-dir", str(outputs)])
    return code, str(outputs / "engagement.duckdb")


def test_exactly_at_the_limit_passes_and_counts_rows_read(tmp_path, capsys):
    """5 of 50 rows is 10 %: allowed at a limit of 0.10. (Divided by the 45 rows loaded it would be 11 %.)"""
    code, warehouse = _run(tmp_path, _survey(50, 5))
    assert code == 0, capsys.readouterr().err
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM load_log "
                           "WHERE source_file = 'survey_responses.csv'").fetchall() == [(50, 45, 5)]


def test_one_row_over_the_limit_fails_the_wave(tmp_path, capsys):
    code, warehouse = _run(tmp_path, _survey(50, 6))
    assert code == 1
    err = capsys.readouterr().err
    assert (f"wave {WAVE}, survey_responses.csv: 6 of 50 rows quarantined (12.0 %), more than the allowed 10 %"
            in err)
    assert "row 2 column 'engagement_org': not a whole number from 1 to 5" in err


def _interviews(n_rows: int, n_bad: int) -> str:
    themes = codebook()["theme"].tolist()
    lines = ["interview_id,segment_id,respondent_id,theme,quote"]
    for i in range(n_rows):
        theme = "not_a_theme" if i < n_bad else themes[i % len(themes)]
        lines.append(f"INT-{i // 3},S{i:02d},,{theme},Something said in interview {i}.")
    return "\n".join(lines) + "\n"


def test_an_interview_file_over_the_limit_fails_the_wave(tmp_path, capsys):
    code, _ = _run(tmp_path, _survey(20, 0), _interviews(20, 3))
    assert code == 1
    err = capsys.readouterr().err
    assert (f"wave {WAVE}, interview_segments.csv: 3 of 20 rows quarantined (15.0 %), more than the allowed 10 %"
            in err)
    assert "theme is not in the codebook" in err


def test_an_interview_file_within_the_limit_passes(tmp_path, capsys):
    code, warehouse = _run(tmp_path, _survey(20, 0), _interviews(20, 2))
    assert code == 0, capsys.readouterr().err
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine WHERE source_file = 'interview_segments.csv' "
                           "AND NOT excluded").fetchone()[0] == 2


def test_rows_excluded_on_purpose_do_not_count(tmp_path, capsys):
    """A coding outside the codebook in a .qdpx is excluded, not an error: half the codings may be."""
    import shutil

    from .test_refi_qda import CODEBOOK, _hand_built

    data, outputs = tmp_path / "data", tmp_path / "outputs"
    folder = data / "raw" / "waves" / WAVE
    folder.mkdir(parents=True)
    CODEBOOK.to_csv(data / "raw" / "codebook.csv", index=False)
    write(folder, _survey(20, 0))
    shutil.copy(_hand_built(tmp_path), folder / "coded.qdpx")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENGAGEMENT_MAX_QUARANTINE_FRACTION", "0")
        assert main(["run", "--data-dir", str(data), "--output-dir", str(outputs)]) == 0, capsys.readouterr().err
    with duckdb.connect(str(outputs / "engagement.duckdb"), read_only=True) as con:
        excluded, errors = con.execute("SELECT count(*) FILTER (excluded), count(*) FILTER (NOT excluded) "
                                       "FROM quarantine").fetchone()
    assert (excluded, errors) == (2, 0)
