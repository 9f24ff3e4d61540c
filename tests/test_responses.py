"""Answer files: loading (fast and exact), and every check against the rubric, located."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, MINIMAL_RESPONSES, MINIMAL_RUBRIC, V1_EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_helpers import BASE, card_of, rubric

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files import flatyaml
from alignment_cli.files.responses import (
    check_against_rubric,
    find_response_files,
    load_response_file,
    load_responses,
)
from alignment_cli.files.yamlio import parse_yaml
from alignment_cli.model.rubric import LoadedRubric, load_rubric

HEAD = "rubric: {id: minimal-alignment, version: 0.1.0}\n"


@pytest.fixture(scope="module")
def minimal() -> LoadedRubric:
    return load_rubric(MINIMAL_RUBRIC)


def _problems(loaded: LoadedRubric, path: Path, **kwargs: Any) -> list[Problem]:
    with pytest.raises(InvalidInput) as info:
        check_against_rubric(loaded, load_responses([path]), **kwargs)
    return info.value.problems


def _located(problems: list[Problem]) -> list[tuple[int | None, str, str]]:
    return [(p.line, p.path, p.message) for p in problems]


def test_every_kind_of_wrong_answer_is_named_with_its_line(
    tmp_path: Path, minimal: LoadedRubric
) -> None:
    path = tmp_path / "mia.yaml"
    path.write_text(
        HEAD
        + "respondent: {name: Mia Chen, role: marketing}\n"
        + "answers:\n"
        + "  market-maturity: ancient\n"  # line 4
        + "  lead-definition: high\n"
        + "  sla-exists: maybe\n"
        + "  follow-up-hours: 3\n"
        + "  handoff-channels: [crm-task, fax]\n"
        + "  lead-defintion: 3\n"  # line 9
        + "notes:\n"
        + "  nope: hi\n",
        encoding="utf-8",
    )
    problems = _problems(minimal, path)
    assert all(p.file == str(path) and p.column is not None for p in problems)
    assert _located(problems) == [
        (4, "answers.market-maturity", "unknown option 'ancient'; expected one of: new, mature"),
        (
            5,
            "answers.lead-definition",
            "expected a whole number from 1 to 5, unknown or n/a; got 'high'",
        ),
        (6, "answers.sla-exists", "expected yes or no (true or false); got 'maybe'"),
        (7, "answers.follow-up-hours", "'follow-up-hours' is asked of sales, not of marketing"),
        (
            8,
            "answers.handoff-channels",
            "unknown option 'fax'; expected some of: crm-task, context, reject-reason",
        ),
        (
            9,
            "answers.lead-defintion",
            "unknown question 'lead-defintion' (did you mean 'lead-definition'?)",
        ),
        (11, "notes.nope", "note on unknown question 'nope'"),
    ]
    assert str(problems[0]).startswith(f"{path}:4:")


def test_out_of_range_and_a_false_condition(tmp_path: Path, minimal: LoadedRubric) -> None:
    path = tmp_path / "sam.yaml"
    path.write_text(
        HEAD
        + "respondent: {name: Sam Ortiz, role: sales}\n"
        + "answers:\n"
        + "  lead-definition: 7\n"
        + "  sla-exists: false\n"
        + "  follow-up-hours: 3\n"
        + "  handoff-channels: crm-task\n",
        encoding="utf-8",
    )
    assert _located(_problems(minimal, path)) == [
        (4, "answers.lead-definition", "7 is outside the scale 1..5"),
        (
            6,
            "answers.follow-up-hours",
            "only asked when answers.sla_exists == true (sla-exists is no): remove this answer, "
            "or change the answer it depends on",
        ),
        (
            7,
            "answers.handoff-channels",
            "expected a list of options from: crm-task, context, reject-reason; got 'crm-task'",
        ),
    ]
    path.write_text(
        HEAD
        + "respondent: {name: Sam Ortiz, role: sales}\n"
        + "answers:\n"
        + "  sla-exists: yes\n"
        + "  follow-up-hours: -1\n",
        encoding="utf-8",
    )
    assert _located(_problems(minimal, path)) == [
        (5, "answers.follow-up-hours", "-1 is outside the range the rubric scores (0..)")
    ]


def test_a_role_the_rubric_lacks(tmp_path: Path, minimal: LoadedRubric) -> None:
    path = tmp_path / "cfo.yaml"
    path.write_text(
        HEAD + "respondent:\n  name: Fin\n  role: cfo\nanswers: {lead-definition: 3}\n",
        encoding="utf-8",
    )
    assert _located(_problems(minimal, path)) == [
        (4, "respondent.role", "unknown role 'cfo' (this rubric has: marketing, sales)")
    ]


def test_n_a_where_the_rubric_forbids_it(tmp_path: Path) -> None:
    data = dict(BASE, questions=[dict(BASE["questions"][0], allow_na=False)])
    loaded = rubric(tmp_path, data)
    path = tmp_path / "a.yaml"
    path.write_text(
        "rubric: {id: hand, version: 1.0.0}\n"
        "respondent: {name: A, role: sales}\n"
        "answers:\n  s1: n/a\n",
        encoding="utf-8",
    )
    assert _located(_problems(loaded, path)) == [
        (4, "answers.s1", "'s1' cannot be answered n/a; answer it or say unknown")
    ]


def test_answers_for_another_rubric_are_refused(tmp_path: Path, minimal: LoadedRubric) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "rubric: {id: other-rubric, version: 0.1.0}\n"
        "respondent: {name: X, role: sales}\nanswers: {lead-definition: 3}\n",
        encoding="utf-8",
    )
    assert _located(_problems(minimal, path, carry_over=True)) == [
        (
            1,
            "rubric.id",
            "these answers are for rubric 'other-rubric', not 'minimal-alignment' "
            "(use --rubric other-rubric)",
        )
    ]


def _old_version(tmp_path: Path) -> Path:
    path = tmp_path / "old.yaml"
    path.write_text(
        "rubric: {id: minimal-alignment, version: 0.0.9}\n"
        "respondent: {name: Old Timer, role: marketing}\n"
        "answers:\n  lead-definition: 4\n  retired-question: 2\n  sla-exists: true\n",
        encoding="utf-8",
    )
    return path


def test_answers_for_another_version_are_refused_unless_carried_over(
    tmp_path: Path, minimal: LoadedRubric
) -> None:
    path = _old_version(tmp_path)
    assert _located(_problems(minimal, path)) == [
        (
            1,
            "rubric.version",
            "these answers are for version 0.0.9 of 'minimal-alignment', not 0.1.0; "
            "pass --carry-over to score the answers that still fit",
        )
    ]
    kept, warnings = check_against_rubric(minimal, load_responses([path]), carry_over=True)
    assert warnings == [
        f"{path}: answers for version 0.0.9 carried over to 0.1.0",
        f"{path}: retired-question: dropped, unknown question 'retired-question'",
    ]
    assert set(kept[0].responses.answers) == {"lead-definition", "sla-exists"}
    card = card_of(minimal, kept, warnings=warnings)
    assert card.warnings == warnings
    assert card.dimension("definitions") is not None
    assert card.dimension("definitions").score == 75.0  # type: ignore[union-attr]


def test_a_changed_rubric_under_the_same_version_is_scored_with_a_warning(
    tmp_path: Path, minimal: LoadedRubric
) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(
        "rubric: {id: minimal-alignment, version: 0.1.0, hash: 'sha256:0000000000000000'}\n"
        "respondent: {name: H, role: sales}\nanswers: {lead-definition: 3}\n",
        encoding="utf-8",
    )
    kept, warnings = check_against_rubric(minimal, load_responses([path]))
    assert len(kept) == 1
    assert warnings == [
        f"{path}: these answers were given on a different text of 'minimal-alignment' 0.1.0 "
        f"(hash sha256:0000000000000000, now {minimal.content_hash}); the rubric changed "
        "without a new version"
    ]
    path.write_text(path.read_text().replace("sha256:0000000000000000", minimal.content_hash))
    assert check_against_rubric(minimal, load_responses([path]))[1] == []


def test_problems_of_several_files_are_reported_together(
    tmp_path: Path, minimal: LoadedRubric
) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            HEAD + f"respondent: {{name: {name}, role: sales}}\nanswers: {{lead-definition: 9}}\n",
            encoding="utf-8",
        )
    files = load_responses(find_response_files([tmp_path]))
    with pytest.raises(InvalidInput) as info:
        check_against_rubric(minimal, files)
    assert [Path(p.file).name for p in info.value.problems] == ["a.yaml", "b.yaml"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (HEAD + "respondent: {name: A, role: sales\n", None, "YAML syntax error"),
        (HEAD + "answers: {}\n", 1, "required field 'respondent' is missing"),
        (HEAD + "respondent: {name: A, role: Sales}\n", 2, "'Sales' is not a valid id"),
        (HEAD + "respondent: {name: A, role: sales}\nanswers: [1, 2]\n", 3, "expected a mapping"),
        ("- just\n- a list\n", 1, "expected a mapping of fields"),
        ("", 1, "the file is empty"),
    ],
)
def test_files_that_are_not_answer_files(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_response_file(path)
    problem = info.value.problems[0]
    assert problem.file == str(path) and message in problem.message
    if line is not None:
        assert problem.line == line
    else:
        assert problem.line is not None


def test_finding_answer_files(tmp_path: Path) -> None:
    assert [p.name for p in find_response_files([V1_EXAMPLES / "halfway"])] == sorted(
        p.name for p in (V1_EXAMPLES / "halfway" / "responses").glob("*.yaml")
    )
    assert len(find_response_files([MINIMAL_RESPONSES, V1_EXAMPLES / "siloed"])) == 2 + 3
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        InvalidInput, match=r"no answer files \(\*\.yaml\) in .*: interview someone"
    ):
        find_response_files([tmp_path / "empty"])
    with pytest.raises(InvalidInput, match="no such file or folder"):
        find_response_files([tmp_path / "missing"])


# -- the fast reader equals PyYAML -------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and types compared (1 is not True, 1.0 is not 1)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _pyyaml(text: str) -> Any:
    """The oracle: the guarded loader every other file meets, refusals included."""
    try:
        return parse_yaml("oracle.yaml", text, expect_mapping=False).data
    except InvalidInput as exc:  # a refusal: the fast reader must decline
        return exc


def _check_equal(text: str) -> Any:
    fast = flatyaml.parse(text)
    slow = _pyyaml(text)
    if fast is not None:
        assert not isinstance(slow, Exception), (text, slow)
        assert _same(fast, slow), (text, fast, slow)
    return fast


def test_the_fast_reader_reads_every_answer_file_in_the_repository() -> None:
    paths = [*MINIMAL_RESPONSES.glob("*.yaml")]
    paths += [*EXAMPLES.glob("*/responses/*.yaml"), *V1_EXAMPLES.glob("*/responses/*.yaml")]
    assert paths
    for path in paths:
        assert _check_equal(path.read_text(encoding="utf-8")) is not None, path


SCALARS = [
    "3", "-5", "0", "017", "0x1F", "0o17", "1_000", "10:30", "1e3", "1.5e+3", ".5", "-.inf",
    ".NaN", "yes", "No", "on", "OFF", "y", "true", "False", "~", "null", "", "n/a", "unknown",
    "2026-11-22", "2026-11-22T10:00:00Z", "2026-11-22 10:00:00+01:00", "2026-13-45",
    "'it''s'", "'a # b'", '"x y"', '"a\\nb"', "'unterminated", "a # comment", "C#", "x: y",
    "x:", "a  b", "José Núñez", "[a, b]", "[a, 'b, c']", "[]", "[ ]", "[a, [b]]", "[a,]",
    "{a: 1, b: x}", "{}", "{a:1}", "{a: }", "- x", "-", "|", ">", "&a x", "*a", "!!str 3",
    "@x", "`x`", "%x", "? x", ": x", "9" * 120, "0." + "1" * 30, "a\tb", "«quoted»",
]  # fmt: skip
KEYS = ["a", "lead-definition", "yes", "on", "null", "1", "a b", "a.b", "'q'", '"dq"', "x:y"]
# What answer files are made of, drawn as often as everything else, so that most documents are
# ones the fast reader accepts and the comparison bites.
COMMON = ["3", "-5", "2.5", "yes", "false", "n/a", "unknown", "a b", "'it''s'", "[a, b]", "~"]
COMMON_KEYS = ["a", "lead-definition", "sla-exists"]


def _scalar() -> st.SearchStrategy[str]:
    return st.sampled_from(COMMON * 8 + SCALARS)


def _key() -> st.SearchStrategy[str]:
    return st.sampled_from(COMMON_KEYS * 8 + KEYS)


@st.composite
def flat_documents(draw: st.DrawFn) -> str:
    lines = []
    used: set[str] = set()
    for _ in range(draw(st.integers(1, 6))):
        key = draw(_key())
        key = f"k{len(used)}" if key in used else key  # PyYAML keeps duplicates; we decline
        used.add(key)
        shape = draw(st.sampled_from(["scalar", "block", "list", "indentless", "comment"]))
        if shape == "scalar":
            lines.append(f"{key}: {draw(_scalar())}")
        elif shape == "comment":
            lines.append(draw(st.sampled_from(["# note", "  # indented note", "", "   "])))
        elif shape in ("list", "indentless"):
            lines.append(f"{key}:")
            pad = "  " if shape == "list" else ""
            for _ in range(draw(st.integers(1, 3))):
                lines.append(f"{pad}- {draw(_scalar())}")
        else:
            lines.append(f"{key}:")
            indent = " " * draw(st.sampled_from([1, 2, 4]))
            inner_used: set[str] = set()
            for _ in range(draw(st.integers(1, 3))):
                inner = draw(_key())
                inner = f"k{len(inner_used)}" if inner in inner_used else inner
                inner_used.add(inner)
                lines.append(f"{indent}{inner}: {draw(_scalar())}")
            if draw(st.integers(0, 5)) == 0:
                lines.append(f"{indent}  continued")
    end = draw(st.sampled_from(["\n", "", "\r\n"]))
    return end.join(lines) + end


@settings(max_examples=400, deadline=None)
@given(flat_documents())
def test_the_fast_reader_equals_pyyaml_or_declines(text: str) -> None:
    _check_equal(text)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_answer_files_are_read_exactly_or_declined(data: st.DataObject) -> None:
    base = (MINIMAL_RESPONSES / "sam.yaml").read_text(encoding="utf-8")
    text = base
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        ch = data.draw(st.sampled_from([*list(" :-#'\"[]{},\n\tax1&*!|>?%@`\\"), "  ", "\r"]))
        if op == "insert":
            text = text[:i] + ch + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + ch + text[i + 1 :]
    _check_equal(text)


def test_the_fast_reader_declines_what_it_does_not_know() -> None:
    for text in [
        "a: 1\na: 2\n",  # duplicate key: the guarded loader names it
        "a: &x 1\nb: *x\n",
        "a: |\n  block\n",
        "---\na: 1\n",
        "a:\n  - b: 1\n",
        "  a: 1\n",
        "a: x\n  continued\n",
        "a: 1\n\tb: 2\n",
    ]:
        assert flatyaml.parse(text) is None, text
    assert flatyaml.parse("a: {id: x, version: 1.0.0}\nb:\n- 1\n- two\n") == {
        "a": {"id": "x", "version": "1.0.0"},
        "b": [1, "two"],
    }


def test_what_the_fast_reader_returns_may_be_changed_by_its_caller() -> None:
    text = "a: [x, y]\nb: {c: d}\n"
    first = flatyaml.parse(text)
    assert first is not None
    first["a"].append("z")
    first["b"]["e"] = "f"
    assert flatyaml.parse(text) == {"a": ["x", "y"], "b": {"c": "d"}}


@pytest.mark.parametrize(
    "text",
    [
        "".join(" " * i + f"k{i}:\n" for i in range(1_500)) + " " * 1_500 + "v: 1\n",
        "".join(" " * i + f"k{i}:\n" for i in range(70)),
        "".join(f"k{i}: [a, b, c]\n" for i in range(13_000)),
    ],
    ids=["1,500 levels", "70 levels", "65,000 values"],
)
def test_what_the_guarded_loader_refuses_the_fast_reader_declines(text: str) -> None:
    assert isinstance(_pyyaml(text), InvalidInput)
    assert flatyaml.parse(text) is None


def test_a_long_number_goes_to_the_guarded_loader() -> None:
    assert flatyaml.parse("a: " + "9" * 200 + "\n") is None
    assert re.fullmatch(r"\d+", "9" * 200)


def test_a_wrong_answer_is_one_problem_not_one_per_dependent(
    tmp_path: Path, minimal: LoadedRubric
) -> None:
    """follow-up-hours depends on sla-exists; a typo in sla-exists is the only thing to fix."""
    path = tmp_path / "sam.yaml"
    path.write_text(
        HEAD
        + "respondent: {name: Sam Ortiz, role: sales}\n"
        + "answers:\n"
        + "  follow-up-hours: 3\n"
        + "  sla-exists: maybe\n",
        encoding="utf-8",
    )
    assert _located(_problems(minimal, path)) == [
        (5, "answers.sla-exists", "expected yes or no (true or false); got 'maybe'"),
    ]
