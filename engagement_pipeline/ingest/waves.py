"""Finding wave folders and their files (docs/data-contract.md §1): names are vetted before anything uses them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..contract import (INTERVIEWS_FILE, QDA_PROJECT_SUFFIX, SURVEY_FILES, SURVEY_STEM, is_interview_file,
                        is_valid_wave_name, wave_name_problem)
from .errors import ContractError
from .readers import RawTable, read_csv, read_xlsx


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


def survey_path(folder: Path) -> Path:
    """The wave's survey file: exactly one of survey_responses.csv / .xlsx."""
    csv_path, xlsx_path = (folder / name for name in SURVEY_FILES)
    if csv_path.exists() and xlsx_path.exists():
        raise ContractError(f"{SURVEY_STEM}.csv", f"both {SURVEY_STEM}.csv and {SURVEY_STEM}.xlsx are present; keep one")
    if csv_path.exists():
        return csv_path
    if xlsx_path.exists():
        return xlsx_path
    if not folder.is_dir():
        raise ContractError(f"{SURVEY_STEM}.csv", "the wave folder no longer exists")
    raise ContractError(f"{SURVEY_STEM}.csv", "no survey file in the wave folder")


def interviews_path(folder: Path) -> Path | None:
    """The wave's coded interviews: interview_segments.csv or one ``*.qdpx`` (never both), or None."""
    candidates = [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
                  and (p.name == INTERVIEWS_FILE or p.suffix.lower() == QDA_PROJECT_SUFFIX)] if folder.is_dir() else []
    if len(candidates) > 1:
        names = " and ".join(p.name for p in candidates)
        raise ContractError(candidates[0].name, f"the wave folder holds {names}: keep one file of coded interviews")
    return candidates[0] if candidates else None


def read_table(path: Path) -> RawTable:
    if not path.exists():
        raise ContractError(path.name, "the file disappeared while being read")
    return read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csv(path)


def wave_input_files(folder: Path) -> list[Path]:
    """The files of a wave that the pipeline reads (for change detection and hashing)."""
    files = [p for p in (folder / name for name in SURVEY_FILES) if p.exists()]
    if folder.is_dir():
        files += [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
                  and is_interview_file(p.name)]
    return files
