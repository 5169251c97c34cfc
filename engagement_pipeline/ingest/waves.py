"""Finding wave folders and their files (docs/data-contract.md §1): names are vetted before anything uses them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..contract import (INSTRUMENT_FILE, INTERVIEWS_FILE, QDA_PROJECT_SUFFIX, is_interview_file, is_valid_wave_name,
                        wave_name_problem)
from .errors import ContractError
from .survey_tools.files import is_survey_candidate

if TYPE_CHECKING:
    from .readers import RawTable


@dataclass(frozen=True)
class WaveScan:
    """Wave folders found under the waves directory, split into usable and rejected names."""

    valid: list[str]
    rejected: list[str]

    def rejection_messages(self) -> list[str]:
        return [f"wave folder {name!r} skipped: {wave_name_problem(name)}" for name in self.rejected]


def scan_waves(waves_dir: Path) -> WaveScan:
    """Sorted wave names; plain files are ignored, any folder with a bad name (hidden ones too) is rejected."""
    if not waves_dir.is_dir():
        return WaveScan([], [])
    valid, rejected = [], []
    for entry in sorted(waves_dir.iterdir(), key=lambda p: p.name):
        if not entry.is_dir():
            continue
        (valid if is_valid_wave_name(entry.name) else rejected).append(entry.name)
    return WaveScan(valid, rejected)


def wave_dir(waves_dir: Path, wave: str) -> Path:
    """The folder of a vetted wave name; refuses anything else."""
    if not is_valid_wave_name(wave):
        raise ValueError(f"invalid wave name {wave!r}")
    return waves_dir / wave


def interviews_path(folder: Path) -> Path | None:
    """The wave's coded interviews: interview_segments.csv or one ``*.qdpx`` (never both), or None."""
    candidates = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
                  and (p.name == INTERVIEWS_FILE or p.suffix.lower() == QDA_PROJECT_SUFFIX)] if folder.is_dir() else []
    if len(candidates) > 1:
        names = " and ".join(p.name for p in candidates)
        raise ContractError(candidates[0].name, f"the wave folder holds {names}: keep one file of coded interviews")
    return candidates[0] if candidates else None


def read_table(path: Path) -> RawTable:
    from .readers import read_csv, read_xlsx  # pandas: not needed to find folders and plan a run

    if not path.exists():
        raise ContractError(path.name, "the file disappeared while being read")
    return read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csv(path)


def wave_input_files(folder: Path) -> list[Path]:
    """The files of a wave folder the pipeline reads: every survey candidate, the coded interviews
    and the wave's own instrument.yaml (for change detection and hashing)."""
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
            and (is_survey_candidate(p) or is_interview_file(p.name) or p.name == INSTRUMENT_FILE)]
