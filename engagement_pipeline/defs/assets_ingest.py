"""Ingest assets: read, validate and stage one wave's files. Thin wrappers over ``ingest``.

Nothing staged here is current until every blocking check of the wave has passed and the
publish step promotes it.
"""

from dagster import AssetExecutionContext, Failure, MaterializeResult, asset

from collections.abc import Callable

from ..contract import INTERVIEWS_FILE, file_role
from ..ingest.errors import ContractError
from ..ingest.interviews import load_codebook, load_interviews
from ..ingest.refi_qda import read_qdpx
from ..ingest.loaded import LoadedFile
from ..ingest.privacy import load_key
from ..ingest.quarantine import empty_quarantine
from ..ingest.readers import read_csv
from ..ingest.survey import load_survey
from ..ingest.survey_tools import find_survey_file, instrument_for, read_survey
from ..ingest.digest import file_sha256
from ..ingest.waves import interviews_path, read_table, wave_dir
from ..warehouse.staging import stage_file
from ..warehouse.store import read_wave, staged
from ..version import pipeline_version
from .metadata import table_metadata
from .partitions import waves_partitions
from .resources import PipelineSettings, StoreResource

#: code_version: the UI marks a wave's assets unsynced when the code that made them changed (the
#: staleness rule of ingest/watch.py also compares it, with the inputs and settings).
INGEST = {"partitions_def": waves_partitions, "group_name": "ingest", "kinds": {"pandas", "duckdb"},
          "code_version": pipeline_version()}


def _fail(error: ContractError, wave: str) -> Failure:
    """A step failure whose description is the contract error, without a traceback wall."""
    located = error.for_wave(wave)
    return Failure(description=located.message, metadata={"source_file": located.source_file})


def _file_metadata(loaded: LoadedFile, table: str) -> dict[str, object]:
    excluded = int(loaded.quarantine.loc[loaded.quarantine["excluded"], "row_number"].nunique())
    return {
        **table_metadata(loaded.rows, table),
        "source_file": loaded.source_file,
        "source_kind": loaded.source_kind,
        "sha256": loaded.sha256,
        "rows_read": loaded.rows_read,
        "rows_loaded": loaded.rows_loaded,
        "rows_quarantined": loaded.rows_quarantined,
        "rows_excluded": excluded,
    }


def _role(role: str) -> Callable[[str], bool]:
    """Which staged quarantine and load_log rows a step owns: those of its kind of file."""
    return lambda name: file_role(name) == role


def _stage(store: StoreResource, wave: str, table: str, loaded: LoadedFile | None, owns: Callable[[str], bool]) -> None:
    with store.get_connection() as con:
        if loaded is None:
            stage_file(con, wave, table, None, None, None, owns)
        else:
            stage_file(con, wave, table, loaded.rows, loaded.quarantine, loaded.load_log(wave), owns)


@asset(**INGEST, description="The codebook of interview themes (raw/codebook.csv) as it stands for the wave, "
       "validated and staged; its load_log row records the file's hash.")
def codebook(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings, wave = pipeline.settings, context.partition_key
    try:
        if not settings.codebook_path.exists():
            raise ContractError(settings.codebook_path.name, "the codebook is missing from the raw folder")
        raw = read_csv(settings.codebook_path)
        frame = load_codebook(raw)
    except ContractError as error:
        raise _fail(error, wave) from None
    loaded = LoadedFile(raw.source_file, raw.sha256, "canonical", frame.assign(wave=wave), empty_quarantine(), len(raw))
    _stage(store, wave, "codebook", loaded, _role("codebook"))
    return MaterializeResult(metadata={**table_metadata(frame, "codebook"), "themes": len(frame)})


@asset(**INGEST, description="The wave's survey file — canonical, or a Microsoft Forms, SurveyMonkey or Qualtrics "
       "export read through the instrument file — validated row by row (bad rows to quarantine), "
       "pseudonymised and scrubbed, staged until its checks pass.")
def survey_responses(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings, wave = pipeline.settings, context.partition_key
    try:
        folder = wave_dir(settings.waves_dir, wave)
        instrument = instrument_for(folder, settings.raw_dir)
        export = read_survey(find_survey_file(folder), wave, instrument)
        layout, loaded = load_survey(export.table, wave, load_key(settings.pseudonym_key_file), export.kind,
                                     export.set_aside, export.rows_read,
                                     file_sha256(instrument) if instrument is not None else None)
    except ContractError as error:
        raise _fail(error, wave) from None
    del export  # the file's text cells are no longer needed: keep them out of the staging step's peak
    _stage(store, wave, "responses", loaded, _role("survey"))
    context.log.info("%s: %d rows read, %d loaded, %d quarantined", loaded.source_file,
                     loaded.rows_read, loaded.rows_loaded, loaded.rows_quarantined)
    return MaterializeResult(metadata={
        **_file_metadata(loaded, "responses"),
        "areas": ", ".join(layout.areas), "channels": ", ".join(layout.channels),
        "barriers": ", ".join(layout.barriers),
    })


@asset(**INGEST, deps=[codebook], description="The wave's coded interviews (optional): interview_segments.csv or "
       "a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder…, validated against the codebook, "
       "quotes scrubbed, staged until their checks pass.")
def interview_segments(context: AssetExecutionContext, pipeline: PipelineSettings, store: StoreResource) -> MaterializeResult:
    settings, wave = pipeline.settings, context.partition_key
    folder = wave_dir(settings.waves_dir, wave)
    with store.get_connection() as con:
        book = read_wave(con, staged("codebook"), wave)
    key = load_key(settings.pseudonym_key_file)
    themes, interviews = set(book["theme"]), None
    try:
        if not folder.is_dir():  # never mistake a vanished folder for a wave without interviews
            raise ContractError(INTERVIEWS_FILE, "the wave folder disappeared during the run")
        path = interviews_path(folder)
        if path is None:
            loaded = None
        elif path.name == INTERVIEWS_FILE:
            loaded = load_interviews(read_table(path), wave, key, themes)
        else:
            project = read_qdpx(path, book)
            interviews = project.n_interviews
            loaded = load_interviews(project.table, wave, key, themes, "refi_qda", project.set_aside, project.rows_read)
    except ContractError as error:
        raise _fail(error, wave) from None
    _stage(store, wave, "interview_quotes", loaded, _role("interviews"))
    if loaded is None:
        return MaterializeResult(metadata={"dagster/row_count": 0, "source_file": "(none: no interviews this wave)"})
    counts = {} if interviews is None else {
        "interviews": interviews, "codings": loaded.rows_read,
        "excluded_codings": int(loaded.quarantine["excluded"].sum())}
    return MaterializeResult(metadata={**_file_metadata(loaded, "interview_quotes"), **counts})
