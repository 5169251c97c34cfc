"""Publishing is atomic: readers see the old warehouse or the new one, and never block a run (docs/data-contract.md §5)."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from engagement_pipeline.warehouse.publish import TEMP_SUFFIX, publish
from engagement_pipeline.warehouse.store import replace_rows, transaction


def _store_with(path: Path, n_rows: int) -> None:
    frame = pd.DataFrame({"wave": pd.Series(["w1"] * n_rows, dtype="string"),
                          "n_respondents": range(n_rows), "n_users": 0, "n_non_users": 0,
                          "pct_users": 0.0, "mean_pct_improved": 0.0,
                          "loaded_at": pd.Timestamp("2020-01-01")})
    with duckdb.connect(str(path)) as con, transaction(con):
        replace_rows(con, "waves", "w1", frame)


def _reader(path: str, stop: str, found) -> None:
    """Read the warehouse over and over until told to stop; report each new state and any error."""
    seen = set()
    while not Path(stop).exists():
        try:
            with duckdb.connect(path, read_only=True) as con:
                count = con.execute("SELECT count(*) FROM waves").fetchone()[0]
        except duckdb.Error as exc:  # the file is never missing, locked or torn
            found.put(("error", str(exc)))
            continue
        if count not in seen:
            seen.add(count)
            found.put(("state", count))


def _publish_state(store: Path, warehouse: Path, rows: int) -> None:
    _store_with(store, rows)
    with duckdb.connect(str(store)) as con:
        publish(con, warehouse)


def test_each_publish_swaps_in_a_new_file_and_a_held_reader_keeps_the_old_one(tmp_path):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb"
    _publish_state(store, warehouse, 10)
    old_inode = warehouse.stat().st_ino
    held = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert held.execute("SELECT count(*) FROM waves").fetchone()[0] == 10
        _publish_state(store, warehouse, 2000)
        assert warehouse.stat().st_ino != old_inode  # a new file was renamed in, not the old one rewritten
        assert held.execute("SELECT count(*) FROM waves").fetchone()[0] == 10  # the old file is intact
    finally:
        held.close()
    with duckdb.connect(str(warehouse), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM waves").fetchone()[0] == 2000
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}*"))


def _drain(found, states: set, errors: list) -> None:
    while not found.empty():
        kind, value = found.get()
        (states.add if kind == "state" else errors.append)(value)


def test_a_reader_during_publishes_sees_both_whole_states_and_nothing_else(tmp_path):
    store, warehouse, stop = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb", tmp_path / "stop"
    _publish_state(store, warehouse, 10)
    ctx = mp.get_context("spawn")
    found = ctx.Queue()
    reader = ctx.Process(target=_reader, args=(str(warehouse), str(stop), found))
    reader.start()
    states, errors, publishes = set(), [], 0
    deadline = time.monotonic() + 300  # only bounds a hang: the loop ends once both states were seen
    try:
        while states != {10, 2000}:
            assert time.monotonic() < deadline, f"the reader saw only {states}"
            _publish_state(store, warehouse, (2000, 10)[publishes % 2])
            publishes += 1
            _drain(found, states, errors)
    finally:
        stop.touch()
        reader.join(timeout=60)
    _drain(found, states, errors)
    assert errors == []
    assert states == {10, 2000}
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}*"))


def test_an_open_reader_keeps_its_state_and_never_blocks_a_run(workspace):
    assert workspace.run() == 0
    reader = duckdb.connect(str(workspace.warehouse), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM responses").fetchone()[0]
        survey = workspace.wave("2019-03") / "survey_responses.csv"
        frame = pd.read_csv(survey, dtype=str, keep_default_na=False)
        frame.iloc[:50].to_csv(survey, index=False)
        assert workspace.run() == 0  # the reader still holds the old file open
        assert reader.execute("SELECT count(*) FROM responses").fetchone()[0] == before
    finally:
        reader.close()
    with duckdb.connect(str(workspace.warehouse), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM responses").fetchone()[0] == before - 4


def test_failure_while_writing_leaves_the_published_file_untouched(tmp_path, monkeypatch):
    store, warehouse = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb"
    _store_with(store, 10)
    with duckdb.connect(str(store)) as con:
        publish(con, warehouse)
    published = warehouse.read_bytes()
    _store_with(store, 20)

    import engagement_pipeline.warehouse.publish as module

    def broken(text):
        raise OSError("No space left on device (simulated)")

    monkeypatch.setattr(module, "sql_literal", broken)
    with duckdb.connect(str(store)) as con, pytest.raises(OSError, match="No space left"):
        publish(con, warehouse)
    assert warehouse.read_bytes() == published
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}*"))


def test_staged_rows_never_reach_the_warehouse_and_old_stg_tables_are_dropped(tmp_path):
    from engagement_pipeline.warehouse.store import attach_staging, prepare_store

    store, warehouse = tmp_path / "store.duckdb", tmp_path / "engagement.duckdb"
    _store_with(store, 10)
    legacy = tmp_path / "staging.duckdb"  # the single staging file of older versions
    duckdb.connect(str(legacy)).close()
    with duckdb.connect(str(store)) as con:
        con.execute("CREATE TABLE stg_responses AS SELECT 1 AS x")  # staging as older versions kept it
        prepare_store(con)
        attach_staging(con, "2031-03")
        con.execute("CREATE TABLE staging.responses AS SELECT 1 AS x")
        publish(con, warehouse)
    assert (tmp_path / "staging" / "2031-03.duckdb").exists() and not legacy.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()] == ["waves"]
        assert con.execute("SELECT count(*) FROM waves").fetchone()[0] == 10
