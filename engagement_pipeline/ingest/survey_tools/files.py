"""Which files of a wave folder are its survey and its instrument (docs/data-contract.md §2 "The survey file", §6).

What belongs here: choosing the wave's one survey file among the folder's files, and the instrument
file that applies to the wave. Reading either belongs elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from ...contract import INSTRUMENT_FILE, INTERVIEWS_FILE, SURVEY_FILES
from ..errors import ContractError

SURVEY_SUFFIXES = (".csv", ".xlsx")
_FALLBACK_NAME = SURVEY_FILES[0]  # what messages name when there is no survey file to name


def is_survey_candidate(path: Path) -> bool:
    """Could this file be the wave's survey (any *.csv / *.xlsx but the interview file)?"""
    name = path.name
    # Hidden files, and the lock file Excel keeps beside an open workbook (~$name.xlsx), are not surveys.
    if name.startswith((".", "~$")) or name.lower() == INTERVIEWS_FILE:
        return False
    return path.suffix.lower() in SURVEY_SUFFIXES and path.is_file()


def find_survey_file(folder: Path) -> Path:
    """The wave's one survey file: survey_responses.csv/.xlsx or one export under any other name.

    Any ``*.csv`` or ``*.xlsx`` other than interview_segments.csv is a candidate (hidden files and
    Excel lock files aside); two or more is a ContractError naming them, none is one too.
    """
    if not folder.is_dir():
        raise ContractError(_FALLBACK_NAME, "the wave folder no longer exists")
    candidates = sorted((p for p in folder.iterdir() if is_survey_candidate(p)), key=lambda p: p.name)
    if not candidates:
        raise ContractError(_FALLBACK_NAME, "no survey file in the wave folder")
    if len(candidates) > 1:
        names = [p.name for p in candidates]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        raise ContractError(names[0], f"{len(names)} survey files in the wave folder ({listed}); keep one")
    return candidates[0]


def instrument_for(folder: Path, raw_dir: Path) -> Path | None:
    """``<wave>/instrument.yaml`` if the wave has its own, else ``<raw>/instrument.yaml`` if present, else None."""
    for path in (folder / INSTRUMENT_FILE, raw_dir / INSTRUMENT_FILE):
        if path.is_file():
            return path
    return None
