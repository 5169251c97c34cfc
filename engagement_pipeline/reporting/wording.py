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


# --- plain words for the board (issue 14) -------------------------------------------------------------

#: Separates a finding's plain sentences from its statistics in ``findings.statement``; reports put
#: what follows it on a line of its own.
HOW_WE_KNOW = "How we know:"

#: The answer scales, as the survey asked them (docs/data-contract.md §2.2).
ENGAGEMENT_SCALE = ("not at all engaged", "extremely engaged")
CHANNEL_SCALE = ("no impact", "very high impact")

_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
          9: "nine", 10: "ten"}


def in_words(n: int) -> str:
    """3 -> "three"; numbers above ten stay as digits."""
    return _WORDS.get(int(n), str(int(n)))


def distinct(values: list[float], digits: int = 1) -> list[str]:
    """The values with ``digits`` decimals, or more when different values would otherwise read the same
    (3.94 against 3.86 is "3.94 against 3.86", not "3.9 against 3.9")."""
    while digits < 4:
        shown = [f"{v:.{digits}f}" for v in values]
        if all((shown[i] == shown[j]) == (values[i] == values[j])
               for i in range(len(values)) for j in range(i + 1, len(values))):
            return shown
        digits += 1
    return [f"{v:.{digits}f}" for v in values]


def scale_note() -> str:
    """What the 1-5 answers mean, for the first place a report uses them."""
    return (f"Scores are answers on a 1 to 5 scale: for engagement 1 means “{ENGAGEMENT_SCALE[0]}” and 5 "
            f"“{ENGAGEMENT_SCALE[1]}”; for communication channels 1 means “{CHANNEL_SCALE[0]}” and 5 "
            f"“{CHANNEL_SCALE[1]}”.")


def golden_threads_note(threads: list[str]) -> str:
    """What the golden threads are, naming those of the codebook."""
    if not threads:
        return ""
    listed = join(threads) if len(threads) < 3 else ", ".join(threads[:-1]) + ", and " + threads[-1]
    return f"The “golden threads” are the trust's strategic aims that run through all its work: {listed}."


def split_statement(statement: str) -> tuple[str, str]:
    """A finding's statement as (plain sentences, the statistics after "How we know:")."""
    plain, _, how = statement.partition(f" {HOW_WE_KNOW} ")
    return plain.strip(), how.strip()
