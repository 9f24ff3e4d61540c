"""`alignment audit`: interview one respondent, saving after every answer."""

from typing import Annotated

import typer

from alignment_cli.cli.options import Engagement, Rubric


def audit(
    directory: Engagement = None,
    respondent: Annotated[
        str | None,
        typer.Option("--respondent", metavar="NAME", help="Who is interviewed; asked if absent."),
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="Their role: a role id or title of the rubric, in any case; asked if absent.",
        ),
    ] = None,
    rubric: Rubric = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an unfinished interview: --respondent's, or else the latest one.",
        ),
    ] = False,
) -> None:
    """Interview one person, phase by phase; every answer is saved as soon as it is given.

    Keys at every question: ? help, u don't know, - not applicable, + note, b back,
    q save and quit, Enter keeps the answer shown. A rerun for the same person continues where
    the interview stopped, or, once finished, offers the previous answers as defaults.
    """
    from alignment_cli.cli.audit_session import run

    run(directory, respondent=respondent, role=role, rubric_ref=rubric, resume=resume)
