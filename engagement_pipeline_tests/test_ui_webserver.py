"""The Dagster UI after the Quickstart's command, against a real dagster-webserver: the CLI's runs
are there with no extra step, assets carry column descriptions from the table registry, and the
report's markdown shows its charts (no relative image paths)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from engagement_pipeline.warehouse.registry import TABLES

MATERIALIZATIONS = """
query ($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) {
    ... on Asset {
      assetMaterializations(limit: 10) {
        partition
        metadataEntries {
          label
          __typename
          ... on TableSchemaMetadataEntry { schema { columns { name type description } } }
          ... on MarkdownMetadataEntry { mdStr }
          ... on UrlMetadataEntry { url }
        }
      }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", method="POST",
                                     data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    from .conftest import copy_bundled

    workspace = copy_bundled(tmp_path_factory.mktemp("ui"))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DAGSTER_HOME", raising=False)
        assert workspace.run() == 0  # the Quickstart's command, nothing else
    home = workspace.outputs / ".pipeline" / "dagster"
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "ENGAGEMENT_DATA_DIR": str(workspace.data),
           "ENGAGEMENT_OUTPUT_DIR": str(workspace.outputs)}
    server = subprocess.Popen([sys.executable, "-m", "dagster_webserver", "-m", "engagement_pipeline.definitions",
                               "-h", "127.0.0.1", "-p", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300  # only bounds a hang: we go on as soon as it answers
    while True:
        try:
            _graphql(port, "{ version }")
            break
        except OSError:
            assert server.poll() is None, "the webserver exited"
            assert time.monotonic() < deadline, "the webserver never answered"
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=60)


def _materializations(port: int, asset: str) -> list[dict]:
    data = _graphql(port, MATERIALIZATIONS, {"key": {"path": [asset]}})
    return data["assetOrError"]["assetMaterializations"]


def test_the_clis_runs_show_in_the_ui(webserver):
    runs = _graphql(webserver, "{ runsOrError { ... on Runs { results { status tags { key value } } } } }")
    results = runs["runsOrError"]["results"]
    partitions = {tag["value"] for run in results for tag in run["tags"] if tag["key"] == "dagster/partition"}
    assert partitions == {"2019-03", "2020-03"}
    assert {run["status"] for run in results} == {"SUCCESS"}


@pytest.mark.parametrize("table", ["waves", "engagement_comparison", "findings"])
def test_materialisations_carry_the_registrys_column_descriptions(webserver, table):
    materializations = _materializations(webserver, table)
    assert {m["partition"] for m in materializations} == {"2019-03", "2020-03"}
    schemas = [e["schema"] for m in materializations for e in m["metadataEntries"]
               if e["__typename"] == "TableSchemaMetadataEntry"]
    assert schemas
    for schema in schemas:
        for column in schema["columns"]:
            declared = TABLES[table].column(column["name"])
            assert (column["type"], column["description"]) == (declared.type, declared.comment)


def test_the_reports_markdown_shows_its_charts_and_links_the_report(webserver):
    for materialization in _materializations(webserver, "wave_report"):
        entries = {e["label"]: e for e in materialization["metadataEntries"]}
        findings = entries["findings"]["mdStr"]
        assert "](charts/" not in findings and "data:image/png;base64," in findings
        assert entries["report"]["url"].startswith("file://") and entries["report"]["url"].endswith("/report.html")
