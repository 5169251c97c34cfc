"""The instrument file's questionnaire: which export question feeds which canonical column (docs/data-contract.md §6).

What belongs here: reading ``questions:``, ``scales:``, ``source:``, ``respondent_id:`` and
``time_zone:`` from an instrument.yaml, checking them, and matching text the way the contract says
(trim, collapse runs of whitespace, ignore case). Display names stay in ``ingest/instrument.py``;
nothing here reads an export.

YAML 1.1 reads an unquoted ``yes``, ``no``, ``on``, ``off``, ``true`` or ``false`` as a boolean. The
instrument is loaded so that such a scalar keeps the text it was written with (a label ``Yes:``
still matches the answer "Yes", ``option: None`` stays "None") while, as an answer value, it still
means yes or no: ``{"Yes": yes, "No": no}`` maps the labels to the canonical ``yes`` and ``no``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from ..columns import family_of
from ..errors import ContractError
from .detect import SOURCE_KINDS

#: Canonical columns a question may feed besides the engagement_/improved_/channel_/barrier_ families.
QUESTION_COLUMNS = ("locality", "staff_group", "uses_twitter", "comment")
#: Columns every tool fills from its own fixed columns, never from a question.
FROM_THE_EXPORT = ("respondent_id", "submitted_at")
#: Columns that must come from a question for the survey to be valid.
REQUIRED_QUESTIONS = ("locality", "staff_group", "uses_twitter")
_ENTRY_KEYS = {"text", "row", "option", "answers"}
#: Families of yes/no columns: a tick-all option can feed them (and uses_twitter).
YES_NO_FAMILIES = ("improved", "barrier")


def norm(text: object) -> str:
    """Text as the contract matches it: trimmed, inner whitespace collapsed to one space, case folded."""
    return " ".join(str(text).split()).casefold()


class YamlWord(str):
    """A plain scalar YAML 1.1 reads as a boolean, kept as written; ``truth`` is what it would mean."""

    truth: bool

    def __new__(cls, text: str, truth: bool) -> "YamlWord":
        word = super().__new__(cls, text)
        word.truth = truth
        return word


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when PyYAML has it
    """Safe loading, except that yes/no/on/off/true/false become YamlWord instead of bool."""


def _construct_word(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> YamlWord:
    text = loader.construct_scalar(node)
    return YamlWord(text, yaml.SafeLoader.bool_values[text.lower()])


_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_word)


@dataclass(frozen=True)
class Scale:
    """Answer labels (normalised) and the canonical cell each one stands for (``""`` = not answered)."""

    name: str
    values: Mapping[str, str]

    def value_of(self, label: str) -> str | None:
        """The canonical cell for an answer label as the tool wrote it, or None if the scale lacks it."""
        return self.values.get(norm(label))


@dataclass(frozen=True)
class Question:
    """One canonical column's source: a question, a grid statement (``row``) or a tick-all choice (``option``)."""

    column: str
    text: str
    row: str | None = None
    option: str | None = None
    scale: Scale | None = field(default=None, compare=False)

    @property
    def shape(self) -> str:
        return "grid" if self.row is not None else "option" if self.option is not None else "single"

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (norm(self.text), None if self.row is None else norm(self.row),
                None if self.option is None else norm(self.option))

    def describe(self) -> str:
        """The question as the instrument names it, e.g. ``question 'How engaged ...?' row 'Colleagues'``."""
        out = f"question '{self.text}'"
        if self.row is not None:
            out += f" row '{self.row}'"
        if self.option is not None:
            out += f" option '{self.option}'"
        return out


@dataclass(frozen=True)
class Instrument:
    """The questionnaire part of one instrument.yaml."""

    name: str  # the file's name, for messages
    questions: tuple[Question, ...] = ()  # in the file's order
    source: str | None = None
    respondent_id: str | None = None
    time_zone: ZoneInfo | None = None
    scales: Mapping[str, Scale] = field(default_factory=dict, compare=False)

    def tick_all_groups(self) -> list[tuple[Question, ...]]:
        """The tick-all questions: their options grouped by question text, in the file's order."""
        groups: dict[str, list[Question]] = {}
        for question in self.questions:
            if question.shape == "option":
                groups.setdefault(norm(question.text), []).append(question)
        return [tuple(group) for group in groups.values()]

    def units(self) -> list[Question | tuple[Question, ...]]:
        """Each single or grid question, and each tick-all question as the tuple of its options, in the
        file's order (a tick-all question where its first option appears)."""
        groups = {norm(group[0].text): group for group in self.tick_all_groups()}
        out: list[Question | tuple[Question, ...]] = []
        for question in self.questions:
            if question.shape != "option":
                out.append(question)
            elif groups.get(norm(question.text), (None,))[0] is question:
                out.append(groups[norm(question.text)])
        return out

    def mapped_texts(self) -> set[str]:
        return {norm(question.text) for question in self.questions}


def load_instrument(path: Path) -> Instrument:
    """Read and check an instrument file; any problem is a ContractError naming the file."""
    name = path.name
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContractError(name, f"unreadable YAML ({type(exc).__name__})") from None
    except OSError as exc:
        raise ContractError(name, f"cannot be read ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise ContractError(name, "the instrument file must be a mapping (display_names:, questions:, scales:)")
    scales = _scales(document.get("scales"), name)
    questions = _questions(document.get("questions"), scales, name)
    return Instrument(
        name=name,
        questions=questions,
        source=_source(document.get("source"), name),
        respondent_id=_text_setting(document.get("respondent_id"), "respondent_id", name),
        time_zone=_time_zone(document.get("time_zone"), name),
        scales=scales,
    )


# --- checking the parts --------------------------------------------------------------------------

def _text(value: object) -> str | None:
    """A YAML scalar as text (numbers as written), or None for anything that is not a scalar."""
    if isinstance(value, bool):  # only reachable for a document built without our loader
        return "yes" if value else "no"
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return None


def _text_setting(value: object, key: str, name: str) -> str | None:
    if value is None:
        return None
    text = _text(value)
    if not text:
        raise ContractError(name, f"{key}: must be a column header")
    return text


def _source(value: object, name: str) -> str | None:
    if value is None:
        return None
    text = _text(value)
    if text not in SOURCE_KINDS:
        raise ContractError(name, f"source: must be one of {', '.join(SOURCE_KINDS)}")
    return text


def _time_zone(value: object, name: str) -> ZoneInfo | None:
    if value is None:
        return None
    text = _text(value)
    try:
        return ZoneInfo(text or "")
    except (ValueError, OSError, LookupError):
        raise ContractError(name, f"time_zone: '{text}' is not an IANA time zone such as Europe/London") from None


def _label_forms(label: object) -> list[str]:
    """The normalised answer texts a scale key stands for."""
    if isinstance(label, YamlWord) or isinstance(label, str):
        return [norm(label)]
    if isinstance(label, bool):  # a document built without our loader
        return ["yes", "true", "on"] if label else ["no", "false", "off"]
    if isinstance(label, int):
        return [str(label)]
    if isinstance(label, float):
        return [str(label)] + ([str(int(label))] if label.is_integer() else [])
    return []


def _cell_value(value: object) -> str | None:
    """The canonical cell a scale value stands for: yes/no words and booleans, numbers, text, blank."""
    if isinstance(value, YamlWord):
        return "yes" if value.truth else "no"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value.strip()
    return None


def _scale(raw: object, scale_name: str, name: str) -> Scale:
    if not isinstance(raw, dict) or not raw:
        raise ContractError(name, f"scale {scale_name} must map answer labels to values")
    values: dict[str, str] = {}
    for label, value in raw.items():
        forms = _label_forms(label)
        cell = _cell_value(value)
        if not forms or cell is None:
            raise ContractError(name, f"scale {scale_name} must map answer labels to values (text, a number, "
                                      "yes or no, or blank)")
        for form in forms:
            if values.get(form, cell) != cell:
                raise ContractError(name, f"scale {scale_name} gives the label '{label}' two different values")
            values[form] = cell
    return Scale(scale_name, values)


def _scales(raw: object, name: str) -> dict[str, Scale]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ContractError(name, "scales: must map scale names to {label: value} mappings")
    return {str(scale_name): _scale(body, str(scale_name), name) for scale_name, body in raw.items()}


def _check_column(column: str, name: str) -> None:
    if column in FROM_THE_EXPORT:
        raise ContractError(name, f"questions: {column} comes from the export's own columns, not from a question"
                                  + (" (set respondent_id: <column header> to pick another id column)"
                                     if column == "respondent_id" else ""))
    if column not in QUESTION_COLUMNS and family_of(column) is None:
        raise ContractError(name, f"questions: {column} is not a canonical survey column (locality, staff_group, "
                                  "uses_twitter, engagement_<area>, improved_<area>, channel_<channel>, "
                                  "barrier_<barrier>, comment)")


def _question(column: str, entry: object, scales: dict[str, Scale], name: str) -> Question:
    if not isinstance(entry, dict):
        raise ContractError(name, f"questions: {column} must be a mapping such as {{text: \"...\"}}")
    unknown = sorted(str(k) for k in entry if k not in _ENTRY_KEYS)
    if unknown:
        raise ContractError(name, f"questions: {column} has unknown key {unknown[0]} "
                                  "(expected text, row, option, answers)")
    text = _text(entry.get("text"))
    if not text:
        raise ContractError(name, f"questions: {column} needs text: (the question as the tool shows it)")
    row = _text(entry["row"]) if "row" in entry else None
    option = _text(entry["option"]) if "option" in entry else None
    if "row" in entry and not row or "option" in entry and not option:
        raise ContractError(name, f"questions: {column} has a blank row: or option:")
    if row is not None and option is not None:
        raise ContractError(name, f"questions: {column} has both row: and option:; a column is one or the other")
    family = family_of(column)
    yes_no_column = column == "uses_twitter" or (family is not None and family[0] in YES_NO_FAMILIES)
    if option is not None and not yes_no_column:
        raise ContractError(name, f"questions: {column} cannot take a tick-all option: "
                                  "only yes/no columns (uses_twitter, improved_*, barrier_*) can")
    answers = entry.get("answers")
    if answers is not None and option is not None:
        raise ContractError(name, f"questions: {column} is a tick-all option: ticked is yes, so it takes no answers:")
    if answers is not None and column == "comment":
        raise ContractError(name, "questions: comment is free text and takes no answers:")
    scale: Scale | None = None
    if isinstance(answers, dict):
        scale = _scale(answers, f"of {column}", name)
    elif answers is not None:
        scale_name = _text(answers)
        if scale_name not in scales:
            raise ContractError(name, f"questions: {column} uses scale {scale_name}, which scales: does not define")
        scale = scales[scale_name]
    return Question(column, text, row, option, scale)


def _questions(raw: object, scales: dict[str, Scale], name: str) -> tuple[Question, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ContractError(name, "questions: must map canonical columns to {text: ...} entries")
    questions = []
    for column, entry in raw.items():
        column = str(column)
        _check_column(column, name)
        questions.append(_question(column, entry, scales, name))
    seen: dict[tuple, str] = {}
    shapes: dict[str, tuple[str, str]] = {}
    for question in questions:
        if question.key in seen:
            raise ContractError(name, f"questions: {seen[question.key]} and {question.column} both map "
                                      f"{question.describe()}")
        seen[question.key] = question.column
        shape = shapes.setdefault(question.key[0], (question.shape, question.column))
        if shape[0] != question.shape or (shape[0] == "single" and shape[1] != question.column):
            raise ContractError(name, f"questions: {shape[1]} and {question.column} map question "
                                      f"'{question.text}' in different ways (one question is a single answer, "
                                      "a grid of rows or a tick-all list of options)")
    return tuple(questions)
