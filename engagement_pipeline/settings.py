"""Every setting of the pipeline and its ``ENGAGEMENT_*`` environment variable (docs/data-contract.md §1, §3, §4).

Paths, thresholds, the refresh schedule and the sensor's interval are read here, once, and
nowhere else; a run carries them as its resource config. The one exception is the
pseudonymisation key itself: a secret, read at the moment it is used and never part of any
config, log or message. No I/O beyond resolving paths, no Dagster.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_QUARANTINE_FRACTION = 0.10
DEFAULT_MIN_GROUP_SIZE = 11
DEFAULT_ALPHA = 0.05
DEFAULT_REFRESH_CRON = "0 2 * * 0"  # Sundays 02:00
DEFAULT_REFRESH_TIMEZONE = "Europe/London"
DEFAULT_SENSOR_INTERVAL_SECONDS = 30
#: Waves the CLI runs side by side at most (each in its own process), when it has three or more to run.
DEFAULT_WORKERS = 2
#: What besides its files decides a wave's figures (see ``Settings.run_state``).
RUN_STATE_KEYS = ("pipeline_version", "alpha", "min_group_size", "max_quarantine_fraction")


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={raw!r} is not a number") from exc


def _bool_env(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ValueError(f"environment variable {name}={raw!r} must be true or false")


def _int_env(name: str, default: int) -> int:
    value = _float_env(name, default)
    if value != int(value) or value < 1:
        raise ValueError(f"environment variable {name} must be a whole number of at least 1")
    return int(value)


@dataclass(frozen=True)
class Settings:
    """Resolved locations and thresholds for one pipeline run."""

    data_dir: Path
    output_dir: Path
    max_quarantine_fraction: float = DEFAULT_MAX_QUARANTINE_FRACTION
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    alpha: float = DEFAULT_ALPHA
    pseudonym_key_file: Path = field(default_factory=lambda: default_key_file())
    refresh_cron: str = DEFAULT_REFRESH_CRON
    refresh_timezone: str = DEFAULT_REFRESH_TIMEZONE
    sensor_interval_seconds: int = DEFAULT_SENSOR_INTERVAL_SECONDS
    #: The scheduled refresh re-runs every wave instead of only the stale ones.
    refresh_all: bool = False
    #: How many waves the CLI runs at once (never more than the machine's cores).
    workers: int = DEFAULT_WORKERS

    def run_state(self) -> dict[str, str]:
        """What besides its files decides a wave's published figures: the thresholds and the
        pipeline's version (kept in the ``waves`` table; a change makes every wave stale)."""
        from .version import pipeline_version

        values = (pipeline_version(), repr(float(self.alpha)), str(int(self.min_group_size)),
                  repr(float(self.max_quarantine_fraction)))
        return dict(zip(RUN_STATE_KEYS, values))

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def waves_dir(self) -> Path:
        return self.raw_dir / "waves"

    @property
    def codebook_path(self) -> Path:
        return self.raw_dir / "codebook.csv"

    @property
    def warehouse_path(self) -> Path:
        """The analysts' published warehouse."""
        return self.output_dir / "engagement.duckdb"

    @property
    def state_dir(self) -> Path:
        """The pipeline's private working area: never published, never read by analysts."""
        return self.output_dir / ".pipeline"

    @property
    def dagster_home(self) -> Path:
        """The default Dagster instance (run history, event logs) when DAGSTER_HOME is unset."""
        return self.state_dir / "dagster"

    @property
    def store_path(self) -> Path:
        return self.state_dir / "store.duckdb"

    @property
    def reports_dir(self) -> Path:
        """Published reports: ``<wave>/`` and ``trends/``."""
        return self.output_dir / "reports"

    @property
    def staged_reports_dir(self) -> Path:
        """Reports being built; moved into reports_dir only when the run publishes."""
        return self.state_dir / "reports"

    @property
    def instrument_path(self) -> Path:
        return self.raw_dir / "instrument.yaml"

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, output_dir: str | Path | None = None) -> "Settings":
        """Settings from explicit arguments, else the environment, else the contract's defaults."""
        data = data_dir or os.environ.get("ENGAGEMENT_DATA_DIR") or "data"
        output = output_dir or os.environ.get("ENGAGEMENT_OUTPUT_DIR") or "outputs"
        fraction = _float_env("ENGAGEMENT_MAX_QUARANTINE_FRACTION", DEFAULT_MAX_QUARANTINE_FRACTION)
        if not 0 <= fraction <= 1:
            raise ValueError("ENGAGEMENT_MAX_QUARANTINE_FRACTION must lie between 0 and 1")
        alpha = _float_env("ENGAGEMENT_ALPHA", DEFAULT_ALPHA)
        if not 0 < alpha < 1:
            raise ValueError("ENGAGEMENT_ALPHA must lie strictly between 0 and 1")
        return cls(
            data_dir=Path(data).absolute(),
            output_dir=Path(output).absolute(),
            max_quarantine_fraction=fraction,
            min_group_size=_int_env("ENGAGEMENT_MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE),
            alpha=alpha,
            pseudonym_key_file=default_key_file(),
            refresh_cron=os.environ.get("ENGAGEMENT_REFRESH_CRON", "").strip() or DEFAULT_REFRESH_CRON,
            refresh_timezone=os.environ.get("ENGAGEMENT_REFRESH_TIMEZONE", "").strip() or DEFAULT_REFRESH_TIMEZONE,
            sensor_interval_seconds=_int_env("ENGAGEMENT_SENSOR_INTERVAL_SECONDS", DEFAULT_SENSOR_INTERVAL_SECONDS),
            refresh_all=_bool_env("ENGAGEMENT_REFRESH_ALL"),
            workers=_int_env("ENGAGEMENT_WORKERS", DEFAULT_WORKERS),
        )



def default_key_file() -> Path:
    """Where the random pseudonymisation key lives when ``ENGAGEMENT_PSEUDONYM_KEY`` is unset.

    Outside the data and output folders on purpose, so that sharing either never shares the key.
    ``ENGAGEMENT_PSEUDONYM_KEY_FILE`` moves it.
    """
    explicit = os.environ.get("ENGAGEMENT_PSEUDONYM_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser().absolute()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "engagement-pipeline" / "pseudonym.key"
