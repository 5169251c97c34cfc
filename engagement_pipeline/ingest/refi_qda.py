"""Reading a coded interview project exported by QDA software as REFI-QDA ``.qdpx`` (docs/data-contract.md §7).

A ``.qdpx`` is a zip archive holding one ``*.qde`` XML project (namespace ``urn:QDA-XML:project:1.0``)
and a ``sources/`` folder. ``read_qdpx`` turns it into the same text table an
``interview_segments.csv`` gives (columns ``interview_id, segment_id, respondent_id, theme, quote``
plus ``ROW_NUMBER``), so ``interviews.load_interviews`` validates, scrubs and pseudonymises it
unchanged. Only file-format concerns live here; no Dagster.

How the project maps onto rows:

- every ``Sources/TextSource`` is an interview: ``interview_id`` is its ``name`` (its ``guid`` when it
  has none); its text is the inline ``PlainTextContent`` or the archive file its ``plainTextPath``
  names (``internal://<file>`` is ``sources/<file>`` next to the ``.qde``, or at the archive's root;
  names match ignoring case; a plain relative path is accepted too). Text files are UTF-8; a BOM is
  dropped and does not count in positions.
- every ``Coding`` of a ``PlainTextSelection`` is a row: ``segment_id`` is the selection's ``guid``,
  the quote is ``text[startPosition:endPosition]`` in Unicode code points (end exclusive), and the
  theme is the codebook theme whose ``theme`` or ``label`` equals the name of the ``Code`` the
  coding's ``CodeRef`` points at (trimmed, ignoring case; a match on a theme code wins over a match
  on a label). Codes are looked up anywhere under ``CodeBook``, nested ones included.
- ``ROW_NUMBER`` is the coding's position among all the codings of the project's text sources, in
  document order, 1 = first.
- a ``Case`` holding a value of the variable named ``respondent_id`` links the text sources its
  ``SourceRef`` elements point at to that respondent (a ``TextSource``'s own ``VariableValue`` of
  that variable does the same); other interviews get ``respondent_id`` = ``""``.

Codings left out on purpose go to ``set_aside`` with ``excluded = True`` (docs/data-contract.md §3): a code that
matches no codebook theme, a second coding of the same selection that gives a theme the selection
already has (two coders agreeing), and a coding of a whole source rather than of a text selection.

Bad archives raise ``ContractError`` naming the ``.qdpx``, and the source and selection where they
apply. The archive is read in memory and never extracted; the XML is parsed with ``defusedxml``
with DTDs forbidden, so entity expansion and external entities are refused, not performed.
Members are inflated only when needed (the ``.qde`` and the text files its sources name), each up
to ``MAX_MEMBER_BYTES`` and together up to ``MAX_TOTAL_BYTES``; audio, video or PDF members of the
archive are never inflated and so do not count.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
import pandas as pd

from .errors import ContractError
from .quarantine import as_quarantine
from .readers import ROW_NUMBER, RawTable

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
MAX_MEMBER_BYTES = 100 * 1024 * 1024
"""Largest uncompressed size of one archive member that is read (the .qde or a text source)."""
MAX_TOTAL_BYTES = 200 * 1024 * 1024
"""Largest uncompressed size of all the members read from one archive together."""

TABLE_COLUMNS = ("interview_id", "segment_id", "respondent_id", "theme", "quote")
RESPONDENT_VARIABLE = "respondent_id"

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True)
class QdaProject:
    """A ``.qdpx`` read into the interview-segment text table, with the codings left out on purpose."""

    table: RawTable
    set_aside: pd.DataFrame
    rows_read: int
    n_interviews: int


# --- XML -------------------------------------------------------------------------------------------

def parse_xml(payload: bytes, source_file: str, what: str) -> Element:
    """Parse untrusted XML: no DTD, so no entity expansion and no external entity is ever resolved."""
    try:
        return safe_et.fromstring(payload, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise ContractError(source_file, _dtd_refusal(payload, what)) from None
    except EntitiesForbidden:
        raise ContractError(source_file, f"refused: {what} declares XML entities "
                                         "(entity expansion is not allowed)") from None
    except ExternalReferenceForbidden:
        raise ContractError(source_file, f"refused: {what} refers to an external entity "
                                         "(external references are not allowed)") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ContractError(source_file, f"{what} is not well-formed XML "
                                         f"(line {line}, column {column + 1})") from None


def _dtd_refusal(payload: bytes, what: str) -> str:
    """Word the refusal of a DTD by what it tries to do (the DTD is only looked at, never processed)."""
    head = payload[:1 << 20]
    declarations = re.findall(rb"<!ENTITY[^>]*>", head)
    if any(re.search(rb"\b(SYSTEM|PUBLIC)\b", d) for d in declarations):
        return (f"refused: {what} declares an external entity in a DTD "
                "(external entities are not allowed)")
    if declarations:
        return (f"refused: {what} declares entities in a DTD "
                "(entity expansion, as in a 'billion laughs' attack, is not allowed)")
    return f"refused: {what} has a DTD (<!DOCTYPE>), which REFI-QDA files never need"


def local_root(root: Element, namespace: str, expected: str, source_file: str, what: str) -> Element:
    """Drop ``namespace`` from every tag under ``root`` (files that omit it read the same) and check
    the root element's name."""
    prefix = "{" + namespace + "}"
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = element.tag[len(prefix):]
    if root.tag != expected:
        found = root.tag if isinstance(root.tag, str) else "?"
        raise ContractError(source_file, f"{what} is not a REFI-QDA {expected} (root element {found[:80]!r}, "
                                         f"expected {expected!r} in namespace {namespace})")
    return root


def _norm_guid(guid: str | None) -> str:
    return (guid or "").strip().strip("{}").lower()


# --- the archive -----------------------------------------------------------------------------------

class _Archive:
    """An open ``.qdpx`` whose members are read in memory, within the size limits."""

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.zf = zf
        self.name = name
        self.inflated = 0
        self.by_lower: dict[str, list[zipfile.ZipInfo]] = {}
        for info in zf.infolist():
            member = info.filename.replace("\\", "/")
            if _escapes(member):
                raise ContractError(name, f"refused: archive member {_show(info.filename)} escapes the archive "
                                          "(absolute path or '..')")
            if not info.is_dir():
                self.by_lower.setdefault(member.lower(), []).append(info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        limit = MAX_MEMBER_BYTES
        shown = _show(info.filename)
        if info.file_size > limit:
            raise ContractError(self.name, f"refused: archive member {shown} is larger than the limit "
                                           f"({info.file_size} > {limit} bytes uncompressed)")
        if self.inflated + info.file_size > MAX_TOTAL_BYTES:
            raise ContractError(self.name, "refused: the archive members read inflate beyond the limit "
                                           f"({MAX_TOTAL_BYTES} bytes uncompressed)")
        try:
            with self.zf.open(info) as handle:
                payload = handle.read(min(info.file_size, limit) + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise ContractError(self.name, f"archive member {shown} is damaged (its data does not match its "
                                           "declared size or checksum)") from None
        except (OSError, ValueError, RuntimeError, NotImplementedError) as exc:  # encrypted, unknown method
            raise ContractError(self.name, f"archive member {shown} cannot be read "
                                           f"({type(exc).__name__})") from None
        if len(payload) > info.file_size or len(payload) > limit:
            raise ContractError(self.name, f"refused: archive member {shown} inflates beyond its declared "
                                           "size or the limit")
        self.inflated += len(payload)
        return payload

    def find(self, member: str) -> zipfile.ZipInfo | None:
        matches = self.by_lower.get(member.lower(), [])
        if len(matches) > 1:
            raise ContractError(self.name, f"archive members {_show(matches[0].filename)} and "
                                           f"{_show(matches[1].filename)} differ only by case")
        return matches[0] if matches else None


def _escapes(member: str) -> bool:
    """True for an absolute member path or one with a '..' part."""
    return (member.startswith("/") or bool(_DRIVE.match(member))
            or any(part == ".." for part in member.split("/")))


def _show(name: str) -> str:
    """A member or attribute value for an error message: quoted, bounded."""
    return repr(name if len(name) <= 120 else name[:117] + "...")


def _project_member(archive: _Archive) -> zipfile.ZipInfo:
    """The one ``*.qde`` member, at any depth; macOS resource-fork copies (``__MACOSX/``, ``._*``)
    that re-zipping on a Mac adds are not projects."""
    found = [infos[0] for lower, infos in archive.by_lower.items()
             if lower.endswith(".qde") and not lower.startswith("__macosx/")
             and not posixpath.basename(lower).startswith("._")]
    if not found:
        raise ContractError(archive.name, "no *.qde project file in the archive (not a REFI-QDA .qdpx export)")
    if len(found) > 1:
        names = ", ".join(_show(i.filename) for i in found[:3])
        raise ContractError(archive.name, f"more than one *.qde project file in the archive ({names})")
    return found[0]


# --- the project -----------------------------------------------------------------------------------

class _Reader:
    def __init__(self, archive: _Archive, root: Element, qde_dir: str, codebook: pd.DataFrame) -> None:
        self.archive = archive
        self.name = archive.name
        self.root = root
        self.qde_dir = qde_dir
        self.codes = self._codes()
        self.themes = _theme_lookup(codebook)
        self.rows: list[tuple[str, str, str, str, str, int]] = []
        self.set_aside: list[tuple[int, str, str]] = []
        self.position = 0

    def fail(self, problem: str) -> ContractError:
        return ContractError(self.name, problem)

    def _codes(self) -> dict[str, str]:
        codes: dict[str, str] = {}
        book = self.root.find("CodeBook")
        if book is None:
            return codes
        for code in book.iter("Code"):
            guid = _norm_guid(code.get("guid"))
            if not guid:
                raise self.fail(f"a code ({_show(code.get('name') or '')}) has no guid")
            if guid in codes:
                raise self.fail(f"code guid {_show(code.get('guid') or '')} is declared more than once")
            codes[guid] = (code.get("name") or "").strip()
        return codes

    def respondents(self, sources: list[Element]) -> dict[int, str]:
        """Respondent id per text source (by position in ``sources``), from Cases and source values."""
        variables = self.root.find("Variables")
        wanted = set()
        if variables is not None:
            for variable in variables.findall("Variable"):
                if (variable.get("name") or "").strip().casefold() == RESPONDENT_VARIABLE:
                    wanted.add(_norm_guid(variable.get("guid")))
        by_guid = {_norm_guid(s.get("guid")): i for i, s in enumerate(sources)}
        linked: dict[int, str] = {}

        def link(index: int, value: str, where: str) -> None:
            if linked.get(index, value) != value:
                raise self.fail(f"source {_show(_source_name(sources[index]))} is linked to more than one "
                                f"respondent_id (via {where})")
            linked[index] = value

        if not wanted:
            return linked
        for index, source in enumerate(sources):
            values = _variable_values(source, wanted)
            if len(values) > 1:
                raise self.fail(f"source {_show(_source_name(source))} has more than one respondent_id value")
            for value in values:
                link(index, value, "its own variable values")
        cases = self.root.find("Cases")
        for case in (cases.findall("Case") if cases is not None else []):
            values = _variable_values(case, wanted)
            case_name = _show(case.get("name") or case.get("guid") or "")
            if len(values) > 1:
                raise self.fail(f"case {case_name} has more than one respondent_id value")
            if not values:
                continue
            for ref in case.findall("SourceRef"):
                index = by_guid.get(_norm_guid(ref.get("targetGUID")))
                if index is not None:  # a SourceRef may point at a PDF, audio or video source
                    link(index, values[0], f"case {case_name}")
        return linked

    def text_of(self, source: Element) -> str | None:
        inline = source.find("PlainTextContent")
        if inline is not None:
            return (inline.text or "").removeprefix("\ufeff")
        reference = (source.get("plainTextPath") or "").strip()
        if not reference:
            return None
        info = self._member_for(reference, source)
        payload = self.archive.read(info)
        try:
            return payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self.fail(f"source {_show(_source_name(source))}: its text file {_show(info.filename)} is not "
                            f"UTF-8 (undecodable byte at offset {exc.start})") from None

    def _member_for(self, reference: str, source: Element) -> zipfile.ZipInfo:
        where = f"source {_show(_source_name(source))}: plainTextPath {_show(reference)}"
        scheme, sep, rest = reference.partition("://")
        if sep and scheme.lower() != "internal":
            raise self.fail(f"{where} points outside the archive (only internal:// files are read)")
        relative = (rest if sep else reference).replace("\\", "/")
        if _escapes(relative) or _escapes(unquote(relative)):
            raise self.fail(f"refused: {where} escapes the archive (absolute path or '..')")
        while relative.startswith("./"):
            relative = relative[2:]
        folders = ("sources/",) if sep else ("", "sources/")
        for name in (relative, unquote(relative)):
            for base in dict.fromkeys((self.qde_dir, "")):
                for folder in folders:
                    info = self.archive.find(posixpath.join(base, folder, name) if base else folder + name)
                    if info is not None:
                        return info
        raise self.fail(f"{where} names a file that is missing from the archive's sources/ folder")

    def theme_of(self, coding: Element, where: str) -> tuple[str | None, str]:
        """(theme or None, the code's name) for a coding; an unknown code guid is an error."""
        ref = coding.find("CodeRef")
        target = ref.get("targetGUID") if ref is not None else None
        if not _norm_guid(target):
            raise self.fail(f"{where}: a Coding has no CodeRef targetGUID")
        name = self.codes.get(_norm_guid(target))
        if name is None:
            raise self.fail(f"{where}: CodeRef {_show(target or '')} points at no Code in the project's codebook")
        return self.themes.get(name.casefold()), name

    def read_source(self, source: Element, respondent: str) -> None:
        name = _source_name(source)
        text: str | None = None
        loaded = False
        for child in source:
            if child.tag == "PlainTextSelection":
                codings = child.findall("Coding")
                if not codings:
                    continue
                guid = (child.get("guid") or "").strip()
                where = f"source {_show(name)}, selection {_show(guid)}"
                if not guid:
                    raise self.fail(f"{where}: the selection has no guid")
                if not loaded:
                    text, loaded = self.text_of(source), True
                if text is None:
                    raise self.fail(f"source {_show(name)} has neither PlainTextContent nor plainTextPath, "
                                    "so its coded selections cannot be read")
                quote = text[slice(*self._span(child, len(text), where))].strip()
                given: set[str] = set()
                for coding in codings:
                    self.position += 1
                    theme, code_name = self.theme_of(coding, where)
                    if theme is None:
                        self.set_aside.append((self.position, "theme", f"code {code_name!r} is not in the codebook"))
                    elif theme in given:
                        self.set_aside.append((self.position, "theme", f"the selection is coded with theme "
                                               f"{theme!r} more than once; the repeat is not counted"))
                    else:
                        given.add(theme)
                        self.rows.append((name, guid, respondent, theme, quote, self.position))
            elif child.tag == "Coding":
                self.position += 1
                _, code_name = self.theme_of(child, f"source {_show(name)}")
                self.set_aside.append((self.position, "segment_id", f"code {code_name!r} codes a whole source, "
                                       "not a text selection"))
        if not loaded:
            self.text_of(source)  # a missing or unreadable text file is an error even when nothing is coded

    def _span(self, selection: Element, length: int, where: str) -> tuple[int, int]:
        positions = []
        for attribute in ("startPosition", "endPosition"):
            raw = (selection.get(attribute) or "").strip()
            if not _INTEGER.fullmatch(raw):
                shown = "missing" if not raw else f"not an integer ({_show(raw)})"
                raise self.fail(f"{where}: {attribute} is {shown}")
            positions.append(int(raw))
        start, end = positions
        if start < 0 or end > length:
            raise self.fail(f"{where}: positions {start}-{end} are out of range "
                            f"(the source text has {length} characters)")
        if start > end:
            raise self.fail(f"{where}: startPosition {start} is after endPosition {end}")
        return start, end


def _source_name(source: Element) -> str:
    return (source.get("name") or "").strip() or (source.get("guid") or "").strip()


def _variable_values(element: Element, wanted: set[str]) -> list[str]:
    """The distinct non-blank values ``element``'s VariableValue children give the wanted variables."""
    values: list[str] = []
    for holder in element.findall("VariableValue"):
        ref = holder.find("VariableRef")
        if ref is None or _norm_guid(ref.get("targetGUID")) not in wanted:
            continue
        for child in holder:
            if child.tag != "VariableRef" and isinstance(child.tag, str) and child.tag.endswith("Value"):
                value = (child.text or "").strip()
                if value and value not in values:
                    values.append(value)
    return values


def _theme_lookup(codebook: pd.DataFrame) -> dict[str, str]:
    """Code name (trimmed, case-folded) -> theme; a theme code wins over another theme's label."""
    lookup: dict[str, str] = {}
    themes = [str(t).strip() for t in codebook["theme"].tolist()]
    labels = ["" if pd.isna(v) else str(v).strip() for v in codebook["label"].tolist()]
    for theme, label in zip(themes, labels):
        if label:
            lookup.setdefault(label.casefold(), theme)
    for theme in themes:
        if theme:
            lookup[theme.casefold()] = theme
    return lookup


def read_qdpx(path: Path, codebook: pd.DataFrame) -> QdaProject:
    """Read a REFI-QDA project archive into interview-segment rows (docs/data-contract.md §7); see the module doc."""
    path = Path(path)
    name = path.name
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise ContractError(name, "not a zip archive (a REFI-QDA .qdpx export is a zip file)") from None
    with zf:
        archive = _Archive(zf, name)
        member = _project_member(archive)
        what = f"the project file {_show(member.filename)}"
        root = local_root(parse_xml(archive.read(member), name, what), PROJECT_NAMESPACE, "Project", name, what)
        qde_dir = posixpath.dirname(member.filename.replace("\\", "/"))
        reader = _Reader(archive, root, qde_dir, codebook)
        sources_element = root.find("Sources")
        sources = sources_element.findall("TextSource") if sources_element is not None else []
        respondents = reader.respondents(sources)
        for index, source in enumerate(sources):
            reader.read_source(source, respondents.get(index, ""))
    if not reader.position:
        raise ContractError(name, "no coded text selections in the project (no data rows)")
    frame = pd.DataFrame(reader.rows, columns=[*TABLE_COLUMNS, ROW_NUMBER])
    frame = frame.astype({column: "string" for column in TABLE_COLUMNS}).astype({ROW_NUMBER: "int64"})
    set_aside = as_quarantine(pd.DataFrame({
        "source_file": name,
        "row_number": [row for row, _, _ in reader.set_aside],
        "column_name": [column for _, column, _ in reader.set_aside],
        "reason": [reason for _, _, reason in reader.set_aside],
        "excluded": True,
    }))
    return QdaProject(
        table=RawTable(name, digest, frame),
        set_aside=set_aside,
        rows_read=len(frame) + len(set_aside),
        n_interviews=len(sources),
    )
