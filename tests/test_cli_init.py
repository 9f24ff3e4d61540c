"""`alignment init`: the engagement folder, its alignment.yaml, and refusing to overwrite."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL_RUBRIC

from alignment_cli.files.engagement import load_engagement
from alignment_cli.model.rubric import DEFAULT_RUBRIC, load_rubric

Invoke = Callable[..., Any]


def test_init_creates_the_folder(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "clients" / "acme"
    result = invoke("init", str(target), "--org", "Acme Corp")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [
        "alignment.yaml",
        "history",
        "reports",
        "responses",
    ]
    config = load_engagement(target).config
    default = load_rubric(DEFAULT_RUBRIC).rubric
    assert config.organization == "Acme Corp"
    assert (config.rubric.id, config.rubric.version, config.rubric.path) == (
        DEFAULT_RUBRIC,
        default.version,
        None,
    )
    assert config.targets.overall == 70
    assert config.gates.fail_under is None and config.gates.max_drop is None
    assert "Next: alignment audit" in result.output


def test_init_refuses_an_existing_engagement(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "acme"
    assert invoke("init", str(target), "--org", "Acme").exit_code == 0
    before = (target / "alignment.yaml").read_text(encoding="utf-8")
    result = invoke("init", str(target), "--org", "Other")
    assert result.exit_code == 2
    assert "is an engagement already" in result.output
    assert (target / "alignment.yaml").read_text(encoding="utf-8") == before


def test_init_in_an_existing_folder_keeps_its_files(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine", encoding="utf-8")
    result = invoke("init", str(tmp_path), "--org", "Acme")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "responses").is_dir()


def test_init_with_a_rubric_file_references_it_relatively(invoke: Invoke, tmp_path: Path) -> None:
    shutil.copy(MINIMAL_RUBRIC, tmp_path / "my-rubric.yaml")
    target = tmp_path / "acme"
    result = invoke(
        "init", str(target), "--org", "Acme", "--rubric", str(tmp_path / "my-rubric.yaml")
    )
    assert result.exit_code == 0, result.output
    engagement = load_engagement(target)
    assert engagement.config.rubric.path == "../my-rubric.yaml"
    assert engagement.config.rubric.id == "minimal-alignment"
    assert load_rubric(engagement.rubric_ref()).rubric.id == "minimal-alignment"


def test_init_without_org_uses_the_folder_name(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path / "globex"))
    assert result.exit_code == 0, result.output
    assert load_engagement(tmp_path / "globex").config.organization == "globex"


def test_organisation_names_are_quoted_safely(invoke: Invoke, tmp_path: Path) -> None:
    name = 'Acme: "R&D" # not a comment'
    assert invoke("init", str(tmp_path / "x"), "--org", name).exit_code == 0
    data = yaml.safe_load((tmp_path / "x" / "alignment.yaml").read_text(encoding="utf-8"))
    assert data["organization"] == name


def test_init_with_an_unknown_rubric_fails_cleanly(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("init", str(tmp_path / "x"), "--rubric", "no-such-rubric")
    assert result.exit_code == 2
    assert "neither a file nor a bundled rubric id" in result.output
    assert not (tmp_path / "x" / "alignment.yaml").exists()


def test_init_refuses_a_file(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = invoke("init", str(tmp_path / "file"))
    assert result.exit_code == 2
    assert "not a folder" in result.output
