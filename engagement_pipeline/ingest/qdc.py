"""The interview codebook as a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

``write_codebook_qdc`` lets coders start from the pipeline's themes in NVivo, ATLAS.ti, MAXQDA,
QualCoder or Taguette (docs/data-contract.md §7); ``read_codebook_qdc`` reads such a file back.

The file is ``CodeBook origin="engagement-pipeline …"`` > ``Codes`` > one ``Code`` per theme, in the
codebook's order, with

- ``guid``: ``theme_guid(theme)``, a UUID version 5 of the theme code in a fixed namespace
  (``GUID_NAMESPACE``), upper-case in the standard's GUID pattern, so every export gives a theme the
  same guid and a coder's project keeps pointing at it;
- ``name``: the theme's label (what a coder sees), ``isCodable="true"``;
- ``Description``: the theme's description, a blank line, then two fixed lines that carry what a
  REFI-QDA code has no attribute for::

      <description>

      Theme code: <theme>
      Golden thread: <golden_thread, or "none">

  (only the two lines when there is no description). ``read_codebook_qdc`` takes the last two lines
  of a Description as these fields and everything before the separating blank line as the
  description, so a description may hold any text, these words included: the encoding is
  unambiguous because theme codes and golden threads never hold a line break, and ``none`` is not a
  golden thread.

XML is written by a small serialiser (``to_xml``) that escapes carriage returns, tabs and line
breaks where a parser would otherwise normalise them, so text and attributes read back exactly.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement

import pandas as pd

from .. import __version__
from .errors import ContractError
from .refi_qda import local_root, parse_xml
from ..contract import GOLDEN_THREADS, THEME_CODE

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:engagement-pipeline:refi-qda:theme")
ORIGIN = f"engagement-pipeline {__version__}"
NO_THREAD = "none"
CODEBOOK_DTYPES = {"theme": "string", "label": "string", "description": "string", "golden_thread": "string"}

_TRAILER = re.compile(r"(?:(.*)\n\n)?Theme code: ([^\n]*)\nGolden thread: ([^\n]*)", re.DOTALL)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_ATTRIBUTE_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')


def theme_guid(theme: str) -> str:
    """The stable REFI-QDA guid of a theme's code."""
    return format_guid(uuid.uuid5(GUID_NAMESPACE, theme))


def format_guid(value: uuid.UUID) -> str:
    """A UUID in the standard's GUID pattern (8-4-4-4-12 hex digits; upper case, as QDA tools write)."""
    return str(value).upper()


def xml_safe(text: str) -> bool:
    """True when ``text`` holds only characters XML 1.0 can carry."""
    return _NOT_XML.search(text) is None


# --- writing ---------------------------------------------------------------------------------------

def to_xml(root: Element, namespace: str) -> bytes:
    """Serialise an element tree (local tag names, no tails) as UTF-8 XML in ``namespace``.

    Elements holding text are written on one line, exactly; others are indented.
    """
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']

    def attributes(element: Element, extra: dict[str, str]) -> str:
        pairs = {**extra, **element.attrib}
        return "".join(f' {key}="{_escape(str(value), _ATTRIBUTE_SPECIAL, _ATTRIBUTE_ESCAPES)}"'
                       for key, value in pairs.items())

    def emit(element: Element, depth: int, extra: dict[str, str]) -> None:
        indent = "  " * depth
        out.append(f"{indent}<{element.tag}{attributes(element, extra)}")
        children = list(element)
        if element.text:
            if children:
                raise ValueError(f"<{element.tag}> holds both text and elements")
            out.append(f">{_escape(element.text, _TEXT_SPECIAL, _TEXT_ESCAPES)}</{element.tag}>\n")
        elif children:
            out.append(">\n")
            for child in children:
                emit(child, depth + 1, {})
            out.append(f"{indent}</{element.tag}>\n")
        else:
            out.append("/>\n")

    emit(root, 0, {"xmlns": namespace})
    return "".join(out).encode("utf-8")


def _escape(text: str, special: re.Pattern[str], table: dict[str, str]) -> str:
    if not xml_safe(text):
        raise ValueError("text holds a character XML cannot carry (a control character)")
    return special.sub(lambda match: table[match.group()], text)


def _cell(value: object) -> str:
    """A codebook cell as text, kept as it is; None / NA / NaN are blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def code_description(theme: str, description: str, golden_thread: str) -> str:
    """The ``Description`` of a theme's code (see the module docstring)."""
    trailer = f"Theme code: {theme}\nGolden thread: {golden_thread or NO_THREAD}"
    return f"{description}\n\n{trailer}" if description else trailer


def theme_code_element(parent: Element, theme: str, label: str, description: str, golden_thread: str) -> Element:
    """Append a theme's ``Code`` (guid, label as name, codable, Description) to ``parent``."""
    code = SubElement(parent, "Code", {"guid": theme_guid(theme), "name": label, "isCodable": "true"})
    SubElement(code, "Description").text = code_description(theme, description, golden_thread)
    return code


def codebook_rows(codebook: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(theme, label, description, golden_thread) per codebook row, blanks as ``""``; checks themes."""
    rows = []
    seen: set[str] = set()
    for record in codebook.to_dict("records"):
        theme = _cell(record.get("theme"))
        label = _cell(record.get("label"))
        if not re.fullmatch(THEME_CODE, theme):
            raise ValueError(f"theme code {theme!r} is blank or not a valid code")
        if theme in seen:
            raise ValueError(f"theme {theme!r} appears more than once")
        if not label:
            raise ValueError(f"theme {theme!r} has no label")
        seen.add(theme)
        thread = _cell(record.get("golden_thread"))
        if thread and thread not in GOLDEN_THREADS:
            raise ValueError(f"theme {theme!r}: golden_thread {thread!r} is not one of {', '.join(GOLDEN_THREADS)}")
        rows.append((theme, label, _cell(record.get("description")), thread))
    return rows


def write_codebook_qdc(codebook: pd.DataFrame, path: Path) -> None:
    """Write ``codebook`` (theme, label, description, golden_thread) as a REFI-QDA ``.qdc`` file.

    The file is written next to ``path`` and moved into place, so a reader never sees half of it.
    """
    root = Element("CodeBook", {"origin": ORIGIN})
    codes = SubElement(root, "Codes")
    rows = codebook_rows(codebook)
    if not rows:
        raise ValueError("the codebook has no themes (a REFI-QDA codebook needs at least one code)")
    for row in rows:
        theme_code_element(codes, *row)
    write_atomically(Path(path), to_xml(root, CODEBOOK_NAMESPACE))


def write_atomically(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(temporary, 0o644)  # an ordinary document, readable like any file the user writes
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- reading ---------------------------------------------------------------------------------------

def parse_code_description(text: str) -> tuple[str, str, str] | None:
    """(theme, description, golden_thread) from a Description ``code_description`` wrote, else None.
    Blank description and golden thread are ``""``."""
    match = _TRAILER.fullmatch(text) or _TRAILER.fullmatch(text.replace("\r\n", "\n"))
    if match is None:
        return None
    description, theme, thread = match.group(1) or "", match.group(2), match.group(3)
    return theme, description, "" if thread == NO_THREAD else thread


def read_codebook_qdc(path: Path) -> pd.DataFrame:
    """Read a codebook written by ``write_codebook_qdc``: columns theme, label, description,
    golden_thread (string; blanks missing, as ``interviews.load_codebook`` gives them).

    Codes are read anywhere under ``Codes``, nested ones included, in document order; a
    non-codable grouping code without the theme lines is skipped, any other code without them is an
    error (the file did not come from ``export-codebook``).
    """
    path = Path(path)
    name = path.name
    root = local_root(parse_xml(path.read_bytes(), name, "the codebook"), CODEBOOK_NAMESPACE, "CodeBook",
                      name, "the codebook")
    codes = root.find("Codes")
    rows = []
    seen: set[str] = set()
    for code in (codes.iter("Code") if codes is not None else []):
        label = code.get("name") or ""
        description = code.find("Description")
        parsed = parse_code_description(description.text or "") if description is not None else None
        if parsed is None:
            if (code.get("isCodable") or "").strip().lower() in ("false", "0"):
                continue
            raise ContractError(name, f"code {label!r} has no 'Theme code:' and 'Golden thread:' lines in its "
                                      "Description (was the file written by export-codebook?)")
        theme, text, thread = parsed
        if not re.fullmatch(THEME_CODE, theme):
            raise ContractError(name, f"code {label!r}: theme code {theme!r} is not a valid code")
        if theme in seen:
            raise ContractError(name, f"theme {theme!r} appears in more than one code")
        if thread and thread not in GOLDEN_THREADS:
            raise ContractError(name, f"code {label!r}: golden thread {thread!r} is not one of "
                                      f"{', '.join(GOLDEN_THREADS)} or {NO_THREAD}")
        if not label.strip():
            raise ContractError(name, f"the code of theme {theme!r} has no name")
        seen.add(theme)
        rows.append((theme, label, text or None, thread or None))
    if not rows:
        raise ContractError(name, "the codebook holds no codes")
    return pd.DataFrame(rows, columns=list(CODEBOOK_DTYPES)).astype(CODEBOOK_DTYPES)
