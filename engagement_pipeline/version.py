"""The pipeline's version as far as its outputs are concerned: the release plus a digest of its code.

Any change to the package's code changes it, so waves published by other code count as stale
(the staleness rule lives in ``ingest/watch.py``).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import __version__


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """``<release>+<first 12 hex digits of the SHA-256 of every module's source, in path order>``."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
