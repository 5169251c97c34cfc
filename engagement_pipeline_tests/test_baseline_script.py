"""benchmarks/baseline.py computes the same tables as the pipeline, and benchmarks/trust.py prints its table.

Not timing tests: the first holds the plain-script baseline's figures to the pipeline's own
ingest and analysis functions on the same generated rows (so a benchmark ratio compares equal
work); the second runs the side-by-side benchmark at a tiny size and checks it prints a row per
workload.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from engagement_pipeline.analysis.barriers import barriers
from engagement_pipeline.analysis.channel_impact import channel_impact
from engagement_pipeline.analysis.engagement_adjusted import engagement_adjusted
from engagement_pipeline.analysis.engagement_by_group import engagement_by_group
from engagement_pipeline.analysis.engagement_comparison import BOOTSTRAP_RESAMPLES, engagement_comparison
from engagement_pipeline.analysis.perceived_impact import perceived_impact
from engagement_pipeline.ingest.readers import read_csv
from engagement_pipeline.ingest.survey import load_survey
from engagement_pipeline.settings import DEFAULT_ALPHA, DEFAULT_MIN_GROUP_SIZE
from engagement_pipeline.synthetic import write_wave

REPO = Path(__file__).resolve().parents[1]
WAVE = "2031-06"


def _baseline_module():
    spec = importlib.util.spec_from_file_location("benchmarks_baseline", REPO / "benchmarks" / "baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """(baseline's tables, pipeline's typed responses) for one generated wave of 300."""
    root = tmp_path_factory.mktemp("baseline")
    folder = write_wave(root / "data", WAVE, 300, seed=7)
    _baseline_module().main(root / "data", root / "baseline.duckdb")
    with duckdb.connect(str(root / "baseline.duckdb"), read_only=True) as con:
        tables = {name: con.execute(f"SELECT * FROM {name}").df()
                  for name in ("responses", "engagement_comparison", "engagement_adjusted", "perceived_impact",
                               "barriers", "channel_impact", "engagement_by_group", "waves")}
    _, loaded = load_survey(read_csv(folder / "survey_responses.csv"), WAVE, b"test key")
    return tables, loaded.rows


def _joined(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    joined = ours.merge(theirs, on=keys, suffixes=("_baseline", "_pipeline"), how="outer", indicator=True)
    assert (joined["_merge"] == "both").all(), joined[keys + ["_merge"]]
    return joined


def _close(joined: pd.DataFrame, columns: list[str], **tolerance) -> None:
    for column in columns:
        ours = joined[f"{column}_baseline"].astype(float).to_numpy()
        theirs = joined[f"{column}_pipeline"].astype(float).to_numpy()
        np.testing.assert_allclose(ours, theirs, err_msg=column, equal_nan=True, **tolerance)


def test_same_resamples_and_thresholds_as_the_pipeline():
    baseline = _baseline_module()
    assert baseline.BOOTSTRAP_RESAMPLES == BOOTSTRAP_RESAMPLES
    assert baseline.MIN_GROUP_SIZE == DEFAULT_MIN_GROUP_SIZE
    assert baseline.ALPHA == DEFAULT_ALPHA


def test_baseline_types_every_row(both):
    tables, rows = both
    responses = tables["responses"]
    assert len(responses) == len(rows) == 300
    assert responses["uses_twitter"].sum() == rows["uses_twitter"].sum()
    for column in [c for c in rows.columns if c.startswith(("engagement_", "improved_", "channel_", "barrier_"))]:
        assert responses[column].notna().sum() == rows[column].notna().sum(), column
        assert responses[column].astype(float).sum() == rows[column].astype(float).sum(), column


def test_engagement_comparison_agrees_with_the_pipeline(both):
    tables, rows = both
    pipeline = engagement_comparison(rows, WAVE, DEFAULT_MIN_GROUP_SIZE, DEFAULT_ALPHA)
    joined = _joined(tables["engagement_comparison"], pipeline, ["wave", "area"])
    assert len(joined) == 3
    assert (joined["n_users_baseline"] == joined["n_users_pipeline"]).all()
    assert (joined["n_non_users_baseline"] == joined["n_non_users_pipeline"]).all()
    assert not joined["suppressed_baseline"].any() and not joined["suppressed_pipeline"].astype(bool).any()
    _close(joined, ["mean_users", "mean_non_users", "median_users", "median_non_users", "u_statistic",
                    "rank_biserial"], rtol=1e-12)
    _close(joined, ["p_value", "p_holm"], rtol=1e-9, atol=1e-300)
    assert (joined["significant_baseline"].astype(bool) == joined["significant_pipeline"].astype(bool)).all()
    # The bootstrap draws its own resamples (another seed): the intervals agree to Monte Carlo error.
    _close(joined, ["rank_biserial_ci_low", "rank_biserial_ci_high"], atol=0.03)


def test_the_other_tables_agree_with_the_pipeline(both):
    tables, rows = both
    for name, compute, item, counted, pct in (
            ("perceived_impact", perceived_impact, "area", "n_improved", "pct_improved"),
            ("barriers", barriers, "barrier", "n_selected", "pct_selected")):
        joined = _joined(tables[name], compute(rows, WAVE, DEFAULT_MIN_GROUP_SIZE), ["wave", item])
        assert not joined["suppressed_baseline"].any()
        _close(joined, ["n_answered", counted, pct, "ci_low", "ci_high"], rtol=1e-9)

    joined = _joined(tables["channel_impact"], channel_impact(rows, WAVE, DEFAULT_MIN_GROUP_SIZE),
                     ["wave", "channel", "respondent_group"])
    _close(joined, ["n", "mean_score", "ci_low", "ci_high", "rank"], rtol=1e-9)

    adjusted = engagement_adjusted(rows, WAVE, DEFAULT_MIN_GROUP_SIZE, DEFAULT_ALPHA)
    joined = _joined(tables["engagement_adjusted"], adjusted, ["wave", "area"])
    _close(joined, ["n", "estimate", "ci_low", "ci_high"], rtol=1e-7)
    _close(joined, ["p_value"], rtol=1e-6, atol=1e-300)

    # The pipeline also suppresses complementary cells; compare the cells both publish.
    joined = _joined(tables["engagement_by_group"], engagement_by_group(rows, WAVE, DEFAULT_MIN_GROUP_SIZE),
                     ["wave", "dimension", "category", "area", "respondent_group"])
    shown = joined.loc[~joined["suppressed_baseline"].astype(bool) & ~joined["suppressed_pipeline"].astype(bool)]
    assert len(shown) > len(joined) / 2
    _close(shown, ["n", "mean_score"], rtol=1e-12)


def test_trust_benchmark_prints_a_row_per_workload(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "trust.py"), "--waves", "2", "--respondents",
                           "100", "--large", "2000", "--runs", "1"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| workload")]
    labels = [line.split("|")[1].strip() for line in table]
    assert len(labels) == 5, labels
    assert labels[:4] == ["2 waves × 100, full run", "same, nothing changed, run again", "same + one new wave",
                          "one 2,000-respondent wave"]
    assert labels[4].startswith("bundled data (2 waves")
    for line in table:
        cells = [c.strip() for c in line.split("|")[1:-1]]
        assert float(cells[1]) > 0 and float(cells[2]) > 0 and float(cells[3]) > 0
    assert "bare DuckDB" in table[3]
    assert "re-ran" not in table[1] and "re-ran" not in table[2]  # each run processed only what changed
    assert "machine:" in done.stdout and "Where the pipeline's time goes" in done.stdout
