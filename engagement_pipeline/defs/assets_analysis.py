"""Analysis and report assets of one wave: every contract table, the findings, the charts.

One multi-asset computes the wave's analysis once and materialises each table as its own asset;
the statistics, text and drawing live in ``analysis`` and ``reporting``.
"""

import base64
import shutil

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, asset, multi_asset

from ..analysis.wave import WaveAnalysis, analyse_wave
from ..analysis.waves import wave_summary
from ..ingest.instrument import load_display_names
from ..reporting.findings import findings as write_findings
from ..reporting.report import write_trends, write_wave_report
from ..reporting.wording import Names
from ..warehouse.catalog import TABLES
from ..warehouse.store import read_wave, replace_rows, scalar, table_exists, transaction
from .assets_load import responses
from .metadata import table_metadata
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

TABLE_ASSETS = ("waves", *WaveAnalysis.TABLES, "findings")
REPORT = "wave_report"


def _spec(name: str) -> AssetSpec:
    return AssetSpec(name, deps=[responses], group_name="analysis", kinds={"pandas", "duckdb"},
                     description=f"`{name}`: {TABLES[name].comment}")


def _inline_png(path) -> str:
    return f"![{path.stem}](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"


@multi_asset(
    specs=[*(_spec(name) for name in TABLE_ASSETS),
           AssetSpec(REPORT, deps=list(TABLE_ASSETS), group_name="reports", kinds={"matplotlib", "html"},
                     description="reports/<wave>/: findings.md, a self-contained report.html and the charts "
                                 "(staged; published with the warehouse).")],
    partitions_def=waves_partitions,
)
def wave_analysis(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource):
    wave, settings = context.partition_key, pipeline.settings
    names = Names(load_display_names(settings.instrument_path))
    with store.get_connection() as con:
        frame = read_wave(con, "responses", wave)
        quotes = read_wave(con, "interview_quotes", wave)
        codebook = read_wave(con, "codebook", wave)
        loaded_at = scalar(con, "SELECT max(loaded_at) FROM load_log WHERE wave = ?", [wave])
    analysis = analyse_wave(frame, quotes, codebook, wave, settings.min_group_size, settings.alpha)
    tables = {"waves": wave_summary(frame, analysis.perceived_impact, wave, loaded_at, settings.min_group_size), **analysis.tables(),
              "findings": write_findings(analysis, names)}
    with store.get_connection() as con, transaction(con):
        for name, table in tables.items():
            replace_rows(con, name, wave, table)
    for name, table in tables.items():
        yield MaterializeResult(asset_key=name, metadata=table_metadata(table))

    folder = settings.staged_reports_dir / wave
    shutil.rmtree(folder, ignore_errors=True)
    charts = write_wave_report(analysis, tables["findings"], names, folder)
    key_charts = [c for c in charts if c.path.stem in ("engagement_gap", "channel_impact")]
    yield MaterializeResult(asset_key=REPORT, metadata={
        "findings": MetadataValue.md((folder / "findings.md").read_text(encoding="utf-8")),
        "key_charts": MetadataValue.md("\n\n".join(_inline_png(c.path) for c in key_charts)),
        "charts": len(charts),
        "report": MetadataValue.path(str(settings.reports_dir / wave / "report.html")),
    })


@asset(partitions_def=waves_partitions, group_name="reports", kinds={"matplotlib"}, deps=[REPORT],
       description="reports/trends/: take-up and the users–non-users gap across every current wave "
                   "(drawn once there are two or more waves; refreshed by every wave's run).")
def trend_report(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings = pipeline.settings
    with store.get_connection() as con:
        if not table_exists(con, "waves"):
            return MaterializeResult(metadata={"charts": 0})
        waves = con.execute("SELECT * FROM waves ORDER BY wave").df()
        comparison = con.execute("SELECT * FROM engagement_comparison ORDER BY wave, area").df()
    folder = settings.staged_reports_dir / "trends"
    shutil.rmtree(folder, ignore_errors=True)
    charts = write_trends(waves, comparison, Names(load_display_names(settings.instrument_path)), folder,
                          settings.min_group_size)
    return MaterializeResult(metadata={
        "charts": len(charts), "waves": len(waves),
        "take_up": MetadataValue.md("\n\n".join(_inline_png(c.path) for c in charts[:1])) if charts else "",
    })


