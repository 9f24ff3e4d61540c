"""Three quarters of a team tracking itself, end to end through the CLI, on examples/halfway:
answers edited each quarter, scored with --save, gated, compared, and the trend shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import V1_EXAMPLES

from alignment_cli.clock import NOW_ENV

Invoke = Callable[..., Any]


def set_answers(root: Path, **answers: Any) -> None:
    """Give every respondent who answered a question the new answer (underscores for hyphens)."""
    for path in sorted((root / "responses").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for key, value in answers.items():
            qid = key.replace("_", "-")
            if qid in data["answers"]:
                data["answers"][qid] = value
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not (V1_EXAMPLES / "halfway").is_dir(), reason="examples not written yet")
def test_three_quarters(
    engagement_copy: Callable[[str], Path], invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = engagement_copy("halfway")
    hist = eng / "history"

    # Q1: the first audit.
    monkeypatch.setenv(NOW_ENV, "2026-01-15T09:00:00Z")
    q1 = invoke("score", str(eng), "--save", "--format", "json")
    assert q1.exit_code == 0, q1.output
    card1 = json.loads(q1.stdout)

    # Q2: definitions agreed, but the CRM data got worse.
    set_answers(eng, mql_definition=5, shared_vocabulary=4, funnel_glossary=5, data_hygiene=1)
    monkeypatch.setenv(NOW_ENV, "2026-04-15T09:00:00Z")
    q2 = invoke("score", str(eng), "--save", "--baseline", "latest")
    assert q2.exit_code == 0, q2.output
    out2 = flat(q2.stdout)
    assert "Change since 2026-01-15 09:00 UTC" in out2
    assert "Shared definitions and language" in out2

    # Q3: a shared dashboard, leadership behind it; the vocabulary slipped back. CI's gate fails
    # and names the dimension; the run is still recorded.
    set_answers(eng, unified_dashboard=5, leadership_sponsorship=5, shared_vocabulary=1)
    monkeypatch.setenv(NOW_ENV, "2026-07-15T09:00:00Z")
    q3 = invoke("score", str(eng), "--save", "--max-drop", "3")
    assert q3.exit_code == 1
    err = flat(q3.stderr)
    assert "gate failed: dimension shared-definitions fell" in err
    assert "shared-metrics" not in err and "overall" not in err
    files = sorted(p.name for p in hist.glob("*.json"))
    assert files == [
        "2026-01-15T090000Z.json",
        "2026-04-15T090000Z.json",
        "2026-07-15T090000Z.json",
    ]
    # The saved run is the scorecard; the plan is what --format json adds for project tools.
    saved = {k: v for k, v in card1.items() if k != "plan"}
    assert json.loads((hist / files[0]).read_text("utf-8")) == saved

    # Compare the first and the last quarter, from the saved files and from folders of answers.
    cmp = json.loads(
        invoke("compare", str(hist / files[0]), str(hist / files[2]), "--format", "json").stdout
    )
    improved = {d["id"] for d in cmp["questions"] if d["status"] == "improved"}
    worsened = {d["id"] for d in cmp["questions"] if d["status"] == "worsened"}
    assert {"mql-definition", "funnel-glossary", "unified-dashboard"} <= improved
    assert {"data-hygiene", "shared-vocabulary"} <= worsened
    dims = {d["id"]: d["status"] for d in cmp["dimensions"]}
    assert dims["shared-metrics"] == "improved"
    assert dims["shared-technology"] == "worsened"
    assert cmp["same_rubric"] and not cmp["not_comparable"]
    from_folders = json.loads(
        invoke("compare", str(V1_EXAMPLES / "halfway"), str(eng), "--format", "json").stdout
    )
    assert from_folders["overall"]["change"] == pytest.approx(cmp["overall"]["change"])

    # The trend: three points per dimension, in the terminal and as JSON.
    text = invoke("history", str(eng))
    assert text.exit_code == 0, text.output
    assert "3 runs, 2026-01-15 to 2026-07-15" in text.stdout
    metrics_line = next(ln for ln in text.stdout.splitlines() if "Shared goals and metrics" in ln)
    assert any(block * 1 in metrics_line for block in "▁▂▃▄▅▆▇█")
    trend = json.loads(invoke("history", str(eng), "--format", "json").stdout)
    series = {s["id"]: s["scores"] for s in trend["dimensions"]}
    metrics, tech, defs = (
        series["shared-metrics"],
        series["shared-technology"],
        series["shared-definitions"],
    )
    assert metrics[0] <= metrics[1] < metrics[2]
    assert tech[1] < tech[0] and tech[2] == tech[1]
    assert defs[1] > defs[0] and defs[2] < defs[1]
    assert trend["overall"]["target"] == 65

    # The report: the change since the run before the last one saved (Q2), and the trend.
    report = eng / "reports" / "q3.md"
    made = invoke("report", str(eng), "-o", str(report))
    assert made.exit_code == 0, made.output
    md = report.read_text("utf-8")
    assert "## Change since the last run" in md
    assert "since 15 April 2026" in md
    assert 'x-axis ["2026-01-15", "2026-04-15", "2026-07-15"]' in md
    html = invoke("report", str(eng), "--format", "html").stdout
    assert 'class="trend"' in html
    assert [r["overall"] for r in trend["runs"]] == [
        pytest.approx(card1["overall"]),
        pytest.approx(trend["overall"]["scores"][1]),
        pytest.approx(trend["overall"]["scores"][2]),
    ]
