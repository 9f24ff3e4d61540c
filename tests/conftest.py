"""Shared test helpers. Rich output is pinned to a fixed width so assertions are stable."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings
from typer.testing import CliRunner

# In CI every run tries the same examples, so a submission lands or fails on its own merits;
# locally each run tries new ones (ALIGNMENT_FUZZ_EXAMPLES and --hypothesis-seed go further).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_RUBRIC = ROOT / "docs" / "examples" / "minimal-rubric.yaml"
MINIMAL_RESPONSES = ROOT / "tests" / "data" / "minimal"
EXAMPLES = ROOT / "examples"
"""The shipped examples: for tests of what ships (they move with the bundled rubric)."""

V1 = ROOT / "tests" / "data" / "v1"
V1_RUBRIC = V1 / "sales-marketing-alignment-1.0.0.yaml"
"""Version 1.0.0 of the bundled default rubric, frozen (same id and version, byte for byte but the
`$schema` comment): tests of the engine use its questions as data, so the bundled rubric and the
shipped examples can change without them."""
V1_EXAMPLES = V1 / "examples"
"""The four example engagements as they were on V1_RUBRIC; each alignment.yaml names it by path."""


def v1_example(name: str) -> Path:
    """tests/data/v1/examples/<name>: siloed, halfway, integrated or halfway-crm."""
    path = V1_EXAMPLES / name
    assert path.is_dir(), path
    return path


def copy_engagement(source: Path, dest: Path, **copytree: Any) -> Path:
    """copytree, with a relative `rubric: {path: ...}` in alignment.yaml made absolute so that the
    copy still names the same rubric file."""
    shutil.copytree(source, dest, **copytree)
    config = dest / "alignment.yaml"
    if config.is_file():
        text = config.read_text(encoding="utf-8")
        rel = ((yaml.safe_load(text) or {}).get("rubric") or {}).get("path")
        if rel and not Path(rel).is_absolute():
            target = json.dumps(str((source / rel).resolve()))  # a YAML double-quoted string
            config.write_text(text.replace(f"path: {rel}", f"path: {target}", 1), encoding="utf-8")
    return dest


_USER_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """The tool's user cache (rubric_index, rubric_cache) goes to a folder of the test run,
    never the user's: set before any test module is collected (some load and score rubrics at
    import), and seen by every subprocess the tests start."""
    import tempfile

    _USER_CACHE.append(tempfile.mkdtemp(prefix="alignment-user-cache-"))
    os.environ["ALIGNMENT_CACHE_DIR"] = _USER_CACHE[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _USER_CACHE:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _stable_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner: CliRunner) -> Callable[..., Any]:
    """Run the CLI end to end: invoke("score", "DIR", input=None) -> Result."""
    from alignment_cli.cli.main import app

    def _invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, list(args), input=input)

    return _invoke


def build_file_tree(root: Path, spec: dict[str, Any]) -> None:
    """Write {"a/b.yaml": {...} or "text"} under root; dicts are dumped as YAML."""
    for rel, content in spec.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


@pytest.fixture
def minimal_rubric_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MINIMAL_RUBRIC.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def engagement_copy(tmp_path: Path) -> Callable[[str], Path]:
    """A writable copy of v1_example(name), at tmp_path/<name>."""

    def _copy(name: str) -> Path:
        return copy_engagement(v1_example(name), tmp_path / name)

    return _copy
