"""Survey files as the tools export them: Microsoft Forms, SurveyMonkey, Qualtrics, or canonical (docs/data-contract.md §6).

What belongs here: the package's public API and nothing else. ``read_survey`` turns a wave's survey
file into the canonical text table (``SurveyExport``) the survey validation takes, whichever tool
wrote it; ``find_survey_file`` and ``instrument_for`` pick the files of a wave folder;
``detect_kind`` says which tool wrote a file from its header rows alone.

Modules, by role: ``files`` (which file is which), ``detect`` (kinds and their header signatures),
``sheets`` (CSV/XLSX with several header rows into text cells), ``instrument`` (the questions:
mapping and its scales), ``binding`` (what a tool module hands on, and the matching errors),
``ms_forms`` / ``surveymonkey`` / ``qualtrics`` (each tool's layout), ``answers`` (labels, tick-all
cells and dates into canonical cells), ``reader`` (putting it together).
"""

from importlib import import_module

#: Each public name and the module that defines it. They are imported on first use: choosing a wave's
#: files (``files``) must not cost the readers' imports (pandas, pandera), because the CLI plans a
#: run with it before it imports anything heavy.
_PUBLIC = {
    "SOURCE_KINDS": "detect", "detect_kind": "detect", "find_survey_file": "files", "instrument_for": "files",
    "Instrument": "instrument", "load_instrument": "instrument", "SurveyExport": "reader", "read_survey": "reader",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> object:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value
