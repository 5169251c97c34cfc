"""SurveyMonkey's "All individual responses" export, expanded, actual answer text (docs/data-contract.md §6, ``surveymonkey``).

What belongs here: the SurveyMonkey layout and its quirks: two header rows, ``.csv`` or ``.xlsx``.
Row 1 holds the fixed columns ``Respondent ID, Collector ID, Start Date, End Date, IP Address,
Email Address, First Name, Last Name`` and any ``Custom Data n``, then each question's text written
once above the first of its columns (blank above the rest: it is carried forward). Row 2 says what
each column of a question holds:

- ``Response``: the one answer of a single-answer question;
- ``Open-Ended Response``: a free-text answer (a comment question);
- ``Other (please specify)``: the text typed into a question's "Other" box;
- anything else: a matrix (grid) row's label, or a checkbox option's label. A ticked option's cell
  holds the option's label, an unticked one is blank.

The respondent id is ``Respondent ID`` (global in SurveyMonkey), or the instrument's
``respondent_id:`` column; ``submitted_at`` is ``End Date`` (``MM/DD/YYYY hh:mm:ss AM``). The
export does not say which time zone it is in, so it is read as UTC unless the instrument's
``time_zone:`` names the zone the survey's account uses. Collector ID, Start Date, IP address,
e-mail, names and custom data are never read into the table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..errors import ContractError
from .binding import id_position as find_id
from .binding import (Dates, Extract, Single, TickAll, ambiguous, answer_positions, check_headed, columns_phrase,
                      empty_set_aside, encoded_positions, missing, unmapped)
from .instrument import Instrument, Question, norm
from .sheets import Sheet

LEADING = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
           "First Name", "Last Name")
_CUSTOM = re.compile(r"custom data(?: \d+)?")
OTHER = ("other (please specify)", "open-ended response")
# As the contract gives it; ISO 8601 for a workbook's date-time cells. Other locales' day-first
# dates are not guessed at: they are left as written, for validation to reject.
DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "ISO8601")


@dataclass(frozen=True)
class _Run:
    """One question's columns: the row-1 text above its first column and the columns under it."""

    label: str
    positions: tuple[int, ...]


def _layout(top: tuple[str, ...]) -> tuple[dict[str, int], list[_Run]]:
    """The fixed columns (by name) and the questions' runs; a blank row-1 cell continues the column
    to its left, so blanks after a fixed column (or before any question) are never read."""
    leading = {norm(name): name for name in LEADING}
    fixed: dict[str, int] = {}
    runs: list[tuple[str, list[int]]] = []
    in_fixed = False
    for position, cell in enumerate(top):
        if cell:
            key = norm(cell)
            in_fixed = key in leading or _CUSTOM.fullmatch(key) is not None
            if in_fixed:
                fixed.setdefault(leading.get(key, cell), position)
            else:
                runs.append((cell, []))
        if not in_fixed and runs:
            runs[-1][1].append(position)
    return fixed, [_Run(label, tuple(positions)) for label, positions in runs]


def _group(instrument: Instrument) -> dict[str, list[Question]]:
    groups: dict[str, list[Question]] = defaultdict(list)
    for question in instrument.questions:
        groups[norm(question.text)].append(question)
    return groups


def extract(sheet: Sheet, wave: str, instrument: Instrument) -> Extract:
    name = sheet.source_file
    top, sub = sheet.headers[0], sheet.headers[1]
    check_headed(name, sheet.headers)
    fixed, runs = _layout(top)
    if "End Date" not in fixed:
        raise ContractError(name, "the export has no 'End Date' column (a SurveyMonkey export starts "
                                  "Respondent ID, Collector ID, Start Date, End Date)")
    id_position = find_id(name, sheet.headers, instrument, fixed, "Respondent ID")
    runs = [_Run(r.label, tuple(p for p in r.positions if p != id_position)) for r in runs]
    runs = [r for r in runs if r.positions]
    by_text: dict[str, list[_Run]] = defaultdict(list)
    for run in runs:
        by_text[norm(run.label)].append(run)

    singles: list[Single] = []
    ticks: list[TickAll] = []
    for key, questions in _group(instrument).items():
        found = by_text.get(key, [])
        if not found:
            raise missing(name, instrument, questions[0])
        if len(found) > 1:
            raise ambiguous(name, questions[0], f"'{found[0].label}'", [r.positions[0] for r in found])
        run = found[0]
        shape = questions[0].shape
        if shape == "single":
            singles.append(_single(name, instrument, questions[0], run, sub))
            continue
        wanted = {id(q): norm(q.row if shape == "grid" else q.option) for q in questions}
        chosen: list[int] = []
        for question in questions:
            positions = [p for p in run.positions if norm(sub[p]) == wanted[id(question)]]
            if not positions:
                raise missing(name, instrument, question)
            if len(positions) > 1:
                raise ambiguous(name, question, f"'{run.label}'", positions)
            chosen.append(positions[0])
        rest = [p for p in run.positions if p not in chosen]
        if shape == "grid":
            if rest:
                raise unmapped(name, instrument, f"'{run.label}' row '{sub[rest[0]]}'", rest[0])
            singles.extend(Single(q, p, f"{run.label} - {sub[p]}") for q, p in zip(questions, chosen))
        else:
            ticks.append(TickAll(run.label, tuple(questions), columns=tuple(chosen),
                                 others=tuple((p, sub[p] or "Other") for p in rest)))
    mapped = set(_group(instrument))
    for run in runs:
        if norm(run.label) not in mapped:
            raise unmapped(name, instrument, f"'{run.label}'", run.positions[0])

    end_date = fixed["End Date"]
    cells = sheet.read([id_position, end_date, *answer_positions(singles, ticks)],
                       encoded=encoded_positions(singles, ticks))
    return Extract(cells, cells.column(str(id_position)), Dates(end_date, DATE_FORMATS, instrument.time_zone),
                   tuple(singles), tuple(ticks), empty_set_aside())


def _single(name: str, instrument: Instrument, question: Question, run: _Run, sub: tuple[str, ...]) -> Single:
    """A single-answer question: its ``Response`` (or only) column; an "Other" box beside it is off-scale text."""
    if len(run.positions) == 1:
        return Single(question, run.positions[0], run.label)
    answers = [p for p in run.positions if norm(sub[p]) == "response"]
    answers = answers or [p for p in run.positions if norm(sub[p]) == "open-ended response"]
    if len(answers) != 1:
        raise ContractError(name, f"{question.describe()} ({question.column}) matches export question "
                                  f"'{run.label}', which has {len(run.positions)} columns "
                                  f"({columns_phrase(run.positions)}): map its rows with row: or its options "
                                  "with option:")
    others = []
    for position in run.positions:
        if position == answers[0]:
            continue
        if norm(sub[position]) not in OTHER:
            raise unmapped(name, instrument, f"'{run.label}' ('{sub[position]}')", position)
        others.append((position, sub[position]))
    return Single(question, answers[0], run.label, tuple(others))
