"""`alignment score`: score answers, print them, apply gates."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import console


class ScoreFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def score(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="An engagement folder, a folder of answer files, or answer files."),
    ] = None,
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="Bundled rubric id or rubric file.")
    ] = None,
    fmt: Annotated[ScoreFormat, typer.Option("--format", help="text, json or markdown.")] = (
        ScoreFormat.text
    ),
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under", min=0, max=100, help="Exit 1 when the overall score is under N."
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
    carry_over: Annotated[
        bool,
        typer.Option(
            "--carry-over",
            help="Score answers made for another version of the rubric on what still fits.",
        ),
    ] = False,
) -> None:
    """Score the answers: overall, phases, dimensions, perception gap, recommendations."""
    import json

    from ..errors import GateFailed
    from ..gates import GateSettings, check_gates
    from ..pipeline import score_inputs
    from ..views import markdown_summary, scorecard_view

    scored = score_inputs(inputs or [], rubric_ref=rubric, carry_over=carry_over)
    card = scored.card
    config_gates = scored.engagement.config.gates if scored.engagement else None
    gates = GateSettings.merge(config_gates, fail_under, fail_under_dimension or [], None)
    failures = check_gates(card, gates)
    if fmt is ScoreFormat.json:
        typer.echo(json.dumps(card.model_dump(mode="json"), indent=2, ensure_ascii=False))
    elif fmt is ScoreFormat.markdown:
        typer.echo(markdown_summary(card))
    else:
        console.out.print(scorecard_view(card))
    if failures:
        raise GateFailed("gate failed: " + "; ".join(failures))
