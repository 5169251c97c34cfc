"""Synthetic survey waves as Microsoft Forms, SurveyMonkey and Qualtrics would export them (docs/data-contract.md §6).

What belongs here: writing a canonical synthetic survey frame (from ``synthetic.generate_survey``)
the way each tool's download looks: header rows, answer labels, grid and tick-all columns, the
identifying columns the tools add (filled with fake values, so that dropping them is exercised),
Qualtrics preview rows; and the instrument.yaml that maps such an export back to the canonical
columns. Drawing the answers belongs in ``synthetic.py``; reading exports in ``ingest/survey_tools``.

What the files look like (header rows):

- ``ms_forms``: ``<title>.xlsx``, one header row: ``ID, Start time, Completion time, Email, Name,
  Last modified time``, then one column per question (its text), one per grid statement (the
  statement alone: the engagement and "improved" grids share their statements, so those headers
  repeat), the barrier question's ticked options joined by ``;`` with a trailing ``;``.
- ``surveymonkey``: ``<title>.csv``, row 1 ``Respondent ID, Collector ID, Start Date, End Date,
  IP Address, Email Address, First Name, Last Name, Custom Data 1`` then each question's text above
  its first column; row 2 ``Response`` / a grid row's label / an option's label /
  ``Open-Ended Response``. Dates ``MM/DD/YYYY hh:mm:ss AM`` in UTC.
- ``qualtrics``: ``<title>_<wave>.csv`` (UTF-8 with a byte-order mark), row 1 the export tags
  (``StartDate`` ... ``UserLanguage``, ``Q1`` ... ``Q7``, ``Q7_5_TEXT``, ``Q8``), row 2 the question texts
  (``<question> - <row>`` for grid rows, ``<question> - Selected Choice`` for the barriers), row 3 the
  ImportId JSON (dates with ``"timeZone":"Europe/London"``); dates in London time; two
  ``Survey Preview`` rows (the first data row and one in the middle); a few partial responses.

Tick-all exports cannot say "answered, ticked nothing", so the barrier answers are first put the
way any tool would carry them (``exportable``): a respondent with no barrier ticked has them all
blank, one with at least one ticked has ``no`` for the others. Compare read-back answers with that.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .contract import INSTRUMENT_FILE, SURVEY_FILES
from .ingest.columns import family_of

EXPORT_KINDS = ("canonical", "ms_forms", "surveymonkey", "qualtrics")
TITLE = "Staff engagement survey"
QUESTION_TEXTS = {
    "locality": "Which locality do you mainly work in?",
    "staff_group": "Which staff group are you in?",
    "uses_twitter": "Do you use Twitter for work?",
    "engagement": "How engaged do you feel with each of these?",
    "improved": "Has Twitter improved your engagement with each of these?",
    "channel": "How much does each channel affect your engagement?",
    "barrier": "What has stopped you using Twitter? Tick all that apply.",
    "comment": "Is there anything else you would like to tell us?",
}
SCALES = {
    "yes_no": {"yes": "Yes", "no": "No"},
    "engaged5": {"1": "Not at all engaged", "2": "Slightly engaged", "3": "Moderately engaged",
                 "4": "Very engaged", "5": "Extremely engaged"},
    "impact5": {"1": "No impact", "2": "Low impact", "3": "Some impact", "4": "High impact",
                "5": "Very high impact"},
}
SCALE_OF = {"uses_twitter": "yes_no", "engagement": "engaged5", "improved": "yes_no", "channel": "impact5"}
QUALTRICS_ZONE = "Europe/London"
QUALTRICS_OTHER = "Other (please specify)"
PREVIEWS = 2


def export_name(kind: str, wave: str) -> str:
    """The file name each tool gives its download (canonical: survey_responses.csv)."""
    return {"canonical": SURVEY_FILES[0], "ms_forms": f"{TITLE}.xlsx", "surveymonkey": f"{TITLE}.csv",
            "qualtrics": f"{TITLE}_{wave}.csv"}[kind]


# --- the questionnaire ---------------------------------------------------------------------------

def _items(columns: Sequence[str], family: str) -> list[str]:
    return [c for c in columns if (family_of(c) or ("",))[0] == family]


def item_label(column: str, display_names: Mapping[str, str] | None = None) -> str:
    """A grid row's or an option's label: the item's display name, first letter capitalised."""
    item = family_of(column)[1]
    name = (display_names or {}).get(item) or item.replace("_", " ")
    return name[:1].upper() + name[1:]


def _question(column: str, display_names: Mapping[str, str] | None) -> dict[str, str]:
    """What instrument.yaml says about one canonical column: text, and row/option/answers."""
    parsed = family_of(column)
    family = parsed[0] if parsed else column
    entry = {"text": QUESTION_TEXTS[family]}
    if family in ("engagement", "improved", "channel"):
        entry["row"] = item_label(column, display_names)
    if family == "barrier":
        entry["option"] = item_label(column, display_names)
    if family in SCALE_OF:
        entry["answers"] = SCALE_OF[family]
    return entry


def _mapped(columns: Sequence[str]) -> list[str]:
    fixed = [c for c in ("locality", "staff_group", "uses_twitter") if c in columns]
    families = [c for f in ("engagement", "improved", "channel", "barrier") for c in _items(columns, f)]
    return fixed + families + (["comment"] if "comment" in columns else [])


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def instrument_yaml(kind: str, columns: Sequence[str], display_names: Mapping[str, str] | None = None) -> str:
    """The instrument.yaml mapping the ``kind`` export of a survey with these canonical columns back.

    The scales are written as the contract's example writes them: ``{"Yes": yes, "No": no}``, the
    values being YAML 1.1 booleans that still mean yes and no.
    """
    if kind not in EXPORT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(EXPORT_KINDS)}")
    lines = [f"# Instrument of a synthetic wave exported as {kind} (docs/data-contract.md §6)."]
    if display_names:
        lines.append("display_names:")
        lines += [f"  {item}: {_quote(name)}" for item, name in display_names.items()]
    if kind == "canonical":
        return "\n".join(lines) + "\n"
    lines.append("questions:")
    for column in _mapped(columns):
        entry = _question(column, display_names)
        parts = [f"{key}: {_quote(value) if key != 'answers' else value}" for key, value in entry.items()]
        lines.append(f"  {column}: {{{', '.join(parts)}}}")
    lines.append("scales:")
    lines.append('  yes_no: {"Yes": yes, "No": no}')
    for name in ("engaged5", "impact5"):
        lines.append(f"  {name}: {{{', '.join(f'{_quote(label)}: {v}' for v, label in SCALES[name].items())}}}")
    return "\n".join(lines) + "\n"


def write_instrument(folder: Path, kind: str, columns: Sequence[str],
                     display_names: Mapping[str, str] | None = None) -> Path:
    path = Path(folder) / INSTRUMENT_FILE
    path.write_text(instrument_yaml(kind, columns, display_names), encoding="utf-8")
    return path


# --- answers as a tool carries them --------------------------------------------------------------

def exportable(survey: pd.DataFrame) -> pd.DataFrame:
    """The survey with its barrier answers as a tick-all question carries them (see the module doc)."""
    out = survey.copy()
    barriers = _items(list(survey.columns), "barrier")
    if barriers:
        ticked = survey[barriers].apply(lambda s: s.str.strip().str.lower()).eq("yes")
        answered = ticked.any(axis=1).to_numpy()[:, None]
        out[barriers] = np.where(answered, np.where(ticked.to_numpy(), "yes", "no"), "")
    return out


def _labels(cells: pd.Series, scale: str) -> np.ndarray:
    return cells.str.strip().str.lower().map(SCALES[scale]).fillna("").to_numpy(dtype=object)


def _answer_columns(survey: pd.DataFrame, display_names: Mapping[str, str] | None,
                    separator: str | None) -> list[tuple[str, str, np.ndarray]]:
    """(question text, sub-label, cells) per export column, in questionnaire order.

    The sub-label is the grid row or option label ("" for a plain question). With a ``separator``
    the barrier options share one joined column; without, each option has its own column holding
    its label when ticked.
    """
    columns = list(survey.columns)
    out: list[tuple[str, str, np.ndarray]] = []
    for column in ("locality", "staff_group"):
        out.append((QUESTION_TEXTS[column], "", survey[column].to_numpy(dtype=object)))
    out.append((QUESTION_TEXTS["uses_twitter"], "", _labels(survey["uses_twitter"], "yes_no")))
    for family in ("engagement", "improved", "channel"):
        for column in _items(columns, family):
            out.append((QUESTION_TEXTS[family], item_label(column, display_names),
                        _labels(survey[column], SCALE_OF[family])))
    barriers = _items(columns, "barrier")
    if barriers and separator is not None:
        joined = np.full(len(survey), "", dtype=object)
        for column in barriers:
            label = item_label(column, display_names)
            ticked = survey[column].to_numpy() == "yes"
            joined[ticked] = joined[ticked] + np.where(joined[ticked] == "", "", separator) + label
        out.append((QUESTION_TEXTS["barrier"], "", joined))
    else:
        for column in barriers:
            label = item_label(column, display_names)
            out.append((QUESTION_TEXTS["barrier"], label,
                        np.where(survey[column].to_numpy() == "yes", label, "").astype(object)))
    if "comment" in columns:
        out.append((QUESTION_TEXTS["comment"], "", survey["comment"].to_numpy(dtype=object)))
    return out


def _submitted(survey: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(survey["submitted_at"], format="ISO8601", utc=True)


def _names(survey: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First names, last names and e-mails: the frame's fake ones, or made up from the row number."""
    n = len(survey)
    if "respondent_name" in survey:
        parts = survey["respondent_name"].str.split(" ", n=1, expand=True).reindex(columns=[0, 1]).fillna("")
        first, last = parts[0].to_numpy(dtype=object), parts[1].to_numpy(dtype=object)
    else:
        first = np.array([f"Person{i}" for i in range(n)], dtype=object)
        last = np.full(n, "Example", dtype=object)
    email = (survey["respondent_email"].to_numpy(dtype=object) if "respondent_email" in survey
             else np.array([f"person{i}@nhs.example" for i in range(n)], dtype=object))
    return first, last, email


def _ip_addresses(n: int, rng: np.random.Generator) -> np.ndarray:
    """Addresses from the ranges kept for documentation (RFC 5737): never anyone's."""
    nets = np.array(["192.0.2.", "198.51.100.", "203.0.113."], dtype=object)
    hosts = np.array([str(h) for h in range(1, 255)], dtype=object)
    return nets[rng.integers(0, 3, n)] + hosts[rng.integers(0, 254, n)]


# --- writers -------------------------------------------------------------------------------------

def write_export(survey: pd.DataFrame, kind: str, folder: Path, wave: str, seed: int = 0, *,
                 display_names: Mapping[str, str] | None = None) -> Path:
    """Write ``survey`` (a canonical frame) into ``folder`` as ``kind`` exports it, with its instrument.yaml.

    Survey files this module could have written before (any kind's name) are removed first, so the
    folder keeps one survey file. Returns the export's path.
    """
    if kind not in EXPORT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(EXPORT_KINDS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in {export_name(k, wave) for k in EXPORT_KINDS} | set(SURVEY_FILES):
        (folder / old).unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    survey = exportable(survey.reset_index(drop=True))
    path = folder / export_name(kind, wave)
    if kind == "canonical":
        survey.to_csv(path, index=False)
    elif kind == "ms_forms":
        _write_forms(survey, path, rng, display_names)
    elif kind == "surveymonkey":
        _write_surveymonkey(survey, path, rng, display_names)
    else:
        _write_qualtrics(survey, path, rng, display_names)
    write_instrument(folder, kind, list(survey.columns), display_names)
    return path


def _write_forms(survey: pd.DataFrame, path: Path, rng: np.random.Generator,
                 display_names: Mapping[str, str] | None) -> None:
    from openpyxl import Workbook

    answers = _answer_columns(survey, display_names, separator=";")
    for k, (text, sub, cells) in enumerate(answers):
        if text == QUESTION_TEXTS["barrier"]:  # Forms ends a multi-choice cell with the separator
            answers[k] = (text, sub, np.where(cells == "", "", cells + ";").astype(object))
    completion = _submitted(survey).dt.tz_localize(None)
    start = completion - pd.to_timedelta(rng.integers(90, 900, len(survey)), unit="s")
    first, last, email = _names(survey)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                  *(sub or text for text, sub, _ in answers)])
    for i in range(len(survey)):
        sheet.append([i + 1, start.iloc[i].to_pydatetime(), completion.iloc[i].to_pydatetime(), email[i],
                      f"{first[i]} {last[i]}".strip(), None,
                      *((cells[i] or None) for _, _, cells in answers)])
    book.save(path)


def _write_csv(path: Path, headers: list[list[str]], body: list[np.ndarray], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(headers)
        pd.DataFrame({i: cells for i, cells in enumerate(body)}).to_csv(
            handle, header=False, index=False, lineterminator="\r\n")


def _write_surveymonkey(survey: pd.DataFrame, path: Path, rng: np.random.Generator,
                        display_names: Mapping[str, str] | None) -> None:
    n = len(survey)
    answers = _answer_columns(survey, display_names, separator=None)
    end = _submitted(survey).dt.tz_localize(None)
    start = end - pd.to_timedelta(rng.integers(90, 900, n), unit="s")
    first, last, email = _names(survey)
    leading = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
               "First Name", "Last Name", "Custom Data 1"]
    top, sub, previous = list(leading), [""] * len(leading), None
    for text, label, _ in answers:
        top.append(text if text != previous else "")
        sub.append(label or ("Open-Ended Response" if text == QUESTION_TEXTS["comment"] else "Response"))
        previous = text
    when = "%m/%d/%Y %I:%M:%S %p"
    body = [survey["respondent_id"].to_numpy(dtype=object), np.full(n, "431234567", dtype=object),
            start.dt.strftime(when).to_numpy(dtype=object), end.dt.strftime(when).to_numpy(dtype=object),
            _ip_addresses(n, rng), email, first, last,
            np.array([f"EMP{v:06d}" for v in rng.integers(0, 1_000_000, n)], dtype=object)]
    _write_csv(path, [top, sub], body + [cells for _, _, cells in answers], "utf-8")


_QUALTRICS_META = [  # tag, question text, ImportId
    ("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"), ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
]
_ZONED = ("startDate", "endDate", "recordedDate")


def _qualtrics_questions(answers: list[tuple[str, str, np.ndarray]],
                         n_options: int) -> list[tuple[str, str, str, np.ndarray]]:
    """(tag, row-2 text, ImportId, cells) per question column, with the barrier's "Other" text box
    (choice number ``n_options + 1``)."""
    out: list[tuple[str, str, str, np.ndarray]] = []
    number, row, previous = 0, 0, None
    for text, sub, cells in answers:
        if text != previous:
            number, row, previous = number + 1, 0, text
        row += 1
        if text == QUESTION_TEXTS["barrier"]:
            out.append((f"Q{number}", f"{text} - Selected Choice", f"QID{number}", cells))
            other = n_options + 1
            out.append((f"Q{number}_{other}_TEXT", f"{text} - {QUALTRICS_OTHER} - Text", f"QID{number}_{other}_TEXT",
                        np.full(len(cells), "", dtype=object)))
        elif sub:
            out.append((f"Q{number}_{row}", f"{text} - {sub}", f"QID{number}_{row}", cells))
        elif text == QUESTION_TEXTS["comment"]:
            out.append((f"Q{number}", text, f"QID{number}_TEXT", cells))
        else:
            out.append((f"Q{number}", text, f"QID{number}", cells))
    return out


def _write_qualtrics(survey: pd.DataFrame, path: Path, rng: np.random.Generator,
                     display_names: Mapping[str, str] | None) -> None:
    n = len(survey)
    questions = _qualtrics_questions(_answer_columns(survey, display_names, separator=","),
                                     len(_items(list(survey.columns), "barrier")))
    zone = ZoneInfo(QUALTRICS_ZONE)
    recorded = _submitted(survey)
    duration = rng.integers(90, 900, n)
    started = recorded - pd.to_timedelta(duration, unit="s")
    partial = rng.random(n) < 0.05
    first, last, email = _names(survey)

    def local(times: pd.Series) -> np.ndarray:
        return times.dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").to_numpy(dtype=object)

    meta = {
        "StartDate": local(started), "EndDate": local(recorded),
        "Status": np.full(n, "IP Address", dtype=object), "IPAddress": _ip_addresses(n, rng),
        "Progress": np.where(partial, rng.integers(40, 100, n).astype(str), "100").astype(object),
        "Duration (in seconds)": duration.astype(str).astype(object),
        "Finished": np.where(partial, "False", "True").astype(object), "RecordedDate": local(recorded),
        "ResponseId": survey["respondent_id"].to_numpy(dtype=object),
        "RecipientLastName": last, "RecipientFirstName": first, "RecipientEmail": email,
        "ExternalReference": np.array([f"EMP{v:06d}" for v in rng.integers(0, 1_000_000, n)], dtype=object),
        "LocationLatitude": np.round(51.3 + rng.random(n), 4).astype(str).astype(object),
        "LocationLongitude": np.round(-0.6 + rng.random(n), 4).astype(str).astype(object),
        "DistributionChannel": np.full(n, "anonymous", dtype=object),
        "UserLanguage": np.full(n, "EN-GB", dtype=object),
    }
    body = [meta[tag] for tag, _, _ in _QUALTRICS_META] + [cells for *_, cells in questions]
    # Previews: the survey's author tried it before it went out (first row), and once more half-way.
    total = n + PREVIEWS
    is_preview = np.zeros(total, dtype=bool)
    is_preview[[0, total // 2]] = True
    source = np.zeros(total, dtype=np.int64)  # a preview repeats the answers of the row after it
    source[~is_preview] = np.arange(n)
    source[is_preview] = np.minimum(np.flatnonzero(is_preview) - np.arange(PREVIEWS), n - 1)
    body = [column[source] for column in body]
    blank_in_preview = ("IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                        "ExternalReference", "LocationLatitude", "LocationLongitude")
    tags = [t for t, _, _ in _QUALTRICS_META]
    preview = {"Status": "Survey Preview", "Progress": "100", "Finished": "True", "DistributionChannel": "preview",
               **{tag: "" for tag in blank_in_preview}}
    for tag, value in preview.items():
        body[tags.index(tag)][is_preview] = value
    body[tags.index("ResponseId")][is_preview] = [f"R_preview{k + 1}" for k in range(PREVIEWS)]
    tags = [t for t, _, _ in _QUALTRICS_META] + [q[0] for q in questions]
    texts = [t for _, t, _ in _QUALTRICS_META] + [q[1] for q in questions]
    imports = [json.dumps({"ImportId": i, **({"timeZone": QUALTRICS_ZONE} if i in _ZONED else {})},
                          separators=(",", ":")) for _, _, i in _QUALTRICS_META]
    imports += [json.dumps({"ImportId": q[2]}, separators=(",", ":")) for q in questions]
    _write_csv(path, [tags, texts, imports], body, "utf-8-sig")
