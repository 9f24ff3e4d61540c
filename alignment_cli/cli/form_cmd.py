"""`alignment form`: an answer form to hand out (YAML answer file, survey CSV, Markdown)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alignment_cli.cli import console
from alignment_cli.cli.options import Engagement, Org, Output, Rubric, check_output, choice


class FormFormat(StrEnum):
    yaml = "yaml"
    csv = "csv"
    md = "md"


def form(
    directory: Engagement = None,
    rubric: Rubric = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="Only the questions asked of this role (its id or title, any case); fills in "
            "the role.",
        ),
    ] = None,
    fmt: Annotated[
        FormFormat,
        typer.Option(
            "--format",
            metavar="FORMAT",
            parser=choice(FormFormat),
            help="yaml: an answer file to fill in and score; csv: the column header a survey "
            "export has (see --codebook); md (or markdown): a printable questionnaire.",
        ),
    ] = FormFormat.yaml,
    output: Output = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            metavar="FILE",
            help="With --format csv: also write the codebook (every column's allowed answers, "
            "their codes and labels) to this CSV file.",
        ),
    ] = None,
    respondent: Annotated[
        str | None,
        typer.Option(
            "--respondent", metavar="NAME", help="Fill in the respondent's name (yaml and md)."
        ),
    ] = None,
    org: Org = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", "--overwrite", help="Replace an existing --output or --codebook file."
        ),
    ] = False,
) -> None:
    """Write an answer form: a commented YAML answer file, a survey CSV header, or Markdown.

    The rubric and organisation are the engagement's (DIR, default: the current folder) unless
    --rubric or --org say otherwise; outside an engagement, the default rubric.
    """
    from alignment_cli.errors import UsageError
    from alignment_cli.files.engagement import find_engagement
    from alignment_cli.files.rubric_cache import load_rubric
    from alignment_cli.files.writes import write_atomic
    from alignment_cli.model.roles import resolve_role
    from alignment_cli.survey.forms import codebook as make_codebook
    from alignment_cli.survey.forms import csv_header, markdown_form, yaml_form

    if codebook is not None and fmt is not FormFormat.csv:
        raise UsageError("--codebook goes with --format csv")
    output_dirs = check_output(output, "-o")
    codebook_dirs = check_output(codebook, "--codebook")
    folder = directory if directory is not None else Path.cwd()
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder (give the engagement folder, or none)")
    engagement = find_engagement(folder)
    ref = rubric or (engagement.rubric_ref() if engagement else None)
    loaded = load_rubric(ref)
    if role is not None:
        role = resolve_role(loaded.rubric, role)
    organization = org or (engagement.config.organization if engagement else None)
    for target in (output, codebook):
        if target is not None and target.exists() and not force:
            # A filled-in form is someone's answers: never overwrite one by accident.
            raise UsageError(f"{target} exists; pass --force to replace it")
    if fmt is FormFormat.yaml:
        text = yaml_form(loaded, role=role, name=respondent, organization=organization)
    elif fmt is FormFormat.md:
        text = markdown_form(loaded, role=role, name=respondent, organization=organization)
    else:
        text = csv_header(loaded, role)
    if codebook is not None:
        # Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
        write_atomic(codebook, "\ufeff" + make_codebook(loaded, role), make_dirs=codebook_dirs)
        console.err.print(f"wrote the codebook to {codebook}", markup=False)
    if output is None:
        typer.echo(text, nl=False)
        return
    text = ("\ufeff" + text) if fmt is FormFormat.csv else text
    write_atomic(output, text, make_dirs=output_dirs)
    console.err.print(f"wrote the {fmt.value} form to {output}", markup=False)
