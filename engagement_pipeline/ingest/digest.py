"""Digests of input files: what decides whether a wave's inputs changed since it was published.

What belongs here: hashing a file's bytes, and nothing that needs pandas — the CLI plans a run
(``planning``) with this before it imports any of the heavy libraries.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
