"""Resources: where the pipeline reads and writes, and its DuckDB store."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource

from ..settings import Settings


class PipelineSettings(ConfigurableResource):
    """Input and output roots (contract §1); thresholds come from the environment at run time."""

    data_dir: str
    output_dir: str

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.data_dir, self.output_dir)


class StoreResource(DuckDBResource):
    """The pipeline's private DuckDB store; makes its folder on first use."""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        super().setup_for_execution(context)


def build_resources(settings: Settings) -> dict[str, object]:
    return {
        "pipeline": PipelineSettings(data_dir=str(settings.data_dir), output_dir=str(settings.output_dir)),
        "store": StoreResource(database=str(settings.store_path)),
    }
