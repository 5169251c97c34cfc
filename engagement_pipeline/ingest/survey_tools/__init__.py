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

from .detect import SOURCE_KINDS, detect_kind
from .files import find_survey_file, instrument_for
from .instrument import Instrument, load_instrument
from .reader import SurveyExport, read_survey

__all__ = ["SOURCE_KINDS", "SurveyExport", "find_survey_file", "instrument_for", "read_survey", "detect_kind",
           "Instrument", "load_instrument"]
