"""The report's progress sections: the change since the last run and the trend over history/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_history import edit_answers, make_engagement

from alignment_cli.clock import NOW_ENV

Invoke = Callable[..., Any]


def mermaid_axis(md: str) -> list[str]:
    m = re.search(r"x-axis \[(.*?)\]", md)
    assert m, "no trend chart in the report"
    return re.findall(r'"([^"]+)"', m.group(1))


@pytest.fixture
def quarters(tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Q1 and Q2 saved; the answers then changed again, not saved."""
    eng = make_engagement(tmp_path / "eng")
    monkeypatch.setenv(NOW_ENV, "2026-01-15T09:00:00Z")
    assert invoke("score", str(eng), "--save").exit_code == 0
    edit_answers(eng, "sam", lead_definition=3)
    monkeypatch.setenv(NOW_ENV, "2026-04-15T09:00:00Z")
    assert invoke("score", str(eng), "--save").exit_code == 0
    monkeypatch.delenv(NOW_ENV)
    edit_answers(eng, "sam", lead_definition=5)
    return eng


def test_no_history_no_progress_sections(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    md = invoke("report", str(eng)).stdout
    assert "Change since the last run" not in md
    assert "Overall score over time" not in md


def test_report_shows_the_change_and_the_trend(quarters: Path, invoke: Invoke) -> None:
    result = invoke("report", str(quarters))
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "## Change since the last run" in md
    # 77 - 61 and 88 - 62 as shown (it printed "up 17" and "+25": changes of unrounded scores)
    assert "up 16 points since 15 April 2026 (from 61 to 77)" in md
    # Two people: every interval runs from 0 to 100, so no change is beyond noise.
    assert "That is within noise" in md
    assert "| Shared definitions | 62 | 88 | +26 (within noise) |" in md.replace("−", "-")
    # the last point is this run, dated like the report: by its newest answer
    assert mermaid_axis(md) == ["2026-01-15", "2026-04-15", "2026-11-02"]
    assert 'title "Overall score over time"' in md
    assert "line [52, 61, 77]" in md
    html = invoke("report", str(quarters), "--format", "html").stdout
    assert "Change since the last run" in html
    assert 'class="trend"' in html
    again = invoke("report", str(quarters)).stdout
    assert again == md  # unchanged answers, unchanged report


def test_report_after_score_save_compares_with_the_run_before(
    quarters: Path, invoke: Invoke
) -> None:
    assert invoke("score", str(quarters), "--save").exit_code == 0
    md = invoke("report", str(quarters)).stdout
    assert "since 15 April 2026" in md
    assert len(mermaid_axis(md)) == 3  # the run just saved is not counted twice


def test_report_baseline_option(quarters: Path, invoke: Invoke) -> None:
    q1 = sorted((quarters / "history").glob("*.json"))[0]
    md = invoke("report", str(quarters), "--baseline", str(q1)).stdout
    assert "up 25 points since 15 January 2026" in md
    fresh = make_engagement(quarters.parent / "fresh")
    result = invoke("report", str(fresh), "--baseline", "latest")
    assert result.exit_code == 2
    assert "no saved scorecards" in " ".join(result.stderr.split())


def test_report_appends_to_the_step_summary(
    quarters: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = tmp_path / "r.html"
    assert invoke("report", str(quarters), "-o", str(out), "--format", "html").exit_code == 0
    text = summary.read_text("utf-8")
    assert text.startswith(f"### Alignment report: `{out}`")
    assert "Since 2026-04-15: overall 61 → 77 (+16.7, within noise)" in text
    assert "| Overall | ▁▃█ | 52 | 77 | +16.7 | +25.0 | – |" in text
