"""The CLI's light coercion of plain options (cli/main.py, `_Light`) gives what Typer's own
(pydantic) coercion gives, value for value and error for error, for every parameter of every
command it takes over: it is there for start-up time only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.main import get_command

from alignment_cli.cli.main import _light_param, app

VALUES = [
    *("text", "json", "JSON", "md", "", "-", "examples/halfway", "/no/such/place", "a=1", "x y"),
    *("0", "50", "100", "101", "-3", "2.5", "nan", "latest"),
]


def _params() -> list[tuple[Any, Any, str]]:
    out = []

    def walk(command: Any, prefix: str) -> None:
        for param in getattr(command, "params", ()):
            if _light_param(param) is not None:
                out.append((command, param, f"{prefix} {param.name}"))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, f"{prefix} {name}")

    walk(get_command(app), "alignment")
    return out


PARAMS = _params()


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()


def test_the_light_coercion_covers_every_option() -> None:
    names = {label for _, _, label in PARAMS}
    assert "alignment rubric list fmt" in names  # an Enum option
    assert "alignment score inputs" in names  # paths
    assert "alignment score fail_under" in names  # a bounded number, handed on when given
    assert "alignment score fmt" in names  # a parser (options.choice)


def test_a_plain_score_builds_no_pydantic_coercion(
    invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`score DIR` with its defaults coerces every option on the light path."""
    import typer._coercion
    import typer.core

    built: list[Any] = []

    def spy(descriptor: Any) -> Any:
        built.append(descriptor.annotation)
        return build_runtime_param(descriptor)

    monkeypatch.setattr(typer._coercion, "build_runtime_param", spy)
    monkeypatch.setattr(typer.core, "build_runtime_param", spy)
    from tests.conftest import V1_EXAMPLES

    result = invoke("score", str(V1_EXAMPLES / "halfway"), "--format", "md")
    assert result.exit_code == 0, result.output
    assert built == []
    # and the spy sees Typer's coercion when a value needs it
    result = invoke("score", str(V1_EXAMPLES / "halfway"), "--fail-under", "0")
    assert result.exit_code == 0, result.output
    assert built == [float]


@pytest.mark.parametrize(("command", "param", "label"), PARAMS, ids=[p[2] for p in PARAMS])
def test_light_and_typer_coercion_agree(
    command: Any, param: Any, label: str, tmp_path: Path
) -> None:
    ctx = Context(command)
    real = build_runtime_param(param.type_descriptor)
    multi = param.multiple or param.nargs == -1
    for raw in [*VALUES, str(tmp_path), None]:
        value: Any = (raw,) if multi and raw is not None else raw
        light = _light_param(param)
        assert _outcome(light, value, param, ctx) == _outcome(real, value, param, ctx), (label, raw)
