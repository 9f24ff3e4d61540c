"""What `-o` holds cannot write Markdown or HTML into GitHub's step summary."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_history import make_engagement

Invoke = Callable[..., Any]


@pytest.mark.parametrize(
    "name",
    [
        "r\n# Injected\n<img src=x onerror=alert(1)>.html",
        "r`\n<script>alert(1)\n`.html",
        "r\r\n- [x](javascript:alert(1))\x1b[2J.html",
    ],
)
def test_a_line_break_in_the_output_path_stays_on_its_line(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    eng = make_engagement(tmp_path / "eng")
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n", "utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    output = tmp_path / name
    result = invoke("report", str(eng), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert output.is_file()  # the file is written where asked
    added = summary.read_text("utf-8").removeprefix("# Earlier step\n")
    heading = added.splitlines()[0]
    assert heading.startswith("### Alignment report: ")
    assert heading.endswith(".html`") or heading.endswith(".html")  # all of it on one line
    lines = added.splitlines()
    assert not any(ln.startswith(("# ", "<", "- [")) for ln in lines), added
    outside_code = re.sub(r"`[^`\n]*`", "", added)  # inside a code span HTML is text
    assert "<script" not in outside_code and "<img" not in outside_code, added
    assert "\x1b" not in added
    assert "\r" not in added
