"""`alignment rubric list|show|validate|schema`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import console

app = typer.Typer(help="List, show, validate bundled or custom rubrics; print the JSON Schema.")


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("list")
def list_rubrics(
    fmt: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
) -> None:
    """List the bundled rubrics: id, version, title and question count."""
    from rich.table import Table

    from ..rubric import bundled_rubrics, load_rubric

    rows: list[dict[str, str]] = []
    for path in bundled_rubrics():
        r = load_rubric(path).rubric
        rows.append(
            {"id": r.id, "version": r.version, "title": r.title, "questions": str(len(r.questions))}
        )
    if fmt is ShowFormat.json:
        console.out.print_json(json.dumps(rows))
        return
    table = Table("id", "version", "title", "questions")
    for row in rows:
        table.add_row(row["id"], row["version"], row["title"], row["questions"])
    console.out.print(table)


@app.command()
def show(
    rubric: Annotated[str, typer.Argument(help="A bundled rubric id or a path to a rubric file.")],
    fmt: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
) -> None:
    """Show one rubric: a readable tree, or JSON with every question and its valid answers."""
    from ..rubric import load_rubric
    from ..rubric_view import rubric_as_json, rubric_tree

    loaded = load_rubric(rubric)
    if fmt is ShowFormat.json:
        console.out.print_json(json.dumps(rubric_as_json(loaded)))
    else:
        console.out.print(rubric_tree(loaded))


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Rubric files to check.")],
) -> None:
    """Check rubric files; print every problem as FILE:LINE:COLUMN: path: message. Exit 0 or 2."""
    from ..errors import InvalidInput, Problem
    from ..rubric import load_rubric

    problems: list[Problem] = []
    for path in paths:
        try:
            loaded = load_rubric(path)
        except InvalidInput as exc:
            problems.extend(exc.problems or [Problem(str(path), None, None, exc.message)])
            continue
        r = loaded.rubric
        console.out.print(
            f"{path}: ok ({r.id} {r.version}, {len(r.questions)} questions, "
            f"{len(r.recommendations)} recommendations)"
        )
    if problems:
        raise InvalidInput(problems)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the rubric format, for editors and other tools."""
    from ..rubric_view import rubric_json_schema

    typer.echo(json.dumps(rubric_json_schema(), indent=2))
