"""Analysis and report assets of one wave: every analysis table, the findings, the charts.

One multi-asset computes the wave's analysis once and materialises each table as its own asset
(staged, like the ingested tables, until the wave's checks pass); the statistics, text and
drawing live in ``analysis`` and ``reporting``.
"""

import re
import shutil

import pandas as pd

from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, MetadataValue, asset, multi_asset

from ..analysis.analyse import WaveAnalysis, analyse_wave
from ..ingest.instrument import load_display_names
from ..reporting.findings import findings as write_findings
from ..contract import SYNTHETIC_MARKER
from ..ingest.waves import wave_dir
from ..reporting.provenance import Provenance
from ..publishing import draw_trends
from ..reporting.report import png_data_uri, write_wave_report
from ..reporting.wording import Names
from ..warehouse.registry import TABLES
from ..warehouse.store import read_wave, read_with_staged_wave, scalar, stage_tables, staged
from .assets_ingest import codebook, interview_segments, survey_responses
from ..version import pipeline_version
from .metadata import table_metadata
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

TABLE_ASSETS = (*WaveAnalysis.TABLES, "findings", "wave_settings")
REPORT = "wave_report"


def _spec(name: str) -> AssetSpec:
    return AssetSpec(name, deps=[survey_responses, interview_segments, codebook], group_name="analysis",
                     code_version=pipeline_version(),
                     kinds={"pandas", "duckdb"}, description=f"`{name}`: {TABLES[name].comment}")


def _markdown_images(paths) -> str:
    return "\n\n".join(f"![{path.stem}]({png_data_uri(path)})" for path in paths)


def _wave_settings(wave: str, settings) -> pd.DataFrame:
    """The run state the wave's figures were computed with (``Settings.run_state``), as its table row."""
    state = settings.run_state()
    return TABLES["wave_settings"].conform(pd.DataFrame([{
        "wave": wave, "pipeline_version": state["pipeline_version"], "alpha": float(state["alpha"]),
        "min_group_size": int(state["min_group_size"]), "max_quarantine_fraction": float(state["max_quarantine_fraction"]),
        "computed_at": pd.Timestamp.now(tz="UTC").tz_localize(None).as_unit("us")}]))


def _self_contained(markdown: str, folder) -> str:
    """The report's markdown with each chart it links (``charts/x.png``, relative to ``folder``)
    embedded, so the UI shows the charts instead of broken images."""
    return re.sub(r"\]\((charts/[^)\s]+\.png)\)",
                  lambda m: f"]({png_data_uri(folder / m.group(1))})" if (folder / m.group(1)).is_file() else m.group(0),
                  markdown)


@multi_asset(
    specs=[*(_spec(name) for name in TABLE_ASSETS),
           AssetSpec(REPORT, deps=list(TABLE_ASSETS), group_name="reports", kinds={"matplotlib", "html"},
                     code_version=pipeline_version(),
                     description="`reports/<wave>/`: findings.md, a self-contained report.html and the charts "
                                 "(staged; published with the warehouse).")],
    partitions_def=waves_partitions,
)
def wave_analysis(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource):
    wave, settings = context.partition_key, pipeline.settings
    names = Names(load_display_names(settings.instrument_path))
    with store.get_connection() as con:
        frame = read_wave(con, staged("responses"), wave)
        quotes = read_wave(con, staged("interview_quotes"), wave)
        book = read_wave(con, staged("codebook"), wave)
        loaded_at = scalar(con, f"SELECT max(loaded_at) FROM {staged('load_log')} WHERE wave = ?", [wave])
    analysis = analyse_wave(frame, quotes, book, wave, settings.min_group_size, settings.alpha, loaded_at)
    tables = {**analysis.tables(), "findings": write_findings(analysis, names),
              "wave_settings": _wave_settings(wave, settings)}
    with store.get_connection() as con:
        stage_tables(con, wave, tables)
    for name, table in tables.items():
        yield MaterializeResult(asset_key=name, metadata=table_metadata(table, name))

    folder = settings.staged_reports_dir / wave
    shutil.rmtree(folder, ignore_errors=True)
    with store.get_connection() as con:
        load_log = read_wave(con, staged("load_log"), wave)
    synthetic = (wave_dir(settings.waves_dir, wave) / SYNTHETIC_MARKER).exists()
    provenance = Provenance.of(wave, load_log, tables["wave_settings"], synthetic)
    charts = write_wave_report(analysis, tables["findings"], names, folder, provenance)
    yield MaterializeResult(asset_key=REPORT, metadata={
        "findings": MetadataValue.md(_self_contained((folder / "findings.md").read_text(encoding="utf-8"), folder)),
        "key_charts": MetadataValue.md(_markdown_images(c.path for c in charts if c.is_key)),
        "charts": len(charts),
        "report": MetadataValue.url((settings.reports_dir / wave / "report.html").as_uri()),
    })


@asset(partitions_def=waves_partitions, group_name="reports", kinds={"matplotlib"}, deps=[REPORT],
       code_version=pipeline_version(),
       description="reports/trends/: take-up and the users–non-users gap across every current wave "
                   "(drawn once there are two or more waves; refreshed by every wave's run).")
def trend_report(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings, wave = pipeline.settings, context.partition_key
    with store.get_connection() as con:
        waves = read_with_staged_wave(con, "waves", wave)
        comparison = read_with_staged_wave(con, "engagement_comparison", wave)
    charts = draw_trends(settings, waves, comparison, settings.staged_reports_dir / "trends")
    return MaterializeResult(metadata={
        "charts": len(charts), "waves": len(waves),
        "take_up": MetadataValue.md(_markdown_images(c.path for c in charts[:1])),
    })
