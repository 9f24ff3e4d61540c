"""The `alignment` command: global options, sub-commands, and errors mapped to exit codes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from alignment_cli import __version__
from alignment_cli.cli import console
from alignment_cli.errors import EXIT_INTERRUPTED, AlignmentError, Interrupted

EXIT_INTERNAL = 70


class AlignmentGroup(TyperGroup):
    """Maps every error to its exit code in one place, with one clear message and no traceback."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _plain_help(self, ctx)
        rest: list[str] = super().parse_args(ctx, args)
        return rest

    def invoke(self, ctx: Any) -> Any:
        console.reset()
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except AlignmentError as exc:
            if debug:
                raise
            _report(exc)
            ctx.exit(exc.exit_code)
        except (KeyboardInterrupt, typer.Abort):
            if debug:
                raise
            console.err.print("interrupted")
            ctx.exit(EXIT_INTERRUPTED)
        except (typer.Exit, TyperException):
            raise
        except BrokenPipeError:
            _quiet_broken_pipe()
            ctx.exit(0)
        except Exception as exc:
            if debug:
                raise
            console.err.print(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in alignment. Rerun with --debug for the traceback, and report it.",
                markup=False,
            )
            ctx.exit(EXIT_INTERNAL)


def _quiet_broken_pipe() -> None:
    """The reader went away (`alignment ... | head`): not an error; say nothing more."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class _AsGiven:
    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        return value


def _plain_help(command: Any, ctx: Any) -> None:
    """Keep `alignment CMD --help` light: Typer (0.29) coerces every group's unset --help flag
    through a pydantic TypeAdapter, importing pydantic (~80 ms) before any command runs."""
    option = command.get_help_option(ctx)
    if option is not None and getattr(option, "_runtime_param", False) is None:
        option._runtime_param = _AsGiven()
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub, ctx)


def _report(exc: AlignmentError) -> None:
    """One line per problem, `FILE:LINE:COLUMN: path: message`, so editors and CI can parse it."""
    problems = getattr(exc, "problems", None)
    if problems:
        for problem in problems:
            console.err.print(str(problem), markup=False)
        files = len({p.file for p in problems})
        s = "" if len(problems) == 1 else "s"
        console.err.print(f"{len(problems)} problem{s} in {files} file{'' if files == 1 else 's'}")
    elif isinstance(exc, Interrupted):  # not an error: what was typed is saved
        console.err.print(exc.message, markup=False)
    else:
        console.err.print(f"error: {exc.message}", markup=False)


app = typer.Typer(
    cls=AlignmentGroup,
    name="alignment",
    help="Audit how well sales and marketing work together: interview, score, report, track.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"alignment {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of short messages.")
    ] = False,
) -> None:
    """Audit how well sales and marketing work together: interview, score, report, track."""


def _register() -> None:
    from alignment_cli.cli import (
        audit_cmd,
        compare_cmd,
        evidence_cmd,
        form_cmd,
        history_cmd,
        import_cmd,
        init_cmd,
        report_cmd,
        rubric_cmd,
        score_cmd,
    )

    app.add_typer(rubric_cmd.app, name="rubric")
    app.command()(init_cmd.init)
    app.command()(audit_cmd.audit)
    app.command()(score_cmd.score)
    app.command()(history_cmd.history)
    app.command()(compare_cmd.compare)
    app.command()(report_cmd.report)
    app.command()(form_cmd.form)
    app.command("import")(import_cmd.import_answers)
    app.add_typer(evidence_cmd.app, name="evidence")


_register()
