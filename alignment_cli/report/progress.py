"""The report's view of the past: the change since the baseline run and the trend of saved runs."""

from __future__ import annotations

from alignment_cli.report.charts import (
    mermaid_trend,
    svg_trend,
)
from alignment_cli.report.model import (
    ChangeRow,
    ComparisonView,
    Figure,
    HistoryPoint,
    Trend,
    _plural,
    difference,
    long_date,
    score_text,
    signed_text,
)
from alignment_cli.report.reading import noise_word
from alignment_cli.scoring import compare as compare_mod
from alignment_cli.scoring import history as history_mod

# --------------------------------------------------------------------------- progress hooks


def shown(d: compare_mod.Delta) -> float | None:
    """A change as the report shows it: the after figure minus the before figure, both rounded
    as printed beside it (a change of 16.4 from 60.6 to 77.0 reads +16, from 61 to 77)."""
    if d.change is None:
        return None
    n = difference(d.new, d.old)
    return d.change if n is None else float(n)


def comparison_view(cmp: compare_mod.Comparison) -> ComparisonView:
    """The "change since the last run" section, from `scoring.compare.compare(old, new)`.

    Whoever finds the baseline passes the result to `build_context(comparison=...)`; templates
    show the section only when it is there.
    """

    def row(d: compare_mod.Delta) -> ChangeRow:
        word = noise_word(d)
        return ChangeRow(
            id=d.id,
            title=d.title,
            before=score_text(d.old),
            after=score_text(d.new),
            change=Figure(signed_text(shown(d)) + (f" ({word})" if word else "")),
            change_value=shown(d),
        )

    day = long_date(cmp.old_generated_at.date())
    overall = row(cmp.overall)
    delta = shown(cmp.overall)
    if delta is None:
        summary = f"The overall score cannot be compared with the run of {day}."
    elif round(delta) == 0:
        summary = f"The overall score is unchanged since {day}."
    else:
        way = "up" if delta > 0 else "down"
        summary = (
            f"The overall score is {way} {_plural(abs(round(delta)), 'point')} since {day} "
            f"(from {overall.before} to {overall.after})."
        )
        if cmp.overall.beyond_noise is not None:
            summary += (
                " That is beyond noise: larger than the two runs' intervals allow by chance."
                if cmp.overall.beyond_noise
                else " That is within noise: the two runs' intervals allow a change this size "
                "by chance."
            )
    return ComparisonView(
        baseline_date=day,
        overall=overall,
        level_before=cmp.old_level or "not scored",
        level_after=cmp.new_level or "not scored",
        dimensions=[row(d) for d in cmp.dimensions],
        phases=[row(d) for d in cmp.phases],
        resolved=[x.title for x in cmp.recommendations_resolved],
        new=[x.title for x in cmp.recommendations_new],
        caveats=list(cmp.caveats),
        summary=summary,
    )


def history_points(runs: history_mod.Trend) -> list[HistoryPoint]:
    """The runs of `history.trend(...)`, oldest first, for `build_context(history=...)`."""
    return [
        HistoryPoint(
            date=Figure(run.generated_at.date().isoformat()),
            overall=score_text(run.overall),
            overall_value=run.overall,
            level=run.level or "not scored",
        )
        for run in runs.runs
    ]


def trend_view(history: list[HistoryPoint]) -> Trend:
    labels = [str(h.date) for h in history]
    values = [h.overall_value for h in history]
    title = "Overall score over time"
    return Trend(mermaid=mermaid_trend(title, labels, values), svg=svg_trend(title, labels, values))
