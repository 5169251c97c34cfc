"""Reading the published warehouse from outside a run (read-only): what was last published.

The sensor compares a wave folder's files with the published ``load_log``; nothing here writes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def published_hashes(warehouse: Path) -> dict[str, dict[str, str]]:
    """wave -> {source_file: sha256} from the published warehouse's load_log (empty if none yet)."""
    if not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("SELECT wave, source_file, sha256 FROM load_log").fetchall()
    except duckdb.Error:
        return {}
    published: dict[str, dict[str, str]] = {}
    for wave, source_file, sha in rows:
        published.setdefault(wave, {})[source_file] = sha
    return published
