"""The `alignment` command: global options, sub-commands, and errors mapped to exit codes.

The command modules do without `from __future__ import annotations`: Typer builds every command
before any runs, and string annotations it evaluates twice per command, about half the cost of
building them (tests/test_startup_imports.py keeps it so).
"""

from collections.abc import Iterator
from contextlib import contextmanager
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
        _resume_collector()
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


START_UP_PAUSED = False
"""Set by `alignment` (alignment_cli/__main__.py), which starts with the collector off and
ends when the command does."""
_IN_ITS_OWN_PROCESS = False


def _resume_collector() -> None:
    """A command starts: what start-up made lives to the end, so it is frozen out of every
    later collection, and the collector is back on (where `alignment` had turned it off)."""
    global START_UP_PAUSED, _IN_ITS_OWN_PROCESS
    if START_UP_PAUSED:
        import gc

        START_UP_PAUSED = False
        _IN_ITS_OWN_PROCESS = True
        gc.freeze()
        gc.enable()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for a short command that mostly imports and builds objects that live
    to its end (`score`): it would rescan them again and again and free nothing. In its own
    process (`alignment`) what is left is frozen before the collector is back on, or the
    first allocation after would scan it all once more."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if _IN_ITS_OWN_PROCESS:
                gc.freeze()
            gc.enable()


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
    """Keep start-up light: Typer (0.29) coerces every parameter through a pydantic
    TypeAdapter, importing pydantic (~80 ms) and building adapters before any command runs,
    even for an unset --help flag. The --help flags take their value as given; text, paths and
    choices take `_Light` coercion (Typer's own helpers, without pydantic)."""
    option = command.get_help_option(ctx)
    if option is not None and getattr(option, "_runtime_param", False) is None:
        option._runtime_param = _AsGiven()
    for param in getattr(command, "params", ()):
        if getattr(param, "_runtime_param", False) is None and param is not option:
            light = _light_param(param)
            if light is not None:
                param._runtime_param = light
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub, ctx)


def _light_param(param: Any) -> Any:
    """A `_Light` coercion for a Typer parameter, or None for one that is not Typer's. Plain kinds
    (str, a Path, an Enum or Literal choice, a parser's, a list of one of those) are coerced by
    it; any other
    is handed to Typer's own coercion when a value first comes, so an option left unset never
    builds a pydantic adapter."""
    from typer._coercion import RuntimeParam

    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return None
    assert issubclass(_Light, RuntimeParam)
    return _Light(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)


def _leaf_kind(annotation: Any, info: Any) -> str | None:
    from enum import Enum
    from pathlib import Path

    from typer._param_types import lenient_issubclass, routes_to_path
    from typer._typing import is_literal_type

    if lenient_issubclass(annotation, Enum) or is_literal_type(annotation):
        return "choice"
    if annotation is str:
        return None if routes_to_path(annotation, info) else "str"
    if lenient_issubclass(annotation, Path) and info.path_type is None:
        return "path"
    return None


def _make_light() -> type:
    from typer import _coercion
    from typer._coercion import RuntimeParam

    class Light(RuntimeParam):
        """Typer's coercion of a plain parameter, as its pydantic adapter does it (the same
        helpers), for the values a command line gives: a str. Any other kind or value, and
        every value the light path refuses, goes to Typer's own coercion, built then, so errors
        are Typer's. An unset option (None) never gets here: `coerce` answers it as Typer's
        own does, without building anything."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if getattr(self.annotation, "__origin__", None) is list:
                    (leaf,) = self.annotation.__args__
                    items = value if isinstance(value, list | tuple) else [value]
                    return [self._leaf(leaf, item, param, ctx) for item in items]
                return self._leaf(self.annotation, value, param, ctx)
            except Exception:  # _Refused, or an error: Typer's own coercion words it
                pass
            real = _coercion.build_runtime_param(param.type_descriptor)
            param._runtime_param = real
            return real._coerce_value(value, param=param, ctx=ctx)

        def _leaf(self, annotation: Any, value: Any, param: Any, ctx: Any) -> Any:
            from typer._param_types import (
                choice_coercion_annotation,
                coerce_cli_choice,
                coerce_cli_path,
            )

            info = self.parameter_info
            if getattr(info, "click_type", None) is not None:
                raise _Refused
            if param.type_descriptor.file_annotation is not None:
                raise _Refused
            if info.parser is not None:  # Typer's adapter: the parser's result, as it is
                return info.parser(value)
            kind = _leaf_kind(annotation, info)
            if kind == "choice":
                choices = choice_coercion_annotation(annotation, self.parameter_info)
                assert choices is not None
                return coerce_cli_choice(
                    value, choices=choices[0], case_sensitive=choices[1], ctx=ctx
                )
            if kind == "str" and isinstance(value, str):
                return value
            if kind == "path" and (
                isinstance(value, annotation) or (value and isinstance(value, str))
            ):
                return coerce_cli_path(
                    annotation(value),
                    self.parameter_info,
                    path_type=annotation,
                    param=param,
                    ctx=ctx,
                )
            raise _Refused

    return Light


class _Refused(Exception):
    pass


_Light: Any = _make_light()


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


_app = typer.Typer(
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


@_app.callback()
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


# Each command: its name, the module under alignment_cli/cli/ and the function (or, for a group
# of sub-commands, its Typer app), in the order `alignment --help` lists them. A module is
# imported only when its command is registered: `for_argv` registers the one argv names.
_COMMANDS = (
    ("rubric", "rubric_cmd", "app"),
    ("init", "init_cmd", "init"),
    ("audit", "audit_cmd", "audit"),
    ("score", "score_cmd", "score"),
    ("history", "history_cmd", "history"),
    ("compare", "compare_cmd", "compare"),
    ("report", "report_cmd", "report"),
    ("form", "form_cmd", "form"),
    ("import", "import_cmd", "import_answers"),
    ("evidence", "evidence_cmd", "app"),
)


def _add(target: typer.Typer, name: str, module: str, attribute: str) -> None:
    import importlib

    found = getattr(importlib.import_module(f"alignment_cli.cli.{module}"), attribute)
    if isinstance(found, typer.Typer):
        target.add_typer(found, name=name)
    else:
        target.command(name)(found)


_registered = False


def _full_app() -> typer.Typer:
    """The app with every command (registered once, when first asked for)."""
    global _registered
    if not _registered:
        for entry in _COMMANDS:
            _add(_app, *entry)
        _registered = True
    return _app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # `from alignment_cli.cli.main import app`: the whole app
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def for_argv(argv: list[str]) -> typer.Typer:
    """The app as it runs for `argv`: with only the command that argv's first word names, when
    it names one, and only that command's module imported. Typer builds the parameters of every
    command before it runs any (about 15 ms, 5% of a command's --help, bench/run.py), and
    importing the other modules costs a few ms more; they cannot run in this process anyway.
    Anything else (the app's own --help, an option first, a misspelt command that Click
    suggests a name for) gets the whole app."""
    import copy

    word = argv[1] if len(argv) > 1 else ""
    entries = [entry for entry in _COMMANDS if entry[0] == word]
    if not entries:
        return _full_app()
    narrow = copy.copy(_app)
    narrow.registered_commands = []
    narrow.registered_groups = []
    _add(narrow, *entries[0])
    return narrow
