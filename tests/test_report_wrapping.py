"""Long unbroken words (a URL, a pasted token) wrap in the HTML report instead of widening it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from test_history import make_engagement

Invoke = Callable[..., Any]
WORD = "x" * 400


def test_long_words_in_cells_and_notes_may_break_anywhere(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    sam = eng / "responses" / "sam.yaml"
    text = sam.read_text("utf-8").replace("anything with an email", WORD)
    sam.write_text(text, "utf-8")
    out = tmp_path / "report.html"
    result = invoke("report", str(eng), "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert WORD in html
    rules = {m[2].strip(): m[3] for m in re.finditer(r"(^|\n)([^{}\n]+)\{([^}]*)\}", html)}
    assert "overflow-wrap: anywhere" in rules["th, td"]
    assert "overflow-wrap: anywhere" in rules[".notes"]
