"""`alignment history`: the trend over the scorecards saved with `alignment score --save`."""

from pathlib import Path
from typing import Annotated

import typer

from alignment_cli.cli import console
from alignment_cli.cli.options import ViewFormat, choice


def history(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="An engagement folder (its history/ is read) or a folder of saved scorecards; "
            "default: the current folder.",
        ),
    ] = None,
    fmt: Annotated[
        ViewFormat,
        typer.Option(
            "--format",
            metavar="FORMAT",
            parser=choice(ViewFormat),
            help="text (sparklines), json or markdown (md).",
        ),
    ] = ViewFormat.text,
) -> None:
    """Show the trend per dimension over the saved runs, oldest first."""
    import json

    from alignment_cli.cli.views.progress import history_view
    from alignment_cli.report.summaries import history_markdown
    from alignment_cli.scoring.history import history_dir_for, load_runs, trend

    where = history_dir_for(folder or Path.cwd())
    runs = load_runs(where)
    if fmt is ViewFormat.json:
        if runs:
            data = trend(runs).model_dump(mode="json")
        else:
            data = {"runs": [], "overall": None, "dimensions": [], "phases": []}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not runs:
        console.err.print(
            f"no saved runs in {where}; `alignment score --save` adds one", markup=False
        )
        return
    if fmt is ViewFormat.markdown:
        typer.echo(history_markdown(trend(runs)))
    else:
        console.out.print(history_view(trend(runs)))
