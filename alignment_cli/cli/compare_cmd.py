"""`alignment compare OLD NEW`: what changed between two runs."""

from pathlib import Path
from typing import Annotated

import typer

from alignment_cli.cli import console
from alignment_cli.cli.options import AnswersRubric, CarryOver, Format, ViewFormat


def compare(
    old: Annotated[
        Path,
        typer.Argument(
            metavar="OLD",
            help="The earlier run: a saved scorecard (.json), a folder of answers or a survey "
            "export (.csv).",
        ),
    ],
    new: Annotated[
        Path,
        typer.Argument(
            metavar="NEW",
            help="The later run: a saved scorecard (.json), a folder of answers or a survey "
            "export (.csv).",
        ),
    ],
    fmt: Format = ViewFormat.text,
    rubric: AnswersRubric = None,
    carry_over: CarryOver = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=1, metavar="N", help="How many questions to list per kind of change."
        ),
    ] = 8,
) -> None:
    """What improved, what worsened, new blind spots, recommendations resolved and new."""
    import json

    from alignment_cli.cli.given import ExportsRead
    from alignment_cli.cli.views.progress import comparison_view
    from alignment_cli.errors import InvalidInput, Problem
    from alignment_cli.report.summaries import comparison_markdown
    from alignment_cli.scoring.tracking import compare_cards, load_side, rubric_for_card

    for path in (old, new):
        if not path.exists():
            raise InvalidInput([Problem(str(path), None, None, "no such file or folder")])
    exports = ExportsRead()
    old_card, _ = load_side(old, rubric_ref=rubric, carry_over=carry_over, as_source=exports)
    new_card, new_rubric = load_side(
        new, rubric_ref=rubric, carry_over=carry_over, as_source=exports
    )
    exports.tell()
    same = old_card.rubric.id == new_card.rubric.id and old_card.rubric.hash == new_card.rubric.hash
    if new_rubric is None and not same:
        new_rubric = rubric_for_card(new_card, new)
    result = compare_cards(old_card, new_card, new_rubric)
    if fmt is ViewFormat.json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    elif fmt is ViewFormat.markdown:
        typer.echo(comparison_markdown(result, limit=limit, heading="##"))
    else:
        console.out.print(comparison_view(result, limit=limit))
