"""Statistics and the analysis tables of the warehouse, computed from one wave's responses. No Dagster here."""
