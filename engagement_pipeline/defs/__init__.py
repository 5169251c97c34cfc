"""Dagster wiring only: partitions, resources, assets, checks, jobs. Logic lives in the plain modules."""
