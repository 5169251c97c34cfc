"""The blocking checks of ``defs/checks.py`` called directly, without a run: the quarantine limit
(docs/data-contract.md §3) at its boundary, with its denominator, excluded rows, several files and
the problems it lists; the registry-schema check; and the one step per asset that runs them. Fast,
so the mutation run (scripts/mutation.py) can use them; test_quarantine_gate.py shows the same
rules through the CLI.

The checks are built inside each test (not taken from ``CHECKS``, built at import), so that the
code a test exercises is the code the test built."""

from __future__ import annotations

from contextlib import nullcontext
from types import SimpleNamespace

import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey

from engagement_pipeline.defs import checks
from engagement_pipeline.defs.checks import (CHECKS, checks_for, quarantine_result, schema_failures,
                                             schema_result)
from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.warehouse.store import staged

WAVE = "2031-03"
SURVEY, INTERVIEWS = "survey_responses.csv", "interview_segments.csv"


def _log(*entries: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"wave": WAVE, "source_file": [f for f, _ in entries], "rows_read": [n for _, n in entries]})


def _quarantine(*rows: tuple[str, int, str, bool]) -> pd.DataFrame:
    return pd.DataFrame({"wave": WAVE, "source_file": [r[0] for r in rows], "row_number": [r[1] for r in rows],
                         "column_name": [r[2] for r in rows], "reason": "bad value", "excluded": [r[3] for r in rows]})


def _bad(source: str, first: int, count: int, excluded: bool = False, column: str = "engagement_org"):
    return [(source, n, column, excluded) for n in range(first, first + count)]


def _call(check, monkeypatch, tables: dict[str, pd.DataFrame], limit: float = 0.10):
    """Run a check step's body against staged tables held in memory: its results by check name,
    and the staged tables it read."""
    seen = []

    def read_wave(con, table, wave):
        assert con == "connection" and wave == WAVE
        seen.append(table)
        return tables[table]  # a KeyError names a table the check should not read

    monkeypatch.setattr(checks, "read_wave", read_wave)
    context = SimpleNamespace(partition_key=WAVE)
    pipeline = SimpleNamespace(settings=SimpleNamespace(max_quarantine_fraction=limit))
    store = SimpleNamespace(get_connection=lambda: nullcontext("connection"))
    body = check.node_def.compute_fn.decorated_fn
    results = list(body(context, pipeline=pipeline, store=store))
    assert len({r.check_name for r in results}) == len(results) == len(check.check_specs)
    return {r.check_name: r for r in results}, seen


def _gate(monkeypatch, log, quarantine, limit=0.10, asset="survey_responses"):
    result = quarantine_result(asset, WAVE, log, quarantine, limit)
    assert (result.asset_key, result.check_name) == (AssetKey(asset), "quarantine_fraction")
    return result


def test_exactly_at_the_limit_passes(monkeypatch):
    result = _gate(monkeypatch, _log((SURVEY, 50)), _quarantine(*_bad(SURVEY, 2, 5)))
    assert result.passed
    assert {k: v.value for k, v in result.metadata.items()} == {"max_fraction": 0.10, "limit": 0.10}


def test_one_row_over_the_limit_fails_with_the_first_five_problems(monkeypatch):
    result = _gate(monkeypatch, _log((SURVEY, 50)), _quarantine(*_bad(SURVEY, 2, 6)))
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    examples = "; ".join(f"row {n} column 'engagement_org': bad value" for n in range(2, 7))
    assert result.description == (f"wave {WAVE}, {SURVEY}: 6 of 50 rows quarantined (12.0 %), more than the "
                                  f"allowed 10 %. First problems: {examples}")
    assert {k: v.value for k, v in result.metadata.items()} == {"rows_quarantined": 6, "rows_read": 50,
                                                                 "fraction": 0.12}


def test_the_denominator_is_rows_read_and_a_row_counts_once(monkeypatch):
    """5 failing rows of 50 read (45 loaded): 10 %, not 11 %. A row failing in three columns is one row."""
    rows = _bad(SURVEY, 2, 5) + _bad(SURVEY, 2, 1, column="locality") + _bad(SURVEY, 2, 1, column="staff_group")
    result = _gate(monkeypatch, _log((SURVEY, 50)), _quarantine(*rows))
    assert result.passed and result.metadata["max_fraction"].value == pytest.approx(0.10)


def test_rows_excluded_on_purpose_do_not_count(monkeypatch):
    rows = _bad(SURVEY, 2, 5) + _bad(SURVEY, 7, 30, excluded=True)
    result = _gate(monkeypatch, _log((SURVEY, 50)), _quarantine(*rows))
    assert result.passed and result.metadata["max_fraction"].value == pytest.approx(0.10)
    result = _gate(monkeypatch, _log((SURVEY, 50)), _quarantine(*_bad(SURVEY, 2, 50, excluded=True)), limit=0.0)
    assert result.passed and result.metadata["max_fraction"].value == 0.0


def test_each_file_is_held_to_the_limit_on_its_own(monkeypatch):
    """Errors of another file never count against this one; the worst file decides."""
    log = _log((SURVEY, 40), ("survey_responses.xlsx", 10))
    quarantine = _quarantine(*_bad(SURVEY, 2, 2), *_bad("survey_responses.xlsx", 2, 1))
    result = _gate(monkeypatch, log, quarantine)
    assert result.passed and result.metadata["max_fraction"].value == pytest.approx(0.10)
    quarantine = _quarantine(*_bad(SURVEY, 2, 2), *_bad("survey_responses.xlsx", 2, 2))
    result = _gate(monkeypatch, log, quarantine)
    assert not result.passed
    assert result.description.startswith(f"wave {WAVE}, survey_responses.xlsx: 2 of 10 rows quarantined (20.0 %)")
    assert result.metadata["rows_read"].value == 10


def test_a_file_the_check_does_not_own_is_left_to_the_other_check(monkeypatch):
    log = _log((SURVEY, 20), (INTERVIEWS, 20))
    quarantine = _quarantine(*_bad(INTERVIEWS, 2, 3, column="theme"))
    assert _gate(monkeypatch, log, quarantine).passed
    result = _gate(monkeypatch, log, quarantine, asset="interview_segments")
    assert not result.passed
    assert result.description.startswith(f"wave {WAVE}, {INTERVIEWS}: 3 of 20 rows quarantined (15.0 %)")


def test_nothing_staged_or_nothing_quarantined_passes(monkeypatch):
    assert _gate(monkeypatch, pd.DataFrame(), pd.DataFrame()).passed
    result = _gate(monkeypatch, _log((SURVEY, 3)), pd.DataFrame(), limit=0.0)
    assert result.passed and result.metadata["max_fraction"].value == 0.0


def test_the_quarantine_checks_are_blocking_and_guard_the_right_assets():
    specs = {(spec.asset_key, spec.name): spec for check in CHECKS for spec in check.check_specs}
    for asset in ("survey_responses", "interview_segments"):
        spec = specs[(AssetKey(asset), "quarantine_fraction")]
        assert spec.blocking and "ENGAGEMENT_MAX_QUARANTINE_FRACTION" in spec.description
    assert {key for key, name in specs if name == "quarantine_fraction"} == {
        AssetKey("survey_responses"), AssetKey("interview_segments")}


def test_one_check_step_per_staging_asset_covers_every_table_once():
    """Four steps per wave, not one per table: each runs the checks of what one asset stages."""
    assert sorted(check.node_def.name for check in CHECKS) == [
        "codebook_checks", "interview_segments_checks", "survey_responses_checks", "wave_analysis_checks"]
    names = [spec.name for check in CHECKS for spec in check.check_specs]
    assert sorted(n for n in names if n != "quarantine_fraction") == sorted(f"{t}_matches_schema" for t in TABLES)


def test_the_survey_step_reads_its_tables_once_and_yields_every_verdict(monkeypatch):
    tables = {staged("responses"): TABLES["responses"].empty(), staged("load_log"): _log((SURVEY, 50)),
              staged("quarantine"): _quarantine(*_bad(SURVEY, 2, 6))}
    results, seen = _call(checks_for("survey_responses", ["responses", "load_log", "quarantine"]),
                          monkeypatch, tables)
    assert sorted(seen) == sorted(tables)
    assert sorted(results) == ["load_log_matches_schema", "quarantine_fraction", "quarantine_matches_schema",
                               "responses_matches_schema"]
    assert not results["quarantine_fraction"].passed  # 6 of 50 over the default 10 %
    assert not results["load_log_matches_schema"].passed  # the bare log above lacks the registry's columns
    results, _ = _call(checks_for("survey_responses", ["responses", "load_log", "quarantine"]),
                       monkeypatch, tables, limit=0.12)
    assert results["quarantine_fraction"].passed


def _barriers(*answered: int) -> pd.DataFrame:
    return TABLES["barriers"].conform(pd.DataFrame([{
        "wave": WAVE, "barrier": f"b{i}", "n_answered": n, "n_selected": 5, "pct_selected": 25.0,
        "ci_low": 11.2, "ci_high": 46.9, "suppressed": False} for i, n in enumerate(answered)]))


def test_schema_failures_are_none_for_valid_rows_and_pandera_cases_otherwise():
    assert schema_failures("barriers", _barriers(20, 30)) is None
    cases = schema_failures("barriers", _barriers(-1, 20, -2))
    assert sorted(zip(cases["column"], cases["check"], cases["index"])) == [
        ("n_answered", "is negative", 0), ("n_answered", "is negative", 2)]


def test_the_schema_check_passes_valid_rows_and_summarises_failures(monkeypatch):
    check = checks_for("wave_analysis", ["barriers"])
    (spec,) = check.check_specs
    assert (spec.asset_key, spec.name, spec.blocking) == (AssetKey("barriers"), "barriers_matches_schema", True)
    results, seen = _call(check, monkeypatch, {staged("barriers"): _barriers(20, 30, 40)})
    assert seen == [staged("barriers")]
    result = results["barriers_matches_schema"]
    assert result.passed and result.metadata["rows_checked"].value == 3
    result = schema_result("barriers", _barriers(-1, 20, -2))
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    assert result.description == "2 failure(s) against the barriers schema"
    assert {k: v.value for k, v in result.metadata.items()} == {"failures": 2, "problems": "n_answered: is negative (2)"}
    result = schema_result("barriers", _barriers(20).drop(columns="pct_selected"))
    assert not result.passed
    assert "barriers: column_in_dataframe (1)" in result.metadata["problems"].value


def test_ingested_tables_are_checked_on_the_asset_that_stages_them():
    specs = {spec.name: spec.asset_key for check in CHECKS for spec in check.check_specs}
    for table, asset in (("responses", "survey_responses"), ("quarantine", "survey_responses"),
                         ("load_log", "survey_responses"), ("interview_quotes", "interview_segments"),
                         ("codebook", "codebook"), ("barriers", "barriers")):
        assert specs[f"{table}_matches_schema"] == AssetKey(asset), table
        assert schema_result(table, TABLES[table].empty()).asset_key == AssetKey(asset), table


def test_table_wide_failures_are_summarised_under_table(monkeypatch):
    """pandera reports a failure of a table-wide check (a key, a cross-column rule) without a column
    in some versions: the summary names it "(table)", and lists each (column, check) once with its count."""
    cases = pd.DataFrame({"column": [None, "n_answered", None, "n_answered", None],
                          "check": ["(wave, barrier) appears more than once", "is negative",
                                    "(wave, barrier) appears more than once", "is negative", "key"],
                          "index": [1, 0, 2, 3, None]})
    monkeypatch.setattr(checks, "schema_failures", lambda table, frame: cases)
    result = schema_result("barriers", _barriers(20))
    assert not result.passed
    assert result.description == "5 failure(s) against the barriers schema"
    assert result.metadata["problems"].value == (
        "n_answered: is negative (2); (table): (wave, barrier) appears more than once (2); (table): key (1)")
