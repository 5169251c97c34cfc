"""The table registry is the one source of every warehouse table: its DDL, comments, checks and docs.

Generated from the registry, not hand-listed: a table added there is covered here with no edit.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from engagement_pipeline.defs.checks import CHECKS, schema_failures
from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.warehouse.store import read_wave, replace_rows, transaction

WAVE = "2019-03"

#: A valid quarantine row (the bundled data quarantines nothing).
_QUARANTINE_ROW = {"wave": WAVE, "source_file": "survey_responses.csv", "row_number": 3,
                   "column_name": "engagement_colleagues", "reason": "not a whole number from 1 to 5", "excluded": False}


@pytest.fixture(scope="module")
def published(bundled_run):
    con = duckdb.connect(str(bundled_run.warehouse), read_only=True)
    yield con
    con.close()


def _valid_rows(published, table: str) -> pd.DataFrame:
    if table == "quarantine":
        return TABLES["quarantine"].conform(pd.DataFrame([_QUARANTINE_ROW]))
    frame = read_wave(published, table, WAVE)
    assert len(frame), f"the bundled run published no {table} rows for {WAVE}"
    return frame


@pytest.mark.parametrize("table", list(TABLES))
def test_published_columns_have_the_registry_type_nullability_and_comment(published, table):
    spec = TABLES[table]
    rows = published.execute(
        "SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() WHERE table_name = ? "
        "ORDER BY column_index", [table]).fetchall()
    assert rows, f"{table} is not published"
    assert [r[0] for r in rows] == [c.name for c in spec.layout([r[0] for r in rows])]
    for name, data_type, is_nullable, comment in rows:
        column = spec.column(name)
        assert (data_type, is_nullable, comment) == (column.type, column.nullable, column.comment), name
    table_comment = published.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0]
    assert table_comment == spec.comment


def test_nothing_is_published_that_the_registry_does_not_declare(published):
    names = {r[0] for r in published.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert names == set(TABLES)


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_has_a_blocking_schema_check(table):
    specs = [spec for check in CHECKS for spec in check.check_specs if spec.name == f"{table}_matches_schema"]
    assert len(specs) == 1
    assert specs[0].blocking


@pytest.mark.parametrize("table", list(TABLES))
def test_the_schema_check_passes_published_rows_and_fails_on_one_violating_row(published, table):
    spec = TABLES[table]
    valid = _valid_rows(published, table)
    assert schema_failures(table, valid) is None

    required = next(c.name for c in spec.columns if not c.nullable and c.name != "wave")
    violating = valid.copy()
    violating[required] = violating[required].astype(object)
    violating.loc[violating.index[0], required] = None
    cases = schema_failures(table, violating)
    assert cases is not None and required in set(cases["column"].astype(str))

    bad_wave = valid.copy()
    bad_wave.loc[bad_wave.index[0], "wave"] = "no spaces allowed"
    assert schema_failures(table, bad_wave) is not None

    if len(spec.key) > 1 or len(valid) > 1:
        repeated = pd.concat([valid, valid.iloc[[0]]], ignore_index=True)
        cases = schema_failures(table, repeated)
        assert cases is not None and any("appears more than once" in str(c) for c in cases["check"])


@pytest.mark.parametrize("table", list(TABLES))
def test_the_store_creates_each_table_from_its_ddl(table, published):
    """Written into an empty store, a table gets exactly its declared columns and types."""
    valid = _valid_rows(published, table)
    with duckdb.connect() as con, transaction(con):
        replace_rows(con, table, WAVE, valid)
        got = con.execute("SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_name = ? "
                          "ORDER BY column_index", [table]).fetchall()
    expected = [(c.name, c.type, c.nullable) for c in TABLES[table].layout(list(valid.columns))]
    assert got == expected


def test_an_undeclared_column_is_refused():
    frame = TABLES["waves"].empty().assign(colour=pd.Series(dtype="string"))
    with duckdb.connect() as con, pytest.raises(KeyError, match="not declared in the table registry: colour"):
        with transaction(con):
            replace_rows(con, "waves", WAVE, frame)


def test_an_older_store_is_migrated_to_the_registry(tmp_path):
    """A store made before column_name, excluded and source_kind existed is brought up to date on open."""
    from engagement_pipeline.warehouse.store import prepare_store

    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE quarantine (wave VARCHAR, source_file VARCHAR, row_number BIGINT, "
                    "\"column\" VARCHAR, reason VARCHAR)")
        con.execute("INSERT INTO quarantine VALUES ('w1', 'survey_responses.csv', 3, 'locality', 'required value is blank')")
        con.execute("CREATE TABLE load_log (wave VARCHAR, source_file VARCHAR, sha256 VARCHAR, rows_read BIGINT, "
                    "rows_loaded BIGINT, rows_quarantined BIGINT, loaded_at TIMESTAMP)")
    with duckdb.connect(str(path)) as con:
        prepare_store(con)
        row = con.execute("SELECT column_name, excluded FROM quarantine").fetchone()
        columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'load_log'").fetchall()]
    assert row == ("locality", False)
    assert "source_kind" in columns
