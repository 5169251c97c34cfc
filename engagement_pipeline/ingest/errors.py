"""The errors a contributor sees when a file breaks the data contract (§3)."""

from __future__ import annotations


class ContractError(Exception):
    """A file cannot be used as it is: the whole wave fails and nothing of it is published.

    The message always names the wave, the file and, where it applies, the column and row.
    It never quotes a cell's content, which may be personal.
    """

    def __init__(self, source_file: str, problem: str, *, wave: str | None = None,
                 column: str | None = None, row_number: int | None = None) -> None:
        self.source_file = source_file
        self.problem = problem
        self.wave = wave
        self.column = column
        self.row_number = row_number
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = [f"wave {self.wave}"] if self.wave else []
        where.append(self.source_file)
        if self.row_number is not None:
            where.append(f"row {self.row_number}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.problem}"

    def for_wave(self, wave: str) -> "ContractError":
        """The same error, stamped with the wave it belongs to."""
        return ContractError(self.source_file, self.problem, wave=wave, column=self.column,
                             row_number=self.row_number)
