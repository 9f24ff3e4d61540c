"""Progress for people: comparisons and trends as terminal tables.

The numbers come from `compare` and `history` (pure); this module only lays them out. The same
progress as Markdown text is in `report/summaries.py`.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from alignment_cli.report import markdown as md
from alignment_cli.report.reading import noise_word
from alignment_cli.report.summaries import MOVES, fmt_change, headline, since_when, status_counts
from alignment_cli.scoring.compare import Comparison, top_changes
from alignment_cli.scoring.history import Trend, sparkline

STATUS_STYLE = {
    "improved": "green",
    "worsened": "red",
    "new": "cyan",
    "removed": "magenta",
    "unchanged": "",
}


def comparison_view(cmp: Comparison, *, limit: int = 8) -> RenderableType:
    parts: list[RenderableType] = []
    rubric = f"{cmp.old_rubric.id} {cmp.old_rubric.version}"
    if not cmp.same_rubric:
        rubric += f" → {cmp.new_rubric.id} {cmp.new_rubric.version}"
    parts.append(
        Text.from_markup(
            f"\n[bold]Change since {since_when(cmp)}[/bold] ({escape(rubric)}): "
            f"{escape(headline(cmp))}"
        )
    )
    for title, deltas in (("Dimensions", cmp.dimensions), ("Phases", cmp.phases)):
        t = Table(title=f"{title}: {status_counts(deltas)}", title_justify="left")
        for col in (title[:-1].lower(), "before", "now", "change", ""):
            t.add_column(col, justify="right" if col in ("before", "now", "change") else "left")
        for d in deltas:
            status = d.status if not d.note else f"{d.status} ({d.note})"
            if noise_word(d):
                status += f", {noise_word(d)}"
            if d.achieved_old is not None and d.achieved_new is not None:
                if d.achieved_new and not d.achieved_old:
                    status += ", now achieved"
                elif d.achieved_old and not d.achieved_new:
                    status += ", no longer achieved"
            t.add_row(
                escape(d.title),
                md.fmt_score(d.old),
                md.fmt_score(d.new),
                fmt_change(d.change),
                Text(status, style=STATUS_STYLE[d.status]),
            )
        parts.append(t)
    qs = cmp.questions
    parts.append(Text(f"Questions: {status_counts(qs)}"))
    for status in MOVES:
        chosen = top_changes(qs, status)
        if not chosen:
            continue
        more = f" (largest {limit} of {len(chosen)})" if len(chosen) > limit else ""
        t = Table(title=f"{status.capitalize()}{more}", title_justify="left")
        for col in ("question", "before", "now", "change"):
            t.add_column(col, justify="left" if col == "question" else "right")
        for d in chosen[:limit]:
            t.add_row(
                escape(d.title), md.fmt_score(d.old), md.fmt_score(d.new), fmt_change(d.change)
            )
        parts.append(t)
    for label, items, style in (
        ("New blind spots", cmp.blind_spots_new, "yellow"),
        ("Blind spots resolved", cmp.blind_spots_resolved, "green"),
        ("Recommendations resolved", cmp.recommendations_resolved, "green"),
        ("New recommendations", cmp.recommendations_new, "yellow"),
    ):
        if items:
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=3, justify="right")
            grid.add_column()
            for i in items[:limit]:
                grid.add_row("-", escape(i.title))
            if len(items) > limit:
                grid.add_row("…", f"and {len(items) - limit} more (--limit shows more)")
            parts.append(Group(Text(f"{label} ({len(items)}):", style=style), grid))
    if cmp.recommendations_open:
        parts.append(Text(f"Recommendations still open: {len(cmp.recommendations_open)}"))
    for old, new in cmp.renamed.items():
        parts.append(Text(f"renamed: {old} → {new}", style="dim"))
    if cmp.not_comparable:
        names = ", ".join(f"{n.kind} {n.id} ({n.reason})" for n in cmp.not_comparable)
        parts.append(Text(f"Not comparable: {names}", style="yellow"))
    for c in cmp.caveats:
        parts.append(Text(f"note: {c}", style="yellow"))
    return Group(*parts)


def history_view(trend: Trend) -> RenderableType:
    runs = trend.runs
    first = runs[0].generated_at.strftime("%Y-%m-%d")
    last = runs[-1].generated_at.strftime("%Y-%m-%d")
    s = "" if len(runs) == 1 else "s"
    parts: list[RenderableType] = [
        Text.from_markup(f"[bold]{len(runs)} run{s}[/bold], {first} to {last}")
    ]
    t = Table(title="Trend", title_justify="left")
    t.add_column("")
    t.add_column("trend", no_wrap=True)
    for col in ("first", "last", "change", "since first", "target"):
        t.add_column(col, justify="right")
    for i, series in enumerate([trend.overall, *trend.dimensions]):
        t.add_row(
            Text(series.title, style="bold" if i == 0 else ""),
            sparkline(series.scores),
            md.fmt_score(series.first),
            md.fmt_score(series.last),
            fmt_change(series.change),
            fmt_change(series.since_first),
            md.fmt_score(series.target),
            end_section=i == 0,
        )
    parts.append(t)
    r = Table(title="Runs", title_justify="left", box=box.SIMPLE_HEAD)
    for col in ("file", "rubric", "overall", "level", "phase", "people"):
        r.add_column(
            col,
            justify="right" if col in ("overall", "people") else "left",
            no_wrap=col == "file",
        )
    previous = None
    for run in runs:
        rubric = run.rubric_version
        if previous is not None and previous[0] != run.rubric_id:
            rubric = f"{run.rubric_id} {run.rubric_version}"
        if previous is not None and previous != (run.rubric_id, run.rubric_hash):
            rubric += " (changed)"
        previous = (run.rubric_id, run.rubric_hash)
        r.add_row(
            escape(run.file),
            escape(rubric),
            md.fmt_score(run.overall),
            escape(run.level or "–"),
            escape(run.current_phase_title or run.current_phase or "–"),
            str(run.respondents),
        )
    parts.append(r)
    if trend.rubric_changed:
        parts.append(
            Text(
                "note: the runs used more than one version of the rubric; "
                "`alignment compare` says what is comparable",
                style="yellow",
            )
        )
    return Group(*parts)
