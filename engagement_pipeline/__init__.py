"""Engagement pipeline: NHS managers' survey waves -> validated, private, published DuckDB warehouse.

The package splits plain logic (``ingest``, ``analysis``, ``reporting``, ``warehouse``) from the
Dagster wiring in ``defs``; only ``defs``, ``definitions`` and ``cli`` import Dagster.
"""

__version__ = "0.1.0"
