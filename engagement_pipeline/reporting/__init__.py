"""Charts, the findings text and the markdown/HTML reports, from the analysis tables. No Dagster here."""
