"""Scorecards for people: rich tables in the terminal, and a short Markdown summary.

The full leadership report lives in `report.py` and `templates/`; this is the quick look.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import markdown as md
from .scorecard import Scorecard


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _bar(value: float | None, width: int = 20) -> Text:
    if value is None:
        return Text("")
    filled = round(value / 100 * width)
    colour = "red" if value < 40 else "yellow" if value < 60 else "green"
    return Text("█" * filled + "·" * (width - filled), style=colour)


def scorecard_view(card: Scorecard, *, top_gaps: int = 5) -> RenderableType:
    parts: list[RenderableType] = []
    who = ", ".join(f"{n} {role}" for role, n in card.by_role.items())
    org = f"{escape(card.organization)} · " if card.organization else ""
    head = Text.from_markup(
        f"[bold]{org}{escape(card.rubric.title)}[/bold] {card.rubric.id} {card.rubric.version}\n"
        f"{len(card.respondents)} respondents ({escape(who)}); coverage {_pct(card.coverage)}"
    )
    parts.append(head)
    level = card.level.title if card.level else "–"
    phase = next((p.title for p in card.phases if p.id == card.current_phase), "–")
    state = "all phases achieved" if card.all_phases_achieved else f"current phase: {phase}"
    target = ""
    if card.target is not None:
        target = f" (target {card.target:.0f}, short by {card.shortfall or 0:.0f})"
    parts.append(
        Text.from_markup(
            f"\n[bold]Overall {_s(card.overall)}/100[/bold] · level {escape(level)} · "
            f"{escape(state)}{target}"
        )
    )
    roles = card.gap_roles
    dims = Table(title="Dimensions", title_justify="left")
    dims.add_column("dimension")
    dims.add_column("score", justify="right")
    dims.add_column("", no_wrap=True)
    for role in roles:
        dims.add_column(role, justify="right")
    if roles:
        dims.add_column("gap", justify="right")
    dims.add_column("spread", justify="right")
    dims.add_column("coverage", justify="right")
    has_targets = any(d.target is not None for d in card.dimensions)
    if has_targets:
        dims.add_column("target", justify="right")
    for d in card.dimensions:
        row: list[RenderableType] = [escape(d.title), _s(d.score), _bar(d.score)]
        row += [_s(d.by_role.get(r)) for r in roles]
        if roles:
            row.append(md.fmt_gap(d.gap))
        row += [_s(d.spread), _pct(d.coverage)]
        if has_targets:
            row.append("–" if d.target is None else f"{d.target:.0f}")
        dims.add_row(*row)
    parts.append(dims)
    phases = Table(title="Phases", title_justify="left")
    for col in ("phase", "score", "", "threshold", "status"):
        phases.add_column(col, justify="right" if col in ("score", "threshold") else "left")
    for p in card.phases:
        status = {True: "achieved", False: "not yet", None: "not assessed"}[p.achieved]
        phases.add_row(escape(p.title), _s(p.score), _bar(p.score), _s(p.threshold), status)
    parts.append(phases)
    gaps = [g for g in card.gaps if g.kind == "question"][:top_gaps]
    if gaps and len(roles) == 2:
        t = Table(title=f"Largest {roles[0]}/{roles[1]} disagreements", title_justify="left")
        t.add_column("question")
        t.add_column(roles[0], justify="right")
        t.add_column(roles[1], justify="right")
        t.add_column("gap", justify="right")
        for g in gaps:
            t.add_row(escape(g.title), _s(g.first), _s(g.second), md.fmt_gap(g.gap))
        parts.append(t)
    for c in card.classifications:
        line = f"[bold]{escape(c.title)}:[/bold] {escape(c.outcome_title or 'undecided')}"
        if c.current_title:
            verdict = "matches" if c.matches else "does not match"
            line += f" (today: {escape(c.current_title)}, {verdict})"
        parts.append(Text.from_markup(line))
    if card.recommendations:
        t = Table(
            title=f"Top recommendations ({len(card.recommendations)} in all)", title_justify="left"
        )
        for col in ("phase", "priority", "owner", "recommendation"):
            t.add_column(col)
        for rec in card.recommendations[:8]:
            t.add_row(rec.phase, rec.priority, rec.owner, escape(rec.title))
        parts.append(t)
    if card.blind_spots:
        names = ", ".join(b.question for b in card.blind_spots[:6])
        parts.append(Text(f"Blind spots (answered 'unknown'): {names}", style="yellow"))
    for w in card.warnings:
        parts.append(Text(f"warning: {w}", style="yellow"))
    return Group(*parts)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def markdown_summary(card: Scorecard, *, top_gaps: int = 5) -> str:
    """A short GitHub-flavoured summary: scores, gaps, top recommendations."""
    e = md.escape
    lines = []
    title = f"{e(card.organization)}: " if card.organization else ""
    lines.append(f"## {title}{e(card.rubric.title)}")
    lines.append("")
    level = e(card.level.title) if card.level else "–"
    lines.append(
        f"**Overall {md.fmt_score(card.overall)}/100**, level **{level}**, "
        f"{len(card.respondents)} respondents, coverage {_pct(card.coverage)}."
    )
    lines.append("")
    roles = card.gap_roles
    headers = ["Dimension", "Score", *[e(r.title()) for r in roles]]
    if roles:
        headers.append("Gap")
    rows = []
    for d in card.dimensions:
        row = [e(d.title), md.fmt_score(d.score), *[md.fmt_score(d.by_role.get(r)) for r in roles]]
        if roles:
            row.append(md.fmt_gap(d.gap))
        rows.append(row)
    lines.append(md.table(headers, rows, "l" + "r" * (len(headers) - 1)))
    lines.append("")
    gaps = [g for g in card.gaps if g.kind == "question"][:top_gaps]
    if gaps and len(roles) == 2:
        lines.append(f"**Largest disagreements** ({e(roles[0])} minus {e(roles[1])}):")
        lines.append("")
        for g in gaps:
            lines.append(f"- {e(g.title)} ({md.fmt_gap(g.gap)} points)")
        lines.append("")
    if card.recommendations:
        lines.append("**Top recommendations:**")
        lines.append("")
        for rec in card.recommendations[:5]:
            lines.append(f"- {e(rec.title)} ({rec.priority}, {rec.owner}, {rec.phase})")
        lines.append("")
    return "\n".join(lines)
