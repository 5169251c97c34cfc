"""Reading the published warehouse from outside a run (read-only): what each wave was made from.

The staleness rule (``ingest/watch.py``) compares it with what a run would use now; nothing here
writes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..contract import INSTRUMENT_FILE


def published_state(warehouse: Path) -> dict[str, dict[str, str]]:
    """wave -> what it was published from: each loaded file's SHA-256 by name (the codebook's
    too), the instrument's under ``instrument.yaml``, and the run state of ``wave_settings``
    (pipeline version and thresholds, as ``Settings.run_state`` writes them). Empty when nothing
    is published yet or the warehouse predates these tables."""
    if not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            files = con.execute("SELECT wave, source_file, sha256, instrument_sha256 FROM load_log").fetchall()
            settings = con.execute("SELECT wave, pipeline_version, alpha, min_group_size, max_quarantine_fraction "
                                   "FROM wave_settings").fetchall()
    except duckdb.Error:
        return {}
    state: dict[str, dict[str, str]] = {}
    for wave, source_file, sha, instrument in files:
        state.setdefault(wave, {})[source_file] = sha
        if instrument:
            state[wave][INSTRUMENT_FILE] = instrument
    for wave, version, alpha, min_group_size, fraction in settings:
        state.setdefault(wave, {}).update({"pipeline_version": version, "alpha": repr(float(alpha)),
                                           "min_group_size": str(int(min_group_size)),
                                           "max_quarantine_fraction": repr(float(fraction))})
    return state
