"""Progress and scores as Markdown text: what `score --format markdown`, `compare`, `history`
and GitHub's step summary print.

Plain strings, no terminal: the rich views in `cli/views/` lay out the same numbers for people,
and `scoring` only computes them. Text people typed goes through `markdown.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from alignment_cli.report import markdown as md
from alignment_cli.report.reading import noise_word, reading_notes
from alignment_cli.scoring.compare import UNCHANGED_BELOW, Comparison, Delta, Status, top_changes
from alignment_cli.scoring.history import Trend, sparkline
from alignment_cli.scoring.scorecard import Scorecard

if TYPE_CHECKING:
    from alignment_cli.scoring.tracking import Progress

MOVES: tuple[Status, ...] = ("improved", "worsened")


def fmt_change(value: float | None) -> str:
    if value is None:
        return "–"
    return "0.0" if abs(value) < UNCHANGED_BELOW else f"{value:+.1f}"


def since_when(cmp: Comparison) -> str:
    """When the baseline was made, as the headings of comparisons say it."""
    return cmp.old_generated_at.strftime("%Y-%m-%d %H:%M UTC")


def headline(cmp: Comparison) -> str:
    """One sentence: the overall change, level and phase (plain text; titles are ours)."""
    o = cmp.overall
    word = noise_word(o)
    change = fmt_change(o.change) + (f", {word}" if word else "")
    parts = [f"overall {md.fmt_score(o.old)} → {md.fmt_score(o.new)} ({change})"]
    if cmp.old_level != cmp.new_level:
        parts.append(f"level {cmp.old_level or '–'} → {cmp.new_level or '–'}")
    if cmp.old_phase != cmp.new_phase:
        titles = {p.id: p.title for p in cmp.phases}
        before = titles.get(cmp.old_phase or "", cmp.old_phase or "–")
        after = titles.get(cmp.new_phase or "", cmp.new_phase or "–")
        parts.append(f"current phase {before} → {after}")
    return ", ".join(parts)


def status_counts(deltas: Sequence[Delta]) -> str:
    """ "2 improved, 0 worsened, 1 new": improved and worsened always, the rest when present."""
    order = ("improved", "worsened", "new", "removed", "unchanged")
    n = {s: sum(1 for d in deltas if d.status == s) for s in order}
    return ", ".join(f"{n[s]} {s}" for s in order if n[s] or s in ("improved", "worsened"))


def comparison_markdown(cmp: Comparison, *, limit: int = 8, heading: str = "###") -> str:
    e = md.escape
    lines = [f"{heading} Change since {since_when(cmp)}", ""]
    lines.append(e(headline(cmp)[0].upper() + headline(cmp)[1:]) + ".")
    lines.append("")
    if not cmp.same_rubric:
        lines.append(
            f"Rubric {e(cmp.old_rubric.id)} {e(cmp.old_rubric.version)} → "
            f"{e(cmp.new_rubric.id)} {e(cmp.new_rubric.version)}."
        )
        lines.append("")
    rows = [
        [
            e(d.title),
            md.fmt_score(d.old),
            md.fmt_score(d.new),
            fmt_change(d.change),
            d.status + (f" ({noise_word(d)})" if noise_word(d) else ""),
        ]
        for d in cmp.dimensions
    ]
    lines.append(md.table(["Dimension", "Before", "Now", "Change", ""], rows, "lrrrl"))
    lines.append("")
    lines.append(f"Questions: {status_counts(cmp.questions)}.")
    lines.append("")
    for status in MOVES:
        chosen = top_changes(cmp.questions, status, limit)
        if chosen:
            lines.append(f"**{status.capitalize()}:**")
            lines.append("")
            lines += [f"- {e(d.title)} ({fmt_change(d.change)})" for d in chosen]
            lines.append("")
    for label, items in (
        ("New blind spots", cmp.blind_spots_new),
        ("Blind spots resolved", cmp.blind_spots_resolved),
        ("Recommendations resolved", cmp.recommendations_resolved),
        ("New recommendations", cmp.recommendations_new),
    ):
        if items:
            lines.append(f"**{label}:**")
            lines.append("")
            lines += [f"- {e(i.title)}" for i in items]
            lines.append("")
    if cmp.not_comparable:
        names = ", ".join(f"{n.kind} {e(n.id)} ({n.reason})" for n in cmp.not_comparable)
        lines.append(f"**Not comparable:** {names}")
        lines.append("")
    for c in cmp.caveats:
        lines.append(f"> {e(c)}")
        lines.append("")
    return "\n".join(lines)


def history_markdown(trend: Trend) -> str:
    e = md.escape
    rows = [
        [
            e(s.title),
            sparkline(s.scores),
            md.fmt_score(s.first),
            md.fmt_score(s.last),
            fmt_change(s.change),
            fmt_change(s.since_first),
            md.fmt_score(s.target),
        ]
        for s in [trend.overall, *trend.dimensions]
    ]
    headers = ["", "Trend", "First", "Last", "Change", "Since first", "Target"]
    return md.table(headers, rows, "llrrrrr")


def ci_summary(
    card: Scorecard, cmp: Comparison | None, failures: Sequence[str], gates_set: bool
) -> str:
    """What `score` and `report` append to GitHub's step summary."""
    parts = [markdown_summary(card).rstrip(), ""]
    if cmp is not None:
        parts += [comparison_markdown(cmp).rstrip(), ""]
    if failures:
        parts.append("**Gates failed:**")
        parts.append("")
        parts += [f"- {md.escape(f)}" for f in failures]
        parts.append("")
    elif gates_set:
        parts += ["**Gates passed.**", ""]
    return "\n".join(parts) + "\n"


def markdown_summary(card: Scorecard, *, top_gaps: int = 5) -> str:
    """A short GitHub-flavoured summary: scores, gaps, top recommendations."""
    e = md.escape
    lines = []
    title = f"{e(card.organization)}: " if card.organization else ""
    lines.append(f"## {title}{e(card.rubric.title)}")
    lines.append("")
    level = e(card.level.title) if card.level else "–"
    n = card.respondent_count or len(card.respondents)
    phase = next((p.title for p in card.phases if p.id == card.current_phase), None)
    if card.all_phases_achieved:
        state = "all phases achieved, "
    else:
        state = f"current phase **{e(phase)}**, " if phase else ""
    rng = md.fmt_range(card.overall_interval, card.overall_indicative)
    lines.append(
        f"**Overall {md.fmt_score(card.overall)}/100**{' ' + rng if rng else ''}, level "
        f"**{level}**, {state}"
        f"{n} respondent{'' if n == 1 else 's'}, coverage {md.fmt_percent(card.coverage)}."
    )
    lines.append("")
    roles = card.gap_roles
    headers = ["Dimension", "Score", *[e(r.title()) for r in roles]]
    if roles:
        headers.append("Gap")
    rows = []
    for d in card.dimensions:
        rng = md.fmt_range(d.interval, d.indicative)
        # Beside the gap, the two gap roles on the questions both answered: the row adds up.
        sides = [d.gap_first, d.gap_second] if len(roles) == 2 else []
        row = [e(d.title), md.fmt_score(d.score) + (f" {rng}" if rng else "")]
        row += [md.fmt_score(v) for v in sides]
        if roles:
            row.append(md.fmt_gap(md.shown_gap(d.gap_first, d.gap_second, d.gap)))
        rows.append(row)
    lines.append(md.table(headers, rows, "l" + "r" * (len(headers) - 1)))
    lines.append("")
    notes = reading_notes(card)
    if notes:
        lines += [f"- {e(line)}" for line in notes]
        lines.append("")
    gaps = [g for g in card.gaps if g.kind == "question" and round(g.gap)][:top_gaps]
    if gaps and len(roles) == 2:
        lines.append(f"**Largest disagreements** ({e(roles[0])} minus {e(roles[1])}):")
        lines.append("")
        for g in gaps:
            lines.append(
                f"- {e(g.title)} ({md.fmt_gap(md.shown_gap(g.first, g.second, g.gap))} points)"
            )
        lines.append("")
    if card.recommendations:
        lines.append("**Top recommendations:**")
        lines.append("")
        for rec in card.recommendations[:5]:
            lines.append(f"- {e(rec.title)} ({rec.priority}, {rec.owner}, {rec.phase})")
        lines.append("")
    return "\n".join(lines)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _path_markdown(path: Path) -> str:
    """A path on one line of Markdown, whatever it holds: a line break or a control character
    in `-o` is shown as `\\n` or `\\x1b`, never obeyed (a new line would start a heading or
    raw HTML in the step summary); a backtick falls back to escaped text."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(path))
    return f"`{text}`" if "`" not in text else md.escape(text)


def report_summary(card: Scorecard, progress: Progress, output: Path | None) -> str:
    """What `report` appends to GitHub's step summary: where the report is, the change and the
    trend (the scores themselves are in `score`'s summary)."""
    where = f": {_path_markdown(output)}" if output is not None else ""
    lines = [f"### Alignment report{where}", ""]
    level = f", level {md.escape(card.level.title)}" if card.level else ""
    lines += [f"Overall {md.fmt_score(card.overall)}/100{level}.", ""]
    if progress.comparison is not None:
        when = progress.comparison.old_generated_at.strftime("%Y-%m-%d")
        lines += [f"Since {when}: {md.escape(headline(progress.comparison))}.", ""]
    if progress.trend is not None:
        lines += [history_markdown(progress.trend), ""]
    return "\n".join(lines) + "\n"
