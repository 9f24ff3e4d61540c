"""The same thing is asked for the same way in every command: names, short forms, metavars."""

from __future__ import annotations

from typing import Any

from typer.main import get_command

from alignment_cli.cli.main import app


def _commands() -> dict[str, Any]:
    """Every leaf command by its full name (`score`, `rubric show`, ...)."""
    found: dict[str, Any] = {}

    def walk(command: Any, prefix: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            full = f"{prefix} {name}".strip()
            if getattr(sub, "commands", None):
                walk(sub, full)
            else:
                found[full] = sub

    walk(get_command(app), "")
    return found


def _options(command: Any) -> dict[str, Any]:
    return {
        opt: p
        for p in command.params
        if getattr(p, "opts", None)
        for opt in (*p.opts, *p.secondary_opts)
    }


def test_every_command_and_option_has_short_help() -> None:
    for name, command in _commands().items():
        assert command.help, f"`alignment {name}` has no help"
        for p in command.params:
            if p.param_type_name == "option":
                assert p.help, f"`alignment {name}` {p.opts[0]} has no help"
                assert len(p.help) <= 240, f"`alignment {name}` {p.opts[0]}: help is long"


def test_shared_options_are_declared_alike() -> None:
    seen: dict[str, set[tuple[Any, ...]]] = {"--rubric": set(), "--output": set(), "--org": set()}
    users: dict[str, list[str]] = {k: [] for k in seen}
    for name, command in _commands().items():
        options = _options(command)
        for opt in seen:
            p = options.get(opt)
            if p is None:
                continue
            users[opt].append(name)
            seen[opt].add((tuple(sorted(p.opts)), p.metavar, p.is_flag))
        if "-o" in options:
            assert options["-o"] is options.get("--output"), (
                f"`alignment {name}`: -o is not --output"
            )
    assert len(users["--rubric"]) >= 6, users
    assert seen["--rubric"] == {(("--rubric",), "ID|PATH", False)}
    assert seen["--output"] == {(("--output", "-o"), "FILE", False)}
    assert seen["--org"] == {(("--org",), "NAME", False)}


def test_text_json_markdown_commands_share_their_format_choices() -> None:
    commands = _commands()
    for name in ("score", "compare", "history"):
        p = _options(commands[name])["--format"]
        choices = [c.value for c in p.type_descriptor.annotation]
        assert choices == ["text", "json", "markdown"], name


def test_md_and_markdown_mean_the_same_for_every_format_option(invoke: Any) -> None:
    from conftest import MINIMAL_RUBRIC, V1_EXAMPLES

    halfway = str(V1_EXAMPLES / "halfway")
    for spelling in ("md", "markdown", "MARKDOWN"):
        score = invoke("score", halfway, "--format", spelling)
        assert score.exit_code == 0 and score.output.startswith("## "), spelling
        report = invoke("report", halfway, "--format", spelling)
        assert report.exit_code == 0 and report.output.startswith("# "), spelling
        form = invoke("form", "--rubric", str(MINIMAL_RUBRIC), "--format", spelling)
        assert form.exit_code == 0 and "questionnaire" in form.output, spelling
    bad = invoke("score", halfway, "--format", "xml")
    assert bad.exit_code == 2 and "'xml' is not one of: text, json, markdown" in bad.output


def test_force_and_overwrite_are_one_flag_for_form_and_import(invoke: Any, tmp_path: Any) -> None:
    from conftest import MINIMAL_RUBRIC

    target = tmp_path / "form.yaml"
    args = ("form", "--rubric", str(MINIMAL_RUBRIC), "-o", str(target))
    assert invoke(*args).exit_code == 0
    assert invoke(*args).exit_code == 2
    assert invoke(*args, "--overwrite").exit_code == 0
    assert invoke(*args, "--force").exit_code == 0
    helped = invoke("import", "--help").output
    assert "--overwrite" in helped and "--force" in helped
