"""Which waves an invocation of ``engagement-pipeline run`` processes, and why (no Dagster).

Kept apart from execution so that a run with nothing to do only looks and says so, without
starting Dagster. The rule itself (what makes a wave stale) is ``ingest.watch``'s, shared with the
sensor and the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ingest.watch import stale_waves
from .ingest.waves import scan_waves
from .settings import Settings
from .warehouse.published import published_state


@dataclass
class Plan:
    to_run: list[str]
    #: wave -> why it runs ("never published", "changed: …", "asked for").
    reasons: dict[str, str]
    unchanged: list[str]
    #: messages about folders skipped for their names, and published waves whose folder is gone.
    skipped: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


def orphaned_waves(settings: Settings) -> list[str]:
    """Published waves whose folder is no longer under the waves directory."""
    folders = set(scan_waves(settings.waves_dir).valid)
    return [wave for wave in published_state(settings.warehouse_path) if wave not in folders]


def plan_run(settings: Settings, only: list[str] | None = None, force: bool = False) -> Plan:
    """Every stale wave, oldest first; ``force``: every wave; ``only``: just those (run whatever their state)."""
    scan = scan_waves(settings.waves_dir)
    if only:
        missing = [w for w in only if w not in scan.valid]
        if missing:
            raise ValueError(f"no wave folder {missing[0]!r} under {settings.waves_dir}")
    stale = stale_waves(settings.waves_dir, settings.warehouse_path, settings.run_state())
    wanted = [w for w in scan.valid if not only or w in only]
    reasons = {w: stale[w] or ("asked for" if only else "--all") for w in wanted if force or only or stale[w]}
    return Plan(to_run=[w for w in wanted if w in reasons], reasons=reasons,
                unchanged=[w for w in wanted if w not in reasons], skipped=scan.rejection_messages(),
                orphans=orphaned_waves(settings))
