"""Answer forms to hand out: a commented YAML answer file, a CSV header and codebook for survey
tools, and a printable Markdown questionnaire.

All three are built from the rubric alone, so they never drift from what scoring and importing
accept: the YAML form is a responses file (it loads and scores as it is), and the CSV header is
exactly what `alignment import` matches columns against.

A form is read by the respondent, so it carries only what they need to answer: the question,
its `hint`, the answers to choose from (anchors, options, unit, range) and whom it is asked of.
Never the `help` (what good looks like), scores, bands or signals: those would tell the
respondent which answer scores well or which way it tips a classification.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections import Counter
from typing import Any

from alignment_cli.files.answer_file import scalar
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.qtypes.base import one_line as one_line  # re-exported
from alignment_cli.model.qtypes.cells import normalise_text
from alignment_cli.model.roles import resolve_role
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.report.markdown import escape

NAME_PLACEHOLDER = "Your name"
ROLE_PLACEHOLDER = "choose-one"
TIMESTAMP_HEADER = "Timestamp"
NAME_HEADER = "Name"
ROLE_HEADER = "Role"

_VAR_REF = re.compile(r"\banswers\.([a-z][a-z0-9_]*)")


def yaml_scalar(value: Any, *, flow: bool = False) -> str:
    """One scalar as the answer-file writer writes it, quoted when it must be ('yes', '1.0')."""
    return scalar(one_line(value) if isinstance(value, str) else value, flow=flow)


def _comment(
    text: str, indent: str, *, first: str = "", rest: str = "", width: int = 98
) -> list[str]:
    prefix = indent + "# "
    lines = textwrap.wrap(
        one_line(text),
        width=max(40, width - len(prefix)),
        initial_indent=first,
        subsequent_indent=rest or " " * len(first),
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [(prefix + line).rstrip() for line in lines] or [prefix.rstrip()]


def condition_text(loaded: LoadedRubric, when: str) -> str:
    """A `when` with question ids in place of variables: 'sla-exists == true'."""
    by_var = {q.var: q.id for q in loaded.rubric.questions}
    return _VAR_REF.sub(lambda m: by_var.get(m.group(1), m.group(1)), one_line(when))


def role_list(loaded: LoadedRubric) -> str:
    return ", ".join(f"{r.id} ({one_line(r.title)})" for r in loaded.rubric.roles)


def check_role(loaded: LoadedRubric, role: str | None) -> None:
    """A form is for a role id; the CLI reads `--role` through `resolve_role` first."""
    if role is not None and role not in {r.id for r in loaded.rubric.roles}:
        resolve_role(loaded.rubric, role)  # raises, with the ids and the nearest one


# ---------------------------------------------------------------------------------------------
# YAML answer file


def yaml_form(
    loaded: LoadedRubric,
    *,
    role: str | None = None,
    name: str | None = None,
    organization: str | None = None,
) -> str:
    """A responses file with every question (of `role`) unanswered, explained in comments.

    Left untouched it loads as a responses file; scoring refuses it only for the placeholders
    the person must fill in (the role), so a forgotten role is caught with a file and a line.
    """
    check_role(loaded, role)
    r = loaded.rubric
    out: list[str] = []
    out += _comment(f"Answer form: {r.title} ({r.id} {r.version})", "")
    out += [
        "#",
        "# 1. Fill in your name and role below.",
        "# 2. Answer each question after its colon. The comment above a question says what you",
        "#    may answer. Leave an answer empty to skip it; write unknown if you do not know and",
        "#    n/a if the question does not apply to your organisation.",
        "# 3. Keep the rubric line as it is: it says which questions these answers belong to.",
        "# 4. Check and score the file: alignment score THIS-FILE",
        "",
    ]
    ref = {"id": r.id, "version": r.version, "hash": loaded.content_hash}
    out.append(
        "rubric: {" + ", ".join(f"{k}: {yaml_scalar(v, flow=True)}" for k, v in ref.items()) + "}"
    )
    out.append("respondent:")
    name_line = f"  name: {yaml_scalar(name or NAME_PLACEHOLDER)}"
    out.append(name_line if name else name_line + "  # your name")
    if role:
        out.append(f"  role: {yaml_scalar(role)}")
    else:
        out.append(f"  role: {ROLE_PLACEHOLDER}")
        out += _comment(f"role: one of {role_list(loaded)}", "  ", first="")
    if organization:
        out.append(f"organization: {yaml_scalar(organization)}")
    questions = loaded.questions_for(role)
    if not questions:
        out.append("answers: {}")
    else:
        out.append("answers:")
    phase_titles = {p.id: p.title for p in r.phases}
    numbers = question_numbers(loaded)
    current_phase = None
    for q in questions:
        if q.phase != current_phase:
            current_phase = q.phase
            title = one_line(phase_titles.get(q.phase, q.phase))
            out += ["", f"  # {'=' * 94}", f"  # {title}", f"  # {'=' * 94}"]
        out.append("")
        out += _question_comments(loaded, q, numbers[q.id], role)
        out.append(f"  {yaml_scalar(q.id)}:")
    example = questions[0].id if questions else r.questions[0].id
    out += [
        "",
        "# Optional notes, one per question, for example:",
        f'#   {example}: "Why I answered as I did."',
        "notes: {}",
        "",
    ]
    return "\n".join(out)


def question_numbers(loaded: LoadedRubric) -> dict[str, str]:
    """'2.3': the third question of the second phase; stable for a rubric, whatever the role."""
    order = {p.id: i for i, p in enumerate(loaded.rubric.phases, 1)}
    seen: Counter[str] = Counter()
    out: dict[str, str] = {}
    for q in loaded.rubric.questions:
        seen[q.phase] += 1
        out[q.id] = f"{order.get(q.phase, 0)}.{seen[q.phase]}"
    return out


def _question_comments(
    loaded: LoadedRubric, q: Question, number: str, role: str | None
) -> list[str]:
    ind = "  "
    out = _comment(f"{number} {q.text}", ind)
    if q.hint:
        out += _comment(q.hint, ind, first="   ", rest="   ")
    if q.roles and role is None:
        out += _comment(
            f"Asked of {', '.join(q.roles)} only; others leave it empty.", ind, first="   "
        )
    if q.when:
        out += _comment(
            f"Answer only when {condition_text(loaded, q.when)}; otherwise leave it empty.",
            ind,
            first="   ",
        )
    for text, first, rest in KINDS[q.type].form_comments(q, loaded.rubric):
        out += _comment(text, ind, first=first, rest=rest)
    if not q.allow_na:
        out += _comment("n/a is not allowed for this question.", ind, first="   ")
    return out


# ---------------------------------------------------------------------------------------------
# CSV header and codebook


def csv_columns(loaded: LoadedRubric, role: str | None = None) -> list[tuple[str, Question]]:
    """(header, question) per question column: the question's text, as survey tools export it.

    A text shared by two questions (or by a metadata column) cannot identify a column, so such
    questions are headed by their id, which import matches just as well.
    """
    questions = loaded.questions_for(role)
    counts = Counter(normalise_text(q.text) for q in loaded.rubric.questions)
    reserved = {normalise_text(h) for h in (TIMESTAMP_HEADER, NAME_HEADER, ROLE_HEADER)}
    out: list[tuple[str, Question]] = []
    for q in questions:
        key = normalise_text(q.text)
        header = q.id if counts[key] > 1 or key in reserved else one_line(q.text)
        out.append((header, q))
    return out


def csv_header(loaded: LoadedRubric, role: str | None = None) -> str:
    check_role(loaded, role)
    headers = [TIMESTAMP_HEADER, NAME_HEADER, ROLE_HEADER]
    headers += [h for h, _ in csv_columns(loaded, role)]
    return _csv_text([headers], inert=True)


CODEBOOK_HEADERS = [
    "column",
    "question",
    "number",
    "type",
    "asked_of",
    "only_when",
    "answer",
    "label",
    "hint",
]


def codebook(loaded: LoadedRubric, role: str | None = None) -> str:
    """One row per allowed answer of each column, to set a survey tool's answer options from.

    `answer` is what an answer file holds; import also accepts the `label` text, the option's
    number, or a scale answer with its label ("4 - Mostly").
    """
    check_role(loaded, role)
    numbers = question_numbers(loaded)
    rows: list[list[str]] = [CODEBOOK_HEADERS]
    rows.append(
        [TIMESTAMP_HEADER, "", "", "timestamp", "", "", "", "when the answers were given", ""]
    )
    rows.append([NAME_HEADER, "", "", "text", "", "", "", "the respondent's name", ""])
    roles = [x for x in loaded.rubric.roles if role is None or x.id == role]
    for x in roles:
        rows.append([ROLE_HEADER, "", "", "role", "", "", x.id, one_line(x.title), ""])
    for header, q in csv_columns(loaded, role):
        base = [
            header,
            q.id,
            numbers[q.id],
            q.type.value,
            " ".join(q.roles),
            condition_text(loaded, q.when) if q.when else "",
        ]
        hint = one_line(q.hint)  # what the survey shows under the question
        for answer, label in allowed_answers(loaded, q):
            rows.append([*base, answer, label, hint])
        rows.append([*base, "unknown", "Don't know", hint])
        if q.allow_na:
            rows.append([*base, "n/a", "Not applicable", hint])
    return _csv_text(rows, inert=True)


def allowed_answers(loaded: LoadedRubric, q: Question) -> list[tuple[str, str]]:
    """(answer as written in an answer file, label a survey shows) for each allowed answer."""
    return KINDS[q.type].allowed_answers(q, loaded.rubric)


_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def _csv_text(rows: list[list[str]], *, inert: bool = False) -> str:
    """CSV text; with `inert`, a cell a spreadsheet would run as a formula ('=HYPERLINK(...)',
    '+1+1', '@SUM') starts with an apostrophe, as OWASP advises. Import still matches such a
    header, since it compares texts without punctuation as a second chance."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if inert:
        rows = [
            [
                "'" + cell if _FORMULA.match(cell) and not _NUMBER.fullmatch(cell) else cell
                for cell in row
            ]
            for row in rows
        ]
    writer.writerows(rows)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Printable Markdown questionnaire


def markdown_form(
    loaded: LoadedRubric,
    *,
    role: str | None = None,
    name: str | None = None,
    organization: str | None = None,
) -> str:
    """A questionnaire to print for a workshop: per phase, with anchors and boxes to tick."""
    check_role(loaded, role)
    r = loaded.rubric
    numbers = question_numbers(loaded)
    out: list[str] = [f"# {escape(one_line(r.title))}: questionnaire", ""]
    meta = f"Rubric `{r.id}` version `{r.version}`"
    if organization:
        meta = f"{escape(one_line(organization))} · " + meta
    out += [meta, ""]
    out.append(f"**Name:** {escape(one_line(name)) if name else '_' * 30}")
    out.append("")
    if role:
        title = next(x.title for x in r.roles if x.id == role)
        out += [f"**Role:** {escape(one_line(title))}", ""]
    else:
        out += ["**Role** (tick one):", ""]
        out += [f"- [ ] {escape(one_line(x.title))}" for x in r.roles]
        out.append("")
    out += ["**Date:** " + "_" * 20, ""]
    out += [
        "Tick one box per question unless it says *tick all that apply*. Skip a question you "
        "were not asked; tick *Don't know* rather than guess.",
        "",
    ]
    questions = loaded.questions_for(role)
    for phase in r.phases:
        qs = [q for q in questions if q.phase == phase.id]
        if not qs:
            continue
        out += [f"## {escape(one_line(phase.title))}", ""]
        if phase.description:
            out += [escape(one_line(phase.description)), ""]
        for q in qs:
            out += _markdown_question(loaded, q, numbers, role)
    return "\n".join(out).rstrip("\n") + "\n"


def _markdown_question(
    loaded: LoadedRubric, q: Question, numbers: dict[str, str], role: str | None
) -> list[str]:
    out = [f"### {numbers[q.id]} {escape(one_line(q.text))}", ""]
    extra = [f"`{q.id}`"]
    if q.roles and role is None:
        extra.append("asked of " + ", ".join(escape(x) for x in q.roles))
    if q.when:
        refs = [m.group(1) for m in _VAR_REF.finditer(q.when)]
        by_var = {x.var: x for x in loaded.rubric.questions}
        which = ", ".join(numbers[by_var[v].id] for v in refs if v in by_var)
        extra.append(
            f"only when {escape(condition_text(loaded, q.when))}"
            + (f" (see {which})" if which else "")
        )
    out += ["*" + " · ".join(extra) + "*", ""]
    if q.hint:
        out += [escape(one_line(q.hint)), ""]
    out += KINDS[q.type].markdown(q, loaded.rubric, escape)
    out.append("- [ ] Don't know")
    if q.allow_na:
        out.append("- [ ] Not applicable")
    out += ["", "Notes: " + "_" * 50, ""]
    return out
