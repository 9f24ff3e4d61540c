"""`alignment rubric list|show|validate|schema`."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from alignment_cli.cli import console

app = typer.Typer(help="List, show, validate bundled or custom rubrics; print the JSON Schema.")

RUBRIC_HELP = "A bundled rubric's id (see `alignment rubric list`) or a path to a rubric file."


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


def _echo_json(data: Any) -> None:
    # Plain text, never rich's renderer: scripts read this, so no wrapping and no markup.
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@app.command("list")
def list_rubrics(
    fmt: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
) -> None:
    """List the bundled rubrics: id, version, title and question count."""
    from rich.table import Table

    from alignment_cli.errors import InvalidInput
    from alignment_cli.files.rubric_index import list_bundled

    summaries, problems = list_bundled()
    rows = [s.as_dict() for s in summaries]
    if fmt is ShowFormat.json:
        _echo_json(rows)
    else:
        table = Table("id", "version", "title", "questions")
        for row in rows:
            table.add_row(
                str(row["id"]), str(row["version"]), str(row["title"]), str(row["questions"])
            )
        console.out.print(table)
    if problems:
        raise InvalidInput(problems)


@app.command()
def show(
    rubric: Annotated[str, typer.Argument(metavar="ID|PATH", help=RUBRIC_HELP)],
    fmt: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="Only the questions this role is asked (its form), with their count.",
        ),
    ] = None,
) -> None:
    """Show one rubric: a readable tree, or JSON with every question and its valid answers."""
    from alignment_cli.cli.views.rubric import rubric_as_json, rubric_tree
    from alignment_cli.files.rubric_cache import load_rubric
    from alignment_cli.model.roles import resolve_role

    loaded = load_rubric(rubric)
    if role is not None:
        role = resolve_role(loaded.rubric, role)
    if fmt is ShowFormat.json:
        _echo_json(rubric_as_json(loaded, role))
    else:
        console.out.print(rubric_tree(loaded, role))


@app.command()
def validate(
    rubrics: Annotated[
        list[str],
        typer.Argument(metavar="ID|PATH", help="Rubric files or bundled rubric ids to check."),
    ],
) -> None:
    """Check rubrics; print every problem as FILE:LINE:COLUMN: path: message. Exit 0 or 2.

    All files are checked, and all problems of each file are reported, not only the first.
    """
    from alignment_cli.errors import InvalidInput, Problem
    from alignment_cli.files.rubric_cache import load_rubric

    problems: list[Problem] = []
    for ref in rubrics:
        try:
            loaded = load_rubric(ref)
        except InvalidInput as exc:
            problems.extend(exc.problems or [Problem(ref, None, None, exc.message)])
            continue
        r = loaded.rubric
        console.out.print(
            f"{loaded.path}: ok ({r.id} {r.version}, {_count(len(r.questions), 'question')}, "
            f"{_count(len(r.recommendations), 'recommendation')})",
            markup=False,
            soft_wrap=True,
        )
        if any(x.group is not None or x.minutes is not None for x in r.roles):
            # A rubric with forms (role groups or their minutes): what each role is asked.
            from alignment_cli.cli.views.rubric import form_text

            for x in r.roles:
                console.out.print(
                    f"  {x.id}: {form_text(loaded, x.id)}", markup=False, soft_wrap=True
                )
    if problems:
        raise InvalidInput(problems)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@app.command()
def schema() -> None:
    """Print the JSON Schema of the rubric format, for editors and other tools.

    Bundled rubrics point at rubrics/rubric.schema.json, which is this output.
    """
    from alignment_cli.cli.views.rubric import schema_text

    typer.echo(schema_text(), nl=False)
