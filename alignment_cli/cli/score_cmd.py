"""`alignment score`: score answers, print them, apply gates."""

from pathlib import Path
from typing import Annotated, Any

import typer

from alignment_cli.cli import console
from alignment_cli.cli.options import AnswersRubric, CarryOver, Format, ScoreInputs, ViewFormat


def score(
    inputs: ScoreInputs = None,
    rubric: AnswersRubric = None,
    fmt: Format = ViewFormat.text,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            metavar="N",
            help="Exit 1 when the overall score is under N.",
        ),
    ] = None,
    fail_under_dimension: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-under-dimension",
            metavar="ID=N",
            help="Exit 1 when dimension ID scores under N. Repeatable.",
        ),
    ] = None,
    carry_over: CarryOver = False,
    max_drop: Annotated[
        float | None,
        typer.Option(
            "--max-drop",
            min=0,
            max=100,
            metavar="N",
            help="Exit 1 when the overall score or a dimension fell more than N points since "
            "the baseline (the latest saved run when no --baseline is given).",
        ),
    ] = None,
    drop_beyond_noise: Annotated[
        bool | None,
        typer.Option(
            "--drop-beyond-noise/--drop-any",
            help="With --max-drop: count only drops larger than their noise (the two runs' "
            "intervals combined); by default every drop on the point estimates counts.",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="FILE|latest",
            help="Show what changed since a saved scorecard, a folder of answers, a survey "
            "export, or the latest run in the engagement's history/.",
        ),
    ] = None,
    save: Annotated[
        bool,
        typer.Option("--save", help="Write the scorecard to the engagement's history/."),
    ] = False,
) -> None:
    """Score the answers: overall, phases, dimensions, perception gap, recommendations."""
    from alignment_cli.cli.main import collector_paused

    with collector_paused():  # a small engagement's score is mostly start-up (bench/run.py)
        _score(
            inputs,
            rubric,
            fmt,
            fail_under,
            fail_under_dimension,
            carry_over,
            max_drop,
            drop_beyond_noise,
            baseline,
            save,
        )


def _score(
    inputs: list[Path] | None,
    rubric: str | None,
    fmt: ViewFormat,
    fail_under: float | None,
    fail_under_dimension: list[str] | None,
    carry_over: bool,
    max_drop: float | None,
    drop_beyond_noise: bool | None,
    baseline: str | None,
    save: bool,
) -> None:
    from alignment_cli.cli.given import ExportsRead, score_given
    from alignment_cli.cli.views.scorecard import scorecard_view
    from alignment_cli.clock import now
    from alignment_cli.errors import GateFailed
    from alignment_cli.scoring.gates import GateSettings, check_gates
    from alignment_cli.scoring.tracking import (
        append_step_summary,
        compare_cards,
        resolve_baseline,
        save_run,
        wants_step_summary,
    )

    scored = score_given(inputs, rubric=rubric, carry_over=carry_over, now=now())
    card = scored.card
    minimum = scored.rubric.rubric.straightline_min
    for who in card.respondents:  # origin is not recorded: every answer file is checked
        if who.straight_lined:
            console.err.print(
                f"warning: {who.file}: the same answer to every scale question ({minimum} or "
                "more): straight-lining? Still scored",
                markup=False,
            )
    config_gates = scored.engagement.config.gates if scored.engagement else None
    gates = GateSettings.merge(
        config_gates, fail_under, fail_under_dimension or [], max_drop, drop_beyond_noise
    )
    exports = ExportsRead()
    base = resolve_baseline(
        baseline,
        scored.engagement,
        card,
        implicit=gates.max_drop is not None,
        carry_over=carry_over,
        rubric_ref=rubric,
        as_source=exports,
    )
    exports.tell()
    if gates.max_drop is not None and base is None:
        console.err.print("note: no baseline yet (no saved runs), so --max-drop was not checked")
    comparison = compare_cards(base.card, card, scored.rubric) if base else None
    failures = check_gates(card, gates, base.card if base else None)
    saved = save_run(card, scored.engagement) if save else None
    if fmt is ViewFormat.json:
        from alignment_cli.report.consultant import apply_changes
        from alignment_cli.report.plan import build_plan
        from alignment_cli.scoring.card_json import card_pieces

        changes = {}
        if scored.engagement is not None:
            from alignment_cli.files.engagement import check_report_settings

            check_report_settings(scored.engagement, scored.rubric)
            changes = dict(scored.engagement.config.report.recommendations)
        hits = apply_changes(card.recommendations, changes)
        members: list[tuple[str, Any]] = [
            ("plan", [w.as_json() for w in build_plan(card, scored.rubric, hits)])
        ]
        if comparison is not None:
            members.append(("comparison", comparison.model_dump(mode="json")))
        # Written a piece at a time: at 100,000 respondents the text is 85 MB.
        for piece in card_pieces(card, members):
            typer.echo(piece, nl=False)
        typer.echo("")
    elif fmt is ViewFormat.markdown:
        from alignment_cli.report.summaries import comparison_markdown, markdown_summary

        typer.echo(markdown_summary(card))
        if comparison is not None:
            typer.echo(comparison_markdown(comparison))
    else:
        # The scorecard is laid out for the terminal's width, its text lines included.
        console.out.print(scorecard_view(card, width=console.out.width), soft_wrap=False)
        if comparison is not None:
            # Here, not at the top: the progress views import compare and history, which a
            # run without a baseline never needs (start-up of `score`, bench/run.py).
            from alignment_cli.cli.views.progress import comparison_view

            console.out.print(comparison_view(comparison))
    if saved is not None:
        console.err.print(f"saved {saved}", markup=False)
    gated = gates.fail_under is not None or bool(gates.fail_under_dimension)
    gated = gated or (gates.max_drop is not None and base is not None)
    if wants_step_summary():  # only built for GitHub: the summaries are not needed otherwise
        from alignment_cli.report.summaries import ci_summary

        warning = append_step_summary(ci_summary(card, comparison, failures, gated))
        if warning:
            console.err.print(f"warning: {warning}", markup=False)
    if failures:
        raise GateFailed("gate failed: " + "; ".join(failures))
