"""REFI-QDA support (docs/data-contract.md §7): reading a .qdpx, writing and reading the codebook as .qdc, and the
synthetic .qdpx writer. Pure Python, no Dagster, no network.

The XSDs in ``fixtures/refi_qda`` are written out for these tests from the REFI-QDA standard's
rules (see their header comments); the official files are not downloaded.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xmlschema

from engagement_pipeline import synthetic
from engagement_pipeline.ingest import refi_qda
from engagement_pipeline.ingest.errors import ContractError
from engagement_pipeline.ingest.interviews import load_codebook, load_interviews
from engagement_pipeline.ingest.qdc import read_codebook_qdc, theme_guid, write_codebook_qdc
from engagement_pipeline.ingest.readers import ROW_NUMBER, read_csv
from engagement_pipeline.ingest.refi_qda import read_qdpx
from engagement_pipeline.synthetic_qdpx import selection_guid, write_qdpx

FIXTURES = Path(__file__).parent / "fixtures" / "refi_qda"
BUNDLED_CODEBOOK = Path(__file__).resolve().parents[1] / "data" / "raw" / "codebook.csv"
NS = "urn:QDA-XML:project:1.0"
GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
KEY = b"k" * 32

CODEBOOK = pd.DataFrame({
    "theme": ["visibility", "care", "experience"],
    "label": ["Leader visibility", "Direct impact on care", "Patient experience"],
    "description": ["Seeing leaders online", "Patients helped", None],
    "golden_thread": [None, "patient_care", "patient_experience"],
}).astype("string")

# guids of the hand-built project
C_PARENT, C_CARE, C_VIS, C_FUNNY, C_EXP = (f"0000000{i}-0000-4000-8000-000000000000" for i in range(1, 6))
V_RESP, V_AGE = "10000000-0000-4000-8000-000000000001", "10000000-0000-4000-8000-000000000002"
S_ZOE, S_TWO = "20000000-0000-4000-8000-000000000001", "20000000-0000-4000-8000-000000000002"
SEL_A, SEL_B, SEL_C, SEL_D = (f"3000000{i}-0000-4000-8000-000000000000" for i in range(1, 5))

ZOE_TEXT = "Zoë — naïve café 🙂 said the ward liked it.\nLater: the chief executive tweets every week."
TWO_TEXT = "Inline text: patients told us on Twitter & we changed the clinic."


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)  # str.index counts code points
    return start, start + len(part)


def _coding(n: int, code: str) -> str:
    return f'<Coding guid="4000000{n}-0000-4000-8000-000000000000"><CodeRef targetGUID="{code}"/></Coding>'


def _project_xml(namespace: bool = True) -> str:
    a, b = _span(ZOE_TEXT, "naïve café 🙂"), _span(ZOE_TEXT, "the chief executive tweets")
    c = _span(TWO_TEXT, "patients told us")
    xmlns = f' xmlns="{NS}"' if namespace else ""
    vis_ref = "{" + C_VIS.lower() + "}"  # braces and lower case: guids still match
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project{xmlns} name="hand built" origin="test">
  <CodeBook><Codes>
    <Code guid="{C_PARENT}" name="Golden threads" isCodable="false">
      <Code guid="{C_CARE}" name="  direct IMPACT on care " isCodable="true"/>
    </Code>
    <Code guid="{C_VIS}" name="Visibility" isCodable="true"/>
    <Code guid="{C_FUNNY}" name="Funny stories" isCodable="true"/>
    <Code guid="{C_EXP}" name="patient experience" isCodable="true"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{V_RESP}" name="respondent_id" typeOfVariable="Text"/>
    <Variable guid="{V_AGE}" name="age" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="50000000-0000-4000-8000-000000000001" name="Zoë">
      <VariableValue><VariableRef targetGUID="{V_AGE}"/><IntegerValue>41</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{V_RESP}"/><TextValue> MGR-000007 </TextValue></VariableValue>
      <SourceRef targetGUID="{S_ZOE}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{S_ZOE}" name="Interview Zoë" plainTextPath="internal://Zoe.TXT">
      <PlainTextSelection guid="{SEL_A}" startPosition="{a[0]}" endPosition="{a[1]}">
        {_coding(1, C_CARE)}{_coding(2, C_FUNNY)}
      </PlainTextSelection>
      <PlainTextSelection guid="{SEL_B}" startPosition="{b[0]}" endPosition="{b[1]}">
        {_coding(3, vis_ref)}
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{S_TWO}" name="INT-2">
      <PlainTextContent>{TWO_TEXT.replace("&", "&amp;")}</PlainTextContent>
      <PlainTextSelection guid="{SEL_C}" startPosition="{c[0]}" endPosition="{c[1]}">
        {_coding(4, C_EXP)}
      </PlainTextSelection>
      <PlainTextSelection guid="{SEL_D}" startPosition="0" endPosition="6"/>
      {_coding(5, C_EXP)}
    </TextSource>
  </Sources>
</Project>"""


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload.encode("utf-8") if isinstance(payload, str) else payload)
    return path


def _hand_built(tmp_path: Path, namespace: bool = True) -> Path:
    return _zip(tmp_path / "coded.qdpx", {
        "project.qde": _project_xml(namespace),
        "Sources/zoe.txt": b"\xef\xbb\xbf" + ZOE_TEXT.encode("utf-8"),
    })


EXPECTED = pd.DataFrame({
    "interview_id": ["Interview Zoë", "Interview Zoë", "INT-2"],
    "segment_id": [SEL_A, SEL_B, SEL_C],
    "respondent_id": ["MGR-000007", "MGR-000007", ""],
    "theme": ["care", "visibility", "experience"],
    "quote": ["naïve café 🙂", "the chief executive tweets", "patients told us"],
    ROW_NUMBER: [1, 3, 4],
}).astype({c: "string" for c in refi_qda.TABLE_COLUMNS}).astype({ROW_NUMBER: "int64"})


# --- reading a hand-built project ------------------------------------------------------------------

def test_positions_are_code_points_not_bytes():
    start, _ = _span(ZOE_TEXT, "the chief executive tweets")
    assert len(ZOE_TEXT[:start].encode("utf-8")) != start
    assert len(ZOE_TEXT[:start].encode("utf-16-le")) // 2 != start


@pytest.mark.parametrize("namespace", [True, False], ids=["namespaced", "no-namespace"])
def test_hand_built_project_reads_to_the_expected_rows(tmp_path, namespace):
    path = _hand_built(tmp_path, namespace)
    project = read_qdpx(path, CODEBOOK)
    pd.testing.assert_frame_equal(project.table.frame, EXPECTED)
    assert project.table.source_file == "coded.qdpx"
    assert project.table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert project.n_interviews == 2
    assert project.rows_read == 5 == len(project.table) + len(project.set_aside)
    expected_aside = pd.DataFrame({
        "source_file": ["coded.qdpx", "coded.qdpx"],
        "row_number": [2, 5],
        "column_name": ["theme", "segment_id"],
        "reason": ["code 'Funny stories' is not in the codebook",
                   "code 'patient experience' codes a whole source, not a text selection"],
        "excluded": [True, True],
    }).astype({"source_file": "string", "row_number": "int64", "column_name": "string", "reason": "string",
               "excluded": "bool"})
    pd.testing.assert_frame_equal(project.set_aside, expected_aside)


def test_the_table_loads_like_the_equivalent_csv(tmp_path):
    project = read_qdpx(_hand_built(tmp_path), CODEBOOK)
    csv_path = tmp_path / "interview_segments.csv"
    project.table.frame.drop(columns=ROW_NUMBER).to_csv(csv_path, index=False)
    themes = set(CODEBOOK["theme"])
    from_qdpx = load_interviews(project.table, "2024-01", KEY, themes)
    from_csv = load_interviews(read_csv(csv_path), "2024-01", KEY, themes)
    pd.testing.assert_frame_equal(from_qdpx.rows, from_csv.rows)
    assert from_qdpx.rows["respondent_key"].notna().sum() == 2


def test_a_repeated_theme_on_one_selection_is_set_aside_not_duplicated(tmp_path):
    xml = _project_xml().replace(_coding(2, C_FUNNY), _coding(2, C_CARE))  # two coders, same theme
    project = read_qdpx(_zip(tmp_path / "twice.qdpx", {"project.qde": xml, "sources/Zoe.txt": ZOE_TEXT}),
                        CODEBOOK)
    assert project.table.frame[ROW_NUMBER].tolist() == [1, 3, 4]
    assert project.set_aside["row_number"].tolist() == [2, 5]
    assert "more than once" in project.set_aside["reason"].iloc[0]


def test_a_project_in_a_folder_reads_its_sources_next_to_it(tmp_path):
    path = _zip(tmp_path / "nested.qdpx", {"Export/My project.qde": _project_xml(),
                                          "Export/sources/zoe.txt": ZOE_TEXT})
    pd.testing.assert_frame_equal(read_qdpx(path, CODEBOOK).table.frame, EXPECTED)


@pytest.mark.parametrize("reference", ["internal://zoe.txt", "Sources/Zoe.txt", "./sources/zoe.txt", "zoe.txt",
                                       "internal://zo%65.txt"])
def test_plain_text_paths_internal_or_relative(tmp_path, reference):
    xml = _project_xml().replace("internal://Zoe.TXT", reference)
    path = _zip(tmp_path / "paths.qdpx", {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})
    pd.testing.assert_frame_equal(read_qdpx(path, CODEBOOK).table.frame, EXPECTED)


# --- the synthetic writer round trip ---------------------------------------------------------------

def test_synthetic_interviews_round_trip_through_qdpx(tmp_path):
    survey = synthetic.generate_survey(54, 20190301)
    interviews = synthetic.generate_interviews(survey, 20190301)
    codebook = synthetic.codebook()
    path = write_qdpx(interviews, codebook, tmp_path / "interviews.qdpx")
    project = read_qdpx(path, codebook)

    expected = interviews.assign(segment_id=[selection_guid(i, s) for i, s in
                                             zip(interviews["interview_id"], interviews["segment_id"])])
    got = project.table.frame
    assert got[ROW_NUMBER].tolist() == list(range(1, len(interviews) + 1))
    pd.testing.assert_frame_equal(got.drop(columns=ROW_NUMBER).astype(object),
                                  expected[list(refi_qda.TABLE_COLUMNS)].astype(object))
    assert project.set_aside.empty and project.rows_read == len(interviews)
    n = interviews["interview_id"].nunique()
    assert project.n_interviews == n

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
    assert len([m for m in names if m.startswith("sources/")]) == n // 2  # half the texts in files
    assert qde.count(b"<PlainTextContent>") == n - n // 2
    assert b'isCodable="false"' in qde  # golden-thread parent codes: the theme codes are nested
    xmlschema.XMLSchema(str(FIXTURES / "Project-subset.xsd")).validate(qde.decode("utf-8"))
    assert write_qdpx(interviews, codebook, tmp_path / "again.qdpx").read_bytes() == path.read_bytes()


def test_writer_keeps_non_ascii_and_odd_text_exact(tmp_path):
    interviews = pd.DataFrame({
        "interview_id": ["A", "A", "B", "C"],
        "segment_id": ["A-1", "A-2", "B-1", "C-1"],
        "respondent_id": ["R1", "R1", "", "R1"],
        "theme": ["visibility", "care", "care", "other_theme"],
        "quote": ["Zoë — naïve café 🙂", "a < b & c > d \"quoted\"\r\nnext", "tab\there", "kept aside"],
    })
    project = read_qdpx(write_qdpx(interviews, CODEBOOK, tmp_path / "odd.qdpx"), CODEBOOK)
    got = project.table.frame
    assert got["quote"].tolist() == interviews["quote"].tolist()[:3]
    assert got["respondent_id"].tolist() == ["R1", "R1", ""]
    assert project.set_aside["reason"].tolist() == ["code 'other_theme' is not in the codebook"]
    assert project.set_aside["row_number"].tolist() == [4]


# --- hostile and broken archives -------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol4;"/>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE Project SYSTEM "http://example.invalid/project.dtd">
<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>"""


def _error(tmp_path: Path, members: dict[str, bytes | str] | None = None, raw: bytes | None = None) -> str:
    path = tmp_path / "bad.qdpx"
    if raw is not None:
        path.write_bytes(raw)
    else:
        _zip(path, members or {})
    with pytest.raises(ContractError) as caught:
        read_qdpx(path, CODEBOOK)
    assert caught.value.source_file == "bad.qdpx"
    message = str(caught.value)
    assert message.startswith("bad.qdpx: ")
    return message


@pytest.mark.parametrize(("xml", "expected"), [
    (BILLION_LAUGHS, "refused: the project file 'project.qde' declares entities in a DTD (entity expansion"),
    (EXTERNAL_ENTITY, "refused: the project file 'project.qde' declares an external entity"),
    (EXTERNAL_DTD, "refused: the project file 'project.qde' has a DTD"),
], ids=["billion-laughs", "external-entity", "external-dtd"])
def test_dtds_and_entities_are_refused(tmp_path, xml, expected):
    assert expected in _error(tmp_path, {"project.qde": xml})


def test_broken_xml_is_a_clear_error(tmp_path):
    message = _error(tmp_path, {"project.qde": "<Project name='x'><Sources></Project>"})
    assert "the project file 'project.qde' is not well-formed XML (line 1" in message


def test_not_a_zip(tmp_path):
    assert "not a zip archive" in _error(tmp_path, raw=b"interview_id,segment_id\nI1,S1\n")


def test_no_qde_and_two_qde(tmp_path):
    assert "no *.qde project file" in _error(tmp_path, {"sources/a.txt": "x"})
    message = _error(tmp_path, {"a.qde": _project_xml(), "b/b.qde": _project_xml()})
    assert "more than one *.qde project file" in message


def test_wrong_root_element(tmp_path):
    message = _error(tmp_path, {"project.qde": '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'})
    assert "is not a REFI-QDA Project" in message


@pytest.mark.parametrize("member", ["../escape.txt", "sources/../../escape.txt", "/etc/passwd", "C:/x.txt",
                                    "..\\evil.txt"])
def test_member_names_escaping_the_archive_are_refused(tmp_path, member):
    message = _error(tmp_path, {"project.qde": _project_xml(), "sources/zoe.txt": ZOE_TEXT, member: "x"})
    assert "refused: archive member" in message and "escapes the archive" in message


def test_a_plain_text_path_escaping_the_archive_is_refused(tmp_path):
    xml = _project_xml().replace("internal://Zoe.TXT", "internal://../../etc/passwd")
    message = _error(tmp_path, {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})
    assert ("refused: source 'Interview Zoë': plainTextPath 'internal://../../etc/passwd' escapes the archive"
            in message)


def test_a_plain_text_path_outside_the_archive_is_an_error(tmp_path):
    xml = _project_xml().replace("internal://Zoe.TXT", "relative://Zoe.TXT")
    message = _error(tmp_path, {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})
    assert "source 'Interview Zoë': plainTextPath 'relative://Zoe.TXT' points outside the archive" in message


def test_missing_source_file(tmp_path):
    message = _error(tmp_path, {"project.qde": _project_xml(), "sources/other.txt": ZOE_TEXT})
    assert ("source 'Interview Zoë': plainTextPath 'internal://Zoe.TXT' names a file that is missing from "
            "the archive's sources/ folder") in message


def test_oversized_member_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(refi_qda, "MAX_MEMBER_BYTES", 1000)
    message = _error(tmp_path, {"project.qde": _project_xml(), "sources/zoe.txt": ZOE_TEXT})
    assert "refused: archive member 'project.qde' is larger than the limit" in message


def test_members_read_are_limited_in_total(tmp_path, monkeypatch):
    qde = _project_xml()
    monkeypatch.setattr(refi_qda, "MAX_TOTAL_BYTES", len(qde.encode()) + 10)
    message = _error(tmp_path, {"project.qde": qde, "sources/zoe.txt": ZOE_TEXT})
    assert "refused: the archive members read inflate beyond the limit" in message


def test_a_compressed_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    monkeypatch.setattr(refi_qda, "MAX_MEMBER_BYTES", 1 << 20)
    bomb = _project_xml().replace("<Sources>", "<Sources>" + " " * (4 << 20))
    path = _zip(tmp_path / "bad.qdpx", {"project.qde": bomb, "sources/zoe.txt": ZOE_TEXT})
    assert path.stat().st_size < 64 << 10  # 4 MB of XML in a few KB
    with pytest.raises(ContractError, match="is larger than the limit"):
        read_qdpx(path, CODEBOOK)


def test_a_member_larger_than_it_declares_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _project_xml() + " " * 100_000)
    data = bytearray(buffer.getvalue())
    # the local header and the central directory both claim 50 bytes uncompressed
    struct.pack_into("<I", data, data.find(b"PK\x03\x04") + 22, 50)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 50)
    message = _error(tmp_path, raw=bytes(data))
    assert "archive member 'project.qde' is damaged (its data does not match its declared size" in message


def test_mac_resource_fork_copies_are_not_a_second_project(tmp_path):
    path = _zip(tmp_path / "mac.qdpx", {"project.qde": _project_xml(), "__MACOSX/._project.qde": b"\x00\x05",
                                       "._project.qde": b"\x00\x05", "sources/zoe.txt": ZOE_TEXT})
    pd.testing.assert_frame_equal(read_qdpx(path, CODEBOOK).table.frame, EXPECTED)


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("0", "999", f"positions 0-999 are out of range (the source text has {len(ZOE_TEXT)} characters)"),
    ("-1", "3", "positions -1-3 are out of range"),
    ("9", "4", "startPosition 9 is after endPosition 4"),
    ("1.5", "4", "startPosition is not an integer ('1.5')"),
    ("", "4", "startPosition is missing"),
])
def test_bad_positions(tmp_path, start, end, expected):
    a = _span(ZOE_TEXT, "naïve café 🙂")
    xml = _project_xml().replace(f'startPosition="{a[0]}" endPosition="{a[1]}"',
                                 f'startPosition="{start}" endPosition="{end}"')
    message = _error(tmp_path, {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})
    assert f"source 'Interview Zoë', selection '{SEL_A}': {expected}" in message


def test_unknown_code_ref(tmp_path):
    unknown = "99999999-0000-4000-8000-000000000000"
    xml = _project_xml().replace(_coding(4, C_EXP), _coding(4, unknown))
    message = _error(tmp_path, {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})
    assert (f"source 'INT-2', selection '{SEL_C}': CodeRef '{unknown}' points at no Code in the project's "
            "codebook") in message


def test_a_source_linked_to_two_respondents(tmp_path):
    second_case = (f'<Case guid="50000000-0000-4000-8000-000000000002"><VariableValue>'
                   f'<VariableRef targetGUID="{V_RESP}"/><TextValue>MGR-000008</TextValue></VariableValue>'
                   f'<SourceRef targetGUID="{S_ZOE}"/></Case></Cases>')
    xml = _project_xml().replace("</Cases>", second_case)
    message = _error(tmp_path, {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})
    assert "source 'Interview Zoë' is linked to more than one respondent_id" in message
    assert "MGR-00000" not in message


def test_no_codings_is_no_data_rows(tmp_path):
    xml = re.sub(r"<Coding .*?</Coding>", "", _project_xml(), flags=re.DOTALL)
    assert "no coded text selections" in _error(tmp_path, {"project.qde": xml, "sources/zoe.txt": ZOE_TEXT})


# --- the codebook as .qdc --------------------------------------------------------------------------

def test_codebook_qdc_validates_and_round_trips(tmp_path):
    codebook = load_codebook(read_csv(BUNDLED_CODEBOOK))
    path = tmp_path / "codebook.qdc"
    write_codebook_qdc(codebook, path)
    xmlschema.XMLSchema(str(FIXTURES / "Codebook.xsd")).validate(str(path))
    pd.testing.assert_frame_equal(read_codebook_qdc(path), codebook)

    root = xmlschema.XMLSchema(str(FIXTURES / "Codebook.xsd")).to_dict(str(path))
    codes = root["Codes"]["Code"]
    assert [c["@name"] for c in codes] == codebook["label"].tolist()
    assert [c["@guid"] for c in codes] == [theme_guid(t) for t in codebook["theme"]]
    assert all(GUID.fullmatch(c["@guid"]) and c["@isCodable"] is True for c in codes)
    first = codebook.iloc[0]
    assert codes[0]["Description"] == (f"{first['description']}\n\nTheme code: {first['theme']}\n"
                                       f"Golden thread: {first['golden_thread']}")


def test_codebook_qdc_round_trips_awkward_text(tmp_path):
    codebook = pd.DataFrame({
        "theme": ["a.b-c_1", "plain", "blank"],
        "label": ['Says "hi" & <leaves>', "Tab\there, line\nbreak", "No description"],
        "description": ["First\r\nsecond\n\nTheme code: fake\nGolden thread: none", "  padded  \n", None],
        "golden_thread": ["equality_diversity", None, "patient_care"],
    }).astype("string")
    path = tmp_path / "awkward.qdc"
    write_codebook_qdc(codebook, path)
    xmlschema.XMLSchema(str(FIXTURES / "Codebook.xsd")).validate(str(path))
    pd.testing.assert_frame_equal(read_codebook_qdc(path), codebook)
    write_codebook_qdc(codebook, tmp_path / "again.qdc")
    assert (tmp_path / "again.qdc").read_bytes() == path.read_bytes()


def test_synthetic_codebook_round_trips(tmp_path):
    codebook = synthetic.codebook()
    write_codebook_qdc(codebook, tmp_path / "c.qdc")
    expected = codebook.replace("", None).astype("string")
    pd.testing.assert_frame_equal(read_codebook_qdc(tmp_path / "c.qdc"), expected)


def test_codebook_qdc_reader_refuses_entities_and_foreign_codes(tmp_path):
    path = tmp_path / "evil.qdc"
    path.write_text(BILLION_LAUGHS.replace("Project", "CodeBook").replace("project", "codebook"))
    with pytest.raises(ContractError, match="refused: the codebook declares entities"):
        read_codebook_qdc(path)
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                    '<Code guid="00000000-0000-4000-8000-000000000001" name="Mine" isCodable="true"/>'
                    "</Codes></CodeBook>")
    with pytest.raises(ContractError, match="code 'Mine' has no 'Theme code:'"):
        read_codebook_qdc(path)


def test_qdc_writer_refuses_a_bad_codebook(tmp_path):
    bad = CODEBOOK.assign(theme=["same", "same", "other"])
    with pytest.raises(ValueError, match="more than once"):
        write_codebook_qdc(bad, tmp_path / "x.qdc")
    assert not (tmp_path / "x.qdc").exists()


def test_hand_built_qdpx_is_valid_against_the_project_subset_schema():
    """The hand-built project is what a standard export looks like (guards the fixtures themselves)."""
    xmlschema.XMLSchema(str(FIXTURES / "Project-subset.xsd")).validate(
        _project_xml().replace("{" + C_VIS.lower() + "}", C_VIS))


def test_read_qdpx_accepts_a_str_path(tmp_path):
    path = _hand_built(tmp_path)
    pd.testing.assert_frame_equal(read_qdpx(str(path), CODEBOOK).table.frame, EXPECTED)  # type: ignore[arg-type]
