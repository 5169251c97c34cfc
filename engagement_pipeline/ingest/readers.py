"""Reading raw CSV/XLSX files into frames of text cells, with their spreadsheet row numbers.

Only file-format concerns live here: encodings, BOMs, line endings, duplicated headers, empty
files, the file's hash. Cells stay text; the schemas decide what they mean.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ContractError

ROW_NUMBER = "__row_number__"
"""Column holding each record's spreadsheet row number (the header is row 1)."""


@dataclass(frozen=True)
class RawTable:
    """A file's cells as stripped text, indexed 0..n-1, plus where it came from."""

    source_file: str
    sha256: str
    frame: pd.DataFrame  # text columns + ROW_NUMBER

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW_NUMBER]

    def __len__(self) -> int:
        return len(self.frame)


_LOOK_AHEAD = 10  # rows searched for the real header under title rows


def _title_rows(rows: list[list[str]], name: str) -> None:
    """Refuse title rows above the header, naming the row that looks like the real header.

    A spreadsheet often carries a title ("Staff survey, March 2021") above its header row: a first
    row with one cell filled at most, and then, among the next few rows, one whose cells are all
    filled with distinct names — the real header.
    """
    if sum(1 for cell in rows[0] if cell.strip()) > 1:
        return
    for number, row in enumerate(rows[1:_LOOK_AHEAD], start=2):
        cells = [cell.strip() for cell in row]
        filled = [cell for cell in cells if cell]
        if len(filled) > 1 and all(cells[:len(filled)]) and len(set(filled)) == len(filled):
            titles = "row 1" if number == 2 else f"rows 1-{number - 1}"
            raise ContractError(name, f"the header is on row {number}, under a title ({titles}): delete the "
                                      f"row(s) above the header and save the file again", row_number=number)


def _check_header(header: list[str], name: str, following: list[list[str]] = ()) -> list[str]:
    """The header's names; ``following`` are the rows under it, to recognise title rows."""
    header = [h.strip() for h in header]
    blank = [position for position, column in enumerate(header, start=1) if not column]
    if blank and following:
        _title_rows([header, *following], name)
    if not any(header):
        raise ContractError(name, "the header row is empty")
    for position in blank:
        raise ContractError(name, f"header cell {position} is blank")
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise ContractError(name, "duplicated header", column=column)
        seen.add(column)
    return header


def _decode(payload: bytes, name: str) -> str:
    if not payload.strip():
        raise ContractError(name, "the file is empty")
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc.start) from None


def _not_utf8(name: str, offset: int) -> ContractError:
    return ContractError(name, f"not UTF-8 text (undecodable byte at offset {offset})")


_CHUNK = 1 << 24


def _check_utf8(payload: bytes, name: str) -> None:
    """Refuse bytes that are not UTF-8, without holding a decoded copy of a large file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(payload)
    for start in range(0, len(payload), _CHUNK):
        try:
            decoder.decode(view[start:start + _CHUNK], final=start + _CHUNK >= len(payload))
        except UnicodeDecodeError as exc:
            raise _not_utf8(name, start + exc.start - len(decoder.getstate()[0])) from None


def read_csv(path: Path, display_name: str | None = None) -> RawTable:
    """Read a UTF-8 CSV (BOM and CRLF allowed) as text cells; blank lines are skipped, numbering kept."""
    name = display_name or path.name
    payload = path.read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    if not payload.removeprefix(codecs.BOM_UTF8).strip():
        raise ContractError(name, "the file is empty")
    _check_utf8(payload, name)
    if b"\x00" in payload:
        raise ContractError(name, "not a text file (contains NUL bytes)")
    _csv_title_rows(payload, name)
    fast = _read_with_arrow(payload, name)
    if fast is not None:
        return RawTable(name, digest, fast)
    text = _decode(payload, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _read_header(reader, name)
    try:
        # No names: the header record fixes the field count, so a record with extra fields is an
        # error instead of silently becoming an index.
        frame = pd.read_csv(
            io.StringIO(text, newline=""), header=None, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise ContractError(name, f"malformed CSV ({' '.join(str(exc).split())})") from None
    if frame.shape[1] != len(header):
        raise ContractError(name, "the header and the records disagree on the number of columns")
    # Record numbers count CSV records, as a spreadsheet numbers rows; the header is row 1.
    frame = frame.iloc[1:].fillna("").reset_index(drop=True)
    frame.columns = header
    frame[ROW_NUMBER] = range(2, len(frame) + 2)
    return RawTable(name, digest, _finish(frame, header, name))


def _csv_title_rows(payload: bytes, name: str) -> None:
    """Title rows above a CSV's header (a spreadsheet saved as CSV): see ``_title_rows``."""
    head = payload[:1 << 16].decode("utf-8-sig", errors="ignore")
    rows = list(itertools.islice(csv.reader(io.StringIO(head, newline="")), _LOOK_AHEAD))
    if rows and any(not cell.strip() for cell in rows[0]):
        _title_rows(rows, name)


def _read_header(reader, name: str) -> list[str]:
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ContractError(name, f"unreadable CSV header ({exc})") from None
    return _check_header(header, name)


# A blank (or whitespace-only) line inside the body: row numbering then needs the slower reader.
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")
_CONTENT = re.compile(rb"\S")


def _read_with_arrow(payload: bytes, name: str) -> pd.DataFrame | None:
    """Fast path: pyarrow's multi-threaded CSV reader over the file's bytes; cells stripped, empty
    rows dropped, rows numbered. ``payload`` is known to be UTF-8 without NUL bytes.

    Returns None (use the exact reader) for what it cannot number or word exactly: a header that
    spans lines, blank lines in the body (pyarrow would not count them as rows), an unbalanced
    quote, or anything pyarrow cannot parse: its error messages quote cell contents, which must
    not reach a contributor's screen or a log.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    newline = payload.find(b"\n")
    first = payload[:newline] if newline >= 0 else payload
    if newline < 0 or first.count(b'"') % 2:
        return None
    header = _read_header(csv.reader([first.decode("utf-8-sig").rstrip("\r")]), name)
    body = newline + 1
    end = len(payload)
    while end > body and payload[end - 1] in b"\r\n":
        end -= 1
    second = payload.find(b"\n", body)
    if (not _CONTENT.search(payload, body, end) or not payload[body:second if second >= 0 else end].strip()
            or _BLANK_LINE.search(payload, body, end) or payload.count(b'"', body) % 2):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(payload).slice(body)),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    # Arrow releases the GIL, so the columns are trimmed on every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        columns = list(pool.map(pc.utf8_trim_whitespace, table.columns))
    del table
    blank = pc.equal(columns[0], "")
    for column in columns[1:]:
        blank = pc.and_(blank, pc.equal(column, ""))
    row_numbers = pa.array(np.arange(2, len(blank) + 2, dtype=np.int64))
    table = pa.table([*columns, row_numbers], names=[*header, ROW_NUMBER])
    if pc.any(blank).as_py():
        table = table.filter(pc.invert(blank))
    if table.num_rows == 0:
        raise ContractError(name, "no data rows")
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def read_xlsx(path: Path, display_name: str | None = None) -> RawTable:
    """Read the first sheet of an .xlsx workbook as text cells (4 stored as a number reads as ``4``)."""
    name = display_name or path.name
    payload = path.read_bytes()
    digest = hashlib.sha256(payload).hexdigest()
    if not payload:
        raise ContractError(name, "the file is empty")
    try:
        sheet = pd.read_excel(io.BytesIO(payload), sheet_name=0, header=None, dtype=object,
                              engine="calamine")
    except Exception as exc:  # a damaged workbook raises many types
        raise ContractError(name, f"unreadable workbook ({type(exc).__name__})") from None
    if sheet.empty:
        raise ContractError(name, "the first sheet is empty")
    top = [[_cell_text(v) for v in sheet.iloc[i].tolist()] for i in range(min(_LOOK_AHEAD, len(sheet)))]
    header = _check_header(top[0], name, top[1:])
    body = sheet.iloc[1:].map(_cell_text)
    body.columns = header
    body = body.reset_index(drop=True)
    body[ROW_NUMBER] = range(2, len(body) + 2)
    return RawTable(name, digest, _finish(body, header, name))


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _finish(frame: pd.DataFrame, header: list[str], name: str) -> pd.DataFrame:
    """Strip every cell, drop rows with no content at all (row numbers kept), refuse an empty file."""
    stripped = pd.DataFrame({column: frame[column].astype("string").str.strip().fillna("") for column in header})
    blank_row = (stripped == "").all(axis=1).to_numpy(dtype=bool)
    if blank_row.any():
        stripped = stripped.loc[~blank_row]
    stripped[ROW_NUMBER] = frame[ROW_NUMBER].to_numpy()[~blank_row]
    if stripped.empty:
        raise ContractError(name, "no data rows")
    return stripped.reset_index(drop=True)
