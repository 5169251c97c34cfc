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


def p_value(p: float, alpha: float | None = None) -> str:
    """``p = 0.032``; never rounded across ``alpha`` (p = 0.0497 is not written "0.050" beside
    "significant"): more digits are shown until the written value falls on the same side."""
    if p < 0.001 and (alpha is None or alpha >= 0.001):
        return "p < 0.001"
    digits = 3 if p < 0.1 else 2
    text = f"{p:.{digits}f}"
    while alpha is not None and (float(text) < alpha) != (p < alpha) and digits < 12:
        digits += 1
        text = f"{p:.{digits}f}"
    return f"p = {text}"


def pct_beside(value: float, threshold: float = 50.0) -> str:
    """A percentage rounded to whole numbers unless that would land on or across ``threshold``
    from the other side (50.4 % is not written "50 %" beside "a majority")."""
    digits = 0
    while digits < 6 and (round(value, digits) > threshold) != (value > threshold):
        digits += 1
    return f"{value:.{digits}f} %"


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
