"""Reading the published warehouse from outside a run (read-only): what was last published.

The sensor compares a wave folder's inputs with the published ``load_log``; nothing here writes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..contract import INSTRUMENT_FILE as INSTRUMENT_KEY  # the instrument's hash sits beside the files'


def published_hashes(warehouse: Path) -> dict[str, dict[str, str]]:
    """wave -> {source_file: sha256, and "instrument.yaml": the instrument's sha256 if one was in
    effect} from the published warehouse's load_log (empty if none yet)."""
    if not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("SELECT wave, source_file, sha256, instrument_sha256 FROM load_log").fetchall()
    except duckdb.Error:
        return {}
    published: dict[str, dict[str, str]] = {}
    for wave, source_file, sha, instrument in rows:
        published.setdefault(wave, {})[source_file] = sha
        if instrument:
            published[wave][INSTRUMENT_KEY] = instrument
    return published
