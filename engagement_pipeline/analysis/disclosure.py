"""Complementary suppression (docs/data-contract.md §4.4): no suppressed figure may be worked back
out of published ones by differencing.

Rows that split one population add up. In ``engagement_by_group``, for one dimension and area:

- *category lines*: the ``users`` and ``non_users`` rows of a category add up to its ``all`` row;
- *group lines*: a group's rows over the dimension's categories add up to the wave's figure for
  that group and area, which ``engagement_comparison`` publishes (``mean_users`` with
  ``n_users``, ``mean_non_users`` with ``n_non_users``; the wave's ``all`` figure follows from
  the two), unless that row is suppressed;
- the wave's own line: its ``users`` and ``non_users`` figures add up to its ``all`` figure.

A line leaks a figure when exactly one of its members (total included) is suppressed: it is the
total less the others, or the sum of the parts. It leaks a small group when the suppressed parts
under a published total cover fewer than the minimum group size between them. So, line by line
until nothing changes, further parts are suppressed, smallest base first (ties in the order the
rows are listed), until the line has no suppressed member or at least two, and its suppressed
parts cover at least the threshold or its total is suppressed; only when no part is left is the
total suppressed. A suppressed wave figure counts as suppressed in its lines, so the group's
categories cannot all be published to add up to it. Each step only adds suppression, so the loop
ends; engagement_pipeline_tests/test_disclosure.py checks the result by linear algebra over all the lines at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable


def comparison_suppressed(n_users: int, n_non_users: int, min_group_size: int) -> bool:
    """The rule of ``engagement_comparison``: each group of the comparison is a base of its own."""
    return min(n_users, n_non_users) < min_group_size


@dataclass(frozen=True)
class Line:
    """Cells that add up: ``parts`` sum to ``total``."""

    parts: tuple[Hashable, ...]
    total: Hashable


def protect(bases: dict[Hashable, int], lines: list[Line], min_group_size: int,
            fixed: dict[Hashable, bool] | None = None) -> set[Hashable]:
    """The cells to suppress: those whose base is below the threshold, and those that must go with
    them so that no line gives a suppressed cell away.

    ``fixed`` cells are figures another table publishes (True: suppressed there): they take part in
    the lines but are never changed here. A cell missing from ``bases`` (an empty category) is 0.
    """
    fixed = dict(fixed or {})
    # A line with a single part under a total published elsewhere: the part *is* that published
    # figure, so hiding it protects nothing; it stays published, and other cells are chosen instead.
    for line in lines:
        present = [p for p in line.parts if p in bases]
        if len(present) == 1 and fixed.get(line.total) is False:
            fixed.setdefault(present[0], False)
    hidden = {cell for cell, n in bases.items() if n < min_group_size and cell not in fixed}
    hidden |= {cell for cell, is_hidden in fixed.items() if is_hidden}
    order = {cell: i for i, cell in enumerate(bases)}
    changed = True
    while changed:
        changed = False
        for line in lines:
            parts = [p for p in line.parts if p in bases]
            while True:
                hidden_parts = [p for p in parts if p in hidden]
                total_hidden = line.total in hidden
                count = len(hidden_parts) + total_hidden
                covered = total_hidden or sum(bases[p] for p in hidden_parts) >= min_group_size
                if count == 0 or (count >= 2 and covered):
                    break
                candidates = sorted((p for p in parts if p not in hidden and p not in fixed),
                                    key=lambda p: (bases[p], order[p]))
                if candidates:
                    hidden.add(candidates[0])
                elif not total_hidden and line.total not in fixed:
                    hidden.add(line.total)
                else:
                    break  # nothing left that this table may suppress
                changed = True
    return hidden - set(fixed)
