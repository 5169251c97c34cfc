"""The data contract's vocabulary (docs/data-contract.md): names and rules that several layers share.

One home for each fact that ingest, the warehouse registry, the synthetic generator and the CLI
all need: the wave-name rule, the input file names, the column families, the codebook's golden
threads and theme-code rule, the survey-tool kinds. Constants and tiny predicates only.
"""

from __future__ import annotations

import re
import unicodedata

#: §1: a wave is a folder whose name matches this; waves sort by name.
WAVE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: §2: input files of one wave, and the files under ``<input>/raw/``.
SURVEY_STEM = "survey_responses"
SURVEY_FILES = (f"{SURVEY_STEM}.csv", f"{SURVEY_STEM}.xlsx")
INTERVIEWS_FILE = "interview_segments.csv"
QDA_PROJECT_SUFFIX = ".qdpx"
CODEBOOK_FILE = "codebook.csv"
INSTRUMENT_FILE = "instrument.yaml"
#: Written by the project's generator into every wave folder it makes: reports of such a wave say
#: plainly that the data are synthetic.
SYNTHETIC_MARKER = "SYNTHETIC.txt"

#: §2: the survey's fixed columns and its open families (``engagement_<area>`` …).
REQUIRED_SURVEY_COLUMNS = ("respondent_id", "submitted_at", "locality", "staff_group", "uses_twitter")
FAMILIES = ("engagement", "improved", "channel", "barrier")
MAX_ID_LENGTH = 64
YES_NO = ("yes", "no")

#: §2: the codebook.
CODEBOOK_COLUMNS = ("theme", "label", "description", "golden_thread")
GOLDEN_THREADS = ("patient_care", "patient_experience", "equality_diversity")
THEME_CODE = r"^[A-Za-z0-9_.-]{1,64}$"

#: §5/§6: what kind of file a load_log row came from.
SOURCE_KINDS = ("canonical", "ms_forms", "surveymonkey", "qualtrics", "refi_qda")

#: §5: respondent groups and the dimensions of engagement_by_group.
USERS, NON_USERS, ALL = "users", "non_users", "all"
DIMENSIONS = ("locality", "staff_group")


def file_role(name: str) -> str:
    """What a loaded input file is to its wave: ``survey``, ``interviews`` or ``codebook``."""
    if name == CODEBOOK_FILE:
        return "codebook"
    return "interviews" if is_interview_file(name) else "survey"


def is_interview_file(name: str) -> bool:
    """The wave's coded interviews: interview_segments.csv or a REFI-QDA project (§2, §7)."""
    return name == INTERVIEWS_FILE or name.lower().endswith(QDA_PROJECT_SUFFIX)


def is_valid_wave_name(name: str) -> bool:
    return bool(WAVE_NAME.fullmatch(name))


def wave_name_problem(name: str) -> str:
    """Why ``name`` cannot be a wave, and a name that would do (for messages)."""
    suggestion = suggested_wave_name(name)
    hint = f"; rename it to {suggestion!r}" if suggestion else ""
    return (f"wave name {name!r} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit "
            f"(pattern {WAVE_NAME.pattern}){hint}")


def suggested_wave_name(name: str) -> str | None:
    """A valid wave name close to ``name`` (spaces and other characters become '-'), if there is one."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    candidate = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name.strip()).strip("-._")[:64].rstrip("-._")
    return candidate if candidate and is_valid_wave_name(candidate) and candidate != name else None
