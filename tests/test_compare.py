"""Comparing two runs: every kind of delta, across rubric versions, and the `compare` command."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RUBRIC
from hypothesis import given, settings
from hypothesis import strategies as st
from test_history import card_for, edit_answers, make_engagement

from alignment_cli.files.responses import Respondent, ResponseFile, Responses, RubricRef
from alignment_cli.model.rubric import load_rubric
from alignment_cli.scoring.compare import Comparison, Delta, compare, resolve_renames
from alignment_cli.scoring.engine import score
from alignment_cli.scoring.history import save
from alignment_cli.scoring.pipeline import score_inputs
from alignment_cli.scoring.scorecard import Scorecard

Invoke = Callable[..., Any]


def changed(cmp: Comparison, kind: str, status: str) -> list[Delta]:
    """The deltas of one kind with one status (the overall score is a kind of its own)."""
    if kind == "overall":
        return [cmp.overall] if cmp.overall.status == status else []
    groups = {"phase": cmp.phases, "dimension": cmp.dimensions, "question": cmp.questions}
    return [d for d in groups[kind] if d.status == status]


def ids(cmp: Comparison, kind: Any, status: Any) -> set[str]:
    return {d.id for d in changed(cmp, kind, status)}


@pytest.fixture
def eng(tmp_path: Path) -> Path:
    return make_engagement(tmp_path / "eng")


# --- same rubric ---------------------------------------------------------------------------


def test_improved_worsened_unchanged_at_every_level(eng: Path) -> None:
    old = card_for(eng)
    edit_answers(eng, "sam", lead_definition=4, follow_up_hours=0.5)
    edit_answers(eng, "mia", handoff_channels=["crm-task"])
    new = card_for(eng, "2026-04-15T09:00:00Z")
    cmp = compare(old, new)
    assert cmp.same_rubric and not cmp.caveats and not cmp.not_comparable
    assert ids(cmp, "question", "improved") == {"lead-definition", "follow-up-hours"}
    assert ids(cmp, "question", "worsened") == {"handoff-channels"}
    assert ids(cmp, "question", "unchanged") == {"sla-exists"}
    lead = next(d for d in cmp.questions if d.id == "lead-definition")
    assert (lead.old, lead.new, lead.change) == (50.0, 75.0, 25.0)
    assert (lead.gap_old, lead.gap_new) == (-50.0, 0.0)
    assert ids(cmp, "dimension", "improved") == {"definitions", "service-levels"}
    assert cmp.overall.status == "improved"
    assert cmp.overall.change == pytest.approx(new.overall - old.overall)  # type: ignore[operator]
    assert (cmp.old_level, cmp.new_level) == ("Working apart", "Working together")
    alignment = next(p for p in cmp.phases if p.id == "alignment")
    assert (alignment.achieved_old, alignment.achieved_new) == (False, True)
    assert cmp.recommendations_resolved[0].id == "write-sla"
    assert not cmp.recommendations_new and not cmp.recommendations_open


def test_new_and_removed_scores(eng: Path) -> None:
    edit_answers(eng, "sam", follow_up_hours=None)
    old = card_for(eng)
    edit_answers(eng, "sam", follow_up_hours=3, handoff_channels=None)
    edit_answers(eng, "mia", handoff_channels=None)
    new = card_for(eng, "2026-04-15T09:00:00Z")
    cmp = compare(old, new)
    follow = next(d for d in cmp.questions if d.id == "follow-up-hours")
    assert (follow.status, follow.old, follow.new, follow.note) == (
        "new",
        None,
        60.0,
        "no answer before",
    )
    handoff = next(d for d in cmp.questions if d.id == "handoff-channels")
    assert (handoff.status, handoff.new, handoff.note) == ("removed", None, "no answer now")
    assert not cmp.not_comparable  # same rubric: nothing is incomparable
    back = compare(new, old)
    assert ids(back, "question", "removed") == {"follow-up-hours"}
    assert ids(back, "question", "new") == {"handoff-channels"}


def test_blind_spots_and_recommendations_new_and_resolved(eng: Path) -> None:
    old = card_for(eng)
    edit_answers(eng, "sam", lead_definition="unknown")
    edit_answers(eng, "mia", lead_definition=1)
    new = card_for(eng, "2026-04-15T09:00:00Z")
    cmp = compare(old, new)
    assert [b.id for b in cmp.blind_spots_new] == ["lead-definition"]
    assert cmp.blind_spots_resolved == []
    assert [r.id for r in cmp.recommendations_new] == ["agree-lead-definition"]
    assert [r.id for r in cmp.recommendations_open] == ["write-sla"]
    back = compare(new, old)
    assert [b.id for b in back.blind_spots_resolved] == ["lead-definition"]
    assert [r.id for r in back.recommendations_resolved] == ["agree-lead-definition"]


# --- invariants over random answers ---------------------------------------------------------

LOADED = load_rubric(MINIMAL_RUBRIC)
MIRROR = {"improved": "worsened", "worsened": "improved", "new": "removed", "removed": "new"}


@st.composite
def cards(draw: st.DrawFn) -> Scorecard:
    files = []
    for name, role in (("Sam", "sales"), ("Mia", "marketing")):
        answers: dict[str, Any] = {
            "lead-definition": draw(st.sampled_from([1, 2, 3, 4, 5, "unknown"])),
            "sla-exists": draw(st.booleans()),
            "handoff-channels": draw(
                st.lists(st.sampled_from(["crm-task", "context", "reject-reason"]), unique=True)
            ),
        }
        if role == "sales" and answers["sla-exists"] and draw(st.booleans()):
            answers["follow-up-hours"] = draw(st.sampled_from([0.5, 5, 30]))
        responses = Responses(
            rubric=RubricRef(id="minimal-alignment", version="0.1.0"),
            respondent=Respondent(name=name, role=role),
            answers=answers,
        )
        files.append(ResponseFile(Path(f"{name}.yaml"), responses))
    return score(LOADED, files, now=datetime(2026, 1, 1, tzinfo=UTC))


@settings(max_examples=40, deadline=None)
@given(cards(), cards())
def test_comparing_backwards_mirrors_every_status(a: Scorecard, b: Scorecard) -> None:
    ab, ba = compare(a, b), compare(b, a)
    for forward, backward in (
        (ab.questions, ba.questions),
        (ab.dimensions, ba.dimensions),
        (ab.phases, ba.phases),
        ([ab.overall], [ba.overall]),
    ):
        back = {d.id: d for d in backward}
        assert set(back) == {d.id for d in forward}
        for d in forward:
            assert back[d.id].status == MIRROR.get(d.status, d.status)
            if d.change is not None:
                assert back[d.id].change == pytest.approx(-d.change)
    assert {i.id for i in ab.recommendations_new} == {i.id for i in ba.recommendations_resolved}
    assert {i.id for i in ab.blind_spots_new} == {i.id for i in ba.blind_spots_resolved}


@settings(max_examples=20, deadline=None)
@given(cards())
def test_a_run_compared_with_itself_changed_nothing(a: Scorecard) -> None:
    cmp = compare(a, a)
    for kind in ("overall", "phase", "dimension", "question"):
        for status in ("improved", "worsened", "new", "removed"):
            assert not changed(cmp, kind, status)
    assert not cmp.blind_spots_new and not cmp.recommendations_new
    assert [i.id for i in cmp.recommendations_open] == [r.id for r in a.recommendations]


# --- across rubric versions ------------------------------------------------------------------


def rubric_v2(data: dict[str, Any], path: Path) -> Path:
    """Version 0.2.0: lead-definition renamed, handoff-channels gone, follow-up-hours now a
    scale, a new question on definitions."""
    data = json.loads(json.dumps(data))
    data["version"] = "0.2.0"
    data["renamed"] = {"lead-definition": "qualified-lead-definition"}
    qs = []
    for q in data["questions"]:
        if q["id"] == "handoff-channels":
            continue
        if q["id"] == "lead-definition":
            q["id"] = "qualified-lead-definition"
        if q["id"] == "follow-up-hours":
            q["type"] = "scale"
            del q["bands"], q["unit"]
        qs.append(q)
    qs.append(
        {
            "id": "shared-glossary",
            "phase": "alignment",
            "dimension": "definitions",
            "type": "yesno",
            "text": "Is there a shared glossary?",
        }
    )
    data["questions"] = qs
    for rec in data["recommendations"]:
        rec["trigger"] = rec["trigger"].replace("lead_definition", "qualified_lead_definition")
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def two_versions(tmp_path: Path, minimal_rubric_data: dict[str, Any]) -> tuple[Path, Path]:
    """The same engagement scored and saved on 0.1.0, then moved to 0.2.0 (answers carried)."""
    eng = make_engagement(tmp_path / "eng")
    old = save(card_for(eng), eng / "history")
    rubric_v2(minimal_rubric_data, eng / "rubric.yaml")
    card = score_inputs([eng], carry_over=True, now=datetime(2026, 4, 1, tzinfo=UTC)).card
    return old, save(card, eng / "history")


def test_renamed_answers_carry_over_to_the_new_version(
    two_versions: tuple[Path, Path], invoke: Invoke
) -> None:
    eng = two_versions[1].parent.parent
    result = invoke("score", str(eng), "--carry-over", "--format", "json")
    assert result.exit_code == 0, result.output
    card = Scorecard.model_validate_json(result.stdout)
    q = next(q for q in card.questions if q.id == "qualified-lead-definition")
    assert q.score == 50.0 and q.answered == 2
    assert q.notes[0].text == "Marketing sends us | anything with an email"
    assert any("lead-definition: renamed to qualified-lead-definition" in w for w in card.warnings)
    assert any("handoff-channels: dropped" in w for w in card.warnings)


def test_across_versions_compares_what_is_comparable(two_versions: tuple[Path, Path]) -> None:
    from alignment_cli.scoring.history import load_scorecard

    old, new = (load_scorecard(p) for p in two_versions)
    cmp = compare(old, new, {"lead-definition": "qualified-lead-definition"})
    assert not cmp.same_rubric
    assert cmp.renamed == {"lead-definition": "qualified-lead-definition"}
    lead = next(d for d in cmp.questions if d.id == "qualified-lead-definition")
    assert (lead.old_id, lead.status, lead.old, lead.new) == (
        "lead-definition",
        "unchanged",
        50.0,
        50.0,
    )
    reasons = {(n.kind, n.id): n.reason for n in cmp.not_comparable}
    assert reasons == {
        ("question", "follow-up-hours"): "its type changed from number to scale",
        ("question", "handoff-channels"): "only in the older rubric",
        ("question", "shared-glossary"): "only in the newer rubric",
    }
    assert "follow-up-hours" not in {d.id for d in cmp.questions}
    assert any("versions of rubric minimal-alignment (0.1.0 and 0.2.0)" in c for c in cmp.caveats)
    service = next(d for d in cmp.dimensions if d.id == "service-levels")
    assert service.note == "its questions changed (+0 -1)"
    defs = next(d for d in cmp.dimensions if d.id == "definitions")
    assert defs.note == "its questions changed (+1 -0)"

    blind = compare(old, new)  # without the rename the question looks removed and new
    assert ("question", "lead-definition") in {(n.kind, n.id) for n in blind.not_comparable}
    assert ("question", "qualified-lead-definition") in {
        (n.kind, n.id) for n in blind.not_comparable
    }


def test_different_rubrics_and_dimensions_are_named(eng: Path) -> None:
    old = card_for(eng)
    dims = [
        d.model_copy(update={"id": "renamed-dim"}) if d.id == "definitions" else d
        for d in old.dimensions
    ]
    other = old.model_copy(
        update={
            "dimensions": dims,
            "rubric": old.rubric.model_copy(update={"id": "another-rubric"}),
        }
    )
    cmp = compare(old, other)
    assert any("different rubrics" in c for c in cmp.caveats)
    assert {(n.kind, n.id, n.reason) for n in cmp.not_comparable if n.kind == "dimension"} == {
        ("dimension", "definitions", "only in the older rubric"),
        ("dimension", "renamed-dim", "only in the newer rubric"),
    }
    assert any("overall score weighs different dimensions" in c for c in cmp.caveats)


def test_resolve_renames_follows_chains() -> None:
    assert resolve_renames({"a": "b", "b": "c", "x": "y"}) == {"a": "c", "b": "c", "x": "y"}
    assert resolve_renames({"a": "b", "b": "a"}) == {"a": "a", "b": "b"}  # a cycle ends


def test_rubric_checks_renamed_ids(
    tmp_path: Path, minimal_rubric_data: dict[str, Any], invoke: Invoke
) -> None:
    minimal_rubric_data["renamed"] = {
        "old-lead": "no-such-question",
        "sla-exists": "lead-definition",
    }
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(minimal_rubric_data, sort_keys=False), "utf-8")
    result = invoke("rubric", "validate", str(path))
    assert result.exit_code == 2
    assert "renamed.old-lead: unknown question 'no-such-question'" in result.stderr
    assert "renamed.sla-exists: 'sla-exists' is still a question" in result.stderr


# --- the command ------------------------------------------------------------------------------


def test_compare_command_on_scorecards_and_folders(
    eng: Path, tmp_path: Path, invoke: Invoke
) -> None:
    old = save(card_for(eng), tmp_path / "cards")
    before = tmp_path / "before"
    make_engagement(before)
    edit_answers(eng, "sam", lead_definition=4, follow_up_hours=0.5)
    edit_answers(eng, "mia", lead_definition="unknown")
    new = save(card_for(eng, "2026-04-15T09:00:00Z"), tmp_path / "cards")

    text = invoke("compare", str(old), str(new))
    assert text.exit_code == 0, text.output
    out = " ".join(text.stdout.split())
    assert "Change since 2026-01-15 09:00 UTC" in out
    assert "level Working apart" not in out  # still apart: no change of level to report
    assert "current phase Alignment → Alignment" not in out
    # Mia's "unknown" counts as the lowest value: lead-definition falls from 50 to 37.5.
    assert "Questions: 1 improved, 1 worsened" in out
    assert "New blind spots (1): - How is a qualified lead defined?" in out
    assert "Recommendations resolved (1): - Write a follow-up service level" in out

    data = json.loads(invoke("compare", str(old), str(new), "--format", "json").stdout)
    assert data["overall"]["status"] == "improved"
    assert {d["id"] for d in data["questions"] if d["status"] == "improved"} == {
        "follow-up-hours",
    }
    assert {d["id"] for d in data["questions"] if d["status"] == "worsened"} == {
        "lead-definition",
    }

    folders = json.loads(invoke("compare", str(before), str(eng), "--format", "json").stdout)
    assert folders["overall"] == data["overall"]
    assert folders["old_generated_at"] == "2026-11-02T09:00:00Z"  # dated by the newest answer

    md = invoke("compare", str(old), str(new), "--format", "markdown").stdout
    assert md.startswith("## Change since 2026-01-15 09:00 UTC")
    assert "| Shared definitions | 50 | 38 | -12.5 | worsened (within noise) |" in md
    assert "**New blind spots:**\n\n- How is a qualified lead defined?\n" in md


def test_compare_names_what_is_not_comparable(
    two_versions: tuple[Path, Path], invoke: Invoke
) -> None:
    old, new = two_versions
    result = invoke("compare", str(old), str(new))
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "minimal-alignment 0.1.0 → minimal-alignment 0.2.0" in out
    assert "renamed: lead-definition → qualified-lead-definition" in out  # found the rubric
    assert "Not comparable: question follow-up-hours (its type changed from number to scale)" in out


def test_compare_escapes_peoples_text_in_markdown(
    eng: Path, tmp_path: Path, invoke: Invoke
) -> None:
    card = card_for(eng)
    hostile = card.model_copy(
        update={
            "recommendations": [
                r.model_copy(update={"title": "<script>x</script> | [link](http://evil)"})
                for r in card.recommendations
            ]
        }
    )
    old = save(hostile, tmp_path / "a")
    empty = card.model_copy(update={"recommendations": []})
    new = save(empty, tmp_path / "b")
    md = invoke("compare", str(old), str(new), "--format", "markdown").stdout
    assert "<script>" not in md
    assert "&lt;script&gt;x&lt;/script&gt; \\| \\[link\\](http:/\\/evil)" in md


def test_compare_bad_inputs_are_exit_2(tmp_path: Path, invoke: Invoke) -> None:
    missing = invoke("compare", str(tmp_path / "nope.json"), str(tmp_path / "also.json"))
    assert missing.exit_code == 2
    assert "nope.json: no such file or folder" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[]", "utf-8")
    result = invoke("compare", str(bad), str(bad))
    assert result.exit_code == 2
    assert "expected a JSON object" in result.stderr


# --- change beyond noise ---------------------------------------------------------------------


def _crowd(tmp_path: Path, lead: list[int]) -> Scorecard:
    """Sales and marketing groups of len(lead) each on the minimal rubric: lead-definition as
    given, everything else alike, so the scores' noise comes from lead-definition alone."""
    from scoring_helpers import card_of, person

    loaded = load_rubric(MINIMAL_RUBRIC)
    people = []
    for role in ("sales", "marketing"):
        for i, value in enumerate(lead):
            answers: dict[str, Any] = {"lead-definition": value, "sla-exists": False}
            answers["handoff-channels"] = ["crm-task"]
            people.append(person(loaded, f"{role} {i}", role, answers))
    return card_of(loaded, people)


def test_a_change_is_beyond_noise_only_when_larger_than_the_intervals_allow(
    tmp_path: Path,
) -> None:
    from alignment_cli.scoring.compare import noise_of
    from alignment_cli.scoring.gates import drops

    steady = _crowd(tmp_path, [3, 3, 3, 3, 3, 3])
    better = _crowd(tmp_path, [4, 4, 4, 4, 4, 4])
    noisy = _crowd(tmp_path, [1, 5, 2, 5, 1, 4])
    # Six alike per group: no variance, no noise; any change is beyond it.
    c = compare(steady, better)
    assert c.overall.noise == 0.0 and c.overall.beyond_noise is True
    d = next(x for x in c.dimensions if x.id == "definitions")
    assert (d.change, d.beyond_noise) == (25.0, True)
    # The noise is the two half-widths combined: sqrt(h_old² + h_new²).
    c = compare(noisy, better)
    o = noisy.overall_interval
    assert o is not None and noisy.overall is not None and better.overall is not None
    h_old = max(noisy.overall - o.low, o.high - noisy.overall)
    assert c.overall.noise == round(h_old, 4)  # `better` has no noise of its own
    assert c.overall.noise == noise_of(
        noisy.overall, noisy.overall_interval, better.overall, better.overall_interval
    )
    assert c.overall.beyond_noise is (abs(c.overall.change or 0) > h_old)
    d = next(x for x in c.dimensions if x.id == "definitions")
    assert d.beyond_noise is False  # 50 -> 75, on answers all over the scale: within noise
    # Gates: on the point estimate by default; with beyond_noise only drops beyond noise count.
    assert drops(noisy, better, 5)  # definitions fell 25 points
    assert drops(noisy, better, 5, beyond_noise=True) == []
    assert drops(steady, better, 5, beyond_noise=True)  # 75 -> 50 with no noise at all
    assert "beyond its noise of 0.0" in drops(steady, better, 5, beyond_noise=True)[0]
    # Without intervals (a scorecard saved before them) nothing is said about noise.
    old = better.model_copy(update={"overall_interval": None})
    assert compare(old, steady).overall.beyond_noise is None


def test_max_drop_beyond_noise_from_the_command_line_and_alignment_yaml(
    eng: Path, tmp_path: Path, invoke: Invoke
) -> None:
    base = save(card_for(eng), tmp_path / "cards")
    edit_answers(eng, "sam", lead_definition=1)  # definitions 50 -> 37.5, overall down 8.3
    point = invoke("score", str(eng), "--baseline", str(base), "--max-drop", "5")
    assert point.exit_code == 1 and "dimension definitions fell 12.5 points" in point.output
    noise = invoke(
        "score", str(eng), "--baseline", str(base), "--max-drop", "5", "--drop-beyond-noise"
    )
    assert noise.exit_code == 0, noise.output  # two people: every interval is 0 to 100
    assert "within noise" in " ".join(noise.output.split())
    config = eng / "alignment.yaml"
    config.write_text(config.read_text() + "gates: {max_drop: 5, drop_beyond_noise: true}\n")
    assert invoke("score", str(eng), "--baseline", str(base)).exit_code == 0
    assert invoke("score", str(eng), "--baseline", str(base), "--drop-any").exit_code == 1


def test_a_baseline_scored_by_the_rules_before_role_groups_says_so(tmp_path: Path) -> None:
    new = _crowd(tmp_path, [3, 4, 5])
    old = new.model_copy(update={"schema_version": 1})
    assert any("rules before role groups" in c for c in compare(old, new).caveats)
    assert not compare(new, new).caveats
