"""`--help` stays fast: it must not import the heavy modules that only commands need.

An import check, not a timing (timings are bench/run.py's job): each case runs the CLI in a fresh
interpreter and inspects `sys.modules` afterwards. Typer and rich are the floor; pydantic, Jinja2,
PyYAML and our core belong inside the command functions (docs: the developer guide).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = (
    "pydantic",
    "pydantic_core",
    "jinja2",
    "yaml",
    "alignment_cli.model.models",
    "alignment_cli.model.rubric",
    "alignment_cli.scoring.engine",
    "alignment_cli.scoring.scorecard",
    "alignment_cli.files.responses",
    "alignment_cli.scoring.pipeline",
    "alignment_cli.model.expressions",
    "alignment_cli.files.yamlio",
    "duckdb",
    "alignment_cli.evidence.engine",
)

_PROBE = """
import json, sys
sys.argv = ["alignment", *json.loads(sys.argv[1])]
from alignment_cli.__main__ import main
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code
with open(OUT, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def _imports_of(args: list[str], tmp_path: Path) -> tuple[int, list[str], str]:
    """Run `alignment ARGS` in a fresh interpreter; its exit code, modules and output."""
    out = tmp_path / "modules.json"
    probe = f"OUT = {str(out)!r}\n" + _PROBE
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    proc = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert out.exists(), proc.stderr
    result = json.loads(out.read_text())
    return result["code"], result["modules"], proc.stdout


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def _help_cases() -> list[list[str]]:
    """`--help` of the app and of every command and sub-command, as registered now."""
    from typer.main import get_command

    from alignment_cli.cli.main import app

    cases: list[list[str]] = [["--help"]]

    def walk(command: object, prefix: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if getattr(sub, "hidden", False):
                continue
            cases.append([*prefix, name, "--help"])
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return cases


@pytest.mark.parametrize("args", _help_cases(), ids=" ".join)
def test_help_imports_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    code, modules, output = _imports_of(args, tmp_path)
    assert code == 0
    assert "Usage" in output
    assert _heavy(modules) == [], f"`alignment {' '.join(args)}` imports heavy modules"


def test_the_probe_sees_imports_of_a_real_command(tmp_path: Path) -> None:
    """The check can fail: a command that does its work does import the core."""
    code, modules, output = _imports_of(
        ["rubric", "validate", "sales-marketing-alignment"], tmp_path
    )
    assert code == 0
    assert "sales-marketing-alignment" in output
    assert {"pydantic", "yaml", "alignment_cli.model.rubric"} <= set(_heavy(modules))


def test_rubric_list_checks_in_full_once_then_imports_no_heavy_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first `rubric list` with an empty cache loads every bundled rubric; once they passed,
    the next one lists them from the cache (files/rubric_index.py) without the core, and
    without pydantic for its --format option either (cli/main.py, `_Light`)."""
    monkeypatch.setenv("ALIGNMENT_CACHE_DIR", str(tmp_path / "cache"))
    code, modules, cold = _imports_of(["rubric", "list"], tmp_path)
    assert code == 0 and "sales-marketing-alignment" in cold
    assert {"pydantic", "yaml", "alignment_cli.model.rubric"} <= set(_heavy(modules))
    for args in (["rubric", "list"], ["rubric", "list", "--format", "json"]):
        code, modules, warm = _imports_of(args, tmp_path)
        assert code == 0 and "sales-marketing-alignment" in warm
        assert _heavy(modules) == [], f"a warm `alignment {' '.join(args)}` imports heavy modules"


def test_command_modules_keep_their_annotations_evaluated() -> None:
    """Typer reads each command's signature twice at start-up; string annotations (the future
    import) would be evaluated each time, about half the cost of building the commands."""
    from alignment_cli.cli.main import app

    modules = {sys.modules[c.callback.__module__] for c in app.registered_commands if c.callback}
    modules |= {
        sys.modules[g.typer_instance.registered_commands[0].callback.__module__]
        for g in app.registered_groups
        if g.typer_instance
    }
    modules.add(sys.modules["alignment_cli.cli.main"])
    lazy = sorted(
        m.__name__
        for m in modules
        if getattr(m, "annotations", None) is not None
        and type(m.annotations).__name__ == "_Feature"
    )
    assert len(modules) >= 9
    # Every one: with one command built per run (cli/main.py, for_argv) each module's own
    # annotations are all of that command's cost.
    assert lazy == []


# What `score` of a small engagement needs not: the report's models (the terminal's say-vs-do
# table has its own, report/say_do_model.py), the progress views and summaries (only with a
# baseline, --format markdown or GitHub's step summary) (bench/run.py, issue 19).
SCORE_NEEDS_NOT = (
    "alignment_cli.report.model",
    "alignment_cli.report.charts",
    "alignment_cli.report.summaries",
    "alignment_cli.cli.views.progress",
)


def test_score_of_a_small_engagement_leaves_the_report_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import copy_engagement, v1_example

    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    engagement = copy_engagement(v1_example("halfway"), tmp_path / "halfway")
    code, modules, output = _imports_of(["score", str(engagement)], tmp_path)
    assert code == 0
    assert "Say vs do" in output  # the evidence's table is shown, from its light model
    assert {"pydantic", "alignment_cli.scoring.engine"} <= set(_heavy(modules))
    assert [m for m in SCORE_NEEDS_NOT if m in modules] == []


# What a warm `score` (its rubric restored from the cache of loaded rubrics) does without: the
# rubric's YAML is not parsed, its expressions not parsed by Jinja2 (they run as plain trees,
# model/expressions.py), and pydantic's plugin loader is a stand-in (alignment_cli/__main__.py).
WARM_SCORE_NEEDS_NOT = ("jinja2", "importlib.metadata", "alignment_cli.scoring.compare")


def test_a_warm_score_parses_no_expression_and_scans_no_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import copy_engagement, v1_example

    monkeypatch.setenv("ALIGNMENT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    engagement = copy_engagement(v1_example("halfway"), tmp_path / "halfway")
    code, modules, cold = _imports_of(["score", str(engagement)], tmp_path)
    assert code == 0 and "jinja2" in modules  # the first load checks the rubric in full
    assert "importlib.metadata" not in modules
    code, modules, warm = _imports_of(["score", str(engagement)], tmp_path)
    assert code == 0
    assert [m for m in WARM_SCORE_NEEDS_NOT if m in modules] == []
    assert "pydantic.plugin._loader" in modules  # pydantic asked, and got the stand-in
    assert _without_date(warm) == _without_date(cold)


def _without_date(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "generated" not in line.lower())


def test_pydantic_takes_only_get_plugins_from_its_plugin_loader() -> None:
    """The stand-in for pydantic.plugin._loader (alignment_cli/__main__.py) has get_plugins
    alone: pydantic must import nothing else from it."""
    import re

    import pydantic

    root = Path(pydantic.__file__).parent
    uses = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"from (?:\.|pydantic\.plugin\.)_loader import ([^\n]+)", text):
            uses.add(m.group(1).strip())
        assert not re.search(r"import pydantic\.plugin\._loader|_loader\.\w", text), path
    assert uses == {"get_plugins"}


def test_the_real_plugin_loader_finds_none_either_when_plugins_are_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic.plugin import _loader

    from alignment_cli.__main__ import _PLUGINS_OFF, _no_plugins

    for value in _PLUGINS_OFF:
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", value)
        assert list(_loader.get_plugins()) == list(_no_plugins()) == []


def test_score_with_a_step_summary_builds_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side: where GitHub collects a step summary, `score` still writes it."""
    from conftest import copy_engagement, v1_example

    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    engagement = copy_engagement(v1_example("halfway"), tmp_path / "halfway")
    code, modules, _ = _imports_of(["score", str(engagement)], tmp_path)
    assert code == 0
    assert "alignment_cli.report.summaries" in modules
    assert summary.read_text(encoding="utf-8").startswith("## ")


def test_the_app_runs_with_only_the_command_its_first_word_names() -> None:
    """`for_argv` (cli/main.py): Typer builds the named command alone; the app's own --help, an
    option first or an unknown word get every command (Click's suggestions need them)."""
    from typer.main import get_command

    from alignment_cli.cli.main import app, for_argv

    every = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert {"score", "import", "rubric", "evidence"} <= every
    for word in ("score", "import", "rubric", "evidence"):
        narrow = get_command(for_argv(["alignment", word, "--help"]))
        assert set(narrow.commands) == {word}  # type: ignore[attr-defined]
    for argv in (["alignment"], ["alignment", "--help"], ["alignment", "--debug", "score"]):
        assert for_argv(argv) is app
    assert for_argv(["alignment", "scor"]) is app
    assert set(get_command(app).commands) == every  # type: ignore[attr-defined]  # untouched


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["score", "--help"], 0, "score [OPTIONS]"),
        (["rubric", "show", "--help"], 0, "rubric show [OPTIONS]"),
        (["scor"], 2, "Did you mean"),
        (["score", "/no/such/folder"], 2, "no such file or folder"),
    ],
)
def test_the_console_command_with_one_command_built(
    args: list[str], code: int, said: str, tmp_path: Path
) -> None:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "alignment_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == code, proc.stderr
    assert said in proc.stdout + proc.stderr


def test_a_command_runs_with_the_collector_back_on(
    invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`alignment` starts with the collector off (alignment_cli/__main__.py); once a command
    starts it is on again, what start-up made frozen out of later collections."""
    import gc

    from alignment_cli.cli import main as cli

    monkeypatch.setattr(cli, "START_UP_PAUSED", True)
    monkeypatch.setattr(cli, "_IN_ITS_OWN_PROCESS", False)
    gc.disable()
    try:
        result = invoke("rubric", "list")
        assert result.exit_code == 0
        assert gc.isenabled() and not cli.START_UP_PAUSED
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_collector_is_paused_only_while_asked() -> None:
    import gc

    from alignment_cli.cli.main import collector_paused

    for on in (True, False):
        (gc.enable if on else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is on
    gc.enable()
