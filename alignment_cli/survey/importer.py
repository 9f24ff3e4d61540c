"""Survey exports (CSV) back into answer files: one responses file per row.

Survey tools (Google Forms, Microsoft Forms, Typeform, SurveyMonkey) export one row per
respondent and one column per question, headed by the question's text; answers come back as the
label the survey showed ("4 - Mostly"), not as the rubric's values. This module matches columns
to questions, reads every cell back into the responses format, and checks each result exactly as
`alignment score` will, so an import never writes a file that scoring refuses.

Nothing here writes until every row has been read: problems are collected with their row and
column, and the caller decides (with --partial) whether good rows are written anyway.
The rules for reading values are documented in docs/forms-and-import.md.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alignment_cli.clock import as_utc
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.responses import (
    NA,
    UNKNOWN,
    AnswerChecker,
    AnswerValue,
    Responses,
    value_error,
)
from alignment_cli.files.yamlio import Document, load_yaml, parse_yaml, read_text
from alignment_cli.model.models import Model, Question, QuestionType
from alignment_cli.model.roles import find_role, resolve_role
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.survey.text import normalise_text

MAX_CSV_BYTES = 512 * 1024 * 1024

UNKNOWN_WORDS = frozenset(
    {"unknown", "don't know", "dont know", "do not know", "i don't know", "not sure", "idk"}
)
NA_WORDS = frozenset({"n/a", "na", "n.a.", "not applicable", "does not apply", "not relevant"})
NONE_WORDS = frozenset({"none", "none of these", "none of the above", "nothing"})
YES_WORDS = frozenset({"yes", "y", "true", "t", "1"})
NO_WORDS = frozenset({"no", "n", "false", "f", "0"})

# Column headers recognised without a mapping (compared after normalise_text), by priority.
NAME_COLUMNS = (
    "name",
    "full name",
    "your name",
    "respondent",
    "respondent name",
    "email address",
    "email",
    "e-mail",
)
ROLE_COLUMNS = ("role", "your role", "team", "function", "department")
TIME_COLUMNS = (
    "timestamp",
    "completion time",
    "submit date (utc)",
    "submitted at",
    "submitted",
    "end date",
    "date submitted",
    "submission date",
    "end time",
)
# What survey tools add beside the answers; ignored unless chosen as name or time column.
METADATA_COLUMNS = frozenset(
    {
        "id",
        "#",
        "start time",
        "start date",
        "start date (utc)",
        "stage date (utc)",
        "network id",
        "respondent id",
        "collector id",
        "ip address",
        "email",
        "email address",
        "e-mail",
        "first name",
        "last name",
        "custom data 1",
        "last modified time",
        "tags",
        "response type",
        "ending",
        "score",
        "total score",
        *TIME_COLUMNS,
    }
)
# SurveyMonkey writes a second header row with these words under each question.
SUBHEADER_WORDS = frozenset({"response", "open-ended response"})

_LINE_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
_NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):-]?\s+")


def loose_text(text: str) -> str:
    """Letters and digits only: a second chance for texts a survey tool re-punctuated."""
    return re.sub(r"[\W_]+", "", normalise_text(text))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# The mapping file


class SurveyMapping(Model):
    """`--mapping FILE`: what a survey export calls things, when it is not the rubric's words."""

    name_column: str | None = None
    role_column: str | None = None
    timestamp_column: str | None = None
    timestamp_format: str | None = None
    columns: dict[str, str] = {}
    notes: dict[str, str] = {}
    ignore: list[str] = []
    roles: dict[str, str] = {}
    values: dict[str, dict[str, AnswerValue]] = {}


@dataclass
class LoadedMapping:
    mapping: SurveyMapping
    doc: Document


def load_mapping(path: Path, loaded: LoadedRubric) -> LoadedMapping:
    """Read and check a mapping file against the rubric; every problem located in the file."""
    from alignment_cli.model.rubric import pydantic_problems

    doc = load_yaml(path)
    problems: list[Problem] = []
    data = _text_keys(doc, problems)
    if problems:
        raise InvalidInput(problems)
    try:
        mapping = SurveyMapping.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(pydantic_problems(doc, exc, SurveyMapping)) from None
    questions = loaded.questions
    roles = {r.id for r in loaded.rubric.roles}

    def unknown_question(qid: str) -> str:
        from alignment_cli.model.rubric import _unknown

        return _unknown("question", qid, set(questions)) + f" in rubric '{loaded.rubric.id}'"

    for section in ("columns", "notes"):
        for header, qid in getattr(mapping, section).items():
            if qid not in questions:
                problems.append(doc.problem((section, header), unknown_question(qid)))
    for label, role in mapping.roles.items():
        if (found := find_role(loaded.rubric, role)) is not None:
            mapping.roles[label] = found  # a title or another case names the same role
        else:
            problems.append(
                doc.problem(
                    ("roles", label), f"unknown role '{role}' (this rubric has: {_ids(roles)})"
                )
            )
    for qid, table in mapping.values.items():
        q = questions.get(qid)
        if q is None:
            problems.append(doc.problem(("values", qid), unknown_question(qid)))
            continue
        for label, answer in table.items():
            message = None if answer is None else value_error(q, answer, loaded)
            if message:
                problems.append(doc.problem(("values", qid, label), message))
    if mapping.timestamp_format:
        try:
            datetime.strptime(
                datetime(2026, 1, 2, 3, 4, 5).strftime(mapping.timestamp_format),
                mapping.timestamp_format,
            )
        except ValueError as exc:
            problems.append(doc.problem(("timestamp_format",), f"not a usable format: {exc}"))
    if problems:
        raise InvalidInput(problems)
    return LoadedMapping(mapping, doc)


def _text_keys(doc: Document, problems: list[Problem]) -> Any:
    """Mapping keys are column and label texts: YAML may read `2024:` as a number, fine; but
    `Yes:` as true loses the text, so ask for quotes."""
    data = doc.data
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for section in ("columns", "notes", "roles", "values"):
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        new: dict[Any, Any] = {}
        for key, value in table.items():
            if section == "values" and isinstance(value, dict):
                inner: dict[Any, Any] = {}
                for k, v in value.items():
                    inner[_key_text(doc, (section, key, k), k, problems)] = v
                value = inner
            new[_key_text(doc, (section, key), key, problems)] = value
        out[section] = new
    return out


def _key_text(doc: Document, loc: tuple[Any, ...], key: Any, problems: list[Problem]) -> Any:
    if isinstance(key, bool) or key is None:
        problems.append(
            doc.problem(loc, "put this key in quotes: unquoted, YAML reads it as " + repr(key))
        )
        return key
    if isinstance(key, int | float):
        return str(key)
    return key


def _ids(ids: set[str] | list[str]) -> str:
    return ", ".join(sorted(ids))


# ---------------------------------------------------------------------------------------------
# Settings and results


@dataclass
class ImportSettings:
    organization: str | None = None
    anonymous: bool = False
    default_role: str | None = None
    name_column: str | None = None
    role_column: str | None = None
    timestamp_column: str | None = None
    timestamp_format: str | None = None
    mapping: LoadedMapping | None = None


@dataclass
class ImportedRow:
    """One respondent, ready to write: `data` is the answer file's content, `text` its YAML."""

    row: int
    line: int
    name: str
    slug: str
    updated: datetime | None
    data: dict[str, Any]
    text: str = ""
    # What the pseudonym was made from (a real name or the row's content); None for real names.
    pseudonym_of: str | None = None


@dataclass
class SurveyImport:
    file: str
    rows: list[ImportedRow]
    problems: list[Problem]
    warnings: list[str]
    read_rows: int
    bad_rows: int


# ---------------------------------------------------------------------------------------------
# Reading the CSV


def read_csv(path: Path) -> list[tuple[int, list[str]]]:
    """Records with the physical line each starts on. Handles a byte-order mark (UTF-8 or
    UTF-16, as Excel writes), CRLF, quoted commas and newlines, and ; or tab delimiters."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise InvalidInput(
                [
                    Problem(
                        name, None, None, f"file is {size:,} bytes; the limit is {MAX_CSV_BYTES:,}"
                    )
                ]
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InvalidInput(
            [Problem(name, None, None, "is a directory, expected a CSV file")]
        ) from None
    except FileNotFoundError:
        raise InvalidInput([Problem(name, None, None, "no such file")]) from None
    except OSError as exc:
        raise InvalidInput([Problem(name, None, None, f"cannot read: {exc.strerror}")]) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput([Problem(name, 1, 1, "not valid UTF-16 text")]) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start]
            line, col = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
            raise InvalidInput(
                [
                    Problem(
                        name,
                        line,
                        col,
                        "not UTF-8 text; export the survey (or save the sheet) as CSV UTF-8",
                    )
                ]
            ) from None
    if "\x00" in text:
        head = text[: text.index("\x00")]
        line = head.count("\n") + 1
        raise InvalidInput(
            [Problem(name, line, len(head) - head.rfind("\n"), "binary data (a NUL byte)")]
        )
    if not text.strip():
        raise InvalidInput([Problem(name, 1, 1, "the file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    records: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            records.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as exc:
        raise InvalidInput([Problem(name, end + 1, 1, f"not valid CSV: {exc}")]) from None
    return records


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most cells (Excel in many locales uses ;)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    best, count = ",", 0
    for d in (",", ";", "\t"):
        n = len(next(csv.reader([first], delimiter=d), []))
        if n > count:
            best, count = d, n
    return best


# ---------------------------------------------------------------------------------------------
# Columns


QUESTION, NOTE, NAME, ROLE, TIME, IGNORED, BLANK = (
    "question",
    "note",
    "name",
    "role",
    "time",
    "ignored",
    "blank",
)


@dataclass
class Column:
    index: int
    header: str
    kind: str
    question: Question | None = None
    parse: Callable[[str], AnswerValue] | None = None

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def label(self) -> str:
        return f"column '{_short(self.header)}'" if self.header else f"column {self.number}"


def match_columns(
    file: str, header: list[str], loaded: LoadedRubric, settings: ImportSettings
) -> list[Column]:
    """Decide what every column holds; unknown, ambiguous or duplicate columns are problems."""
    mapping = settings.mapping.mapping if settings.mapping else SurveyMapping()
    problems: list[Problem] = []
    columns = [Column(i, h.strip(), BLANK) for i, h in enumerate(header)]
    norm = [normalise_text(c.header) for c in columns]

    by_id = {q.id: q for q in loaded.rubric.questions}
    by_text: dict[str, list[Question]] = defaultdict(list)
    by_loose: dict[str, list[Question]] = defaultdict(list)
    for q in loaded.rubric.questions:
        by_text[normalise_text(q.text)].append(q)
        by_loose[loose_text(q.text)].append(q)
    mapped_q = {normalise_text(k): by_id[v] for k, v in mapping.columns.items()}
    mapped_notes = {normalise_text(k): by_id[v] for k, v in mapping.notes.items()}
    ignore = {normalise_text(h) for h in mapping.ignore}

    def pick(kind: str, given: str | None, defaults: tuple[str, ...], what: str) -> None:
        if given is not None:
            want = normalise_text(given)
            for c, n in zip(columns, norm, strict=True):
                if n == want and c.kind == BLANK:
                    c.kind = kind
                    return
            origin = f"--{what}-column" if given == getattr(settings, f"{what}_column") else None
            where = origin or "the mapping's " + f"{what}_column"
            problems.append(
                Problem(file, 1, 1, f"no column '{given}' (named by {where}) in the header")
            )
            return
        for d in defaults:
            for c, n in zip(columns, norm, strict=True):
                if n == d and c.kind == BLANK and c.header:
                    c.kind = kind
                    return

    pick(NAME, settings.name_column or mapping.name_column, NAME_COLUMNS, "name")
    pick(ROLE, settings.role_column or mapping.role_column, ROLE_COLUMNS, "role")
    pick(TIME, settings.timestamp_column or mapping.timestamp_column, TIME_COLUMNS, "timestamp")

    for c, n in zip(columns, norm, strict=True):
        if c.kind != BLANK or not c.header:
            continue
        if n in ignore:
            c.kind = IGNORED
        elif n in mapped_q:
            c.kind, c.question = QUESTION, mapped_q[n]
        elif n in mapped_notes:
            c.kind, c.question = NOTE, mapped_notes[n]
        elif c.header in by_id:
            c.kind, c.question = QUESTION, by_id[c.header]
        elif len(by_text.get(n, [])) == 1:
            c.kind, c.question = QUESTION, by_text[n][0]
        elif n in METADATA_COLUMNS:
            c.kind = IGNORED
        else:
            found = by_text.get(n) or by_loose.get(loose_text(n)) or []
            if not found:
                found = by_loose.get(loose_text(_NUMBERING.sub("", n)), [])
            if len(found) == 1:
                c.kind, c.question = QUESTION, found[0]
            elif found:
                problems.append(
                    Problem(
                        file,
                        1,
                        c.number,
                        f"{c.label} matches several questions ("
                        + ", ".join(q.id for q in found)
                        + "); head it with the question id or map it in --mapping",
                    )
                )
            else:
                problems.append(Problem(file, 1, c.number, _unknown_column(c, loaded)))

    seen: dict[tuple[str, str], Column] = {}
    for c in columns:
        if c.kind in (QUESTION, NOTE) and c.question is not None:
            key = (c.kind, c.question.id)
            what = "answers" if c.kind == QUESTION else "holds notes on"
        elif c.kind in (NAME, ROLE, TIME):
            key, what = (c.kind, ""), "is also the " + c.kind + " column"
        else:
            continue
        if key in seen:
            first = seen[key]
            target = f" '{key[1]}'" if key[1] else ""
            problems.append(
                Problem(
                    file,
                    1,
                    c.number,
                    f"{c.label} {what}{target} like column {first.number} "
                    f"'{_short(first.header)}' (duplicate column)",
                )
            )
        else:
            seen[key] = c
    if not any(c.kind == QUESTION for c in columns) and not problems:
        problems.append(
            Problem(file, 1, 1, f"no column matches a question of rubric '{loaded.rubric.id}'")
        )
    if settings.default_role is None and not any(c.kind == ROLE for c in columns):
        problems.append(
            Problem(
                file,
                1,
                1,
                "no role column (looked for: "
                + ", ".join(h.title() for h in ROLE_COLUMNS)
                + "); name it with --role-column, or give every row one role with --role",
            )
        )
    if settings.mapping is not None:
        problems += _mapping_columns_missing(settings.mapping, norm, file)
    if problems:
        raise InvalidInput(problems)
    return columns


def _unknown_column(c: Column, loaded: LoadedRubric) -> str:
    import difflib

    texts = {q.text: q.id for q in loaded.rubric.questions}
    hint = difflib.get_close_matches(c.header, list(texts) + list(texts.values()), n=1, cutoff=0.6)
    extra = ""
    if hint:
        qid = texts.get(hint[0], hint[0])
        extra = f" (closest: '{qid}')"
    return (
        f"unknown {c.label}: neither a question id nor a question text of rubric "
        f"'{loaded.rubric.id}'{extra}; map it with --mapping (columns: or ignore:)"
    )


def _mapping_columns_missing(lm: LoadedMapping, norm: list[str], file: str) -> list[Problem]:
    present = set(norm)
    out: list[Problem] = []
    m = lm.mapping
    for section in ("columns", "notes"):
        for header in getattr(m, section):
            if normalise_text(header) not in present:
                out.append(lm.doc.problem((section, header), f"no column '{header}' in {file}"))
    for i, header in enumerate(m.ignore):
        if normalise_text(header) not in present:
            out.append(lm.doc.problem(("ignore", i), f"no column '{header}' in {file}"))
    return out


# ---------------------------------------------------------------------------------------------
# Values


class CellError(ValueError):
    """A cell that cannot be read as an answer to its question."""


def make_parser(
    loaded: LoadedRubric, q: Question, overrides: dict[str, AnswerValue] | None = None
) -> Callable[[str], AnswerValue]:
    """A function reading one cell of `q`'s column; memoised, as surveys repeat their labels."""
    reader = _READERS[q.type](loaded, q)
    table = {normalise_text(k): v for k, v in (overrides or {}).items()}
    cache: dict[str, AnswerValue] = {}

    def parse(cell: str) -> AnswerValue:
        hit = cache.get(cell, cache)
        if hit is not cache:
            return hit  # type: ignore[return-value]
        n = normalise_text(cell)
        if not n:
            value: AnswerValue = None
        elif n in table:
            value = table[n]
        else:
            value = reader(cell, n)
        if value is not None:
            message = value_error(q, value, loaded)
            if message:
                raise CellError(message)
        if len(cache) < 10_000:
            cache[cell] = value
        return value

    return parse


def _reserved(n: str) -> str | None:
    if n in UNKNOWN_WORDS:
        return UNKNOWN
    if n in NA_WORDS:
        return NA
    return None


_LEADING_INT = re.compile(r"([-+]?\d+)(?:[.,]0+)?(?:\s*[-:.)/]\s*|\s+)(.*)")


def _scale_reader(loaded: LoadedRubric, q: Question) -> Callable[[str, str], AnswerValue]:
    anchors = {normalise_text(t): k for k, t in q.anchors.items()}
    loose = {loose_text(t): k for k, t in q.anchors.items()}
    lo, hi = (q.scale or loaded.rubric.scale).min, (q.scale or loaded.rubric.scale).max

    def read(cell: str, n: str) -> AnswerValue:
        if re.fullmatch(r"[-+]?\d+", n):
            return int(n)
        m = re.fullmatch(r"([-+]?\d+)[.,](\d+)", n)
        if m:
            if int(m.group(2)) == 0:
                return int(m.group(1))
            raise CellError(f"'{_short(cell)}' is not a whole number from {lo} to {hi}")
        reserved = _reserved(n)
        if reserved:
            return reserved
        if n in anchors:
            return anchors[n]
        m = _LEADING_INT.fullmatch(n)
        if m:
            return int(m.group(1))  # "4 - Mostly": the survey's own label after the number
        k = loose.get(loose_text(n))
        if k is not None:
            return k
        raise CellError(
            f"'{_short(cell)}' is not an answer from {lo} to {hi} "
            "(a number, a number and its label like '4 - Mostly', or an anchor's text)"
        )

    return read


def _option_tables(q: Question) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    numbers: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    for o in q.options:
        exact.setdefault(normalise_text(o.value), o.value)
    for i, o in enumerate(q.options, 1):
        exact.setdefault(normalise_text(o.label), o.value)
        numbers[str(i)] = o.value
        key = loose_text(o.label)
        loose[key] = o.value if loose.get(key, o.value) == o.value else None
    return exact, numbers, {k: v for k, v in loose.items() if v is not None}


def _option_names(q: Question) -> str:
    return ", ".join(o.value for o in q.options)


def _choice_reader(loaded: LoadedRubric, q: Question) -> Callable[[str, str], AnswerValue]:
    exact, numbers, loose = _option_tables(q)
    labels = {o.value: normalise_text(o.label) for o in q.options}

    def read(cell: str, n: str) -> AnswerValue:
        if n in exact:
            return exact[n]
        if n in numbers:
            return numbers[n]
        reserved = _reserved(n)
        if reserved:
            return reserved
        m = _LEADING_INT.fullmatch(n)
        if m and m.group(1) in numbers:
            value = numbers[m.group(1)]
            rest = m.group(2)
            if rest in (labels[value], normalise_text(value)) or loose_text(rest) == loose_text(
                labels[value]
            ):
                return value
        value_loose = loose.get(loose_text(n))
        if value_loose is not None:
            return value_loose
        raise CellError(
            f"'{_short(cell)}' is not an option; expected one of: {_option_names(q)} "
            "(or an option's label or number)"
        )

    return read


def _multi_reader(loaded: LoadedRubric, q: Question) -> Callable[[str, str], AnswerValue]:
    exact, numbers, _ = _option_tables(q)
    candidates = sorted({**exact, **numbers}.items(), key=lambda kv: -len(kv[0]))
    order = {o.value: i for i, o in enumerate(q.options)}

    def read(cell: str, n: str) -> AnswerValue:
        if n in exact:
            return [exact[n]]
        reserved = _reserved(n)
        if reserved:
            return reserved
        if n in NONE_WORDS:
            return []
        found = split_options(n, candidates)
        if found is None:
            pieces = [p.strip() for p in re.split(r"[;,]", n) if p.strip()]
            bad = next((p for p in pieces if p not in exact and p not in numbers), n)
            raise CellError(
                f"'{_short(bad)}' is not an option; expected some of: {_option_names(q)} "
                "(or their labels or numbers, separated by ; or ,)"
            )
        chosen = sorted(set(found), key=order.__getitem__)
        return list(chosen)

    return read


def split_options(text: str, candidates: list[tuple[str, str]]) -> list[str] | None:
    """'a, b; c' into option values, trying the longest label first: labels may hold commas.

    Backtracks, so a label that is the prefix of another cannot block a full reading.
    """
    memo: dict[int, list[str] | None] = {}

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " ,;":
            pos += 1
        return pos

    def at_boundary(end: int) -> bool:
        rest = text[end:].lstrip(" ")
        return not rest or rest[0] in ",;"

    def go(pos: int) -> list[str] | None:
        pos = skip(pos)
        if pos == len(text):
            return []
        if pos in memo:
            return memo[pos]
        result: list[str] | None = None
        for key, value in candidates:
            end = pos + len(key)
            if text.startswith(key, pos) and at_boundary(end):
                rest = go(end)
                if rest is not None:
                    result = [value, *rest]
                    break
        memo[pos] = result
        return result

    if not text.strip(" ,;"):
        return None
    return go(0)


def _yesno_reader(loaded: LoadedRubric, q: Question) -> Callable[[str, str], AnswerValue]:
    def read(cell: str, n: str) -> AnswerValue:
        if n in YES_WORDS:
            return True
        if n in NO_WORDS:
            return False
        reserved = _reserved(n)
        if reserved:
            return reserved
        raise CellError(f"'{_short(cell)}' is not yes or no")

    return read


_UNIT_WORDS = {
    "percent": {"%", "percent", "per cent", "pct"},
    "hours": {"h", "hr", "hrs", "hour", "hours"},
    "days": {"d", "day", "days"},
    "weeks": {"w", "wk", "wks", "week", "weeks"},
    "months": {"mo", "month", "months"},
    "minutes": {"min", "mins", "minute", "minutes"},
}
_NUMBER = re.compile(r"([-+]?[\d.,' \u202f]*\d)\s*(.*)")


def parse_number(text: str) -> float | int | None:
    """'1,500' and '1 500' are fifteen hundred, '1,5' and '1.5' one and a half, '1.234,5' and
    '1,234.5' the same number. None when the text is not a number."""
    s = text.strip().replace("\u202f", " ").replace("'", "")
    if not re.fullmatch(r"[-+]?\d[\d.,  ]*", s) or s[-1] in ".,":
        return None
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if " " in s:
        if not re.fullmatch(r"\d{1,3}( \d{3})+([.,]\d+)?", s):
            return None
        s = s.replace(" ", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = s.rpartition(decimal)
        if not re.fullmatch(r"\d{1,3}(" + re.escape(thousands) + r"\d{3})*", whole):
            return None
        s = whole.replace(thousands, "") + "." + frac
    elif "," in s:
        if re.fullmatch(r"\d{1,3}(,\d{3})+", s):
            s = s.replace(",", "")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        else:
            return None
    elif s.count(".") > 1:
        if not re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
            return None
        s = s.replace(".", "")
    value = sign * float(s)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _number_reader(loaded: LoadedRubric, q: Question) -> Callable[[str, str], AnswerValue]:
    unit = normalise_text(q.unit)
    allowed = {unit, unit.rstrip("s")} | _UNIT_WORDS.get(unit, set()) if unit else set()

    def read(cell: str, n: str) -> AnswerValue:
        reserved = _reserved(n)
        if reserved:
            return reserved
        m = _NUMBER.fullmatch(n)
        value = parse_number(m.group(1)) if m else None
        if m is None or value is None:
            raise CellError(f"'{_short(cell)}' is not a number" + (f" of {q.unit}" if unit else ""))
        suffix = m.group(2).strip()
        if suffix and suffix not in allowed:
            if unit and re.fullmatch(r"[^\W\d_][^\d]*|%", suffix):  # another unit: '2 days'
                raise CellError(f"'{_short(cell)}': expected a number of {q.unit}")
            of = f" of {q.unit}" if unit else ""
            raise CellError(f"'{_short(cell)}' is not a number{of}")
        return value

    return read


def _text_reader(loaded: LoadedRubric, q: Question) -> Callable[[str, str], AnswerValue]:
    def read(cell: str, n: str) -> AnswerValue:
        return _reserved(n) or clean_text(cell)

    return read


def clean_text(cell: str) -> str:
    """A person's text as it goes into YAML: one kind of line break, no stray control codes."""
    s = _LINE_BREAKS.sub("\n", cell).strip()
    return "".join(ch for ch in s if ch in "\n\t" or unicodedata.category(ch) != "Cc")


_READERS: dict[QuestionType, Callable[[LoadedRubric, Question], Callable[[str, str], AnswerValue]]]
_READERS = {
    QuestionType.SCALE: _scale_reader,
    QuestionType.CHOICE: _choice_reader,
    QuestionType.MULTI: _multi_reader,
    QuestionType.YESNO: _yesno_reader,
    QuestionType.NUMBER: _number_reader,
    QuestionType.TEXT: _text_reader,
}


# ---------------------------------------------------------------------------------------------
# Timestamps


_GMT = re.compile(r"\s*(?:gmt|utc|z)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$", re.IGNORECASE)
_SLASHED = re.compile(
    r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?)?",
    re.IGNORECASE,
)


def day_first(values: list[str]) -> bool | None:
    """Whether dd/mm dates are meant: decided for the whole file from dates that can only be
    read one way (13/02 or 02/13); None when the file mixes both."""
    firsts = seconds = False
    for v in values:
        m = _SLASHED.match(v.strip())
        if not m or len(m.group(1)) == 4:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        firsts |= a > 12
        seconds |= b > 12
    if firsts and seconds:
        return None
    return firsts


def parse_timestamp(text: str, *, fmt: str | None = None, dayfirst: bool = False) -> datetime:
    """A survey tool's timestamp, in UTC. Times without a zone are taken as UTC."""
    s = text.strip()
    if fmt:
        dt = datetime.strptime(s, fmt)
        return as_utc(dt)
    tz: timezone | None = None
    m = _GMT.search(s)
    if m and m.start() > 0:
        if m.group(1):
            delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
            tz = timezone(delta if m.group(1) == "+" else -delta)
        else:
            tz = UTC
        s = s[: m.start()]
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = _slashed(s, dayfirst)
    if dt.tzinfo is None and tz is not None:
        dt = dt.replace(tzinfo=tz)
    return as_utc(dt)


def _slashed(s: str, dayfirst: bool) -> datetime:
    m = _SLASHED.fullmatch(s)
    if not m:
        raise ValueError(f"'{_short(s)}' is not a date and time")
    a, b, c, hh, mm, ss, ampm = m.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        year = int(c) + (2000 if len(c) <= 2 else 0)
        month, day = (int(b), int(a)) if dayfirst else (int(a), int(b))
    hour = int(hh or 0)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{_short(s)}': hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    return datetime(year, month, day, hour, int(mm or 0), int(ss or 0))


# ---------------------------------------------------------------------------------------------
# Rows to answer files


def read_survey(path: Path, loaded: LoadedRubric, settings: ImportSettings) -> SurveyImport:
    """Every row of a survey export as an answer file, with every problem found on the way.

    File-level problems (the header, the mapping) raise InvalidInput; row problems come back in
    `problems`, and the rows that have them are left out of `rows`.
    """
    file = str(path)
    records = read_csv(path)
    header_line, header = records[0]
    columns = match_columns(file, header, loaded, settings)
    data_records = records[1:]
    first_row = 2
    if data_records and _is_subheader(columns, data_records[0][1]):
        data_records = data_records[1:]
        first_row = 3
    for c in columns:
        if c.kind == NAME and not any(
            c.index < len(cells) and cells[c.index].strip() for _, cells in data_records
        ):
            c.kind = IGNORED  # an e-mail column no one filled in: an anonymous survey
    reader = _RowReader(file, loaded, settings, columns)
    reader.decide_date_order(header_line, [cells for _, cells in data_records])
    for offset, (line, cells) in enumerate(data_records):
        if any(cell.strip() for cell in cells):
            reader.read(first_row + offset, line, cells)
    return reader.result()


class _RowReader:
    """Reads rows one by one into answer files, collecting problems and dropped answers."""

    def __init__(
        self, file: str, loaded: LoadedRubric, settings: ImportSettings, columns: list[Column]
    ) -> None:
        self.file = file
        self.loaded = loaded
        self.settings = settings
        self.columns = columns
        self.mapping = settings.mapping.mapping if settings.mapping else SurveyMapping()
        self.question_columns: list[tuple[Column, str, Callable[[str], AnswerValue]]] = []
        for c in columns:
            if c.kind == QUESTION and c.question is not None:
                c.parse = make_parser(loaded, c.question, self.mapping.values.get(c.question.id))
                self.question_columns.append((c, c.question.id, c.parse))
        self.other_columns = [c for c in columns if c.kind in (NOTE, NAME, ROLE, TIME, BLANK)]
        self._conditions: dict[tuple[Any, ...], bool] = {}
        self._checker = AnswerChecker(loaded)  # remembers what it checked
        self._condition_refs = {
            qid: tuple(ref.name for ref in expr.references)
            for qid, expr in loaded.conditions.items()
        }
        # Only answers some condition reads need their condition form (see condition_values).
        read = {name for refs in self._condition_refs.values() for name in refs}
        self._read_by_conditions = {q.id: q.var for q in loaded.rubric.questions if q.var in read}
        self.fmt = settings.timestamp_format or self.mapping.timestamp_format
        self.dayfirst = False
        self.has_role_column = any(c.kind == ROLE for c in columns)
        self.roles = {x.id for x in loaded.rubric.roles}
        self.role_lookup: dict[str, str] = {}
        for x in loaded.rubric.roles:
            self.role_lookup[normalise_text(x.title)] = x.id
        for x in loaded.rubric.roles:
            self.role_lookup[normalise_text(x.id)] = x.id
        for label, rid in self.mapping.roles.items():
            self.role_lookup[normalise_text(label)] = rid
        self.salt = settings.organization or ""
        self.rubric_ref = {
            "id": loaded.rubric.id,
            "version": loaded.rubric.version,
            "hash": loaded.content_hash,
        }
        self.order = {q.id: i for i, q in enumerate(loaded.rubric.questions)}
        self.problems: list[Problem] = []
        self.dropped: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.candidates: list[ImportedRow] = []
        self.content_ids: dict[str, int] = defaultdict(int)
        self.bad_rows = 0
        self.read_rows = 0

    def decide_date_order(self, header_line: int, rows: list[list[str]]) -> None:
        time_col = next((c for c in self.columns if c.kind == TIME), None)
        if time_col is None or self.fmt:
            return
        stamps = [cells[time_col.index] for cells in rows if time_col.index < len(cells)]
        decided = day_first(stamps)
        if decided is None:
            raise InvalidInput(
                [
                    Problem(
                        self.file,
                        header_line,
                        time_col.number,
                        f"{time_col.label} mixes day-first and month-first dates; "
                        "give the format with --timestamp-format (e.g. '%d/%m/%Y %H:%M:%S')",
                    )
                ]
            )
        self.dayfirst = decided

    def read(self, row: int, line: int, cells: list[str]) -> None:
        from alignment_cli.files.privacy import pseudonym
        from alignment_cli.files.responses import slug

        self.read_rows += 1
        found: list[Problem] = []

        def bad(column: int, message: str) -> None:
            found.append(Problem(self.file, line, column, f"row {row}, {message}"))

        for i in range(len(self.columns), len(cells)):
            if cells[i].strip():
                bad(i + 1, f"column {i + 1}: a value beyond the last column of the header")
        cells_read = self._cells(cells, bad)
        if found:
            self.problems += found
            self.bad_rows += 1
            return
        name, role, updated, answers, answer_cols, notes, name_col = cells_read
        kept = self._asked(row, role, answers)

        source: str | None = None
        if name and self.settings.anonymous:
            source = name
        elif not name:
            key = "\x1f".join(cells)
            self.content_ids[key] += 1
            source = f"{key}\x1e{self.content_ids[key]}"
        if source is not None:
            name = pseudonym(source, self.salt)
        data: dict[str, Any] = {
            "rubric": dict(self.rubric_ref),
            "respondent": {"name": name, "role": role},
        }
        if self.settings.organization:
            data["organization"] = self.settings.organization
        if updated is not None:
            data["updated"] = updated
        data["answers"] = kept
        if notes:
            data["notes"] = {k: notes[k] for k in sorted(notes, key=self.order.__getitem__)}
        # The same checks `alignment score` makes: an import never writes what scoring refuses.
        try:
            responses = Responses.model_validate(data)
        except ValidationError as exc:
            column = name_col.number if name_col else 1
            for err in exc.errors(include_url=False):
                bad(column, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}")
        else:
            for loc, message in self._checker.errors(responses):
                qcol = answer_cols.get(str(loc[-1]))
                bad(qcol.number if qcol else 1, f"{qcol.label if qcol else loc}: {message}")
        if found:
            self.problems += found
            self.bad_rows += 1
            return
        self.candidates.append(ImportedRow(row, line, name, slug(name), updated, data, "", source))

    def _cells(
        self, cells: list[str], bad: Callable[[int, str], None]
    ) -> tuple[
        str,
        str,
        datetime | None,
        dict[str, AnswerValue],
        dict[str, Column],
        dict[str, str],
        Column | None,
    ]:
        settings = self.settings
        name = role = ""
        updated: datetime | None = None
        answers: dict[str, AnswerValue] = {}
        answer_cols: dict[str, Column] = {}
        notes: dict[str, str] = {}
        name_col: Column | None = None
        n = len(cells)
        for c, qid, parse in self.question_columns:
            cell = cells[c.index] if c.index < n else ""
            if not cell:
                continue
            try:
                value = parse(cell)
            except CellError as exc:
                q = self.loaded.questions[qid]
                reserved = "'unknown' (don't know) or 'n/a'" if q.allow_na else "'unknown'"
                bad(c.number, f"{c.label}: {exc}; or {reserved}")
                continue
            if value is not None:
                answers[qid] = value
                answer_cols[qid] = c
        for c in self.other_columns:
            cell = cells[c.index] if c.index < n else ""
            if c.kind == NOTE and c.question is not None:
                text = clean_text(cell)
                if text:
                    notes[c.question.id] = text
            elif c.kind == NAME:
                name, name_col = " ".join(cell.split()), c
                if not name and not settings.anonymous:
                    bad(c.number, f"{c.label}: no respondent name (or import with --anonymous)")
                elif len(name) > 200:
                    bad(c.number, f"{c.label}: a name longer than 200 characters")
            elif c.kind == ROLE:
                raw = cell.strip()
                if not raw:
                    if settings.default_role:
                        role = settings.default_role
                    else:
                        bad(c.number, f"{c.label}: missing role (or give one with --role)")
                elif normalise_text(raw) in self.role_lookup:
                    role = self.role_lookup[normalise_text(raw)]
                else:
                    bad(
                        c.number,
                        f"{c.label}: unknown role '{_short(raw)}' (this rubric has: "
                        f"{_ids(self.roles)}; map other names under roles: in --mapping)",
                    )
            elif c.kind == TIME and cell.strip():
                try:
                    updated = parse_timestamp(cell, fmt=self.fmt, dayfirst=self.dayfirst)
                except (ValueError, OverflowError) as exc:
                    bad(c.number, f"{c.label}: {exc}")
            elif c.kind == BLANK and cell.strip():
                bad(c.number, f"column {c.number} has no header but holds '{_short(cell, 30)}'")
        if not self.has_role_column and settings.default_role:
            role = settings.default_role
        return name, role, updated, answers, answer_cols, notes, name_col

    def _asked(
        self, row: int, role: str, answers: dict[str, AnswerValue]
    ) -> dict[str, AnswerValue]:
        """Leave out what a survey could not hide: questions not asked of this role, or whose
        condition is false given this row's earlier answers. Scoring would refuse them."""
        from alignment_cli.files.responses import RESERVED, coerce

        kept: dict[str, AnswerValue] = {}
        seen: dict[str, Any] = {}  # kept answers as conditions see them (condition_values)
        for qid in sorted(answers, key=self.order.__getitem__):
            q = self.loaded.questions[qid]
            value = answers[qid]
            if q.roles and role not in q.roles:
                self.dropped[(qid, f"it is asked of {', '.join(q.roles)} only")].append(row)
                continue
            if qid in self._condition_refs and not self._holds(qid, seen):
                self.dropped[(qid, f"its condition is false ({q.when})")].append(row)
                continue
            kept[qid] = value
            var = self._read_by_conditions.get(qid)
            if var is not None and not (isinstance(value, str) and value in RESERVED):
                seen[var] = coerce(q, value)
        return kept

    def _holds(self, qid: str, seen: dict[str, Any]) -> bool:
        """A `when` condition, memoised on the answers it reads: rows repeat the same few."""
        key = (qid, *(_hashable(seen.get(name)) for name in self._condition_refs[qid]))
        hit = self._conditions.get(key)
        if hit is None:
            context = {name: seen.get(name) for name in self._condition_refs[qid]}
            hit = self._conditions[key] = self.loaded.conditions[qid].evaluate({"answers": context})
        return hit

    def result(self) -> SurveyImport:
        warnings: list[str] = []
        order = self.order
        for (qid, why), rows in sorted(
            self.dropped.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
        ):
            s = "" if len(rows) == 1 else "s"
            warnings.append(
                f"{self.file}: {len(rows)} answer{s} to '{qid}' left out because {why}: "
                f"row{s} {_rows(rows)}"
            )
        _lengthen_colliding_pseudonyms(self.candidates, self.salt)
        kept = _one_per_respondent(self.candidates, self.file, warnings)
        for r in kept:
            r.text = responses_yaml(r.data)
        return SurveyImport(self.file, kept, self.problems, warnings, self.read_rows, self.bad_rows)


def _hashable(value: Any) -> Any:
    """Keeps 1, 1.0 and true apart, and lists hashable."""
    if isinstance(value, list):
        return (list, tuple((type(v), v) for v in value))
    return (type(value), value)


def _rows(rows: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _is_subheader(columns: list[Column], cells: list[str]) -> bool:
    """SurveyMonkey's second header row: 'Response' / 'Open-Ended Response' under questions."""
    words = [
        normalise_text(cells[c.index])
        for c in columns
        if c.kind == QUESTION and c.index < len(cells) and cells[c.index].strip()
    ]
    return bool(words) and all(w in SUBHEADER_WORDS for w in words)


def _one_per_respondent(
    rows: list[ImportedRow], file: str, warnings: list[str]
) -> list[ImportedRow]:
    """Several rows for one person (a survey answered twice): the latest answer wins.

    'Latest' is the later timestamp, or the later row when timestamps are missing or equal.
    Pseudonyms of different people can collide; they then get a longer one, so nobody's
    answers overwrite someone else's.
    """
    groups: dict[str, list[ImportedRow]] = defaultdict(list)
    for r in rows:
        groups[r.slug].append(r)
    out: list[ImportedRow] = []
    floor = datetime.min.replace(tzinfo=UTC)
    for key in sorted(groups):
        group = groups[key]
        if len(group) > 1:
            winner = max(group, key=lambda r: (r.updated or floor, r.row))
            others = sorted(r.row for r in group if r is not winner)
            names = sorted({r.name for r in group})
            warnings.append(
                f"{file}: rows {_rows([*others, winner.row])} are all from "
                f"{' / '.join(repr(n) for n in names)}; kept row {winner.row}, the latest"
            )
            group = [winner]
        out.extend(group)
    out.sort(key=lambda r: r.row)
    return out


def _lengthen_colliding_pseudonyms(rows: list[ImportedRow], salt: str) -> None:
    """Two different people with one short pseudonym would share a file: give them longer ones.

    Deterministic for a given file; a later import that brings a colliding newcomer renames the
    earlier person's file (documented).
    """
    from alignment_cli.files.privacy import pseudonym
    from alignment_cli.files.responses import slug

    sources: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.pseudonym_of is not None:
            sources[r.slug].add(" ".join(r.pseudonym_of.split()).casefold())
    for r in rows:
        if r.pseudonym_of is not None and len(sources[r.slug]) > 1:
            r.name = pseudonym(r.pseudonym_of, salt, digits=12)
            r.slug = slug(r.name)
            r.data["respondent"]["name"] = r.name


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class PlannedFile:
    path: Path
    row: ImportedRow
    status: str  # new | updated | unchanged | conflict


@dataclass
class WritePlan:
    folder: Path
    files: list[PlannedFile] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)


def output_folder(into: Path) -> Path:
    """Where answer files go: DIR/responses for an engagement folder (one with alignment.yaml or
    a responses/ folder), else DIR itself; `alignment score DIR` finds them either way."""
    from alignment_cli.files.engagement import CONFIG_NAME

    if (into / CONFIG_NAME).is_file() or (into / "responses").is_dir():
        return into / "responses"
    return into


def plan_writes(rows: list[ImportedRow], folder: Path, *, overwrite: bool) -> WritePlan:
    """What writing would do to each file; an existing file with other answers is a conflict
    unless `overwrite`, so an interview typed by hand is never replaced by accident."""
    plan = WritePlan(folder)
    for r in rows:
        path = folder / f"{r.slug}.yaml"
        status = "new"
        if path.exists():
            try:
                old: str | None = read_text(path)
            except InvalidInput:
                old = None
            if old == r.text or (old is not None and _same_answers(str(path), old, r.data)):
                status = "unchanged"
            else:
                status = "updated" if overwrite else "conflict"
        plan.files.append(PlannedFile(path, r, status))
    return plan


def _same_answers(name: str, old_text: str, data: dict[str, Any]) -> bool:
    """The file says the same as the row, whatever its formatting or comments. Read as
    `alignment score` reads it: through the guarded loader (the file may be anyone's)."""
    try:
        old = parse_yaml(name, old_text).data
        return bool(Responses.model_validate(old) == Responses.model_validate(data))
    except (InvalidInput, ValidationError):
        return False


def conflicts(plan: WritePlan, source: str) -> list[Problem]:
    return [
        Problem(
            str(f.path),
            1,
            1,
            f"already holds other answers than row {f.row.row} of {source}; "
            "pass --overwrite to replace it",
        )
        for f in plan.files
        if f.status == "conflict"
    ]


def write_plan(plan: WritePlan) -> None:
    items = [(f.path, f.row.text) for f in plan.files if f.status in ("new", "updated")]
    try:
        write_all_atomic(items)
    except OSError as exc:
        where = exc.filename or plan.folder
        raise InvalidInput(f"cannot write {where}: {exc.strerror or exc}") from None


def write_all_atomic(items: list[tuple[Path, str]]) -> None:
    """`yamlio.write_atomic` for thousands of files: one flush to disk instead of one each.

    Every file is first written beside its target, then everything is flushed once, then each
    is renamed into place: a crash leaves every target old or new, never half-written, as with
    write_atomic (and with the same permissions: the umask decides). Per-file fsync and mkstemp made
    10,000 files take a minute on an ordinary disk.
    """
    import os

    if not hasattr(os, "sync") or len(items) < 2:
        from alignment_cli.files.yamlio import write_atomic

        for path, text in items:
            write_atomic(path, text, make_dirs=True)  # as below: DIR/responses may be new
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    temps: list[tuple[Path, Path]] = []
    try:
        for i, (path, text) in enumerate(items):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.parent / f".{path.name}.{os.getpid()}.{i}.tmp"
            fd = os.open(tmp, flags, 0o666)
            temps.append((tmp, path))
            try:
                os.write(fd, text.encode("utf-8"))
            finally:
                os.close(fd)
        os.sync()
        for tmp, path in temps:
            os.replace(tmp, path)
        temps.clear()
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    for folder in {path.parent for path, _ in items}:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------------------------
# The YAML of an answer file, written directly: PyYAML's representer costs ~1 ms a file.


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.,()'/+&-]*[A-Za-z0-9.)]|[A-Za-z0-9]")
_FLOW_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _./+-]*[A-Za-z0-9.]|[A-Za-z0-9]")
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    "|[\u2028\u2029]"
)
_STR_TAG = "tag:yaml.org,2002:str"
_resolver: Any = None
_str_cache: dict[tuple[str, bool], str] = {}


def yaml_str(text: str, *, flow: bool = False) -> str:
    """A string as a YAML scalar that reads back as the same string: plain when nothing in it
    could be read as another type or as syntax, else double-quoted with JSON's escapes."""
    key = (text, flow)
    hit = _str_cache.get(key)
    if hit is None:
        hit = _yaml_str(text, flow)
        if len(_str_cache) < 50_000:
            _str_cache[key] = hit
    return hit


def _yaml_str(text: str, flow: bool) -> str:
    import json

    import yaml

    global _resolver
    pattern = _FLOW_PLAIN if flow else _PLAIN
    if pattern.fullmatch(text) and " #" not in text and ": " not in text and " -" not in text:
        if _resolver is None:
            _resolver = yaml.resolver.Resolver()
        if _resolver.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG:
            return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


_value_cache: dict[tuple[type, Any, bool], str] = {}


def yaml_value(value: Any, *, flow: bool = False) -> str:
    kind = type(value)
    if kind in (str, int, float, bool):
        key = (kind, value, flow)
        hit = _value_cache.get(key)
        if hit is None:
            hit = _yaml_value(value, flow=flow)
            if len(_value_cache) < 50_000:
                _value_cache[key] = hit
        return hit
    return _yaml_value(value, flow=flow)


def _yaml_value(value: Any, *, flow: bool = False) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text.replace("e", ".0e") if "." not in text and "e" in text else text
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v, flow=True) for v in value) + "]"
    return yaml_str(str(value), flow=flow)


def responses_yaml(data: dict[str, Any]) -> str:
    """An answer file's YAML: block mappings two levels deep, lists on one line."""
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict):
            if not value:
                lines.append(f"{yaml_str(key)}: {{}}")
                continue
            lines.append(f"{yaml_str(key)}:")
            for k, v in value.items():
                lines.append(f"  {yaml_str(str(k))}: {yaml_value(v)}")
        else:
            lines.append(f"{yaml_str(key)}: {yaml_value(value)}")
    return "\n".join(lines) + "\n"


@dataclass
class ImportOutcome:
    result: SurveyImport
    plan: WritePlan


def import_csv(
    csv_path: Path,
    into: Path,
    *,
    rubric_ref: str | None = None,
    mapping_path: Path | None = None,
    settings: ImportSettings | None = None,
    partial: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """The whole import, as `alignment import` runs it; writes nothing unless all is well.

    The rubric and organisation come from the engagement at `into` unless given. With
    `partial`, rows with problems are left out (and listed in `result.problems`) instead of
    stopping the import; an import where no row is usable still fails.
    """
    from dataclasses import replace

    from alignment_cli.errors import UsageError
    from alignment_cli.files.engagement import find_engagement
    from alignment_cli.model.rubric import load_rubric

    if into.exists() and not into.is_dir():
        raise UsageError(f"--into {into}: is a file; give the engagement folder to import into")
    engagement = find_engagement(into) if into.exists() else None
    loaded = load_rubric(rubric_ref or (engagement.rubric_ref() if engagement else None))
    settings = replace(settings) if settings else ImportSettings()
    if settings.organization is None and engagement is not None:
        settings.organization = engagement.config.organization
    if settings.default_role is not None:
        settings.default_role = resolve_role(loaded.rubric, settings.default_role)
    if mapping_path is not None:
        settings.mapping = load_mapping(mapping_path, loaded)
    result = read_survey(csv_path, loaded, settings)
    if result.problems and (not partial or not result.rows):
        raise InvalidInput(result.problems)
    plan = plan_writes(result.rows, output_folder(into), overwrite=overwrite)
    clashes = conflicts(plan, str(csv_path))
    if clashes:
        raise InvalidInput(clashes)
    if not dry_run:
        write_plan(plan)
    return ImportOutcome(result, plan)
