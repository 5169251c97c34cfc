"""Reading and validating a wave's raw files: schemas, quarantine, privacy. No Dagster here."""
