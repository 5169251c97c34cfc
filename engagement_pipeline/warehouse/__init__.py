"""The pipeline's own DuckDB store and the atomic publish of the analysts' warehouse. No Dagster here."""
