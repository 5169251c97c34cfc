"""The staleness rule: which waves need a run — new, changed, or still being copied (no Dagster).

One rule for the sensor, the schedule and ``engagement-pipeline run``. A wave is *stale* when
what a run would use now differs from what its published state records: the SHA-256 of any
file it reads (survey, interviews, the codebook), the instrument.yaml in effect for it (the
wave's own, else ``raw/instrument.yaml``), the thresholds or the pipeline's version
(``Settings.run_state``). The sensor also waits until a folder is *ready*: its inputs' sizes and
modification times are the same as at the previous look (so a half-copied folder waits a tick).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..contract import CODEBOOK_FILE, INSTRUMENT_FILE
from ..settings import RUN_STATE_KEYS
from ..warehouse.published import published_state
from .digest import file_sha256
from .survey_tools.files import instrument_for, is_survey_candidate
from .waves import scan_waves, wave_input_files


def _inputs(folder: Path, raw_dir: Path) -> dict[str, Path]:
    """The wave's data files and the codebook by name, and the instrument in effect under ``instrument.yaml``."""
    inputs = {p.name: p for p in wave_input_files(folder) if p.name != INSTRUMENT_FILE}
    if (raw_dir / CODEBOOK_FILE).is_file():
        inputs[CODEBOOK_FILE] = raw_dir / CODEBOOK_FILE
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
    """SHA-256 of each input, keyed as the published load_log keys them (see ``published_state``)."""
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


def stale_reason(current: dict[str, str], published: dict[str, str] | None) -> str | None:
    """Why a wave must be run again (None when it need not): what differs, in words."""
    if not published:
        return "never published"
    changed = sorted(k for k in current.keys() | published.keys() if current.get(k) != published.get(k))
    if not changed:
        return None
    words = {"pipeline_version": "the pipeline's version", "alpha": "ENGAGEMENT_ALPHA",
             "min_group_size": "ENGAGEMENT_MIN_GROUP_SIZE", "max_quarantine_fraction": "ENGAGEMENT_MAX_QUARANTINE_FRACTION"}
    return "changed: " + ", ".join(words.get(k, k) for k in changed)


def wave_state(folder: Path, raw_dir: Path, run_state: dict[str, str]) -> dict[str, str]:
    """What a run of the wave would use now, keyed as ``published_state`` keys it."""
    return {**file_hashes(folder, raw_dir), **run_state}


def stale_waves(waves_dir: Path, warehouse: Path, run_state: dict[str, str]) -> dict[str, str | None]:
    """Every valid wave folder -> why it needs a run, or None when its published state is current."""
    published = published_state(warehouse)
    return {wave: stale_reason(wave_state(waves_dir / wave, waves_dir.parent, run_state), published.get(wave))
            for wave in scan_waves(waves_dir).valid}


def watch(waves_dir: Path, warehouse: Path, cursor: str | None, run_state: dict[str, str] | None = None) -> Watch:
    """Look at every wave folder once; ``cursor`` carries the fingerprints seen at the last look.
    ``run_state`` (``Settings.run_state``) makes a change of thresholds or version count too."""
    previous: dict[str, str] = json.loads(cursor) if cursor else {}
    scan = scan_waves(waves_dir)
    raw_dir = waves_dir.parent
    published = published_state(warehouse)
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
        current = wave_state(folder, raw_dir, run_state or {})
        recorded = published.get(wave)
        if recorded is not None and run_state is None:  # files only: leave the run state out of the comparison
            recorded = {k: v for k, v in recorded.items() if k not in RUN_STATE_KEYS}
        if stale_reason(current, recorded) is None:
            decisions.append(WaveDecision(wave, "unchanged"))
            continue
        digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
        decisions.append(WaveDecision(wave, "run", run_key=f"{wave}:{digest}"))
    return Watch(decisions, scan.rejection_messages(), json.dumps(seen, sort_keys=True))
