"""The report's appendix: every question with its answers, counted, and the notes people wrote."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.report.model import (
    ANSWERS_PER_CELL,
    NOTES_PER_QUESTION,
    RESPONDENT_TABLE_MAX,
    AnswerCell,
    Appendix,
    AppendixPhase,
    AppendixQuestion,
    Figure,
    NoteView,
    RespondentRow,
    RoleInfo,
    _plural,
    long_date,
    score_text,
)
from alignment_cli.scoring.scorecard import Scorecard

# --------------------------------------------------------------------------- appendix

_RESERVED_WORDS = {"n/a": "not applicable", "unknown": "don't know"}


_PERCENT = ("percent", "%")


def _number(value: float, unit: str) -> str:
    """A number as it was answered: 20%, 4 hours, 12."""
    if unit in _PERCENT:
        return f"{value:g}%"
    return f"{value:g}" + (f" {unit}" if unit else "")


def _answer_items(q: Question | None, counts: dict[str, int], scale_max: int) -> list[str]:
    """One role group's answers to a question, as counted phrases, most common first."""
    labelled: Counter[str] = Counter()
    numbers: list[tuple[float, int]] = []
    unit = q.unit if q is not None else ""
    for raw, n in counts.items():
        if raw in _RESERVED_WORDS:
            labelled[_RESERVED_WORDS[raw]] += n
        elif q is None:
            labelled[raw] += n
        else:
            phrases = KINDS[q.type].phrases(q, raw, scale_max)
            if isinstance(phrases, float):
                numbers.append((phrases, n))
            else:
                for p in phrases:
                    labelled[p] += n
    people = sum(counts.values())
    distinct_numbers = len(numbers)
    if distinct_numbers > ANSWERS_PER_CELL:
        values = sorted(v for v, n in numbers for _ in range(min(n, 10_000)))
        median = statistics.median(values)
        low = _number(values[0], unit if unit in _PERCENT else "")
        high = _number(values[-1], unit)
        labelled[f"median {_number(median, unit)}, range {low} to {high}"] += sum(
            n for _, n in numbers
        )
    else:
        for v, n in numbers:
            labelled[_number(v, unit)] += n
    ranked = sorted(labelled.items(), key=lambda kv: (-kv[1], kv[0]))
    if people <= 1:
        return [label for label, _ in ranked]
    return [f"{label} ({n:,})" for label, n in ranked]


def answer_summary(
    q: Question | None, counts: dict[str, int], scale_max: int, limit: int = ANSWERS_PER_CELL
) -> tuple[list[str], int, str]:
    """What a group answered, as people read it: the phrases kept, how many more, and the text
    ("20% (2); 30%", a dash when nobody answered)."""
    answered = _answer_items(q, counts, scale_max)
    kept = answered[:limit]
    more = len(answered) - len(kept)
    text = "; ".join(kept) if kept else "–"
    if more:
        text += f"; and {_plural(more, 'other answer')}"
    return kept, more, text


def quoted_by(role_title: str) -> str:
    """Who said it, by role alone: "someone in Sales"."""
    return f"someone in {role_title}"


def _note_view(
    note: Any, titles: dict[str, str], group_title: str, role_shown: bool, attribute: bool
) -> NoteView:
    """A quote, attributed by its group by default (confidential: "someone in Sales", never
    "Head of sales", a role one person holds), by name and own role with --attribute-quotes;
    a quote from a group too small to show on its own names neither."""
    if not role_shown:
        role = ""
        by = "a respondent"
    elif attribute:
        role = titles.get(note.role, note.role)
        by = f"{note.respondent}, {role}"
    else:
        role = group_title
        by = quoted_by(role)
    return NoteView(
        text=note.text.strip(),
        respondent=note.respondent if attribute and role_shown else "",
        role=role,
        attribution=by,
    )


def _role_title(
    titles: dict[str, str], groups: dict[str, str], role: str, group: str | None
) -> str:
    """A respondent's own role, and the group they score in when that is another role."""
    own = titles.get(role, role)
    return own if group is None else f"{own} ({groups.get(group, group)})"


def build_appendix(
    card: Scorecard,
    loaded: LoadedRubric,
    roles: list[RoleInfo],
    anonymous: bool,
    everyone_shown: bool,
    few: frozenset[str],
    attribute: bool = False,
) -> Appendix:
    r = loaded.rubric
    questions = loaded.questions
    dims = {d.id: d.title for d in r.dimensions}
    role_titles = {x.id: x.title for x in r.roles}
    group_titles = loaded.group_titles
    shown = {x.id: x.shown and everyone_shown for x in roles}
    phases = []
    for pi, phase in enumerate(r.phases, start=1):
        items = []
        members = [qs for qs in card.questions if qs.phase == phase.id]
        for qi, qs in enumerate(members, start=1):
            q = questions.get(qs.id)
            scale = (q.scale if q is not None and q.scale else r.scale).max
            cells = []
            for role in roles:
                counts = qs.answers.get(role.id, {})
                if not shown[role.id]:
                    cells.append(AnswerCell(role.title, False, [], 0, "not shown"))
                    continue
                kept, more, text = answer_summary(q, counts, scale)
                cells.append(AnswerCell(role.title, True, kept, more, text))
            notes = []
            hidden_notes = 0
            for note in qs.notes:
                if not everyone_shown:
                    hidden_notes += 1
                    continue
                notes.append(note)
            kept_notes = [
                _note_view(
                    n,
                    role_titles,
                    group_titles.get(loaded.group_of(n.role), n.role),
                    shown.get(loaded.group_of(n.role), False),
                    attribute,
                )
                for n in notes[:NOTES_PER_QUESTION]
            ]
            items.append(
                AppendixQuestion(
                    id=qs.id,
                    number=Figure(f"{pi}.{qi}"),
                    text=qs.text,
                    dimension=dims.get(qs.dimension, qs.dimension),
                    scored=qs.scored,
                    score=(
                        score_text(qs.score)
                        if qs.scored and everyone_shown and qs.id not in few
                        else Figure("–")
                    ),
                    cells=cells,
                    notes=kept_notes,
                    more_notes=max(0, len(notes) - NOTES_PER_QUESTION),
                    hidden_notes=hidden_notes,
                    skipped_note=(
                        f"skipped for {qs.skipped_lowest:,} by an earlier answer: counted as 0"
                        if qs.skipped_lowest and everyone_shown
                        else ""
                    ),
                )
            )
        phases.append(AppendixPhase(id=phase.id, number=pi, title=phase.title, questions=items))
    listed = not anonymous and len(card.respondents) <= RESPONDENT_TABLE_MAX
    people = []
    if listed:
        # In the rubric's order of roles, as the cover counts them (not by role id, which
        # read as no order at all: Finance, Head of marketing, Revenue operations, Head of sales).
        order = {x.id: i for i, x in enumerate(r.roles)}
        for x in sorted(
            card.respondents,
            key=lambda x: (order.get(x.role, len(order)), x.role, x.name.casefold(), x.file),
        ):
            people.append(
                RespondentRow(
                    name=x.name,
                    role=_role_title(role_titles, loaded.group_titles, x.role, x.group),
                    answered=x.answered,
                    asked=x.asked,
                    unknown=x.unknown,
                    updated=long_date(x.updated.date()) if x.updated else Figure("–"),
                )
            )
    return Appendix(
        roles=roles,
        phases=phases,
        respondents=people,
        respondents_listed=listed,
        warnings=list(card.warnings),
        straight_lined=straight_lining(card, role_titles, r.straightline_min, named=listed),
    )


def straight_lining(
    card: Scorecard, role_titles: dict[str, str], minimum: int, *, named: bool
) -> str:
    """One sentence on the respondents flagged for straight-lining: by name where the report
    lists respondents, else counted. Empty when nobody was flagged."""
    flagged = [x for x in card.respondents if x.straight_lined]
    if not flagged:
        return ""
    if named:
        who = _and([f"{x.name} ({role_titles.get(x.role, x.role)})" for x in flagged])
    else:  # an anonymous report names no one, nor their role
        who = _plural(len(flagged), "respondent")
    return (
        f"Straight-lining: {who} gave the same answer to every scale question "
        f"({minimum} or more), which may mean the form was not read; still scored. Every "
        "answer file is checked, self-administered or not."
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
