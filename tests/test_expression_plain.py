"""Expressions run without Jinja2 (the plain tree, model/expressions.py) exactly as Jinja2 runs
them: the same result, the same failure in the same words, the same references and sides.

A differential test: every expression of the bundled rubric and a set written to reach each
kind of node and each case the plain evaluation hands to Jinja2 (a filter, a dict method's
name, an absent key or namespace, a failure), run on many contexts both ways.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from alignment_cli.model.expressions import (
    EvaluationError,
    Expression,
    _check,
    _JinjaForm,
    _parse,
    _plain_references,
    compile_expression,
    deferred_expression,
)
from alignment_cli.model.rubric import (
    NO_SCALARS,
    TRIGGER_NAMESPACES,
    TRIGGER_SCALARS,
    WHEN_NAMESPACES,
    load_rubric,
)

WHEN_SOURCES = [
    "answers.a == true",
    "answers.a != 'x' and answers.b > 2",
    "answers.b >= 1 < answers.c <= 5",
    "1 < answers.b < 3 == true",
    "answers.a in ['x', 'y'] or answers.b not in (1, 2)",
    "'x' in answers.a",
    "'x' not in answers.a",
    "answers['a-b'] == 1 or answers['a_b'] == 2",
    "answers.a is none",
    "answers.a is not none",
    "answers.a is defined and answers.zz is undefined",
    "answers.b is number",
    "answers.a is string or answers.a is true or answers.a is false",
    "answers.a is in ['x', 1, true]",
    "answers.b + answers.c > 3",
    "answers.b - answers.c < 0",
    "answers.b * answers.c == 6",
    "answers.b % 2 == 1",
    "answers.b / answers.c > 0.5",
    "answers.b // answers.c == 1",
    "-answers.b < 0 and +answers.c > 0",
    "not answers.a",
    "not (answers.a or answers.b)",
    "answers.a if answers.b else answers.c",
    "(answers.a if answers.b) or answers.c",
    "answers.b if answers.a else 3",
    "[answers.a, answers.b][1] == 2",
    "(answers.a, answers.b)[0] == 'x'",
    "answers.a[0] == 'x'",
    "answers.items == 1 or answers.keys or answers.get",
    "answers.pop == 1",
    "answers.a | length > 1",
    "answers.b | round > 2",
    "answers.a | lower == 'x'",
    "answers.b > 1e999",
    "answers.b < 1.5 or answers.b > 2.25",
    "answers.a == 'x' or answers.b == 2 or (answers.c == 3 or answers.a)",
    "answers.a == none",
    "answers.b * 'x' == 'xx'",
    "answers.a * 2",
    "answers.b % 0 == 1",
    "answers.b / 0 > 1",
    "answers.a < 1",
    "answers.a + 1 > 0",
    "answers.zz == 1",
]
TRIGGER_SOURCES = [
    "overall < 50",
    "overall >= 50 and dimension.d < 60",
    "question.q < 40 or gap.d > 20 or outcome.o == 'x'",
    "current.o in ['a', 'b'] and phase.p > overall",
    "overall is none or overall + 1 > 2",
    "dimension.d * 2 > overall",
]

VALUES: list[Any] = [None, 0, 1, 2, 3, 2.5, -1, True, False, "x", "xy", "", [], ["x", "y"], [1, 2]]


def _contexts(namespaces: list[str], names: list[str], scalars: list[str]) -> list[dict[str, Any]]:
    """Every namespace holding each value under each name, in turns; then the odd shapes: a
    namespace missing, a namespace that is no mapping, a name left out."""
    out: list[dict[str, Any]] = []
    for i, combo in enumerate(itertools.product(VALUES, repeat=3)):
        if i % 7:  # a spread of the combinations, not all 3,375 of them
            continue
        values = dict(zip(names, itertools.cycle(combo), strict=False))
        ctx: dict[str, Any] = {ns: dict(values) for ns in namespaces}
        ctx.update({s: combo[0] for s in scalars})
        out.append(ctx)
    out.append({})
    out.append({ns: [1, 2] for ns in namespaces})
    out.append({ns: {"a": "x"} for ns in namespaces})
    return out


def _outcome(expr: Expression, ctx: dict[str, Any]) -> tuple[str, Any]:
    try:
        return ("ok", expr.run(ctx))
    except EvaluationError as exc:
        return ("failed", str(exc))


def _jinja_only(source: str, namespaces: frozenset[str], scalars: frozenset[str]) -> Expression:
    """The expression as it ran before the plain tree: Jinja2's compiled code alone."""
    _, refs = _parse(source, namespaces, scalars)
    form = _JinjaForm(source, namespaces, scalars)
    return Expression(source, refs, form, form.sides)


def _bundled_sources() -> list[tuple[str, frozenset[str], frozenset[str]]]:
    r = load_rubric(None).rubric
    out = [(q.when, WHEN_NAMESPACES, NO_SCALARS) for q in r.questions if q.when]
    out += [(t.when, WHEN_NAMESPACES, NO_SCALARS) for q in r.questions for t in q.targets if t.when]
    out += [(rec.trigger, TRIGGER_NAMESPACES, TRIGGER_SCALARS) for rec in r.recommendations]
    out += [
        (s.when, TRIGGER_NAMESPACES, TRIGGER_SCALARS)
        for lv in r.levels
        for s in lv.sentences
        if s.when
    ]
    return out


CASES = [
    *((s, WHEN_NAMESPACES, NO_SCALARS) for s in WHEN_SOURCES),
    *((s, TRIGGER_NAMESPACES, TRIGGER_SCALARS) for s in TRIGGER_SOURCES),
]


def _check_alike(
    source: str, namespaces: frozenset[str], scalars: frozenset[str], contexts: list[dict[str, Any]]
) -> None:
    plain = compile_expression(source, namespaces, scalars)
    jinja = _jinja_only(source, namespaces, scalars)
    cached = deferred_expression(source, namespaces, scalars, plain.references, plain.plain)
    assert plain.references == jinja.references == cached.references
    if plain.plain is not None:
        assert _plain_references(plain.plain, scalars) == plain.references
    sides = [(plain.alternatives, jinja.alternatives, cached.alternatives)]
    assert [s.references for s in plain.alternatives] == [s.references for s in jinja.alternatives]
    assert [s.references for s in cached.alternatives] == [s.references for s in jinja.alternatives]
    for ctx in contexts:
        expected = _outcome(jinja, ctx)
        assert _outcome(plain, ctx) == expected, (source, ctx)
        assert _outcome(cached, ctx) == expected, (source, ctx)
        for trio in sides:
            for a, b, c in zip(*trio, strict=True):
                assert _outcome(a, ctx) == _outcome(b, ctx) == _outcome(c, ctx), (source, ctx)


@pytest.mark.parametrize(("source", "namespaces", "scalars"), CASES, ids=[c[0] for c in CASES])
def test_written_cases_run_as_jinja2_runs_them(
    source: str, namespaces: frozenset[str], scalars: frozenset[str]
) -> None:
    names = ["a", "b", "c", "a_b", "d", "q", "o", "p"]
    _check_alike(source, namespaces, scalars, _contexts(sorted(namespaces), names, sorted(scalars)))


def test_the_bundled_rubrics_expressions_run_as_jinja2_runs_them() -> None:
    sources = _bundled_sources()
    assert len(sources) > 60
    for source, namespaces, scalars in sources:
        expr = compile_expression(source, namespaces, scalars)
        assert expr.plain is not None, source  # none of them needs Jinja2 to run
        names = sorted({r.name for r in expr.references if r.name})
        _check_alike(
            source, namespaces, scalars, _contexts(sorted(namespaces), names, sorted(scalars))
        )


def test_what_the_plain_tree_leaves_to_jinja2() -> None:
    """A filter or a float Jinja2 would write as a name: no plain tree, Jinja2 runs it all."""
    for source in ("answers.a | length > 1", "answers.b > 1e999", "answers.b > -1e999"):
        assert compile_expression(source, WHEN_NAMESPACES).plain is None
    assert compile_expression("answers.a == 1", WHEN_NAMESPACES).plain == [
        "cmp",
        ["attr", ["name", "answers"], "a"],
        [["eq", ["const", 1]]],
    ]


def test_the_references_of_the_plain_tree_are_those_jinja2s_tree_gives() -> None:
    for source, namespaces, scalars in [*CASES, *_bundled_sources()]:
        expr = compile_expression(source, namespaces, scalars)
        if expr.plain is None:
            continue
        tree, _ = _parse(source, namespaces, scalars)
        assert _plain_references(expr.plain, scalars) == tuple(_check(tree, namespaces, scalars))
