"""Making waves current and public, with no Dagster: promote their staged tables, publish the
analysts' warehouse once, redraw the trends once, swap in each wave's report.

Three callers share it: the ``warehouse`` asset (one wave, whose run drew the trends already),
the CLI after the wave runs of one invocation (every wave that passed, in one publish), and
``drop-wave``'s trends. The caller holds the store's writer lock.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from .contract import SYNTHETIC_MARKER
from .ingest.instrument import load_display_names
from .settings import Settings
from .warehouse.publish import publish, publish_folder
from .warehouse.store import promote_waves


def draw_trends(settings: Settings, waves, comparison, folder: Path) -> list:
    """The cross-wave charts and report of ``waves`` into ``folder`` (emptied first); none below two waves."""
    from .reporting.report import write_trends
    from .reporting.wording import Names

    shutil.rmtree(folder, ignore_errors=True)
    synthetic = any((settings.waves_dir / wave / SYNTHETIC_MARKER).exists() for wave in waves["wave"])
    return write_trends(waves, comparison, Names(load_display_names(settings.instrument_path)), folder,
                        settings.min_group_size, synthetic=synthetic)


def redraw_trends(settings: Settings, con: duckdb.DuckDBPyConnection) -> list:
    """The trends of the store's current waves, staged under the staged reports folder."""
    waves = con.execute("SELECT * FROM waves ORDER BY wave").df()
    comparison = con.execute("SELECT * FROM engagement_comparison ORDER BY wave, area").df()
    return draw_trends(settings, waves, comparison, settings.staged_reports_dir / "trends")


def publish_waves(settings: Settings, con: duckdb.DuckDBPyConnection, waves: list[str],
                  trends: bool = True) -> dict[str, int]:
    """Promote ``waves``' staged tables (one transaction), publish the warehouse (one atomic copy),
    then swap in each wave's staged report and the trends; the published tables' row counts.

    ``trends``: redraw the trends from the promoted store (the CLI); False when the run drew them
    from its staged wave already (the ``warehouse`` asset). A failure before the warehouse's rename
    leaves every published output as it was.
    """
    promote_waves(con, waves)
    if trends:
        redraw_trends(settings, con)
    counts = publish(con, settings.warehouse_path)
    for wave in waves:
        publish_folder(settings.staged_reports_dir / wave, settings.reports_dir / wave)
    staged_trends = settings.staged_reports_dir / "trends"
    if staged_trends.is_dir() and any(staged_trends.iterdir()):
        publish_folder(staged_trends, settings.reports_dir / "trends")
    return counts
