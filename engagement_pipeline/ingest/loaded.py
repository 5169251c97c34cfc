"""``LoadedFile``: what loading one input file produced — kept rows, quarantine, load_log entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd

from ..warehouse.registry import TABLES


@dataclass(frozen=True)
class LoadedFile:
    """One validated file: the rows kept, the rows set aside, and its load_log entry.

    ``quarantine`` holds every row set aside, on purpose (``excluded``) or for an error;
    ``rows_read = rows_loaded + rows_quarantined`` (docs/data-contract.md §3).
    """

    source_file: str
    sha256: str
    source_kind: str
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    #: The instrument file in effect when a survey file was read (its SHA-256), if any.
    instrument_sha256: str | None = None

    @property
    def rows_quarantined(self) -> int:
        return int(self.quarantine["row_number"].nunique())

    @property
    def rows_loaded(self) -> int:
        return len(self.rows)

    def load_log(self, wave: str, loaded_at: datetime | None = None) -> pd.DataFrame:
        return TABLES["load_log"].conform(pd.DataFrame([{
            "wave": wave, "source_file": self.source_file, "source_kind": self.source_kind, "sha256": self.sha256,
            "instrument_sha256": self.instrument_sha256,
            "rows_read": self.rows_read, "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "loaded_at": (loaded_at or datetime.now(timezone.utc)).replace(tzinfo=None),
        }]))
