"""`alignment import`: a survey tool's CSV export into answer files, one per respondent."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from alignment_cli.cli import console
from alignment_cli.cli.options import Org, Rubric

if TYPE_CHECKING:
    from alignment_cli.survey.importer import ImportOutcome


def import_answers(
    csv_file: Annotated[
        Path,
        typer.Argument(
            metavar="CSV",
            help="The survey export: one row per respondent, one column per question.",
        ),
    ],
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR",
            help="Engagement folder (answer files go to DIR/responses) or a folder of answer "
            "files; default: the current folder.",
            show_default=False,
        ),
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            metavar="DIR",
            help="The same as DIR (the older spelling; still works).",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            metavar="FILE",
            help="YAML file naming columns, roles and answer labels the survey uses "
            "(see docs/forms-and-import.md).",
        ),
    ] = None,
    rubric: Rubric = None,
    org: Org = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="Role of every respondent whose row names none: a role id or title, any case.",
        ),
    ] = None,
    name_column: Annotated[
        str | None,
        typer.Option("--name-column", metavar="COLUMN", help="Column with respondents' names."),
    ] = None,
    role_column: Annotated[
        str | None,
        typer.Option("--role-column", metavar="COLUMN", help="Column with respondents' roles."),
    ] = None,
    timestamp_column: Annotated[
        str | None,
        typer.Option(
            "--timestamp-column", metavar="COLUMN", help="Column with the time of answering."
        ),
    ] = None,
    timestamp_format: Annotated[
        str | None,
        typer.Option(
            "--timestamp-format",
            help="strptime format of the timestamps, e.g. '%d/%m/%Y %H:%M:%S'. "
            "Default: ISO 8601 or the survey tools' formats.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="TOOL",
            help="The survey tool the export comes from, when it is not recognised from its "
            "header: surveymonkey, surveymonkey-numeric, qualtrics, qualtrics-numeric, "
            "typeform, limesurvey, microsoft-forms, google-forms, google-sheets, jotform, "
            "generic.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            metavar="ZONE",
            help="IANA time zone of times the file states no zone for, e.g. Europe/Berlin "
            "(default: UTC, said).",
        ),
    ] = None,
    date_order: Annotated[
        str | None,
        typer.Option(
            "--date-order",
            metavar="dmy|mdy",
            help="Day first or month first, for dates the file itself leaves open.",
        ),
    ] = None,
    anonymous: Annotated[
        bool,
        typer.Option("--anonymous", help="Replace respondents' names with stable pseudonyms."),
    ] = False,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Write the rows that are fine and report the others (default: write nothing "
            "when any row has a problem).",
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", "--force", help="Replace answer files that hold other answers."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and report; write nothing.")
    ] = False,
) -> None:
    """Import a survey's CSV export: one answer file per row, checked like `alignment score`."""
    from alignment_cli.cli.signals import terminate_as_interrupt
    from alignment_cli.errors import UsageError
    from alignment_cli.files.writes import interrupted_warning
    from alignment_cli.survey.importer import import_csv
    from alignment_cli.survey.settings import ImportSettings
    from alignment_cli.survey.writing import output_folder, write_plan

    if directory is not None and into is not None and directory != into:
        raise UsageError(f"DIR {directory} and --into {into} differ; give the folder once")
    folder = directory or into or Path.cwd()

    settings = ImportSettings(
        organization=org,
        anonymous=anonymous,
        default_role=role,
        name_column=name_column,
        role_column=role_column,
        timestamp_column=timestamp_column,
        timestamp_format=timestamp_format,
        source=source,
        timezone=timezone,
        date_order=date_order,
    )
    if not (folder.exists() and not folder.is_dir()):
        earlier = interrupted_warning(
            output_folder(folder),
            again="run that import again, with the same options, to complete it",
        )
        if earlier:
            console.err.print(f"warning: {earlier}", markup=False)
    outcome: ImportOutcome | None = None
    with terminate_as_interrupt():
        try:
            outcome = import_csv(
                csv_file,
                folder,
                rubric_ref=rubric,
                mapping_path=mapping,
                settings=settings,
                partial=partial,
                overwrite=overwrite,
                dry_run=True,  # written below, where an interruption is told apart
            )
            if not dry_run:
                write_plan(outcome.plan)
        except KeyboardInterrupt as exc:
            raise _interrupted(exc, outcome) from None
    result, plan = outcome.result, outcome.plan
    for note in result.notes:
        console.err.print(f"note: {note}", markup=False)
    for warning in result.warnings:
        console.err.print(f"warning: {warning}", markup=False)
    for problem in result.problems:
        console.err.print(f"skipped: {problem}", markup=False)
    n = len(plan.files)
    summary = (
        f"{'would import' if dry_run else 'imported'} {n} respondent{'' if n == 1 else 's'} "
        f"from {csv_file} into {plan.folder}: {plan.count('new')} new, "
        f"{plan.count('updated')} updated, {plan.count('unchanged')} unchanged"
    )
    if result.bad_rows:
        summary += f"; {result.bad_rows} row{'' if result.bad_rows == 1 else 's'} skipped"
    console.out.print(summary, markup=False, soft_wrap=True)


def _interrupted(exc: KeyboardInterrupt, outcome: "ImportOutcome | None") -> Exception:
    """Ctrl-C or SIGTERM: the files are all written or none is (the renames hold signals off
    till they are done), and the message says which."""
    from alignment_cli.cli.signals import exit_code, signal_name
    from alignment_cli.errors import Interrupted

    if outcome is not None and outcome.plan.applied:
        n = outcome.plan.count("new") + outcome.plan.count("updated")
        done = f"the import was complete: {n} file{'' if n == 1 else 's'} written"
    else:
        done = "nothing was imported (no answer file changed)"
    stopped = Interrupted(f"interrupted ({signal_name(exc)}); {done}")
    stopped.exit_code = exit_code(exc)
    return stopped
