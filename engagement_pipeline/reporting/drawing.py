"""Drawing charts in worker processes that already have matplotlib loaded.

A wave's charts are independent and each costs ~0.3 s of text layout and PNG encoding, the
largest fixed cost of a small wave, so they are drawn in parallel on the machine's cores. The
workers fork from a fork server that pre-imports ``charts``: the main process never imports
matplotlib, and ``warm()`` at start-up lets that import overlap the orchestrator's own.

``ENGAGEMENT_CHART_WORKERS`` sets the number of workers (default: the number of cores, at most
4); ``0`` draws in the calling process. This module imports nothing heavy.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

CHARTS_MODULE = "engagement_pipeline.reporting.charts"
_lock = threading.Lock()
_pool: Executor | None = None
_pool_pid: int | None = None


def worker_count() -> int:
    configured = os.environ.get("ENGAGEMENT_CHART_WORKERS", "").strip()
    if configured:
        return max(0, int(configured))
    return min(4, os.cpu_count() or 1)


def _executor() -> Executor | None:
    """The process's pool, created on first use (and again in a forked child)."""
    global _pool, _pool_pid
    count = worker_count()
    if count == 0:
        return None
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([CHARTS_MODULE])
            _pool, _pool_pid = ProcessPoolExecutor(count, mp_context=context), os.getpid()
        return _pool


def _ready() -> bool:
    return True


def warm() -> None:
    """Start a worker now, so matplotlib loads while the caller does other work.

    Starting a worker waits for the fork server to finish its imports, so that wait happens on a
    background thread.
    """
    pool = _executor()
    if pool is not None:
        threading.Thread(target=pool.submit, args=(_ready,), name="chart-workers", daemon=True).start()


def _draw(function: str, args: tuple) -> Path:
    from . import charts

    return getattr(charts, function)(*args)


def draw(jobs: list[tuple[str, tuple]]) -> list[Path]:
    """Run ``charts.<function>(*args)`` for each job, in parallel; the paths in the jobs' order.

    A worker's exception is re-raised here, so a chart that cannot be drawn fails the caller.
    """
    pool = _executor()
    if pool is None or len(jobs) < 2:
        return [_draw(function, args) for function, args in jobs]
    futures = [pool.submit(_draw, function, args) for function, args in jobs]
    return [future.result() for future in futures]


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


atexit.register(shutdown)
