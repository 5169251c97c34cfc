"""Microsoft Forms' "Open results in Excel" workbook (docs/data-contract.md §6, kind ``ms_forms``).

What belongs here: the Forms layout and its quirks: one header row; the fixed columns ``ID``,
``Start time``, ``Completion time``, ``Email``, ``Name`` (and ``Last modified time`` on newer forms);
one column per question headed by its text, one column per statement of a Likert (grid) question
headed by the statement alone, so the grid's own question text is not in the file; choices of a
multi-choice question joined by ``;`` in one cell (with a trailing ``;``).

- ``ID`` counts a form's responses from 1, so it identifies nobody across forms: the respondent id
  is ``<wave>:<ID>``. ``respondent_id: <header>`` in the instrument picks another column instead
  (e.g. a signed-in form's ``Email``), taken as written.
- ``submitted_at`` is ``Completion time``, an Excel date-time with no time zone: read as UTC unless
  the instrument's ``time_zone:`` names the zone the form's owner saw.
- When two grids share a statement, the export repeats the header: the columns headed by it are
  paired, in file order, with the instrument's questions on that statement in the order they appear
  in the instrument file.
- ``Start time``, ``Email``, ``Name`` and ``Last modified time`` are never read into the table.
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ContractError
from .binding import id_position as find_id
from .binding import (Dates, Extract, Single, TickAll, ambiguous, answer_positions, check_headed, columns_phrase,
                      empty_set_aside, encoded_positions, missing, unmapped)
from .instrument import Instrument, Question, norm
from .sheets import Sheet

FIXED = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")
SEPARATOR = ";"


def _fixed_positions(header: tuple[str, ...]) -> dict[str, int]:
    wanted = {norm(name): name for name in FIXED}
    found: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = wanted.get(norm(cell))
        if name is not None and name not in found:
            found[name] = position
    return found


def _units(instrument: Instrument) -> dict[str, list[Question | tuple[Question, ...]]]:
    """What each header should read, keyed by the normalised header (a question's text, a grid
    statement, or a tick-all question's text: its options share one column), in instrument order."""
    units: dict[str, list[Question | tuple[Question, ...]]] = defaultdict(list)
    for unit in instrument.units():
        if isinstance(unit, tuple):
            units[norm(unit[0].text)].append(unit)
        else:
            units[norm(unit.row if unit.shape == "grid" else unit.text)].append(unit)
    return units


def extract(sheet: Sheet, wave: str, instrument: Instrument) -> Extract:
    name = sheet.source_file
    header = sheet.headers[0]
    check_headed(name, sheet.headers)
    fixed = _fixed_positions(header)
    if "Completion time" not in fixed:
        raise ContractError(name, "the export has no 'Completion time' column (a Microsoft Forms export has ID, "
                                  "Start time, Completion time, Email, Name)")
    id_position = find_id(name, sheet.headers, instrument, fixed, "ID")
    taken = set(fixed.values()) | {id_position}
    questions = [p for p in range(sheet.width) if p not in taken]
    by_header: dict[str, list[int]] = defaultdict(list)
    for position in questions:
        by_header[norm(header[position])].append(position)

    singles: list[Single] = []
    ticks: list[TickAll] = []
    units = _units(instrument)
    for key, listed in units.items():
        positions = by_header.get(key, [])
        first = listed[0][0] if isinstance(listed[0], tuple) else listed[0]
        if not positions:
            raise missing(name, instrument, first)
        if len(positions) != len(listed):
            if len(listed) == 1:
                raise ambiguous(name, first, f"'{header[positions[0]]}'", positions)
            raise ContractError(name, f"{len(listed)} questions of {instrument.name} ("
                                      f"{', '.join(_unit_column(u) for u in listed)}) match the export's "
                                      f"{columns_phrase(positions)} headed '{header[positions[0]]}': ambiguous, "
                                      "each needs one column")
        if len(listed) > 1 and not all(isinstance(u, Question) and u.shape == "grid" for u in listed):
            raise ambiguous(name, first, f"'{header[positions[0]]}'", positions)
        for unit, position in zip(listed, positions):
            if isinstance(unit, tuple):
                ticks.append(TickAll(header[position], unit, joined=position, separator=SEPARATOR))
            else:
                singles.append(Single(unit, position, header[position]))
    for position in questions:
        if norm(header[position]) not in units:
            raise unmapped(name, instrument, f"'{header[position]}'", position)

    completion = fixed["Completion time"]
    cells = sheet.read([id_position, completion, *answer_positions(singles, ticks)],
                       encoded=encoded_positions(singles, ticks))
    ids = cells.column(str(id_position))
    if id_position == fixed.get("ID"):  # a per-form counter: made unique to the wave
        ids = pc.if_else(pc.equal(ids, ""), pa.scalar(""), pc.binary_join_element_wise(f"{wave}:", ids, ""))
    # A date-time cell reads as ISO 8601; text in a locale's format (3/5/2019: March or May?) is left
    # as written for validation to reject rather than guessed.
    submitted = Dates(completion, ("ISO8601",), instrument.time_zone)
    return Extract(cells, ids, submitted, tuple(singles), tuple(ticks), empty_set_aside())


def _unit_column(unit: Question | tuple[Question, ...]) -> str:
    return unit[0].column if isinstance(unit, tuple) else unit.column
