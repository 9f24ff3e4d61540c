"""Scorecards for people: rich tables in the terminal.

The full leadership report lives in `report/` and `templates/`, the short Markdown summary in
`report/summaries.py`; this is the quick look. The
terminal view adapts to the width it is given: under 100 columns the bar charts go, so that the
names of dimensions and phases stay whole at 80 columns.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from alignment_cli.report import markdown as md
from alignment_cli.report.reading import reading_notes
from alignment_cli.scoring.scorecard import GroupScore, Scorecard

WIDE = 100  # from this width on, scores get a bar
MAX_WARNINGS = 10


def _bar(value: float | None, width: int = 20) -> Text:
    if value is None:
        return Text("")
    filled = round(value / 100 * width)
    colour = "red" if value < 40 else "yellow" if value < 60 else "green"
    return Text("█" * filled + "·" * (width - filled), style=colour)


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def scorecard_view(card: Scorecard, *, width: int = 120, top_gaps: int = 5) -> RenderableType:
    """The scorecard as rich renderables for a terminal `width` columns wide."""
    wide = width >= WIDE
    parts: list[RenderableType] = []
    who = ", ".join(f"{n} {role}" for role, n in card.by_role.items())
    if card.by_own_role:  # role groups: who answered which form, and its group when another
        group = {x.role: x.group for x in card.respondents}
        who = ", ".join(
            f"{n} {role}" + (f" ({group[role]})" if group.get(role) else "")
            for role, n in card.by_own_role.items()
        )
    org = f"{escape(card.organization)} · " if card.organization else ""
    n = card.respondent_count or len(card.respondents)
    people = f"{n} respondent{'' if n == 1 else 's'}"
    parts.append(
        Text.from_markup(
            f"[bold]{org}{escape(card.rubric.title)}[/bold] "
            f"({escape(card.rubric.id)} {escape(card.rubric.version)})\n"
            f"{people} ({escape(who)}) · coverage {md.fmt_percent(card.coverage)}"
        )
    )
    level = card.level.title if card.level else "–"
    phase = next((p.title for p in card.phases if p.id == card.current_phase), None)
    if card.all_phases_achieved:
        state = "all phases achieved"
    elif phase is not None:
        state = f"current phase: {phase}"
    else:
        state = "no phase assessed"
    target = ""
    if card.target is not None:
        target = f" (target {card.target:.0f}, short by {card.shortfall or 0:.0f})"
    rng = md.fmt_range(card.overall_interval, card.overall_indicative)
    parts.append(
        Text.from_markup(
            f"\n[bold]Overall {md.fmt_score(card.overall)}/100[/bold] {escape(rng)}"
            f" · level {escape(level)} · {escape(state)}{target}"
        )
    )
    parts.append(_dimensions(card, wide))
    parts.append(_phases(card, wide))
    if card.evidence is not None:
        parts += _say_do(card)
    for line in reading_notes(card):
        parts.append(Text(line))
    roles = card.gap_roles
    gaps = [g for g in card.gaps if g.kind == "question" and round(g.gap)][:top_gaps]
    if gaps and len(roles) == 2:
        t = _table(f"Largest {roles[0]}/{roles[1]} disagreements ({roles[0]} minus {roles[1]})")
        t.add_column("question", ratio=1)
        t.add_column(roles[0], justify="right", no_wrap=True)
        t.add_column(roles[1], justify="right", no_wrap=True)
        t.add_column("gap", justify="right", no_wrap=True)
        for g in gaps:
            t.add_row(
                escape(g.title),
                md.fmt_score(g.first),
                md.fmt_score(g.second),
                md.fmt_gap(md.shown_gap(g.first, g.second, g.gap)),
            )
        parts.append(t)
    for c in card.classifications:
        outcome = c.outcome_title or "undecided"
        line = f"[bold]{escape(c.title)}:[/bold] the answers point to {escape(outcome)}"
        if c.split is not None:  # the gap groups disagree: what each concluded, no verdict
            alone = ", ".join(
                f"{role}: {c.group_outcomes[role] or 'no clear outcome'}"
                for role in c.group_outcomes
            )
            line = f"[bold]{escape(c.title)}:[/bold] {escape(outcome)}, the groups disagree"
            if c.split == "margin":
                line = f"[bold]{escape(c.title)}:[/bold] {escape(outcome)}, nothing leads clearly"
            elif c.split == "results":
                line += f" ({escape(alone)})"
            else:
                line += f" (on {c.factors_apart} of {c.factors_common} factors)"
        elif not c.decided:
            line += " (no clear lead)"
        if c.current_title and c.matches is None:
            line += f"; today it is {escape(c.current_title)}"
        elif c.current_title:
            verdict = "which matches" if c.matches else "which does not match"
            line += f"; today it is {escape(c.current_title)}, {verdict}"
        parts.append(Text.from_markup(line))
    if card.recommendations:
        shown = min(8, len(card.recommendations))
        where = "" if shown == len(card.recommendations) else "; `alignment report` has them all"
        t = _table(f"Top recommendations ({shown} of {len(card.recommendations)}{where})")
        t.add_column("phase", no_wrap=True)
        t.add_column("priority", no_wrap=True)
        t.add_column("owner", no_wrap=True)
        t.add_column("recommendation", ratio=1)
        titles = {p.id: p.title for p in card.phases}
        for rec in card.recommendations[:8]:
            t.add_row(titles.get(rec.phase, rec.phase), rec.priority, rec.owner, escape(rec.title))
        parts.append(t)
    if card.blind_spots:
        spots = Table(
            title='Blind spots: questions people could not answer ("don\'t know")',
            title_justify="left",
        )
        spots.add_column("question")
        spots.add_column("don't know", justify="right")
        for b in card.blind_spots[:6]:
            spots.add_row(escape(b.text), f"{b.unknown} of {b.asked}")
        more = len(card.blind_spots) - 6
        if more > 0:
            spots.add_row(f"and {more} more", "")
        parts.append(spots)
    for w in card.warnings[:MAX_WARNINGS]:
        parts.append(Text(f"warning: {w}", style="yellow"))
    if len(card.warnings) > MAX_WARNINGS:
        rest = len(card.warnings) - MAX_WARNINGS
        parts.append(Text(f"... and {rest} more warnings (all of them in --format json)"))
    return Group(*parts)


def _say_do(card: Scorecard) -> list[RenderableType]:
    """Measured beside said, for the questions the CRM evidence answers."""
    # Here, not at the top: it builds the report's models, which a card without evidence
    # never needs (start-up of `score`, bench/run.py).
    from alignment_cli.report.say_do import say_do

    view = say_do(card)
    policy = (
        "the measured score replaces the answers in the scores"
        if view.policy == "replace"
        else "shown beside the answers; the scores are the answers'"
    )
    t = _table(f"Say vs do: what the CRM shows ({view.source}; {policy})")
    t.add_column("question", ratio=1, min_width=12)
    t.add_column("said (minus the data)", ratio=1)
    t.add_column("CRM", justify="right", no_wrap=True)
    t.add_column("score", justify="right", no_wrap=True)
    for row in view.rows:
        said = "\n".join(f"{s.role} {s.value} ({s.difference})" for s in row.said) or "–"
        t.add_row(escape(row.question), escape(said), escape(row.measured), row.measured_score)
    out: list[RenderableType] = [t]
    if view.calibration:
        out.append(
            Text(
                "Calibration (mean of each role's score minus the data's, points): "
                + "; ".join(
                    f"{c.role} {c.mean_difference} over {c.questions}" for c in view.calibration
                )
            )
        )
    return out


def _dimensions(card: Scorecard, wide: bool) -> Table:
    roles = card.gap_roles
    title = "Dimensions"
    if len(roles) == 2:
        title += f" ({roles[0]} and {roles[1]} on the questions both answered)"
    t = _table(title)
    t.add_column("dimension", ratio=1, min_width=12)
    t.add_column("score", justify="right", no_wrap=True)
    if wide:
        t.add_column("", no_wrap=True)
    for role in roles:
        t.add_column(role, justify="right", no_wrap=True)
    if roles:
        t.add_column("gap", justify="right", no_wrap=True)
    if wide:  # under 100 columns the spread goes (it stays in --format json)
        t.add_column("spread", justify="right", no_wrap=True)
    t.add_column("coverage", justify="right", no_wrap=True)
    has_targets = any(d.target is not None for d in card.dimensions)
    if has_targets:
        t.add_column("target", justify="right", no_wrap=True)
    for d in card.dimensions:
        row: list[RenderableType] = [escape(d.title), _scored(d.score, d.interval, d.indicative)]
        if wide:
            row.append(_bar(d.score))
        row += [md.fmt_score(_on_common(d, r, roles)) for r in roles]
        if roles:
            row.append(md.fmt_gap(md.shown_gap(d.gap_first, d.gap_second, d.gap)))
        if wide:
            row.append(md.fmt_score(d.spread))
        row.append(md.fmt_percent(d.coverage))
        if has_targets:
            row.append(md.fmt_score(d.target))
        t.add_row(*row)
    return t


def _phases(card: Scorecard, wide: bool) -> Table:
    t = _table("Phases")
    t.add_column("phase", ratio=1, min_width=12)
    t.add_column("score", justify="right", no_wrap=True)
    if wide:
        t.add_column("", no_wrap=True)
    t.add_column("threshold", justify="right", no_wrap=True)
    t.add_column("status", no_wrap=True)
    for p in card.phases:
        status = {True: "achieved", False: "not yet", None: "not assessed"}[p.achieved]
        if p.id == card.current_phase and not card.all_phases_achieved:
            status += " ← current"
        row: list[RenderableType] = [escape(p.title), _scored(p.score, p.interval, p.indicative)]
        if wide:
            row.append(_bar(p.score))
        row += [md.fmt_score(p.threshold), status]
        t.add_row(*row)
    return t


def _scored(score: float | None, interval: object | None, indicative: bool) -> str:
    rng = md.fmt_range(interval, indicative)
    return md.fmt_score(score) + (f" {rng}" if rng else "")


def _on_common(d: GroupScore, role: str, roles: list[str]) -> float | None:
    """The gap roles' scores as the gap is taken: on the questions both answered."""
    return d.gap_first if role == roles[0] else d.gap_second
