"""Reading a survey tool's export file: its header rows, then only the columns that are needed.

What belongs here: the file-format concerns the tools share: CSV (UTF-8, a byte-order mark allowed,
records spanning lines, CRLF) and XLSX (first sheet), several header rows, blank rows, row numbers
that count every header row, the file's hash. Nothing here knows what a column means: that is the
tool modules' business.

A ``Sheet`` is opened from its header rows alone; a tool module decides from them which columns it
needs, and ``Sheet.read`` then parses just those (identifying columns the pipeline drops are never
even converted to text). Cells come back as pyarrow string columns named after their 0-based
position, stripped, blanks as ``""``, so that a 100,000-row export is handled a column at a time. A
row is blank, and left out (its number kept by the others), when every column read is blank.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import ContractError
from ..readers import ROW_NUMBER

_CONTENT = re.compile(rb"\S")


@dataclass(frozen=True)
class Sheet:
    """An export's header rows, and a way to read the data rows' cells of chosen columns."""

    source_file: str
    headers: tuple[tuple[str, ...], ...]  # each header row stripped and padded to the sheet's width
    load_columns: Callable[[Sequence[int]], list[pa.ChunkedArray]]  # the raw cells of these columns

    @property
    def width(self) -> int:
        return len(self.headers[0])

    def read(self, positions: Sequence[int], encoded: Sequence[int] = ()) -> pa.Table:
        """The data rows of these columns (named ``str(position)``) plus ROW_NUMBER; blank rows left out.

        Columns in ``encoded`` come back dictionary-encoded: answer columns hold a handful of
        distinct values, so only those are stripped (and looked up later), not every cell.
        """
        positions = sorted(set(positions))
        wanted = set(encoded)
        loaded = self.load_columns(positions)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # Arrow releases the GIL
            prepared = list(pool.map(_prepare, loaded, [p in wanted for p in positions]))
        columns = [column for column, _ in prepared]
        n = len(columns[0])
        numbers = pa.array(np.arange(len(self.headers) + 1, len(self.headers) + 1 + n, dtype=np.int64))
        table = pa.table([*columns, numbers], names=[*(str(p) for p in positions), ROW_NUMBER])
        blank = np.logical_and.reduce([blank for _, blank in prepared])
        if blank.any():
            table = table.filter(pa.array(~blank))
        if table.num_rows == 0:
            raise ContractError(self.source_file, "no data rows")
        return table


def _prepare(column: pa.ChunkedArray, encode: bool) -> tuple[pa.Array, np.ndarray]:
    """A column stripped (or dictionary-encoded with its distinct values stripped), and where it is blank."""
    column = column.combine_chunks()
    if not encode:
        stripped = pc.utf8_trim_whitespace(column)
        return stripped, pc.equal(stripped, "").to_numpy(zero_copy_only=False)
    encoded = column.dictionary_encode()
    distinct = pc.utf8_trim_whitespace(encoded.dictionary)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    blank = pc.equal(distinct, "").to_numpy(zero_copy_only=False)[indices]
    return pa.DictionaryArray.from_arrays(encoded.indices, distinct), blank


def read_payload(path: Path) -> bytes:
    """The file's bytes; a vanished or unreadable file is a ContractError."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ContractError(path.name, "the file disappeared while being read") from None
    except OSError as exc:
        raise ContractError(path.name, f"cannot be read ({type(exc).__name__})") from None


def sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def has_content(payload: bytes) -> bool:
    return _CONTENT.search(payload, _body_start(payload)) is not None


# --- CSV -----------------------------------------------------------------------------------------

def _body_start(payload: bytes) -> int:
    return len(codecs.BOM_UTF8) if payload.startswith(codecs.BOM_UTF8) else 0


def _check_utf8(payload: bytes, name: str) -> None:
    """Refuse bytes that are not UTF-8 (Arrow checks the whole file at memory speed, without a copy)."""
    offsets = pa.py_buffer(np.array([0, len(payload)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(payload)]).cast(pa.large_string())
    except pa.ArrowInvalid:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError(name, f"not UTF-8 text (undecodable byte at offset {exc.start})") from None


def _record_ends(payload: bytes, count: int, start: int) -> list[int]:
    """Byte offsets just past each of the first ``count`` CSV records from ``start``.

    A record ends at a line break outside quotes; CSV doubles quotes inside a quoted cell, so a line
    break is outside quotes exactly when an even number of quotes precede it in the record.
    """
    ends: list[int] = []
    position, quotes = start, 0
    while len(ends) < count and position < len(payload):
        newline = payload.find(b"\n", position)
        end = len(payload) if newline < 0 else newline + 1
        quotes += payload.count(b'"', position, end)
        position = end
        if quotes % 2 == 0:
            ends.append(position)
            quotes = 0
    return ends


def csv_header_rows(payload: bytes, count: int, name: str) -> tuple[list[list[str]], int]:
    """Up to ``count`` leading CSV records (cells stripped) and the byte offset where the rest begins."""
    start = _body_start(payload)
    ends = _record_ends(payload, count, start)
    if not ends:
        return [], start
    try:
        text = payload[start:ends[-1]].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError(name, f"not UTF-8 text (undecodable byte at offset {start + exc.start})") from None
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ContractError(name, f"unreadable CSV header ({exc})") from None
    return rows, ends[-1]


def open_csv(name: str, payload: bytes, header_rows: int) -> Sheet:
    """An export CSV with ``header_rows`` header records above the data."""
    if not has_content(payload):
        raise ContractError(name, "the file is empty")
    _check_utf8(payload, name)
    if b"\x00" in payload:
        raise ContractError(name, "not a text file (contains NUL bytes)")
    headers, offset = csv_header_rows(payload, header_rows, name)
    if len(headers) < header_rows:
        raise ContractError(name, f"expected {header_rows} header rows, found {len(headers)}")
    width = max(len(row) for row in headers)

    def load(positions: Sequence[int]) -> list[pa.ChunkedArray]:
        columns = _arrow_body(payload, offset, width, positions)
        return columns if columns is not None else _exact_body(payload, offset, width, header_rows, name, positions)

    return Sheet(name, _padded(headers, width), load)


def _arrow_body(payload: bytes, offset: int, width: int, positions: Sequence[int]) -> list[pa.ChunkedArray] | None:
    """Fast path: pyarrow's multi-threaded reader over the data records, or None to use the exact one.

    Blank lines are not skipped (they would lose their row number): Arrow refuses them, as it
    refuses anything malformed, and its error messages quote cells, so whatever it refuses goes to
    the exact reader. It first splits the
    file at line ends without looking at quotes, the fast way; a quoted cell spanning lines at a
    split makes Arrow report that it lost sync, and the file is read again the careful way.
    """
    end = len(payload)
    while end > offset and payload[end - 1] in b"\r\n":
        end -= 1
    if end <= offset or not _CONTENT.search(payload, offset, end) or payload.count(b'"', offset, end) % 2:
        return None
    names = [str(i) for i in range(width)]
    wanted = [str(p) for p in positions]
    for newlines_in_values in (False, True):
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(payload).slice(offset, end - offset)),
                read_options=pacsv.ReadOptions(column_names=names),
                # a blank line is then a record of one empty cell: a column count Arrow refuses
                parse_options=pacsv.ParseOptions(newlines_in_values=newlines_in_values, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in wanted}, include_columns=wanted,
                    strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, pa.ArrowException):
            continue
        return table.columns
    return None


def _exact_body(payload: bytes, offset: int, width: int, header_rows: int, name: str,
                positions: Sequence[int]) -> list[pa.ChunkedArray]:
    """The csv module over the decoded body: every record counts as a row, blank lines included."""
    text = payload[offset:].decode("utf-8")  # checked when the sheet was opened
    records: list[list[str]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=header_rows + 1):
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                raise ContractError(name, "more cells than the header has columns", row_number=number)
            records.append([record[p] if p < len(record) else "" for p in positions])
    except csv.Error as exc:
        raise ContractError(name, f"malformed CSV ({' '.join(str(exc).split())})") from None
    return [pa.chunked_array([pa.array([r[i] for r in records], pa.string())]) for i in range(len(positions))]


# --- XLSX ----------------------------------------------------------------------------------------

def _workbook_rows(payload: bytes, name: str, max_row: int | None = None) -> list[tuple]:
    """The first sheet's rows, read by calamine (Rust): some twenty times faster than openpyxl on a
    large export. Empty leading rows are kept, so row numbers stay the spreadsheet's."""
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(payload)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False, nrows=max_row) if max_row else sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged workbook raises calamine's own error types
        raise ContractError(name, f"unreadable workbook ({type(exc).__name__})") from None
    return [tuple(row) for row in rows]


def cell_text(value: object) -> str:
    """A workbook cell as text: a whole number stored as 4.0 reads ``4``, a date-time as ISO 8601."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def xlsx_header_rows(payload: bytes, count: int, name: str) -> list[list[str]]:
    """The first ``count`` rows of the first sheet as text (for recognising the export)."""
    return [[cell_text(v) for v in row] for row in _workbook_rows(payload, name, max_row=count)]


def open_xlsx(name: str, payload: bytes, header_rows: int) -> Sheet:
    """The first sheet of an export workbook with ``header_rows`` header rows above the data."""
    if not payload:
        raise ContractError(name, "the file is empty")
    rows = _workbook_rows(payload, name)
    if len(rows) < header_rows:
        raise ContractError(name, f"expected {header_rows} header rows, found {len(rows)}")
    headers = [[cell_text(v) for v in row] for row in rows[:header_rows]]
    # Read-only sheets may report trailing empty cells: the sheet is as wide as its last header.
    width = max((i + 1 for row in headers for i, cell in enumerate(row) if cell), default=0)
    if width == 0:
        raise ContractError(name, "the header row is empty")
    body = rows[header_rows:]
    for number, row in enumerate(body, start=header_rows + 1):
        if any(cell_text(v) for v in row[width:]):
            raise ContractError(name, "a cell beyond the last header column", row_number=number)

    def load(positions: Sequence[int]) -> list[pa.ChunkedArray]:
        return [pa.chunked_array([pa.array([cell_text(row[p]) if p < len(row) else "" for row in body], pa.string())])
                for p in positions]

    return Sheet(name, _padded(headers, width), load)


def _padded(headers: list[list[str]], width: int) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(row[:width] + [""] * (width - len(row))) for row in headers)
