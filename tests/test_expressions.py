"""The expression sandbox for `when` and `trigger`: what it refuses, and how it evaluates."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from rubric_cases import BASE, mutate

from alignment_cli.errors import InvalidInput
from alignment_cli.model.expressions import (
    EvaluationError,
    ExpressionError,
    Reference,
    compile_expression,
)
from alignment_cli.model.rubric import (
    TRIGGER_NAMESPACES,
    TRIGGER_SCALARS,
    WHEN_NAMESPACES,
    load_rubric,
)

WHEN = WHEN_NAMESPACES


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("answers.x.__class__", "may not read the attribute '.__class__' of a value"),
        ("answers.__class__", "may not use names starting with '_'"),
        ("answers['__globals__']", "may not use names starting with '_'"),
        ("answers.x()", "may not call functions or methods"),
        ("answers.x.upper() == 'A'", "may not call functions or methods"),
        ("range(10) | length > 1", "may not call functions or methods"),
        ("lipsum(1)", "may not call functions or methods"),
        ("2 ** 100000 > 1", "may not use '**'"),
        ("answers.x ~ 'a'", "may not use '~'"),
        ("{'a': 1}", "may not build mappings"),
        ("answers.x[0:2]", "may not use slices"),
        ("answers.x | int(base=16)", "may not use keyword arguments"),
        ("answers.x | attr('y')", "may not use the filter 'attr'"),
        ("answers.x | format('%s')", "may not use the filter 'format'"),
        ("answers.x is divisibleby 3", "may not use the test 'divisibleby'"),
        ("cycler", "names unknown variable 'cycler' (known: answers)"),
        ("self", "names unknown variable 'self' (known: answers)"),
        ("x == 1", "names unknown variable 'x' (known: answers)"),
        ("answers", "must write answers.<id>, not answers alone"),
        ("answers | length > 0", "must write answers.<id>, not answers alone"),
        ("answers[answers.x]", "must write answers.<id> with a literal id"),
        ("answers.x ==", "does not compile: unexpected ')'"),
        ("1) }} {{ (2", "must be a single expression"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("answers.x == 1 or " * 200 + "true", "is longer than 2,000 characters"),
        (
            "(" * 70 + "1" + ")" * 70,
            "is nested too deeply (more than 60 levels of brackets or operators)",
        ),
        ("1 + " * 80 + "1", "is nested too deeply (more than 60 levels of brackets or operators)"),
    ],
)
def test_the_sandbox_refuses(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as exc:
        compile_expression(source, WHEN)
    assert str(exc.value) == message


def test_huge_string_multiplication_is_harmless() -> None:
    # '*' and '%' only work on numbers; Jinja2 must not fold them at compile time either, or
    # validating a rubric would allocate the string.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    for source in (
        "'x' * 1000000000 == ''",
        "('%999999999s' % 1) | length > 0",
        "[0] * 10000000000",
    ):
        expr = compile_expression(source, WHEN)
        assert expr.evaluate({"answers": {}}) is False
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert time.perf_counter() - start < 1.0
    assert grown_mb < 100


def test_answers_multiplied_as_strings_count_as_false() -> None:
    expr = compile_expression("answers.x * 1000000000 == 'a'", WHEN)
    assert expr.evaluate({"answers": {"x": "abc"}}) is False
    assert expr.evaluate({"answers": {"x": 2}}) is False
    assert compile_expression("answers.x * 3 == 6", WHEN).evaluate({"answers": {"x": 2}}) is True


def test_references_are_collected_with_underscores() -> None:
    expr = compile_expression("answers.sla_exists == true and answers['lead-follow-up'] < 24", WHEN)
    assert expr.references == (
        Reference("answers", "sla_exists"),
        Reference("answers", "lead_follow_up"),
    )
    assert expr.evaluate({"answers": {"sla_exists": True, "lead_follow_up": 3}}) is True


class _Counting(Mapping[str, object]):
    """A namespace that is not a dict (as scoring's `answers`, made as read): counts reads."""

    def __init__(self, data: dict[str, object]) -> None:
        self.data, self.read = data, []

    def __getitem__(self, name: str) -> object:
        self.read.append(name)
        return self.data[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def test_a_namespace_mapping_is_read_for_the_names_referenced_only() -> None:
    expr = compile_expression("answers.a == 1 and 'x' in answers.b", WHEN)
    space = _Counting({"a": 1, "b": ["x"], "c": 3, "d": 4})
    assert expr.run({"answers": space}) is True
    assert sorted(space.read) == ["a", "b"]  # both names it names, none of the others
    space.data["b"] = ["y"]
    assert expr.run({"answers": space}) is False
    assert expr.run({"answers": _Counting({"a": 1})}) is False  # a name it lacks is none


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("answers.x == 3", {"x": 3}, True),
        ("answers.x == 3", {"x": None}, False),
        ("answers.x > 3", {"x": None}, False),  # a comparison with none is false, not an error
        ("answers.x is none", {"x": None}, True),
        ("answers.x is none", {}, True),  # unanswered reads as none
        ("not answers.x", {"x": False}, True),
        ("'crm' in answers.x", {"x": ["crm", "web"]}, True),
        ("'crm' in answers.x", {"x": None}, False),
        ("answers.x | length >= 2", {"x": ["a", "b"]}, True),
        ("answers.x in ['a', 'b']", {"x": "b"}, True),
        ("answers.x | lower == 'yes'", {"x": "YES"}, True),
        ("(answers.x + 1) * 2 == 8", {"x": 3}, True),
        ("answers.x // 2 == 1 and answers.x % 2 == 1", {"x": 3}, True),
        ("answers.x if answers.x else 0", {"x": 0}, False),
        ("answers.x / 0 > 1", {"x": 3}, False),  # a failure at run time counts as false
    ],
)
def test_conditions_evaluate_to_true_or_false(
    source: str, answers: dict[str, object], expected: bool
) -> None:
    assert compile_expression(source, WHEN).evaluate({"answers": answers}) is expected


def test_triggers_see_their_namespaces_and_overall() -> None:
    expr = compile_expression(
        "overall < 50 or dimension.shared_metrics < 60 or gap.definitions > 20",
        TRIGGER_NAMESPACES,
        TRIGGER_SCALARS,
    )
    assert Reference("overall", "") in expr.references
    context = {"overall": 70, "dimension": {"shared_metrics": 80}, "gap": {"definitions": 25}}
    assert expr.evaluate(context) is True
    context["gap"] = {"definitions": None}
    assert expr.evaluate(context) is False
    with pytest.raises(ExpressionError, match=r"names unknown variable 'overall'"):
        compile_expression("overall < 50", WHEN)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_condition_naming_a_later_question_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, mutate("    when: answers.sla == true\n", "    when: answers.notes == 'x'\n")
    )
    with pytest.raises(InvalidInput) as exc:
        load_rubric(path)
    assert [str(p) for p in exc.value.problems] == [
        f"{path}:53:11: questions[3].when: condition names 'notes', a later question"
    ]


def test_a_condition_on_an_earlier_question_compiles_into_the_loaded_rubric(tmp_path: Path) -> None:
    loaded = load_rubric(write(tmp_path, BASE))
    expr = loaded.conditions["hours"]
    assert expr.references == (Reference("answers", "sla"),)
    assert expr.evaluate({"answers": {"sla": True}}) is True
    assert expr.evaluate({"answers": {"sla": None}}) is False


def test_missing_values_compare_false_without_silencing_the_rest() -> None:
    """A none value behaves like NaN: each comparison with it is false, the rest still counts."""
    from alignment_cli.model.expressions import compile_expression

    namespaces = frozenset({"question", "answers"})

    def holds(source: str) -> bool:
        expr = compile_expression(source, namespaces, frozenset({"overall"}))
        context = {
            "question": {"a": None, "b": 30.0},
            "answers": {"multi": None, "y": "no"},
            "overall": None,
        }
        return expr.evaluate(context)

    assert holds("question.a < 50 or question.b < 50")
    assert holds("(question.a < 1 or question.b < 50) and answers.y == 'no'")
    assert not holds("question.a < 50")
    assert not holds("question.a >= 50")
    assert not holds("50 > question.a")
    assert not holds("overall < 40")
    assert holds("question.a is none") and holds("answers.multi == none")
    assert not holds("'crm' in answers.multi")
    assert holds("answers.multi | length == 0")
    assert not holds("question.a + question.b > 10")
    assert not holds("question.a * 2 > 1")
    assert holds("question.missing_in_context is none")


def _sides(source: str) -> list[list[str]]:
    """What each operand of the top-level `or` reads; [] when there is no top-level `or`."""
    expr = compile_expression(source, WHEN)
    return [[ref.name for ref in side.references] for side in expr.alternatives]


@pytest.mark.parametrize(
    ("source", "sides"),
    [
        ("answers.a < 1 or answers.b < 1", [["a"], ["b"]]),
        ("answers.a or answers.b or answers.c", [["a"], ["b"], ["c"]]),
        ("answers.a and answers.b", []),
        ("answers.order or answers.xor", [["order"], ["xor"]]),
        # An `or` inside a string literal is text, not an operator.
        ("answers.x == 'a or b' or answers.y", [["x"], ["y"]]),
        ("answers['or-else'] == \"it's (or\" or answers.y", [["or_else"], ["y"]]),
        # Brackets: `or` is associative, so every operand of a bracketed `or` counts on its own;
        # a split of the text kept `(b or c)` whole and cited c when only b held.
        ("answers.a < 1 or (answers.b or answers.c)", [["a"], ["b"], ["c"]]),
        ("(answers.a or answers.b) or answers.c", [["a"], ["b"], ["c"]]),
        ("(answers.a or answers.b)", [["a"], ["b"]]),  # the text had no `or` outside brackets
        ("(answers.a or answers.b) and answers.c", []),
        ("not (answers.a or answers.b)", []),
        ("not answers.a or answers.b", [["a"], ["b"]]),
        # `x if c else y` binds looser than `or`: the whole is one conditional, no `or` on top.
        # Splitting the text made two sides that fired on `a` whatever `c` said.
        ("answers.a or answers.b if answers.c else answers.d", []),
        ("answers.a if answers.b or answers.c else answers.d", []),
        # A question may be called `or`: `answers.or` is a name, not an operator.
        ("answers.or == 1 or answers.b", [["or"], ["b"]]),
        ("answers.a > 1or answers.b", [["a"], ["b"]]),
    ],
)
def test_the_sides_of_a_top_level_or_come_from_the_parsed_tree(
    source: str, sides: list[list[str]]
) -> None:
    assert _sides(source) == sides


def test_each_side_of_an_or_is_judged_on_its_own() -> None:
    expr = compile_expression("answers.a < 1 or (answers.b == 2 or answers.c == 3)", WHEN)
    context = {"answers": {"a": None, "b": 2, "c": 0}}
    assert [side.evaluate(context) for side in expr.alternatives] == [False, True, False]
    assert expr.evaluate(context) is True
    cond = compile_expression("answers.a or answers.b if answers.c else answers.d", WHEN)
    assert cond.evaluate({"answers": {"a": True, "b": False, "c": False, "d": False}}) is False


@pytest.mark.parametrize(
    ("source", "value", "words"),
    [
        ("answers.x > 5", "soon", "cannot compare text with a number using '>'"),
        ("answers.x < answers.x", ["a"], None),  # lists compare: no failure
        ("answers.x - 1 > 0", "soon", "cannot use '-' on text and a number"),
        ("1 + answers.x > 1", ["a"], "cannot use '+' on a number and a list"),
        ("answers.x + 1 > 1", ["a"], "cannot use '+' on a list and a number"),
        ("-answers.x > 0", "soon", "cannot use '-' on text"),
        ("answers.x | abs > 1", "soon", "cannot use 'abs' on text"),
        ("answers.x | round > 1", "soon", "cannot round text"),
        ("answers.x | length > 1", 3, "cannot take the length of a number"),
        ("1 in answers.x", 3, "expected a list or text, got a number"),
        ("answers.x / 0 > 1", 3, "division by zero"),
        ("answers.x % 0 > 1", 3, "division by zero"),
        ("answers.x * 2 > 1", "soon", "'*' only works on numbers"),
        ("answers.x > 5", None, None),  # none is missing, never a failure
    ],
)
def test_a_failure_at_run_time_is_false_to_evaluate_and_told_by_run(
    source: str, value: object, words: str | None
) -> None:
    expr = compile_expression(source, WHEN)
    context = {"answers": {"x": value}}
    if words is None:
        expr.run(context)
        return
    assert expr.evaluate(context) is False
    with pytest.raises(EvaluationError) as exc:
        expr.run(context)
    assert str(exc.value) == words
