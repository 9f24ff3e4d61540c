"""Say vs do end to end: `score` with the engagement's CRM evidence (JSON and text), the
rubric's evidence_policy (replace changes the scores as docs/scoring.md section 5b says, beside
does not), no evidence = the same output as before, the calibration recomputed by hand, the
report's section, and bad evidence files located (exit 2)."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import V1_EXAMPLES, V1_RUBRIC, copy_engagement
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.files.yamlio import load_yaml
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes.number import band_for
from alignment_cli.model.rubric import load_rubric

Invoke = Callable[..., Any]
LINKED = {
    "lead-follow-up-hours": ("speed_to_lead_hours", 1.0),
    "never-contacted-percent": ("never_contacted_share", 100.0),
    "sla-compliance": ("contacted_within_sla_share", 100.0),
    "marketing-sourced-pipeline": ("marketing_sourced_pipeline_share", 100.0),
}


def _band_score(q: Question, value: float) -> float:
    i = band_for(q, value)
    assert i is not None
    return q.bands[i].score


def _json(invoke: Invoke, *args: str) -> dict[str, Any]:
    result = invoke("score", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _evidence_metrics(root: Path) -> dict[str, float]:
    (path,) = sorted((root / "evidence").glob("*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v["value"] for k, v in data["metrics"].items()}


def _plain(tmp_path: Path) -> Path:
    dest = tmp_path / "plain"
    copy_engagement(V1_EXAMPLES / "halfway", dest, ignore=shutil.ignore_patterns("evidence"))
    return dest


def _with_policy(root: Path, policy: str) -> None:
    """The engagement scored on a copy of V1_RUBRIC with `evidence_policy` set."""
    text = V1_RUBRIC.read_text(encoding="utf-8")
    (root / "rubric.yaml").write_text(
        text.replace("\nquestions:\n", f"\nevidence_policy: {policy}\nquestions:\n", 1),
        encoding="utf-8",
    )
    config = root / "alignment.yaml"
    lines = [
        line for line in config.read_text(encoding="utf-8").splitlines() if "rubric:" not in line
    ]
    config.write_text("\n".join([*lines, "rubric: {path: rubric.yaml}"]) + "\n", encoding="utf-8")


def test_json_carries_the_evidence_of_every_linked_question(invoke: Invoke) -> None:
    data = _json(invoke, str(V1_EXAMPLES / "halfway"))
    metrics = _evidence_metrics(V1_EXAMPLES / "halfway")
    rubric = load_rubric(V1_RUBRIC).rubric
    questions = {q["id"]: q for q in data["questions"]}
    for qid, (metric, factor) in LINKED.items():
        ev = questions[qid]["evidence"]
        q = next(x for x in rubric.questions if x.id == qid)
        value = round(metrics[metric] * factor, 6)
        assert ev["metric"] == metric and ev["value"] == value and ev["unit"] == q.unit
        assert ev["score"] == round(_band_score(q, value) * 100, 4)
        assert ev["replaced"] is True
        assert questions[qid]["score"] == ev["score"]  # replace: the question scores the data
    sla = questions["sla-compliance"]["evidence"]
    assert sla["said"] == {"marketing": 60.0, "revops": 68.0, "sales": 80.0}
    assert round(sla["value"]) == 62  # sales says 80, the data 62
    unlinked = [q for q in data["questions"] if q["id"] not in LINKED]
    assert unlinked and all("evidence" not in q for q in unlinked)
    assert data["evidence"]["policy"] == "replace"
    # the plan's baseline for a measured question is the CRM's figure (issue 15, item 1)
    speed = next(w for w in data["plan"] if w["id"] == "speed-to-lead")
    hours = round(metrics["speed_to_lead_hours"], 1)
    assert speed["baseline"] == f"{hours:g} hours (the CRM, 2026-04-01 to 2026-06-30)"
    assert data["evidence"]["file"].startswith("evidence/crm-")


def test_no_evidence_folder_gives_the_output_of_before(invoke: Invoke, tmp_path: Path) -> None:
    data = _json(invoke, str(_plain(tmp_path)))
    assert "evidence" not in data and "calibration" not in data
    assert all("evidence" not in q for q in data["questions"])
    text = invoke("score", str(_plain(tmp_path / "again"))).stdout
    assert "Say vs do" not in text


def test_replace_moves_the_scores_by_the_measured_questions_and_beside_does_not(
    invoke: Invoke, tmp_path: Path
) -> None:
    plain = _json(invoke, str(_plain(tmp_path)))
    replace = _json(invoke, str(V1_EXAMPLES / "halfway"))
    beside_root = tmp_path / "beside"
    copy_engagement(V1_EXAMPLES / "halfway", beside_root)
    _with_policy(beside_root, "beside")
    beside = _json(invoke, str(beside_root))
    # beside: every score is the answers', the evidence only stands next to them
    assert beside["overall"] == plain["overall"]
    assert [d["score"] for d in beside["dimensions"]] == [d["score"] for d in plain["dimensions"]]
    b_sla = next(q for q in beside["questions"] if q["id"] == "sla-compliance")
    assert b_sla["evidence"]["replaced"] is False and b_sla["score"] == 46.6667
    # replace: a dimension is the weighted mean of its questions with the measured scores in
    # place of the answers' means; the roles' own scores stay what they said
    rubric = load_rubric(V1_RUBRIC).rubric
    by_id = {q["id"]: q for q in replace["questions"]}
    for d in rubric.dimensions:
        members = [q for q in rubric.questions if q.dimension == d.id and q.scored]
        pairs = [(q.weight, by_id[q.id]["score"]) for q in members]
        pairs = [(w, s) for w, s in pairs if s is not None and w > 0]
        expected = math.fsum(w * s for w, s in pairs) / math.fsum(w for w, _ in pairs)
        got = next(x for x in replace["dimensions"] if x["id"] == d.id)["score"]
        assert got == pytest.approx(expected, abs=1e-3), d.id
    service = {x["id"]: x for x in replace["dimensions"]}["service-levels"]
    before = {x["id"]: x for x in plain["dimensions"]}["service-levels"]
    assert service["score"] < before["score"]  # sales' 80% claim no longer lifts it
    assert service["by_role"] == before["by_role"]
    assert by_id["sla-compliance"]["by_role"] == {"sales": 70.0, "marketing": 35.0, "revops": 35.0}
    # the interval keeps its width (from the people) and moves with the point
    width = lambda c: c["overall_interval"]["high"] - c["overall_interval"]["low"]  # noqa: E731
    assert width(replace) == pytest.approx(width(plain), abs=2e-4)


def test_calibration_recomputed_from_the_card(invoke: Invoke) -> None:
    data = _json(invoke, str(V1_EXAMPLES / "halfway"))
    diffs: dict[str, list[float]] = {}
    for q in data["questions"]:
        ev = q.get("evidence")
        if ev and ev["score"] is not None:
            for role, said in q["by_role"].items():
                if said is not None:
                    diffs.setdefault(role, []).append(said - ev["score"])
    assert set(data["calibration"]) == set(diffs) == {"sales", "marketing", "revops"}
    for role, d in diffs.items():
        c = data["calibration"][role]
        assert c["questions"] == len(d)
        assert c["mean_difference"] == pytest.approx(sum(d) / len(d), abs=1e-4)
        assert c["mean_absolute"] == pytest.approx(sum(abs(x) for x in d) / len(d), abs=1e-4)
    assert data["calibration"]["sales"]["mean_difference"] > 0  # sales claims more than the data


def test_text_shows_measured_beside_said(invoke: Invoke) -> None:
    result = invoke("score", str(V1_EXAMPLES / "halfway"))
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())
    assert "Say vs do" in words
    assert "sales 80% (+17.8 pp)" in words and "62.3%" in words
    assert "Calibration" in words


def test_report_has_say_vs_do_and_benchmarks_against_the_data(
    invoke: Invoke, tmp_path: Path
) -> None:
    out = tmp_path / "r.md"
    result = invoke("report", str(V1_EXAMPLES / "halfway"), "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    section = text.split("## Say vs do", 1)[1].split("\n## ", 1)[0]
    flat = " ".join(section.split())
    assert "| Marketing | 60% | 62.3% | −2.3 pp |" in flat
    assert "| | Sales | 80% | | +17.8 pp |" in flat
    assert "Mean difference" in section
    bench = text.split("## Benchmarks", 1)[1].split("\n## ", 1)[0]
    assert "Here: the CRM shows 62.3%" in bench
    html = tmp_path / "r.html"
    assert invoke("report", str(V1_EXAMPLES / "halfway"), "-o", str(html)).exit_code == 0
    assert 'id="say-vs-do"' in html.read_text(encoding="utf-8")


def test_role_text_in_say_vs_do_is_escaped(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "eng"
    copy_engagement(V1_EXAMPLES / "halfway", root)
    _with_policy(root, "replace")
    rubric = root / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    doc = load_yaml(rubric).data
    sales = next(r for r in doc["roles"] if r["id"] == "sales")
    rubric.write_text(
        text.replace(f"title: {sales['title']}\n", "title: <b>Sales</b> | *x*\n", 1),
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    assert invoke("report", str(root), "-o", str(out)).exit_code == 0, "report"
    html = out.read_text(encoding="utf-8")
    assert "<b>Sales</b>" not in html and "&lt;b&gt;Sales&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("content", "line", "wording"),
    [
        ('{"format": "alignment-evidence/1", "metrics": {\n', 2, "not JSON"),
        (
            '{"schema_version": 2,\n "format": "scorecard",\n "rubric": {"id": "x"}}\n',
            2,
            "not an evidence file",
        ),
        (
            '{"format": "alignment-evidence/1",\n "metrics": {\n'
            '  "contacted_within_sla_share": {"value": "62%"}}}\n',
            3,
            "metric contacted_within_sla_share",
        ),
    ],
)
def test_bad_evidence_files_are_located_errors(
    invoke: Invoke, tmp_path: Path, content: str, line: int, wording: str
) -> None:
    root = tmp_path / "eng"
    copy_engagement(V1_EXAMPLES / "halfway", root)
    bad = root / "evidence" / "zz-bad.json"
    bad.write_text(content, encoding="utf-8")
    for command in ("score", "report"):
        result = invoke(command, str(root))
        assert result.exit_code == 2, result.output
        assert f"{bad}:{line}" in result.output and wording in result.output
        assert "Traceback" not in result.output


def _halfway_core() -> tuple[Any, Any]:
    from alignment_cli.files.responses import (
        check_against_rubric,
        find_response_files,
        load_responses,
    )

    loaded = load_rubric(V1_RUBRIC)
    files = load_responses(find_response_files([V1_EXAMPLES / "halfway" / "responses"]))
    files, _ = check_against_rubric(loaded, files)
    return loaded, files


@settings(max_examples=40, deadline=None)
@given(share=st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_the_hook_puts_the_measured_score_in_and_nothing_else_moves(share: float) -> None:
    """Pure core: under replace the question's score is the measured one and its dimension is
    the weighted mean with it; the roles' own scores never move; beside moves nothing."""
    from datetime import UTC, datetime

    from alignment_cli.scoring.engine import score
    from alignment_cli.scoring.evidence import Measured, measured

    loaded, files = _HALFWAY
    now = datetime(2026, 10, 1, tzinfo=UTC)
    q = next(x for x in loaded.rubric.questions if x.id == "sla-compliance")
    m = measured(q, share, loaded.rubric)
    plain = score(loaded, files, now=now)
    beside = score(loaded, files, now=now, measured={q.id: m})
    replaced = score(
        loaded, files, now=now, measured={q.id: Measured(m.metric, m.value, m.score, True)}
    )
    assert beside.overall == plain.overall
    sla = next(x for x in replaced.questions if x.id == q.id)
    assert m.score is not None and sla.score == round(m.score * 100, 4)
    assert sla.evidence is not None and sla.evidence.said["sales"] == 80.0
    for a, b in zip(plain.dimensions, replaced.dimensions, strict=True):
        assert a.by_role == b.by_role and a.gap == b.gap
    by_id = {x.id: x for x in replaced.questions}
    members = [x for x in loaded.rubric.questions if x.dimension == q.dimension and x.scored]
    pairs = [(x.weight, by_id[x.id].score) for x in members if by_id[x.id].score is not None]
    expected = math.fsum(w * s for w, s in pairs if w > 0) / math.fsum(w for w, _ in pairs if w > 0)
    got = replaced.dimension(q.dimension)
    assert got is not None and got.score == pytest.approx(expected, abs=1e-3)


_HALFWAY = _halfway_core()
