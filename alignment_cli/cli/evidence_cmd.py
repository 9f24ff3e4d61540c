"""`alignment evidence import|show`: CRM exports into aggregate metrics in the engagement."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alignment_cli.cli import console

app = typer.Typer(
    help="CRM evidence: Salesforce and HubSpot exports into metrics beside what people said."
)


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


@app.command("import")
def import_evidence(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="CRM exports (CSV): Salesforce Lead, Task, Opportunity; HubSpot contacts, deals.",
        ),
    ],
    into: Annotated[
        Path,
        typer.Option("--into", metavar="DIR", help="The engagement folder (writes DIR/evidence/)."),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            metavar="FILE",
            help="YAML: column names, marketing and sales sources, business hours, time zone "
            "(see docs/evidence.md).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and compute everything; write nothing.")
    ] = False,
) -> None:
    """Read CRM exports and write their aggregate metrics (never a name, e-mail or record id)."""
    from alignment_cli.evidence.importer import run

    outcome = run(files, into, mapping_path=mapping, dry_run=dry_run)
    doc = outcome.document
    rows = sum(s["rows"] for s in doc["sources"])
    n = len(doc["metrics"])
    verb = "would write" if dry_run else "wrote"
    console.out.print(
        f"{verb} {outcome.path}: {n} metric{'' if n == 1 else 's'} from {len(files)} "
        f"file{'' if len(files) == 1 else 's'} ({rows} rows), " + _span(doc["period"]),
        markup=False,
        soft_wrap=True,
    )


def _span(period: dict[str, str | None]) -> str:
    if period.get("from") is None:
        return "no dated rows"
    return f"{period['from']} to {period['to']}"


@app.command("show")
def show_evidence(
    directory: Annotated[
        Path | None,
        typer.Argument(metavar="DIR", help="The engagement folder; default: the current one."),
    ] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="text or json.")] = ShowFormat.text,
) -> None:
    """Print the metrics of the latest evidence import."""
    from alignment_cli.errors import UsageError
    from alignment_cli.evidence import store
    from alignment_cli.evidence.present import lines

    folder = directory or Path.cwd()
    evidence = store.latest(folder)
    if evidence is None:
        raise UsageError(
            f"no evidence in {store.folder_of(folder)}: run `alignment evidence import` first"
        )
    if fmt is ShowFormat.json:
        typer.echo(json.dumps(evidence.data, indent=2, ensure_ascii=False))
        return
    for line in lines(evidence.data):
        console.out.print(line, markup=False, soft_wrap=True, highlight=False)
