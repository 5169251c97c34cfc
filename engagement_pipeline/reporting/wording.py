"""How numbers are written in reports: rounding, intervals, p-values, display names."""

from __future__ import annotations

import pandas as pd

TOO_FEW = "too few responses to report"


THREADS = {"patient_care": "patient care", "patient_experience": "patient experience",
           "equality_diversity": "equality and diversity"}


class Names:
    """Display names for items (from instrument.yaml), falling back to the item with spaces."""

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self._names = {**THREADS, **(names or {})}

    def __call__(self, item: str) -> str:
        return self._names.get(item, item.replace("_", " "))


def pct(value: float) -> str:
    return f"{value:.0f} %"


def pct_ci(value: float, low: float, high: float) -> str:
    return f"{value:.0f} % (95 % CI {low:.0f}–{high:.0f} %)"


def p_value(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def verdict(supported: object) -> str:
    """How a finding's ``supported`` value reads in a report."""
    if supported is None or pd.isna(supported):
        return "descriptive"
    return "supported" if bool(supported) else "not supported"
