"""docs/ci.md stays true: every `alignment ...` command in its code blocks (the GitHub Actions
workflow, the GitLab CI jobs and the examples) runs, in order, on a copy of examples/halfway
whose history holds the two runs the docs name; the workflows are valid YAML that does what the
text says."""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, ROOT
from test_history_e2e import set_answers

from alignment_cli.clock import NOW_ENV

DOC = ROOT / "docs" / "ci.md"
COMMAND = re.compile(r"^\s*(?:-\s+|run:\s+)?(alignment\s.*)$")
MKDIR = re.compile(r"^\s*(?:-\s+|run:\s+)?mkdir -p (\S+)\s*$")
Invoke = Callable[..., Any]


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block, and ("", body) of every indented one."""
    out: list[tuple[str, str]] = []
    fenced = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
    for m in fenced.finditer(text):
        out.append((m.group(1), m.group(2)))
    rest = fenced.sub("", text)
    for m in re.finditer(r"(?:^(?: {4}.*)?\n)+", rest, re.MULTILINE):
        body = "\n".join(line[4:] for line in m.group(0).splitlines() if line.strip())
        if body:
            out.append(("", body))
    return out


def commands(text: str) -> list[list[str]]:
    """Every alignment command line of the code blocks, in document order, as argv."""
    found: list[tuple[int, list[str]]] = []
    for _, body in blocks(text):
        for line in body.splitlines():
            m = COMMAND.match(line)
            if m:
                found.append((text.index(line.strip()), shlex.split(m.group(1), comments=True)))
    return [argv for _, argv in sorted(found, key=lambda x: x[0])]


def test_the_docs_name_every_progress_command() -> None:
    argvs = commands(DOC.read_text("utf-8"))
    joined = [" ".join(a) for a in argvs]
    for needed in (
        "alignment score audit --save",
        "alignment score audit --fail-under 40 --max-drop 5",
        "alignment report audit --format html -o reports/report.html",
        "alignment history audit",
        "alignment score audit --baseline latest",
    ):
        assert needed in joined
    assert any(a[1] == "compare" for a in argvs)


@pytest.mark.skipif(not (EXAMPLES / "halfway").is_dir(), reason="examples not written yet")
def test_every_command_in_the_docs_runs_on_the_example(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = tmp_path / "audit"
    shutil.copytree(EXAMPLES / "halfway", audit)
    monkeypatch.chdir(tmp_path)
    # The two runs the docs refer to by name: Q1, then a better Q2.
    monkeypatch.setenv(NOW_ENV, "2026-01-15T09:00:00Z")
    assert invoke("score", "audit", "--save").exit_code == 0
    set_answers(audit, mql_definition=5, funnel_glossary=5)
    monkeypatch.setenv(NOW_ENV, "2026-04-15T09:00:00Z")
    assert invoke("score", "audit", "--save").exit_code == 0
    monkeypatch.delenv(NOW_ENV)
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    for _, body in blocks(DOC.read_text("utf-8")):  # the folders the workflows make first
        for line in body.splitlines():
            if m := MKDIR.match(line):
                (tmp_path / m.group(1)).mkdir(parents=True, exist_ok=True)
    ran = []
    distinct = list(dict.fromkeys(tuple(a) for a in commands(DOC.read_text("utf-8"))))
    for argv in distinct:  # the GitLab jobs repeat the GitHub steps: run each command once
        assert argv[0] == "alignment"
        result = invoke(*argv[1:])
        assert result.exit_code == 0, f"{shlex.join(argv)}\n{result.output}"
        ran.append(argv[1])
    assert {"score", "report", "history", "compare"} <= set(ran)
    assert (tmp_path / "reports" / "report.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "reports" / "report.md").stat().st_size > 1000
    assert len(list((audit / "history").glob("*.json"))) >= 3
    text = summary.read_text("utf-8")
    assert "Brightwater Components" in text
    assert "**Gates passed.**" in text


def test_the_workflows_are_valid_and_keep_the_report() -> None:
    fenced = [body for lang, body in blocks(DOC.read_text("utf-8")) if lang == "yaml"]
    github, gitlab = (yaml.safe_load(body) for body in fenced)
    steps = github["jobs"]["audit"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "reports/"
    assert upload["if"] == "${{ !cancelled() }}"
    gate = next(s for s in steps if "--max-drop" in s.get("run", ""))
    assert "--fail-under" in gate["run"]
    assert any("pip install" in s.get("run", "") for s in steps)

    audit = gitlab["alignment-audit"]
    assert any("pip install" in line for line in audit["before_script"])
    assert audit["artifacts"]["when"] == "always"
    assert audit["artifacts"]["paths"] == ["reports/"]
    assert any("--max-drop" in line for line in audit["script"])
    assert any("--save" in line for line in gitlab["alignment-record"]["script"])
