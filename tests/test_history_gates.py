"""Gates against a baseline (--max-drop, and gates set in alignment.yaml), targets that never
fail a run, --baseline in the score output, and GitHub's step summary."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_history import edit_answers, make_engagement

from alignment_cli.clock import NOW_ENV

Invoke = Callable[..., Any]


@pytest.fixture
def saved(tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """An engagement with one saved run (Q1), whose answers the test then edits."""

    def _make(**config: Any) -> Path:
        eng = make_engagement(tmp_path / "eng", **config)
        monkeypatch.setenv(NOW_ENV, "2026-01-15T09:00:00Z")
        result = invoke("score", str(eng), "--save")
        assert result.exit_code == 0, result.output
        monkeypatch.setenv(NOW_ENV, "2026-04-15T09:00:00Z")
        return eng

    return _make


def flat(text: str) -> str:
    return " ".join(text.split())


def test_max_drop_fails_naming_overall_and_each_dimension(
    saved: Callable[..., Path], invoke: Invoke
) -> None:
    eng = saved()
    edit_answers(eng, "sam", lead_definition=1)
    edit_answers(eng, "mia", lead_definition=1)
    result = invoke("score", str(eng), "--baseline", "latest", "--max-drop", "5")
    assert result.exit_code == 1
    err = flat(result.stderr)
    assert "overall score fell 33.3 points (52.2 to 18.9), more than 5" in err
    assert "dimension definitions fell 50.0 points (50.0 to 0.0), more than 5" in err
    assert "service-levels" not in err
    ok = invoke("score", str(eng), "--baseline", "latest", "--max-drop", "50")
    assert ok.exit_code == 0, ok.output


def test_max_drop_catches_a_dimension_when_overall_holds(
    saved: Callable[..., Path], invoke: Invoke
) -> None:
    eng = saved()
    edit_answers(eng, "mia", handoff_channels=["crm-task"])  # service levels 56.7 -> 50.0
    result = invoke("score", str(eng), "--baseline", "latest", "--max-drop", "5")
    assert result.exit_code == 1
    err = flat(result.stderr)
    assert "dimension service-levels fell 6.7 points (56.7 to 50.0), more than 5" in err
    assert "overall" not in err


def test_max_drop_in_alignment_yaml_needs_no_flags(
    saved: Callable[..., Path], invoke: Invoke
) -> None:
    eng = saved(gates={"max_drop": 5})
    edit_answers(eng, "mia", handoff_channels=["crm-task"])
    result = invoke("score", str(eng))  # baseline: the latest saved run
    assert result.exit_code == 1
    assert "dimension service-levels fell 6.7 points" in flat(result.stderr)
    assert "Change since 2026-01-15 09:00 UTC" in flat(result.stdout)
    assert invoke("score", str(eng), "--max-drop", "10").exit_code == 0  # the flag wins


def test_max_drop_without_any_saved_run_is_not_checked(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng", gates={"max_drop": 1})
    result = invoke("score", str(eng))
    assert result.exit_code == 0
    assert "no baseline yet (no saved runs), so --max-drop was not checked" in flat(result.stderr)


def test_max_drop_against_a_file_or_a_folder_of_answers(
    saved: Callable[..., Path], invoke: Invoke, tmp_path: Path
) -> None:
    eng = saved()
    before = make_engagement(tmp_path / "before")
    q1 = next((eng / "history").glob("*.json"))
    edit_answers(eng, "mia", handoff_channels=["crm-task"])
    for baseline in (q1, before):
        result = invoke("score", str(eng), "--baseline", str(baseline), "--max-drop", "5")
        assert result.exit_code == 1, baseline
        assert "dimension service-levels fell 6.7 points" in flat(result.stderr)


def test_fail_under_gates_from_alignment_yaml(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(
        tmp_path / "eng", gates={"fail_under": 60, "fail_under_dimension": {"definitions": 40}}
    )
    result = invoke("score", str(eng))
    assert result.exit_code == 1
    assert "overall score 52.2 is under 60" in flat(result.stderr)
    assert "definitions" not in result.stderr  # 50 is not under 40
    assert invoke("score", str(eng), "--fail-under", "50").exit_code == 0
    failing = invoke(
        "score", str(eng), "--fail-under", "50", "--fail-under-dimension", "definitions=55"
    )
    assert failing.exit_code == 1
    assert "dimension definitions scores 50.0, under 55" in flat(failing.stderr)


def test_targets_show_the_shortfall_and_never_fail(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(
        tmp_path / "eng", targets={"overall": 100, "dimensions": {"definitions": 100}}
    )
    result = invoke("score", str(eng))
    assert result.exit_code == 0
    assert "(target 100, short by 48)" in flat(result.stdout)
    card = json.loads(invoke("score", str(eng), "--format", "json").stdout)
    assert card["shortfall"] == pytest.approx(47.7778)
    assert card["dimensions"][0]["shortfall"] == 50.0


def test_baseline_adds_deltas_to_every_format(saved: Callable[..., Path], invoke: Invoke) -> None:
    eng = saved()
    edit_answers(eng, "sam", lead_definition=4)
    data = json.loads(invoke("score", str(eng), "--baseline", "latest", "--format", "json").stdout)
    assert data["overall"] == pytest.approx(68.8889)  # still the scorecard
    assert data["comparison"]["overall"]["change"] == pytest.approx(16.6667)
    improved = [d["id"] for d in data["comparison"]["questions"] if d["status"] == "improved"]
    assert improved == ["lead-definition"]
    md = invoke("score", str(eng), "--baseline", "latest", "--format", "markdown").stdout
    assert "### Change since 2026-01-15 09:00 UTC" in md
    assert "- How is a qualified lead defined? (+25.0)" in md


def test_step_summary_is_appended_with_deltas_and_gates(
    saved: Callable[..., Path], invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    eng = saved()
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n", "utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    edit_answers(eng, "mia", handoff_channels=["crm-task"])
    result = invoke("score", str(eng), "--baseline", "latest", "--max-drop", "5")
    assert result.exit_code == 1
    text = summary.read_text("utf-8")
    assert text.startswith("# Earlier step\n## Example Co: Minimal alignment check")
    assert "### Change since 2026-01-15 09:00 UTC" in text
    assert "**Gates failed:**" in text
    assert "- dimension service-levels fell 6.7 points (56.7 to 50.0), more than 5" in text
    assert invoke("score", str(eng), "--fail-under", "10").exit_code == 0
    again = summary.read_text("utf-8")
    assert again.startswith(text)  # appended, not overwritten
    assert again[len(text) :].rstrip().endswith("**Gates passed.**")


def test_step_summary_that_cannot_be_written_warns(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = make_engagement(tmp_path / "eng")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "such" / "dir" / "s.md"))
    result = invoke("score", str(eng))
    assert result.exit_code == 0
    assert "warning: cannot append to GITHUB_STEP_SUMMARY" in flat(result.stderr)


def test_no_step_summary_outside_ci(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    before = set(tmp_path.rglob("*"))
    assert invoke("score", str(eng), "--save").exit_code == 0
    assert {p.name for p in set(tmp_path.rglob("*")) - before} <= {"history"} | {
        p.name for p in (eng / "history").iterdir()
    }


def test_a_run_saved_a_moment_ago_is_not_its_own_baseline(
    saved: Callable[..., Path], invoke: Invoke
) -> None:
    eng = saved()
    edit_answers(eng, "mia", handoff_channels=["crm-task"])
    assert invoke("score", str(eng), "--save").exit_code == 0  # Q2 recorded first, as CI does
    gated = invoke("score", str(eng), "--max-drop", "5")
    assert gated.exit_code == 1  # compared with Q1, not with the Q2 just saved
    assert "dimension service-levels fell 6.7 points" in flat(gated.stderr)
    latest = invoke("score", str(eng), "--baseline", "latest", "--format", "json")
    assert json.loads(latest.stdout)["comparison"]["old_generated_at"] == "2026-01-15T09:00:00Z"


def test_latest_when_the_only_saved_run_is_this_one(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    assert invoke("score", str(eng), "--save").exit_code == 0
    result = invoke("score", str(eng), "--baseline", "latest")
    assert result.exit_code == 2
    assert "hold these same answers; there is no earlier run to compare with yet" in flat(
        result.stderr
    )
    assert "run `alignment score --save` first" not in flat(result.stderr)
