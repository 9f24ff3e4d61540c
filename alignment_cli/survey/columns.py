"""Survey columns matched to the rubric's questions, and each column's cell reader.

Headers are matched by question id, by the question's text, or loosely (numbering, case and
punctuation aside); the metadata survey tools add beside the answers is recognised and ignored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.responses import (
    AnswerValue,
    value_error,
)
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.qtypes.base import CellError
from alignment_cli.model.qtypes.cells import loose_text, normalise_text
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.survey.layouts import Layout
from alignment_cli.survey.mapping import LoadedMapping, SurveyMapping
from alignment_cli.survey.settings import ImportSettings

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

_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_NUMBERING = re.compile(r"^(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):-]?\s+")


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
    index: int  # in the logical header (a layout may fold or move the file's columns)
    header: str
    kind: str
    question: Question | None = None
    parse: Callable[[str], AnswerValue] | None = None
    position: int | None = None  # the file's column (0-based), when not `index`

    @property
    def number(self) -> int:
        return (self.index if self.position is None else self.position) + 1

    @property
    def label(self) -> str:
        return f"column '{header_short(self.header)}'" if self.header else f"column {self.number}"


_OPTION_PART = re.compile(r"(?:\s*\[[^\]]*\]|\s+-\s+[^-]+)$")


def header_short(text: str, limit: int = 60) -> str:
    """A header quoted in a message, on one line: a long one keeps its start and its end (the
    `[Option]` or ` - Option` part survey tools add), so option columns can be told apart."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    m = _OPTION_PART.search(text)
    if m and len(m.group(0)) <= 80:  # the option part whole, however much of the text it leaves
        tail = m.group(0)
        limit = max(limit, len(tail) + 20)
    else:
        end = text[-(limit // 3) :]
        tail = " " + (end.split(" ", 1)[1] if " " in end[1:] else end).lstrip()
    head = text[: limit - len(tail)]
    head = head.rsplit(" ", 1)[0] if " " in head else head[:-1]
    return f"{head.rstrip()}…{tail}"


def match_columns(
    file: str,
    header: list[str],
    loaded: LoadedRubric,
    settings: ImportSettings,
    layout: Layout | None = None,
) -> list[Column]:
    """Decide what every column holds; unknown, ambiguous or duplicate columns are problems.

    `layout` (the survey tool's, see layouts.py) adds its metadata and time columns and says
    which column of the file each logical column comes from."""
    mapping = settings.mapping.mapping if settings.mapping else SurveyMapping()
    problems: list[Problem] = []
    columns = [
        Column(i, h.strip(), BLANK, position=layout.physical(i) if layout else None)
        for i, h in enumerate(header)
    ]
    metadata = METADATA_COLUMNS | layout.metadata if layout else METADATA_COLUMNS
    time_columns = TIME_COLUMNS + layout.time_headers if layout else TIME_COLUMNS
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
    pick(TIME, settings.timestamp_column or mapping.timestamp_column, time_columns, "timestamp")

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
        elif n in metadata:
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
                    f"'{header_short(first.header)}' (duplicate column)",
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


def make_parser(
    loaded: LoadedRubric,
    q: Question,
    overrides: dict[str, AnswerValue] | None = None,
    *,
    layout: Layout | None = None,
    numeric: bool = False,
) -> Callable[[str], AnswerValue]:
    """A function reading one cell of `q`'s column; memoised, as surveys repeat their labels
    (see `cell_reader`)."""
    return cell_reader(loaded, q, overrides, layout=layout, numeric=numeric)[0]


def cell_reader(
    loaded: LoadedRubric,
    q: Question,
    overrides: dict[str, AnswerValue] | None = None,
    *,
    layout: Layout | None = None,
    numeric: bool = False,
) -> tuple[Callable[[str], AnswerValue], dict[str, AnswerValue]]:
    """A function reading one cell of `q`'s column, and its memo (cell text -> value): a caller
    reading thousands of rows looks a cell up there first, without a call.

    Whatever the layout: a reserved answer reads the same with a trailing separator
    ('Not applicable;', as Microsoft Forms writes ticked boxes), and a multi answer's line breaks
    separate its options (Jotform). With `layout`: its 'seen but not answered' codes (-99) are
    unanswered, `numeric` answers are positions in the codebook's list of answers, LimeSurvey's
    answer codes (A1, A2, ...) too, and Typeform's older ' / ' separates choices."""
    from alignment_cli.model.qtypes.cells import reserved
    from alignment_cli.survey.layouts import position_table

    kind = KINDS[q.type]
    reader = kind.cell_reader(q, loaded.rubric)
    table = {normalise_text(k): v for k, v in (overrides or {}).items()}
    unanswered = layout.unanswered if layout else frozenset()
    multi = q.type.value == "multi"
    separator = layout.multi_separator if layout and multi else None
    positions: dict[str, str] = {}
    if q.type.value in ("choice", "yesno", "scale") and layout and (numeric or layout.codes):
        by_position = position_table(q, kind.allowed_answers(q, loaded.rubric))
        if numeric:
            positions.update(by_position)
        if layout.codes:
            positions.update({f"a{k}": label for k, label in by_position.items()})
    cache: dict[str, AnswerValue] = {"": None}  # an empty cell is no answer, as parse reads it
    # Digits with perhaps a decimal point read as the number reader reads them, without it:
    # numbers rarely repeat, so they miss the memo.
    plain = q.type.value == "number" and not table and not positions

    def parse(cell: str) -> AnswerValue:
        hit = cache.get(cell, cache)
        if hit is not cache:
            return hit  # type: ignore[return-value]
        if plain and _PLAIN_NUMBER.fullmatch(cell) and cell not in unanswered:
            number = float(cell)
            value: AnswerValue = (
                int(number) if number.is_integer() and abs(number) < 2**53 else number
            )
            message = value_error(q, value, loaded)
            if message:
                raise CellError(message)
            if len(cache) < 10_000:
                cache[cell] = value
            return value
        text = cell
        if multi and ("\n" in text or "\r" in text):
            text = "; ".join(part for part in re.split(r"[\r\n]+", text) if part.strip())
        if separator and separator in text:
            text = text.replace(separator, "; ")
        n = normalise_text(text)
        if n in positions:
            text = positions[n]
            n = normalise_text(text)
        if not n or n in unanswered:
            value = None
        elif n in table:
            value = table[n]
        elif n[-1] in ";," and reserved(n.rstrip(" ;,")):
            value = reserved(n.rstrip(" ;,"))
        else:
            value = reader(text, n)
        if value is not None:
            message = value_error(q, value, loaded)
            if message:
                raise CellError(message)
        if len(cache) < 10_000:
            cache[cell] = value
        return value

    return parse, cache
