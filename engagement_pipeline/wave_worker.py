"""The CLI's second process for wave runs, and where the CLI keeps its Dagster instance. No Dagster
is imported here: the CLI starts the worker before it imports Dagster itself, so the two
processes' start-up (mostly imports) overlaps instead of adding up.

A wave's run in the CLI only stages its own wave (see ``defs.resources.StoreResource``), so two
waves can run side by side: the CLI runs waves from the front of its list and the worker from the
back (``execution.run_waves``). The worker is spawned, not forked, so it shares no file handles,
locks or threads with the CLI.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .settings import Settings

#: A new instance folder's dagster.yaml: the project's deployment settings (one writer at a time,
#: no telemetry banner), copied from deploy/dagster.yaml's content.
_INSTANCE_YAML = """# Made by engagement-pipeline for its default Dagster instance (see deploy/dagster.yaml).
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    tag_concurrency_limits:
      - key: "engagement/store"
        limit: 1
telemetry:
  enabled: false
"""


def instance_home(settings: Settings) -> Path:
    """Where the CLI and ``engagement-pipeline ui`` keep Dagster's runs: DAGSTER_HOME if set, else
    a folder under the output root, so every CLI run shows in the UI with no extra step."""
    explicit = os.environ.get("DAGSTER_HOME")
    home = Path(explicit) if explicit else settings.dagster_home
    if not explicit:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        config = home / "dagster.yaml"
        if not config.exists():
            config.write_text(_INSTANCE_YAML, encoding="utf-8")
    return home


def instance_lock(settings: Settings) -> Path:
    """The lock file that lets one process of an invocation create a new instance (see
    ``instance.open_instance``); beside the pipeline's store."""
    return settings.store_path.with_name("instance.lock")


#: Fewer waves than this run in the CLI alone. Two waves already gain: measured on a quiet 2-core
#: machine, the bundled data's two waves took 8.0-10.1 s side by side against 10.9-12.3 s one
#: after the other, because the worker's start-up (imports, building the job, opening the
#: instance) overlaps the CLI's own.
PARALLEL_FROM = 2


def workers(settings: Settings, waves: int) -> int:
    """How many processes run ``waves`` waves: up to ``settings.workers``, never more than the
    machine's cores or the waves, and one below ``PARALLEL_FROM`` waves."""
    if waves < PARALLEL_FROM:
        return 1
    return max(1, min(settings.workers, os.cpu_count() or 1, waves))


def start(settings: Settings, waves: list[str]) -> ProcessPoolExecutor | None:
    """A worker process for the CLI's wave runs, already importing what it needs and opening the
    instance with ``waves`` registered (None when the waves run in the CLI alone)."""
    if workers(settings, len(waves)) < 2:
        return None
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    pool.submit(_warm_up, settings, list(waves))  # should it fail, the worker's first wave tries again
    return pool


def _warm_up(settings: Settings, waves: list[str]) -> None:
    from .startup import collector_paused

    with collector_paused():
        from .instance import instance_for_cli

        # Opened (a new instance created) before the assets' libraries are imported: meanwhile the
        # CLI is importing them, and finds the instance ready when it opens it.
        instance = instance_for_cli(settings, waves)
        from .execution import prepare_worker

    prepare_worker(settings, instance)
