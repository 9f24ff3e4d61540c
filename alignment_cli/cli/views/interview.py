"""What the interview shows: phase introductions, questions, help, and the closing scores.

Renderables only (rich); `cli/audit_session.py` decides when to print them. Everything a person
or a rubric author wrote goes in as plain `Text`, never as markup, so brackets stay brackets.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from alignment_cli.interview.flow import (
    KEY_NA,
    KEYS,
    Interview,
    answer_hint,
    format_value,
)
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.report import markdown as md
from alignment_cli.scoring.scorecard import Scorecard

BAR_WIDTH = 30


def bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """A progress bar that reads without colour: filled and empty cells differ in shape."""
    filled = 0 if total <= 0 else round(done / total * width)
    return Text("█" * filled, style="green") + Text("░" * (width - filled), style="dim")


def keys_line(q: Question, has_answer: bool = True) -> Text:
    """The same keys at every question; a key that does nothing here is dimmed."""
    out = Text()
    for i, (key, what) in enumerate(KEYS):
        if i:
            out.append("  ")
        if key == KEY_NA and not q.allow_na:
            out.append(f"{key} {what} (not here)", style="dim strike")
            continue
        out.append(key, style="bold cyan")
        out.append(f" {what}")
    out.append("  ")
    if has_answer:
        out.append("Enter", style="bold cyan")
        out.append(" keep answer")
    else:
        out.append("Enter keep answer (none yet)", style="dim")
    return out


def phase_intro(rubric: LoadedRubric, phase_id: str, asked: list[Question]) -> RenderableType:
    phases = rubric.rubric.phases
    index = next(i for i, p in enumerate(phases) if p.id == phase_id)
    phase = phases[index]
    count = sum(1 for q in asked if q.phase == phase_id)
    body = Text()
    if phase.description:
        body.append(phase.description.strip() + "\n\n")
    s = "" if count == 1 else "s"
    body.append(f"{count} question{s} in this phase.", style="dim")
    title = Text(f"Phase {index + 1} of {len(phases)}: {phase.title}", style="bold")
    return Panel(body, title=title, title_align="left", border_style="blue")


def question_view(iv: Interview) -> RenderableType:
    q = iv.current()
    if q is None:
        return Text("")
    rubric = iv.rubric
    n, total = iv.position()
    phase = next(p for p in rubric.rubric.phases if p.id == q.phase)
    dimension = next(d for d in rubric.rubric.dimensions if d.id == q.dimension)
    head = Table.grid(expand=True)
    head.add_column()
    head.add_column(justify="right", no_wrap=True)
    head.add_row(
        Text(f"{phase.title} › {dimension.title}", style="bold blue"),
        Text(f"question {n} of {total}", style="bold"),
    )
    progress = bar(n - 1, total) + Text(f"  {iv.answered()} of {total} answered", "dim")
    parts: list[RenderableType] = [Text(""), head, progress, Text(q.text, style="bold")]
    if q.hint:  # what the respondent needs to answer; the help (?) is for the interviewer
        parts.append(Text(q.hint, style="italic"))
    parts.extend(_choices(q, rubric))
    note = iv.notes.get(q.id)
    if note:
        parts.append(Text("note: ", style="italic") + Text(note, style="italic"))
    has, value = iv.default()
    if has:
        parts.append(
            Text("answer so far: ")
            + Text(format_value(q, value), style="bold")
            + Text("   (Enter keeps it)", style="dim")
        )
    parts.append(Text(answer_hint(q, rubric).capitalize(), style="dim"))
    parts.append(keys_line(q, has))
    return Group(*parts)


def _choices(q: Question, rubric: LoadedRubric) -> list[RenderableType]:
    """The answers to pick from, as the question's type describes them."""
    kind = KINDS[q.type]
    out: list[RenderableType] = []
    rows = kind.choices(q, rubric.rubric)
    if rows:
        t = Table.grid(padding=(0, 2))
        t.add_column(justify="right", style="bold cyan")
        t.add_column()
        for key, label in rows:
            t.add_row(key, Text(label))
        out.append(t)
    inline = kind.inline_choices(q)
    if inline:
        out.append(Text(inline, style="cyan"))
    note = kind.choices_note(q)
    if note:
        out.append(Text(note, style="dim"))
    return out


def help_view(q: Question, rubric: LoadedRubric) -> RenderableType:
    body = Text(q.help.strip() if q.help else "No help for this question.")
    body.append("\n\n")
    body.append(answer_hint(q, rubric).capitalize() + ".", style="dim")
    body.append(
        "\nu: they don't know (a blind spot, left out of the score)."
        + ("\n-: it does not apply to them (left out of the score)." if q.allow_na else ""),
        style="dim",
    )
    return Panel(body, title=Text(f"help: {q.id}"), title_align="left", border_style="dim")


def summary_view(card: Scorecard) -> RenderableType:
    """One respondent's scores by phase and dimension."""
    parts: list[RenderableType] = []
    who = card.respondents[0] if card.respondents else None
    level = card.level.title if card.level else "–"
    head = Text("Overall ", style="bold") + Text(f"{md.fmt_score(card.overall)}/100", style="bold")
    head.append(f" · level {level}")
    if who is not None:
        head = Text(f"{who.name} ({who.role}): ") + head
        parts.append(head)
        parts.append(
            Text(
                f"{who.asked} questions: {who.answered} answered, {who.unknown} don't know, "
                f"{who.na} not applicable",
                style="dim",
            )
        )
    else:
        parts.append(head)
    phases = Table(title="By phase", title_justify="left")
    for col in ("phase", "score", "", "threshold", "status"):
        phases.add_column(col, justify="right" if col in ("score", "threshold") else "left")
    for p in card.phases:
        status = {True: "achieved", False: "not yet", None: "not assessed"}[p.achieved]
        phases.add_row(
            Text(p.title),
            md.fmt_score(p.score),
            bar_score(p.score),
            md.fmt_score(p.threshold),
            status,
        )
    parts.append(phases)
    dims = Table(title="By dimension", title_justify="left")
    for col in ("dimension", "score", "", "coverage"):
        dims.add_column(col, justify="right" if col in ("score", "coverage") else "left")
    for d in card.dimensions:
        coverage = md.fmt_percent(d.coverage)
        dims.add_row(Text(d.title), md.fmt_score(d.score), bar_score(d.score), coverage)
    parts.append(dims)
    return Group(*parts)


def bar_score(value: float | None, width: int = 20) -> Text:
    if value is None:
        return Text("")
    return bar(round(value), 100, width)
