"""A wave's synthetic coded interviews written as a REFI-QDA project (``.qdpx``), as QDA software
exports them (docs/data-contract.md §7), so the bundled data can show that path too.

What belongs here: turning the frame ``synthetic.generate_interviews`` returns (interview_id,
segment_id, respondent_id, theme, quote) and the codebook into a standard ``.qdpx``. What does not:
reading it (``ingest.refi_qda``), validation, scrubbing (and no Dagster).

The project (``project.qde`` at the archive's root, namespace ``urn:QDA-XML:project:1.0``):

- one ``TextSource`` per interview, named by its ``interview_id``, whose text is its segments'
  quotes (one per segment, in order) joined by blank lines. Sources alternate between inline
  ``PlainTextContent`` (1st, 3rd, …) and a UTF-8 file ``sources/<guid>.txt`` named by
  ``plainTextPath="internal://<guid>.txt"`` (2nd, 4th, … and any text XML cannot carry);
- one ``PlainTextSelection`` per segment over the exact span of its quote (code points, end
  exclusive), named by its ``segment_id``, with one ``Coding`` per theme;
- the codebook's themes as ``Code`` elements (guid ``qdc.theme_guid``, name the label, as
  ``export-codebook`` writes them), nested under a non-codable parent code per golden thread; a
  theme missing from the codebook gets a top-level code named by the theme itself;
- a ``Variable`` ``respondent_id`` and one ``Case`` per interviewee carrying it, with a ``SourceRef``
  to each of that person's interviews.

REFI-QDA guids must be GUIDs, so a selection's guid (which ``read_qdpx`` returns as
``segment_id``) is ``selection_guid(interview_id, segment_id)``, a UUID version 5; the original
``segment_id`` stays readable as the selection's ``name``. Every guid is derived from the data, and
the archive's timestamps are fixed, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement

import pandas as pd

from .ingest.qdc import (GUID_NAMESPACE, ORIGIN, codebook_rows, format_guid, theme_code_element, theme_guid,
                         to_xml, write_atomically, xml_safe)
from .ingest.refi_qda import PROJECT_NAMESPACE, RESPONDENT_VARIABLE

PROJECT_MEMBER = "project.qde"
SOURCES_FOLDER = "sources/"
SEPARATOR = "\n\n"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _guid(*parts: str) -> str:
    return format_guid(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


def source_guid(interview_id: str) -> str:
    """The guid of an interview's ``TextSource``."""
    return _guid("source", interview_id)


def selection_guid(interview_id: str, segment_id: str) -> str:
    """The guid of a segment's ``PlainTextSelection``: the ``segment_id`` ``read_qdpx`` returns."""
    return _guid("selection", interview_id, segment_id)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _codes(project: Element, codebook: pd.DataFrame, extra_themes: list[str]) -> dict[str, str]:
    """Write the CodeBook; return theme -> code guid."""
    codes = SubElement(SubElement(project, "CodeBook"), "Codes")
    parents: dict[str, Element] = {}
    guids: dict[str, str] = {}
    for theme, label, description, thread in codebook_rows(codebook):
        parent = codes
        if thread:
            if thread not in parents:
                parents[thread] = SubElement(codes, "Code", {
                    "guid": _guid("golden-thread", thread), "name": f"Golden thread: {thread}", "isCodable": "false"})
                SubElement(parents[thread], "Description").text = (
                    f"Themes whose golden thread is {thread}; code with the themes, not with this code.")
            parent = parents[thread]
        theme_code_element(parent, theme, label, description, thread)
        guids[theme] = theme_guid(theme)
    for theme in extra_themes:
        if theme not in guids:
            SubElement(codes, "Code", {"guid": theme_guid(theme), "name": theme, "isCodable": "true"})
            guids[theme] = theme_guid(theme)
    return guids


def _interviews(frame: pd.DataFrame) -> list[tuple[str, str, list[tuple[str, str, list[str]]]]]:
    """(interview_id, respondent_id, [(segment_id, quote, [themes])]) in order of first appearance."""
    interviews: dict[str, tuple[list[str], dict[str, tuple[str, list[str]]]]] = {}
    for record in frame.to_dict("records"):
        interview, segment = _text(record.get("interview_id")), _text(record.get("segment_id"))
        respondent, quote = _text(record.get("respondent_id")), _text(record.get("quote"))
        respondents, segments = interviews.setdefault(interview, ([], {}))
        if respondent and respondent not in respondents:
            respondents.append(respondent)
        if len(respondents) > 1:
            raise ValueError(f"interview {interview!r} has more than one respondent_id")
        if segment in segments and segments[segment][0] != quote:
            raise ValueError(f"segment {segment!r} of interview {interview!r} has two different quotes")
        segments.setdefault(segment, (quote, []))[1].append(_text(record.get("theme")))
    return [(interview, respondents[0] if respondents else "",
             [(segment, quote, themes) for segment, (quote, themes) in segments.items()])
            for interview, (respondents, segments) in interviews.items()]


def write_qdpx(interviews: pd.DataFrame, codebook: pd.DataFrame, path: Path) -> Path:
    """Write coded interviews and the codebook as a REFI-QDA ``.qdpx`` at ``path``; return ``path``."""
    path = Path(path)
    grouped = _interviews(interviews)
    project = Element("Project", {"name": "Engagement interviews", "origin": ORIGIN})
    all_themes = [theme for _, _, segments in grouped for _, _, themes in segments for theme in themes]
    code_guids = _codes(project, codebook, list(dict.fromkeys(all_themes)))

    cases: dict[str, list[str]] = {}
    for interview, respondent, _ in grouped:
        if respondent:
            cases.setdefault(respondent, []).append(source_guid(interview))
    if cases:
        variable = _guid("variable", RESPONDENT_VARIABLE)
        SubElement(SubElement(project, "Variables"), "Variable", {
            "guid": variable, "name": RESPONDENT_VARIABLE, "typeOfVariable": "Text"})
        case_list = SubElement(project, "Cases")
        for respondent, sources in cases.items():
            case = SubElement(case_list, "Case", {"guid": _guid("case", respondent), "name": respondent})
            value = SubElement(case, "VariableValue")
            SubElement(value, "VariableRef", {"targetGUID": variable})
            SubElement(value, "TextValue").text = respondent
            for source in sources:
                SubElement(case, "SourceRef", {"targetGUID": source})

    files: dict[str, bytes] = {}
    if grouped:
        sources = SubElement(project, "Sources")
        for index, (interview, _, segments) in enumerate(grouped):
            guid = source_guid(interview)
            text = SEPARATOR.join(quote for _, quote, _ in segments)
            source = SubElement(sources, "TextSource", {"guid": guid, "name": interview})
            if index % 2 == 0 and xml_safe(text):
                SubElement(source, "PlainTextContent").text = text
            else:
                source.set("plainTextPath", f"internal://{guid}.txt")
                files[f"{SOURCES_FOLDER}{guid}.txt"] = text.encode("utf-8")
            start = 0
            for segment, quote, themes in segments:
                end = start + len(quote)
                selection = SubElement(source, "PlainTextSelection", {
                    "guid": selection_guid(interview, segment), "name": segment,
                    "startPosition": str(start), "endPosition": str(end)})
                for theme in themes:
                    coding = SubElement(selection, "Coding", {"guid": _guid("coding", interview, segment, theme)})
                    SubElement(coding, "CodeRef", {"targetGUID": code_guids[theme]})
                start = end + len(SEPARATOR)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, payload in [(PROJECT_MEMBER, to_xml(project, PROJECT_NAMESPACE)), *sorted(files.items())]:
            info = zipfile.ZipInfo(member, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    write_atomically(path, buffer.getvalue())
    return path
