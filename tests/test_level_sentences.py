"""A level's text says only what the answers support (issue 15, item 7): a level's `sentences`
carry a `when` in the triggers' language, checked when the rubric loads and evaluated on the
results; the summary shows the sentences that hold, then the description."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL_RUBRIC, ROOT, V1_EXAMPLES, V1_RUBRIC

from alignment_cli.errors import InvalidInput
from alignment_cli.model.rubric import load_rubric
from alignment_cli.scoring.pipeline import score_inputs

Invoke = Callable[..., Any]


def _summary_line(md: str) -> str:
    return next(line for line in md.splitlines() if line.startswith("- **Overall alignment:"))


def _no_sla_and_no_definition(root: Path) -> None:
    """The issue's example: sla-exists false and mql-definition 1 for everyone; the answers only
    asked when an SLA exists are removed, as the interview would not ask them."""
    loaded = load_rubric(V1_RUBRIC)
    dependent = {q.id for q in loaded.rubric.questions if q.when and "sla_exists" in q.when}
    for path in (root / "responses").glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        data["answers"]["sla-exists"] = False
        data["answers"]["mql-definition"] = 1
        for qid in dependent:
            data["answers"].pop(qid, None)
            data.get("notes", {}).pop(qid, None)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def test_halfway_level_text_follows_the_answers(
    invoke: Invoke, engagement_copy: Callable[[str], Path]
) -> None:
    before = _summary_line(invoke("report", str(V1_EXAMPLES / "halfway")).stdout)
    assert "A written qualified-lead definition exists." in before
    assert "A basic written service level covers the hand-off." in before

    root = engagement_copy("halfway")
    _no_sla_and_no_definition(root)
    result = invoke("report", str(root))
    assert result.exit_code == 0, result.output
    after = _summary_line(result.stdout)
    card = score_inputs([root]).card
    assert card.level is not None and card.level.id == "defined"  # still "Defined" ...
    # ... but no longer claims what the answers deny
    assert "written qualified-lead definition exists" not in after
    assert "basic written service level" not in after
    assert "There is no qualified-lead definition both teams wrote and stand behind yet." in after
    assert "There is no written service level for the hand-off yet." in after
    assert "Conflict is contained rather than resolved" in after  # the description still follows
    # the same text in the scorecard, the terminal's source
    assert card.level.description in after
    html = invoke("report", str(root), "--format", "html").stdout
    assert "There is no written service level for the hand-off yet." in html
    assert "basic written service level" not in html


def _rubric_with(tmp_path: Path, sentences: list[dict[str, Any]]) -> Path:
    data = yaml.safe_load(MINIMAL_RUBRIC.read_text("utf-8"))
    data["levels"][0]["sentences"] = sentences
    data["levels"][1]["sentences"] = sentences
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def test_sentences_hold_or_not_on_the_results(tmp_path: Path) -> None:
    path = _rubric_with(
        tmp_path,
        [
            {"text": "An SLA exists.", "when": "answers.sla_exists == true"},
            {"text": "No SLA exists.", "when": "answers.sla_exists == false"},
            {"text": "Always said."},
            {"text": "Definitions are strong.", "when": "dimension.definitions >= 90"},
        ],
    )
    card = score_inputs([Path(__file__).parent / "data" / "minimal"], rubric_ref=str(path)).card
    assert card.level is not None
    level = next(lv for lv in load_rubric(path).rubric.levels if lv.id == card.level.id)
    # both minimal respondents say an SLA exists; definitions do not reach 90
    assert (
        card.level.description
        == " ".join(["An SLA exists.", "Always said.", level.description]).strip()
    )


def test_a_bad_condition_is_a_located_error(tmp_path: Path, invoke: Invoke) -> None:
    path = _rubric_with(
        tmp_path,
        [
            {"text": "Fine.", "when": "answers.sla_exists == true"},
            {"text": "Unknown name.", "when": "answers.no_such_question == true"},
            {"text": "Broken.", "when": "dimension.definitions >="},
        ],
    )
    try:
        load_rubric(path)
    except InvalidInput as exc:
        problems = [str(p) for p in exc.problems]
    else:
        raise AssertionError("the rubric loaded")
    text = path.read_text("utf-8")
    lines = text.splitlines()
    unknown_line = next(i for i, x in enumerate(lines, 1) if "no_such_question" in x)
    broken_line = next(i for i, x in enumerate(lines, 1) if "definitions >=" in x)
    # each level carries the same sentences: two problems per level, each at its line
    assert len(problems) == 4
    assert any(
        p.startswith(f"{path}:{unknown_line}:")
        and "levels[0].sentences[1].when" in p
        and "no_such_question" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(f"{path}:{broken_line}:") and "levels[0].sentences[2].when" in p
        for p in problems
    ), problems
    result = invoke("rubric", "validate", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_every_bundled_level_conditions_its_facts() -> None:
    loaded = load_rubric(ROOT / "rubrics" / "sales-marketing-alignment.yaml")
    for level in loaded.rubric.levels:
        assert level.sentences, level.id
        assert all(s.when for s in level.sentences), level.id
        assert len(loaded.level_conditions[level.id]) == len(level.sentences)
