"""`alignment report`: the leadership report in Markdown or HTML."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alignment_cli.cli import console
from alignment_cli.cli.options import (
    AnswersRubric,
    CarryOver,
    Output,
    ScoreInputs,
    check_output,
    choice,
)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


def report(
    inputs: ScoreInputs = None,
    output: Output = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            parser=choice(ReportFormat),
            help="md (or markdown) or html. Default: from the -o or --template file name, else md.",
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            metavar="FILE",
            help="A custom Jinja2 template (runs sandboxed; context in docs/templates.md).",
        ),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            help="The report's date. Default: the date of the newest answer, else today.",
        ),
    ] = None,
    anonymous: Annotated[
        bool,
        typer.Option(
            "--anonymous",
            help="No names anywhere (no list of who was interviewed); quotes kept, by role; "
            "groups under --min-group hidden.",
        ),
    ] = False,
    attribute_quotes: Annotated[
        bool,
        typer.Option(
            "--attribute-quotes",
            help="For internal use: quotes carry the person's name (default: their role only).",
        ),
    ] = False,
    min_group: Annotated[
        int | None,
        typer.Option(
            "--min-group",
            min=1,
            metavar="N",
            help="Never break out a role group of fewer than N respondents "
            "(default 3 with --anonymous; off otherwise).",
        ),
    ] = None,
    rubric: AnswersRubric = None,
    carry_over: CarryOver = False,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="FILE|latest",
            help="Show the change since a saved scorecard, a folder of answers, a survey "
            "export, or the latest saved run. Default: the latest run in the engagement's "
            "history/, if any.",
        ),
    ] = None,
) -> None:
    """Render the report for leadership: summary, scorecard, gap, roadmap, appendix."""
    from alignment_cli.cli.given import ExportsRead, score_given
    from alignment_cli.clock import now
    from alignment_cli.files.writes import write_atomic
    from alignment_cli.report.context import build_context, report_date
    from alignment_cli.report.render import parse_day, render, report_format

    if anonymous and attribute_quotes:
        from alignment_cli.errors import UsageError

        raise UsageError("--attribute-quotes names people; it cannot go with --anonymous")
    make_dirs = check_output(output, "-o")
    fixed = parse_day(day) if day is not None else None
    kind = report_format(fmt.value if fmt is not None else None, output, template)
    scored = score_given(inputs, rubric=rubric, carry_over=carry_over)
    when = report_date(scored.card, fixed, lambda: now().date())
    from alignment_cli.report.consultant import consultant_layer
    from alignment_cli.report.progress import comparison_view, history_points
    from alignment_cli.report.summaries import report_summary
    from alignment_cli.scoring.tracking import append_step_summary, report_progress

    consultant = consultant_layer(scored.engagement, scored.rubric)
    exports = ExportsRead()
    progress = report_progress(
        scored,
        baseline,
        day=when,
        carry_over=carry_over,
        rubric_ref=rubric,
        as_source=exports,
    )
    exports.tell()
    context = build_context(
        scored.card,
        scored.rubric,
        day=when,
        anonymous=anonymous,
        min_group=min_group,
        attribute_quotes=attribute_quotes,
        consultant=consultant,
        comparison=comparison_view(progress.comparison) if progress.comparison else None,
        history=history_points(progress.trend) if progress.trend else (),
    )
    text = render(context, kind, template)
    warning = append_step_summary(report_summary(scored.card, progress, output))
    if warning:
        console.err.print(f"warning: {warning}", markup=False)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_atomic(output, text, make_dirs=make_dirs)
    console.err.print(f"wrote {output}", markup=False)
