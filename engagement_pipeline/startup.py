"""Starting a process quickly (the CLI, its worker, a Dagster code server or run process): what
belongs here is how the long-lived part of a process (the libraries it imports, the job or the
Definitions it builds) is made, and nothing that imports them.

Importing Dagster, pandas, scipy, statsmodels, pandera and matplotlib makes a few hundred
thousand objects that live as long as the process. Python's cyclic collector, triggered by the
allocations themselves, scans them again and again while they are made: about 670 collections,
0.4 s of a 2.2 s import on the bundled run (docs/performance.md). None of it is garbage, so the
collector is paused while it is made and the result is then frozen out of its sight.

Freezing is for a process that makes its long-lived part once: the CLI, its worker, a code server
or a run process Dagster launches. Whatever is alive when it freezes, a cycle that has just become
garbage included, is never collected afterwards (reference counting still frees what it can).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside; on leaving, every object made so far is moved to the
    permanent generation (``gc.freeze``) so later collections skip it, and collection resumes as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
