"""Where a report comes from: the synthetic-data banner and the footer every report carries.

Built from the wave's own tables (``load_log``, ``wave_settings``) and the generator's marker, so
a forwarded report says when, from which files (short hashes), with which settings and by which
version of the pipeline it was made — and, for generated data, that none of it is real.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

SYNTHETIC_BANNER = ("Synthetic data: made by the project's own generator to show how the pipeline works. "
                    "No figure here describes real people.")


@dataclass(frozen=True)
class Provenance:
    wave: str
    generated_at: str
    files: tuple[tuple[str, str, str], ...]  # (file, kind, short sha256)
    alpha: float | None
    min_group_size: int
    pipeline_version: str
    synthetic: bool

    @classmethod
    def of(cls, wave: str, load_log: pd.DataFrame, wave_settings: pd.DataFrame, synthetic: bool) -> "Provenance":
        settings = wave_settings.iloc[0]
        files = tuple((str(r.source_file), str(r.source_kind), str(r.sha256)[:12])
                      for r in load_log.sort_values("source_file").itertuples())
        stamp = pd.Timestamp(settings["computed_at"]).strftime("%Y-%m-%d %H:%M UTC")
        return cls(f"Wave {wave}", stamp, files, float(settings["alpha"]), int(settings["min_group_size"]),
                   str(settings["pipeline_version"]), synthetic)

    @classmethod
    def unknown(cls, what: str, alpha: float | None, min_group_size: int, synthetic: bool = False) -> "Provenance":
        """For a report drawn outside a run (tests, trends): no file list, the pipeline's own version."""
        from ..version import pipeline_version

        return cls(what, pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"), (), alpha, min_group_size,
                   pipeline_version(), synthetic)

    def footer_lines(self) -> list[str]:
        lines = [f"{self.wave}: generated {self.generated_at} by engagement-pipeline {self.pipeline_version}."]
        if self.files:
            lines.append("Source files: " + "; ".join(f"{name} ({kind}, sha256 {digest}…)"
                                                      for name, kind, digest in self.files) + ".")
        level = f"significance level {self.alpha:g}; " if self.alpha is not None else ""
        lines.append(f"Settings: {level}groups under {self.min_group_size} respondents are not reported.")
        return lines

    def markdown_footer(self) -> str:
        return "\n".join(["---", "", *(f"*{line}*  " for line in self.footer_lines())])

    def html_footer(self) -> str:
        return "<footer>" + "".join(f"<p>{html.escape(line)}</p>" for line in self.footer_lines()) + "</footer>"

    def markdown_banner(self) -> str:
        return f"> **{SYNTHETIC_BANNER}**\n" if self.synthetic else ""

    def html_banner(self) -> str:
        return f"<div class='banner' role='note'>{html.escape(SYNTHETIC_BANNER)}</div>" if self.synthetic else ""
