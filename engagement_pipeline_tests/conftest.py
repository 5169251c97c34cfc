"""Shared fixtures: an isolated environment for every test, and one bundled run per session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED_DATA = REPO / "data"

_PIPELINE_ENV = ("ENGAGEMENT_DATA_DIR", "ENGAGEMENT_OUTPUT_DIR", "ENGAGEMENT_PSEUDONYM_KEY",
                 "ENGAGEMENT_MAX_QUARANTINE_FRACTION", "ENGAGEMENT_MIN_GROUP_SIZE", "ENGAGEMENT_ALPHA",
                 "DAGSTER_HOME")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """No test reads the developer's environment, key or Dagster home."""
    for name in _PIPELINE_ENV:
        monkeypatch.delenv(name, raising=False)
    key_dir = tmp_path_factory.mktemp("key")
    monkeypatch.setenv("ENGAGEMENT_PSEUDONYM_KEY_FILE", str(key_dir / "pseudonym.key"))


@dataclass
class Workspace:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def warehouse(self) -> Path:
        return self.outputs / "engagement.duckdb"

    def wave(self, name: str) -> Path:
        return self.data / "raw" / "waves" / name

    def run(self, *extra: str) -> int:
        from engagement_pipeline.cli import main

        return main(["run", "--data-dir", str(self.data), "--output-dir", str(self.outputs), *extra])


def copy_bundled(root: Path) -> Workspace:
    workspace = Workspace(root)
    shutil.copytree(BUNDLED_DATA, workspace.data)
    return workspace


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """A private copy of the bundled data with an empty output folder."""
    return copy_bundled(tmp_path)


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory) -> Workspace:
    """The bundled data run once through the CLI; tests only read its outputs."""
    root = tmp_path_factory.mktemp("bundled")
    workspace = copy_bundled(root)
    with pytest.MonkeyPatch.context() as patch:
        for name in _PIPELINE_ENV:
            patch.delenv(name, raising=False)
        patch.setenv("ENGAGEMENT_PSEUDONYM_KEY_FILE", str(root / "pseudonym.key"))
        assert workspace.run() == 0
    return workspace
