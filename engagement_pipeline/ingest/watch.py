"""Deciding which wave folders need a run: new, changed, or still being copied (no Dagster).

A wave is *ready* when its survey file exists and its input files' sizes and modification
times are the same as at the previous look (so a half-copied folder waits a tick). It *needs a
run* when the SHA-256 of its input files differs from what the published ``load_log`` holds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..contract import SURVEY_FILES
from ..warehouse.published import published_hashes
from .waves import scan_waves, wave_input_files


def fingerprint(folder: Path) -> str:
    """Sizes and modification times of the wave's input files: cheap, changes while a copy runs."""
    parts = []
    for path in wave_input_files(folder):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def file_hashes(folder: Path) -> dict[str, str]:
    hashes = {}
    for path in wave_input_files(folder):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        hashes[path.name] = digest.hexdigest()
    return hashes


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
    published = published_hashes(warehouse)
    seen: dict[str, str] = {}
    decisions = []
    for wave in scan.valid:
        folder = waves_dir / wave
        has_survey = any((folder / name).exists() for name in SURVEY_FILES)
        if not has_survey:
            decisions.append(WaveDecision(wave, "incomplete"))
            continue
        seen[wave] = fingerprint(folder)
        if previous.get(wave) != seen[wave]:
            decisions.append(WaveDecision(wave, "settling"))
            continue
        hashes = file_hashes(folder)
        if published.get(wave) == hashes:
            decisions.append(WaveDecision(wave, "unchanged"))
            continue
        digest = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:16]
        decisions.append(WaveDecision(wave, "run", run_key=f"{wave}:{digest}"))
    return Watch(decisions, scan.rejection_messages(), json.dumps(seen, sort_keys=True))


