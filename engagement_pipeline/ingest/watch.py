"""Deciding which wave folders need a run: new, changed, or still being copied (no Dagster).

A wave is *ready* when it holds a survey file and its inputs' sizes and modification times are
the same as at the previous look (so a half-copied folder waits a tick). It *needs a run* when
the SHA-256 of its inputs differs from what the published ``load_log`` holds: any file the wave
would read (survey, interviews) and the instrument.yaml in effect for it (the wave's own, else
``raw/instrument.yaml``), so a changed questionnaire mapping re-runs the waves it maps.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..contract import INSTRUMENT_FILE
from ..warehouse.published import published_hashes
from .readers import file_sha256
from .survey_tools.files import instrument_for, is_survey_candidate
from .waves import scan_waves, wave_input_files


def _inputs(folder: Path, raw_dir: Path) -> dict[str, Path]:
    """The wave's data files by name, and the instrument in effect under ``instrument.yaml``."""
    inputs = {p.name: p for p in wave_input_files(folder) if p.name != INSTRUMENT_FILE}
    instrument = instrument_for(folder, raw_dir)
    if instrument is not None:
        inputs[INSTRUMENT_FILE] = instrument
    return inputs


def fingerprint(folder: Path, raw_dir: Path) -> str:
    """Sizes and modification times of the wave's inputs: cheap, changes while a copy runs."""
    parts = []
    for name, path in _inputs(folder, raw_dir).items():
        stat = path.stat()
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def file_hashes(folder: Path, raw_dir: Path) -> dict[str, str]:
    """SHA-256 of each input, keyed as the published load_log keys them (see ``published_hashes``)."""
    return {name: file_sha256(path) for name, path in _inputs(folder, raw_dir).items()}


@dataclass(frozen=True)
class WaveDecision:
    wave: str
    action: str  # "run", "unchanged", "settling", "incomplete"
    run_key: str = ""


@dataclass(frozen=True)
class Watch:
    decisions: list[WaveDecision]
    rejected_messages: list[str]
    cursor: str

    def to_run(self) -> list[WaveDecision]:
        return [d for d in self.decisions if d.action == "run"]


def watch(waves_dir: Path, warehouse: Path, cursor: str | None) -> Watch:
    """Look at every wave folder once; ``cursor`` carries the fingerprints seen at the last look."""
    previous: dict[str, str] = json.loads(cursor) if cursor else {}
    scan = scan_waves(waves_dir)
    raw_dir = waves_dir.parent
    published = published_hashes(warehouse)
    seen: dict[str, str] = {}
    decisions = []
    for wave in scan.valid:
        folder = waves_dir / wave
        has_survey = folder.is_dir() and any(is_survey_candidate(p) for p in folder.iterdir())
        if not has_survey:
            decisions.append(WaveDecision(wave, "incomplete"))
            continue
        seen[wave] = fingerprint(folder, raw_dir)
        if previous.get(wave) != seen[wave]:
            decisions.append(WaveDecision(wave, "settling"))
            continue
        hashes = file_hashes(folder, raw_dir)
        if published.get(wave) == hashes:
            decisions.append(WaveDecision(wave, "unchanged"))
            continue
        digest = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:16]
        decisions.append(WaveDecision(wave, "run", run_key=f"{wave}:{digest}"))
    return Watch(decisions, scan.rejection_messages(), json.dumps(seen, sort_keys=True))


