"""`alignment init`: create an engagement folder."""

import os
from pathlib import Path
from typing import Annotated

import typer

from alignment_cli.cli import console

DEFAULT_TARGET = 70


def init(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="The folder to create (it may exist, but not as an engagement); default: the "
            "current folder.",
            show_default=False,
        ),
    ] = Path("."),
    org: Annotated[
        str | None,
        typer.Option(
            "--org", metavar="NAME", help="The client organisation; default: the folder's name."
        ),
    ] = None,
    rubric: Annotated[
        str | None,
        typer.Option(
            "--rubric",
            metavar="ID|PATH",
            help="Bundled rubric id or rubric file; default: the bundled default rubric.",
        ),
    ] = None,
) -> None:
    """Create an engagement folder: alignment.yaml, responses/, history/, reports/.

    alignment.yaml names the organisation, the rubric and a target score; edit it freely.
    An existing engagement is never touched.
    """
    import shlex

    from alignment_cli.errors import UsageError
    from alignment_cli.files.engagement import CONFIG_NAME, load_engagement
    from alignment_cli.files.rubric_cache import load_rubric
    from alignment_cli.files.writes import write_atomic

    config = directory / CONFIG_NAME
    if config.exists():
        raise UsageError(f"{config} exists: {directory} is an engagement already; nothing changed")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a folder")
    loaded = load_rubric(rubric)
    name = (org or "").strip() or directory.resolve().name or "Organisation"
    rubric_path: str | None = None
    if rubric is not None and loaded.path.resolve().parent != _bundled_dir():
        rubric_path = _reference(loaded.path.resolve(), directory.resolve())
    text = config_text(name, loaded.rubric.id, loaded.rubric.version, rubric_path)
    directory.mkdir(parents=True, exist_ok=True)
    for sub in ("responses", "history", "reports"):
        (directory / sub).mkdir(exist_ok=True)
    write_atomic(config, text)
    load_engagement(directory)  # what we wrote must load
    shown = shlex.quote(str(directory))
    console.out.print(
        f"Created engagement {directory} for {name}: {CONFIG_NAME}, responses/, history/, "
        f"reports/ (rubric {loaded.rubric.id} {loaded.rubric.version}, "
        f"target {DEFAULT_TARGET}).",
        markup=False,
    )
    console.out.print(f"Next: alignment audit {shown} --respondent NAME --role ROLE", markup=False)


def _reference(rubric: Path, engagement: Path) -> str:
    """A rubric of one's own: relative when it sits in the engagement or beside it (they move
    together, in one repository, say), else absolute."""
    if rubric.is_relative_to(engagement.parent):
        return os.path.relpath(rubric, engagement)
    return str(rubric)


def _bundled_dir() -> Path:
    from alignment_cli.model.rubric import data_dir

    return data_dir("rubrics").resolve()


def config_text(organization: str, rubric_id: str, version: str, path: str | None) -> str:
    """alignment.yaml with comments that say what each part is for."""
    from alignment_cli.files.yamlio import dump_yaml

    rubric: dict[str, str] = {"id": rubric_id, "version": version}
    if path is not None:
        rubric["path"] = path
    org = dump_yaml({"organization": organization}).rstrip("\n")
    ref = dump_yaml({"rubric": rubric}).rstrip("\n")
    return (
        "# An alignment engagement: `alignment audit` adds answers to responses/,\n"
        "# `alignment score` and `alignment report` read them.\n"
        f"{org}\n"
        f"{ref}\n"
        "# Targets are aspirations: a shortfall is shown in scores and reports,\n"
        "# it never fails a run.\n"
        "targets:\n"
        f"  overall: {DEFAULT_TARGET}\n"
        "  dimensions: {}\n"
        "# Gates make `alignment score` exit 1, for CI. None are set; for example:\n"
        "# gates:\n"
        "#   fail_under: 60\n"
        "#   fail_under_dimension: {service-levels: 50}\n"
        "#   max_drop: 5\n"
    )
