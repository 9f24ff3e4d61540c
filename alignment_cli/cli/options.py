"""Options several commands share, declared once so that names, metavars and help agree.

Typer copies the parameter info of an `Annotated` alias for each command, so one alias serves
every command that takes it. Only typer and the standard library here: `--help` stays fast.
"""

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

E = TypeVar("E", bound=StrEnum)
_SAME = {"md": "markdown", "markdown": "md"}


def choice(enum: type[E]) -> Callable[[str], E]:
    """Parse a format option; `md` and `markdown` mean the same everywhere."""

    def parse(value: str) -> E:
        names = [m.value for m in enum]
        wanted = str(value).strip().lower()
        if wanted not in names and _SAME.get(wanted) in names:
            wanted = _SAME[wanted]
        if wanted not in names:
            raise typer.BadParameter(f"'{value}' is not one of: {', '.join(names)}")
        return enum(wanted)

    return parse


class ViewFormat(StrEnum):
    """How score, compare and history print: for people, for scripts, for GitHub."""

    text = "text"
    json = "json"
    markdown = "markdown"


ScoreInputs = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="DIR|FILE",
        help="Engagement folders, folders of answer files, answer files, or survey exports "
        "(.csv, .tsv, .txt: read as `alignment import` reads them, no file written); several "
        "may be given and are scored together (default: the current folder).",
    ),
]

Rubric = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        metavar="ID|PATH",
        help="Bundled rubric id or rubric file. Default: the engagement's, else the default "
        "rubric.",
    ),
]

AnswersRubric = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        metavar="ID|PATH",
        help="Bundled rubric id or rubric file to score answers with. Default: the "
        "engagement's, else the one the answer files name, else the default rubric.",
    ),
]

CarryOver = Annotated[
    bool,
    typer.Option(
        "--carry-over",
        help="Score answers made for another version of the rubric on what still fits.",
    ),
]

Format = Annotated[
    ViewFormat,
    typer.Option(
        "--format", metavar="FORMAT", parser=choice(ViewFormat), help="text, json or markdown (md)."
    ),
]

Output = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."
    ),
]

Engagement = Annotated[
    Path | None,
    typer.Argument(
        metavar="DIR",
        help="The engagement folder (made by `alignment init`); default: the current folder.",
        show_default=False,
    ),
]
"""Every command that works on one engagement takes it this way: a positional DIR, defaulting
to the current folder (score and report take several DIR|FILE, same default)."""


ENGAGEMENT_FOLDERS = ("reports", "responses", "history")


def check_output(path: Path | None, option: str) -> bool:
    """A file to write must go into a folder that exists: a typo in `-o` should not create one.
    The exception is one of an engagement's own folders (DIR/reports, say, which git does not
    keep while it is empty): True means "create it". Checked before any work is done, so the
    message names the option that was given."""
    if path is None or path.parent.is_dir():
        return False
    from alignment_cli.errors import UsageError
    from alignment_cli.files.engagement import CONFIG_NAME

    folder = path.parent
    if folder.name in ENGAGEMENT_FOLDERS and (folder.parent / CONFIG_NAME).is_file():
        return True
    blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise UsageError(f"{option} {path}: {blocker} is a file, not a folder")
    raise UsageError(f"{option} {path}: the folder {folder} does not exist; create it first")


Org = Annotated[
    str | None,
    typer.Option("--org", metavar="NAME", help="Organisation name. Default: the engagement's."),
]
