"""Every kind of rubric error, with its exact message and its FILE:LINE:COLUMN."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import MINIMAL_RUBRIC
from rubric_cases import BASE, CASES, Case, mutate

from alignment_cli.errors import InvalidInput
from alignment_cli.files.yamlio import load_yaml
from alignment_cli.model.models import ID_PATTERN, QuestionType, to_var
from alignment_cli.model.rubric import (
    LoadedRubric,
    bundled_rubrics,
    check_rubric,
    load_rubric,
    validate_document,
)


def problems_of(path: Path) -> list[str]:
    """What `rubric validate` prints for the file, one string per problem."""
    try:
        load_rubric(path)
    except InvalidInput as exc:
        return [str(p) for p in exc.problems]
    return []


def write(tmp_path: Path, text: str, name: str = "rubric.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_base_rubric_is_valid(tmp_path: Path) -> None:
    loaded = load_rubric(write(tmp_path, BASE))
    assert [q.id for q in loaded.rubric.questions] == [
        "market",
        "lead-definition",
        "sla",
        "hours",
        "channels",
        "notes",
    ]
    # Conditions and triggers are compiled while loading, ready for scoring.
    assert set(loaded.conditions) == {"hours"}
    assert set(loaded.triggers) == {"agree"}
    assert set(loaded.questions) == {q.id for q in loaded.rubric.questions}


def test_a_loaded_rubric_cannot_be_changed(tmp_path: Path) -> None:
    loaded = load_rubric(write(tmp_path, BASE))
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.content_hash = "sha256:0"  # type: ignore[misc]
    with pytest.raises(TypeError):
        loaded.conditions["sla"] = loaded.conditions["hours"]  # type: ignore[index]
    assert not hasattr(loaded.triggers, "pop")
    with pytest.raises(TypeError):
        del loaded.questions["market"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", [c for c in CASES if not c.schema], ids=lambda c: c.name)
def test_check_rubric_alone_reports_what_loading_raises(tmp_path: Path, case: Case) -> None:
    path = write(tmp_path, case.text)
    doc = load_yaml(path)
    try:
        rubric = validate_document(doc)
    except InvalidInput:
        return  # the models refuse it before any whole-rubric rule runs
    assert [str(p) for p in check_rubric(rubric, doc)] == problems_of(path)
    with pytest.raises(InvalidInput):
        LoadedRubric.build(rubric, doc, path)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_error_kind_has_its_exact_message_and_location(tmp_path: Path, case: Case) -> None:
    path = write(tmp_path, case.text)
    assert problems_of(path) == [f"{path}:{p}" for p in case.problems]


def test_the_cases_cover_every_question_type() -> None:
    types = {line.split(":")[1].strip() for line in BASE.splitlines() if "    type:" in line}
    assert types == {t.value for t in QuestionType}


def test_all_structural_errors_of_a_file_come_at_once(tmp_path: Path) -> None:
    text = mutate("version: 1.0.0", "version: v1")
    text = mutate("    weight: 0\n", "    weight: -1\n", text)
    text = mutate("    text: SLA?\n", "    text: SLA?\n    colour: red\n", text)
    text = mutate(
        "{value: crm, label: CRM, score: 0.5}", "{value: crm, label: CRM, score: 2}", text
    )
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:2:10: version: 'v1' is not a version like 1.0.0",
        f"{path}:30:13: questions[0].weight: must be at least 0, got -1",
        f"{path}:48:5: questions[2].colour: unknown field 'colour'",
        f"{path}:66:41: questions[4].options[0].score: must be at most 1, got 2",
    ]


def test_all_cross_reference_errors_of_a_file_come_at_once(tmp_path: Path) -> None:
    text = mutate("gap: [sales, marketing]", "gap: [sales, ops]")
    text = mutate("    phase: assess\n", "    phase: discover\n", text)
    text = mutate("    when: answers.sla == true\n", "    when: answers.notes == 'x'\n", text)
    text = mutate("{min: 24, score: 0}", "{min: 25, score: 0}", text)
    text = mutate(
        "    trigger: question.lead_definition < 50\n", "    trigger: phase.x < 1\n", text
    )
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:17:14: gap[1]: unknown role 'ops'",
        f"{path}:27:12: questions[0].phase: unknown phase 'discover'",
        f"{path}:53:11: questions[3].when: condition names 'notes', a later question",
        f"{path}:58:15: questions[3].bands[2].min: gap between bands: nothing scores values "
        "from 24 to 25",
        f"{path}:78:14: recommendations[0].trigger: trigger names unknown phase 'x'",
    ]


def test_windows_line_endings_and_a_byte_order_mark_keep_locations(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "unknown role")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + case.text.replace("\n", "\r\n").encode())
    assert problems_of(path) == [f"{path}:{case.problems[0]}"]


def test_merge_keys_and_anchors_are_allowed(tmp_path: Path) -> None:
    text = mutate(
        "  - id: sla\n    phase: align\n", "  - id: sla\n    <<: &aligned {phase: align}\n"
    )
    text = mutate(
        "  - id: channels\n    phase: align\n", "  - id: channels\n    <<: *aligned\n", text
    )
    loaded = load_rubric(write(tmp_path, text))
    assert loaded.questions["channels"].phase == "align"


def test_a_condition_may_name_an_earlier_question_by_its_hyphenated_id(tmp_path: Path) -> None:
    text = mutate("    when: answers.sla == true\n", "    when: answers['lead-definition'] > 3\n")
    loaded = load_rubric(write(tmp_path, text))
    assert loaded.conditions["hours"].evaluate({"answers": {"lead_definition": 4}}) is True


def test_a_rubric_without_optional_sections_is_valid(tmp_path: Path) -> None:
    text = """\
id: tiny
version: 0.0.1
title: Tiny
levels: [{id: all, title: All, min: 0}]
phases: [{id: only, title: Only}]
dimensions: [{id: one, title: One}]
roles: [{id: anyone, title: Anyone}]
questions:
  - {id: q, phase: only, dimension: one, type: scale, text: How?}
"""
    loaded = load_rubric(write(tmp_path, text))
    q = loaded.questions["q"]
    assert (loaded.rubric.scale.min, loaded.rubric.scale.max) == (1, 5)
    assert (q.weight, q.allow_na, q.roles, q.when) == (1, True, [], None)
    assert loaded.rubric.gap is None and loaded.rubric.recommendations == []


def test_yes_and_no_are_quoted_for_option_values(tmp_path: Path) -> None:
    text = mutate("{value: new, label: New", "{value: yes, label: New")
    text = mutate("{value: old, label: Old", "{value: 'no', label: Old", text)
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:33:17: questions[0].options[0].value: expected text; YAML reads yes as true: "
        'write "yes" in quotes'
    ]


def test_a_question_scale_overrides_the_rubric_scale(tmp_path: Path) -> None:
    text = mutate(
        "    anchors:\n      1: Nothing.\n",
        "    scale: {min: 0, max: 10}\n    anchors:\n      0: Nothing.\n",
    )
    text = mutate("      5: Agreed.\n", "      10: Agreed.\n", text)
    loaded = load_rubric(write(tmp_path, text))
    assert loaded.questions["lead-definition"].scale is not None
    bad = mutate("      10: Agreed.\n", "      11: Agreed.\n", text)
    path = write(tmp_path, bad, "bad.yaml")
    assert problems_of(path) == [
        f"{path}:43:7: questions[1].anchors[11]: anchor 11 is outside the scale 0..10"
    ]


def test_an_upside_down_rubric_scale_is_reported_once(tmp_path: Path) -> None:
    # Scale questions inherit it; repeating the error for each of them would only be noise.
    path = write(tmp_path, mutate("scale: {min: 1, max: 5}", "scale: {min: 5, max: 5}"))
    assert problems_of(path) == [f"{path}:4:22: scale.max: must be above min (5), got 5"]


def test_outcome_ids_are_unique_across_classifiers(tmp_path: Path) -> None:
    second = (
        "  - id: size\n    title: Size\n    outcomes:\n"
        "      - {id: sales-led, title: Small}\n      - {id: large, title: Large}\n"
    )
    path = write(tmp_path, mutate("questions:\n", second + "questions:\n"))
    assert problems_of(path) == [
        f"{path}:28:14: classifiers[1].outcomes[0].id: outcome 'sales-led' is also an outcome "
        "of 'lead'"
    ]


def test_the_current_question_of_a_classifier_must_be_a_choice(tmp_path: Path) -> None:
    path = write(tmp_path, mutate("    fallback: sales-led\n", "    current: sla\n"))
    assert problems_of(path) == [
        f"{path}:24:14: classifiers[0].current: 'sla' must be a choice question"
    ]
    path = write(tmp_path, mutate("    fallback: sales-led\n", "    current: markt\n"), "b.yaml")
    assert problems_of(path) == [
        f"{path}:24:14: classifiers[0].current: unknown question 'markt' (did you mean 'market'?)"
    ]


def test_a_classifier_names_known_roles_and_an_undecided_outcome_of_its_own(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, mutate("    fallback: sales-led\n", "    roles: [sales, revops]\n"))
    assert problems_of(path) == [f"{path}:24:20: classifiers[0].roles[1]: unknown role 'revops'"]
    undecided = mutate("    fallback: sales-led\n", "    undecided: balanced\n")
    path = write(tmp_path, undecided, "b.yaml")
    assert problems_of(path) == [
        f"{path}:24:16: classifiers[0].undecided: unknown outcome 'balanced'"
    ]


def test_undecided_needs_the_gap_groups_among_the_classifiers_roles(tmp_path: Path) -> None:
    both = "    undecided: sales-led\n    roles: [sales]\n"
    path = write(tmp_path, mutate("    fallback: sales-led\n", both))
    assert problems_of(path) == [
        f"{path}:24:16: classifiers[0].undecided: undecided compares the gap groups, but the "
        "classifier's roles leave out 'marketing': add them or drop undecided"
    ]
    no_gap = mutate("gap: [sales, marketing]\n", "").replace(
        "    fallback: sales-led\n", "    undecided: sales-led\n"
    )
    path = write(tmp_path, no_gap, "b.yaml")
    assert problems_of(path) == [
        f"{path}:23:16: classifiers[0].undecided: undecided compares the two gap groups: the "
        "rubric needs gap: [ROLE, ROLE]"
    ]
    fine = "    undecided: sales-led\n    roles: [marketing, sales]\n"
    assert problems_of(write(tmp_path, mutate("    fallback: sales-led\n", fine), "c.yaml")) == []


def test_straightline_min_is_a_whole_number_not_below_0(tmp_path: Path) -> None:
    gap = "gap: [sales, marketing]\n"
    path = write(tmp_path, mutate(gap, gap + "straightline_min: -1\n"))
    assert problems_of(path) == [f"{path}:18:19: straightline_min: must be at least 0, got -1"]


def test_coverage_items_need_a_question_and_covers_must_name_one(tmp_path: Path) -> None:
    text = mutate(
        "questions:\n",
        "coverage:\n  - {id: sla-topic, title: SLA}\n  - {id: orphan, title: O}\nquestions:\n",
    )
    text = mutate("    text: SLA?\n", "    text: SLA?\n    covers: [sla-topic, sla-topc]\n", text)
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:27:5: coverage[1]: no question covers 'orphan'",
        f"{path}:51:25: questions[2].covers[1]: unknown coverage item 'sla-topc' "
        "(did you mean 'sla-topic'?)",
    ]


def test_benchmarks_name_existing_questions(tmp_path: Path) -> None:
    bench = "benchmarks:\n  - {id: b, figure: F, source: S, questions: [hours, hour]}\n"
    path = write(tmp_path, mutate("questions:\n", bench + "questions:\n"))
    assert problems_of(path) == [
        f"{path}:26:54: benchmarks[0].questions[1]: unknown question 'hour' (did you mean 'hours'?)"
    ]


def test_ids_never_collide_as_expression_variables() -> None:
    # Conditions name questions with underscores for hyphens; ids cannot hold underscores, so
    # two distinct ids never share a variable (which is why the validator does not check it).
    assert "_" not in ID_PATTERN
    assert to_var("a-b-c") == "a_b_c"


@pytest.mark.parametrize(
    "path",
    [*bundled_rubrics(), MINIMAL_RUBRIC],
    ids=lambda p: p.name,
)
def test_shipped_rubrics_validate(path: Path) -> None:
    assert problems_of(path) == []


def test_odd_field_names_are_reported_at_the_key(tmp_path: Path) -> None:
    # Found by the fuzzer: a key holding '[' was mistaken for a pydantic type tag and dropped.
    text = mutate("gap: [sales", "'[x]': 1\n2: 3\ngap: [sales")
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:17:1: [x]: unknown field '[x]'",
        f"{path}:18:1: 2: field names must be text, got 2",
    ]


def test_anchor_keys_written_as_text_and_as_numbers_mix(tmp_path: Path) -> None:
    # Found while writing the docs: the content hash sorted keys of mixed types and crashed.
    loaded = load_rubric(write(tmp_path, mutate("      5: Agreed.\n", '      "5": Agreed.\n')))
    assert loaded.questions["lead-definition"].anchors == {1: "Nothing.", 5: "Agreed."}
    assert loaded.content_hash.startswith("sha256:")
