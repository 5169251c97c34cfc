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


def _yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_each_tool_example_in_the_docs_reads_that_tools_export(tmp_path):
    """docs/survey-tools.md gives one complete instrument per tool; each must read the export as
    the generator's own instrument does (same canonical cells)."""
    import pandas as pd

    from engagement_pipeline.ingest.instrument import load_display_names
    from engagement_pipeline.ingest.readers import ROW_NUMBER
    from engagement_pipeline.ingest.survey_tools import read_survey
    from engagement_pipeline.synthetic import generate_survey
    from engagement_pipeline.synthetic_exports import write_export

    blocks = _yaml_blocks((REPO / "docs" / "survey-tools.md").read_text(encoding="utf-8"))
    assert len(blocks) == 3
    survey = generate_survey(40, 2)
    names = load_display_names(REPO / "data" / "raw" / "instrument.yaml")
    for kind, block in zip(("ms_forms", "surveymonkey", "qualtrics"), blocks):
        assert f"source: {kind}" in block
        folder = tmp_path / kind
        export = write_export(survey, kind, folder, "2021-03", 2, display_names=names)
        ours = read_survey(export, "2021-03", folder / "instrument.yaml").table.frame
        documented = folder / "documented.yaml"
        documented.write_text(block.replace("time_zone: Europe/London", "time_zone: UTC"), encoding="utf-8")
        theirs = read_survey(export, "2021-03", documented).table.frame
        pd.testing.assert_frame_equal(theirs.drop(columns=[ROW_NUMBER]), ours.drop(columns=[ROW_NUMBER]))
