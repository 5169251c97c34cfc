"""The documentation the users rely on stays in step with the code."""

from __future__ import annotations

import re

import duckdb

from engagement_pipeline.warehouse.registry import TABLES
from engagement_pipeline.warehouse.docs import render

from .conftest import REPO


def test_warehouse_doc_is_generated_from_the_registry():
    assert (REPO / "docs" / "warehouse.md").read_text(encoding="utf-8") == render(), (
        "run: python -m engagement_pipeline.warehouse.docs > docs/warehouse.md")


def test_every_published_column_is_documented(bundled_run):
    with duckdb.connect(str(bundled_run.warehouse), read_only=True) as con:
        columns = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal").fetchall()
    doc = render()
    family = re.compile(r"^(engagement|improved|channel|barrier)_")
    for table, column in columns:
        assert table in TABLES
        assert column in TABLES[table].column_names or family.match(column), (table, column)
        assert f"## `{table}`" in doc


def test_readme_quickstart_is_two_command_lines_and_ci_runs_the_second():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quickstart", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [line for line in block.strip().splitlines() if line.strip()]
    assert len(lines) == 2
    assert "engagement-pipeline run" in lines[0] and "pytest" in lines[1]
    assert lines[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")
