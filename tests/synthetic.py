"""Synthetic answer sets for any rubric: every respondent answers at the bottom or the top.

Used to check, for a whole rubric, that each recommendation trigger can both fire and stay quiet,
and that scores span 0..100. Answers respect roles and `when` conditions, as real files must.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alignment_cli.files.responses import Conditions, Respondent, ResponseFile, Responses, RubricRef
from alignment_cli.interview.flow import condition_values
from alignment_cli.model.models import Question, QuestionType
from alignment_cli.model.qtypes import kind_of
from alignment_cli.model.rubric import LoadedRubric

Policy = Callable[[Question], Any]


def candidates(
    q: Question, loaded: LoadedRubric, answers: dict[str, Any] | None = None
) -> list[Any]:
    """Valid answers to `q`, from the lowest-scoring to the highest (for a question with
    targets, by distance from the target the respondent's earlier `answers` set)."""
    t = q.type
    if q.targets:  # farthest from the target first, the target last
        kind = kind_of(q)
        goal = _target(q, loaded, answers or {})
        if t is QuestionType.NUMBER:
            pool: list[Any] = [goal - (q.tolerance or 1), goal]
        elif t is QuestionType.SCALE:
            scale = q.scale or loaded.rubric.scale
            pool = list(range(scale.min, scale.max + 1))
        else:
            pool = [o.value for o in q.options]
        return sorted(pool, key=lambda v: kind.on_target(q, v, goal))
    if t is QuestionType.NUMBER and q.curve is not None:
        return [p.at for p in sorted(q.curve.points, key=lambda p: p.score)]
    if t is QuestionType.SCALE:
        scale = q.scale or loaded.rubric.scale
        return list(range(scale.min, scale.max + 1))
    if t is QuestionType.CHOICE:
        return [o.value for o in sorted(q.options, key=lambda o: o.score or 0.0)]
    if t is QuestionType.MULTI:
        ordered = sorted(q.options, key=lambda o: o.score or 0.0)
        return [[o.value for o in ordered[:i]] for i in range(len(ordered) + 1)]
    if t is QuestionType.YESNO:
        return [True, False] if q.invert else [False, True]
    if t is QuestionType.NUMBER:
        out = []
        for b in q.bands:
            lo = b.min if b.min is not None else (b.max or 0) - 1
            out.append((b.score, lo))
        return [v for _, v in sorted(out, key=lambda x: x[0])]
    return ["some text"]


def respondent(
    loaded: LoadedRubric, role: str, pick: Callable[[Question, list[Any]], Any], name: str = ""
) -> ResponseFile:
    """One respondent of `role` answering every question asked of them with `pick`."""
    r = loaded.rubric
    conditions = Conditions(loaded)
    answers: dict[str, Any] = {}
    for q in loaded.questions_for(role):
        if not conditions.holds(q.id, answers):
            continue
        answers[q.id] = pick(q, candidates(q, loaded, answers))
    name = name or f"{role} respondent"
    return ResponseFile(
        Path(f"{name}.yaml"),
        Responses(
            rubric=RubricRef(id=r.id, version=r.version),
            respondent=Respondent(name=name, role=role),
            answers=answers,
        ),
    )


def _target(q: Question, loaded: LoadedRubric, answers: dict[str, Any]) -> Any:
    """The target of `q` that the earlier answers select (the first whose condition holds)."""
    values = condition_values(loaded, answers)
    for t, expr in zip(q.targets, loaded.target_conditions.get(q.id, ()), strict=False):
        if expr is None or expr.evaluate({"answers": values}):
            return t.value
    return q.targets[-1].value


def lowest(q: Question, options: list[Any]) -> Any:
    return options[0]


def highest(q: Question, options: list[Any]) -> Any:
    return options[-1]


def opening_answers(loaded: LoadedRubric) -> dict[str, Any]:
    """For each question a condition reads, an answer that makes the most conditions true."""
    conditions = Conditions(loaded)
    readers: dict[str, list[str]] = {}
    for qid, expr in loaded.conditions.items():
        for ref in expr.references:
            target = next((q.id for q in loaded.rubric.questions if q.var == ref.name), None)
            if target is not None:
                readers.setdefault(target, []).append(qid)
    out: dict[str, Any] = {}
    for gate, dependents in readers.items():
        q = loaded.questions[gate]
        best = max(
            candidates(q, loaded),
            key=lambda v: sum(conditions.holds(d, {gate: v}) for d in dependents),
        )
        out[gate] = best
    return out


def scenarios(loaded: LoadedRubric) -> dict[str, list[ResponseFile]]:
    """Named answer sets that between them push every score and answer to both ends."""
    r = loaded.rubric
    roles = [x.id for x in r.roles]
    opening = opening_answers(loaded)

    def opened(base: Callable[[Question, list[Any]], Any]) -> Callable[[Question, list[Any]], Any]:
        def pick(q: Question, options: list[Any]) -> Any:
            return opening[q.id] if q.id in opening else base(q, options)

        return pick

    out: dict[str, list[ResponseFile]] = {}
    for name, base in (("lowest", lowest), ("highest", highest)):
        out[name] = [respondent(loaded, role, base) for role in roles]
        out[name + "-opened"] = [respondent(loaded, role, opened(base)) for role in roles]
    if r.gap is not None:
        first, second = r.gap
        for name, (a, b) in {
            "first-high": (highest, lowest),
            "first-low": (lowest, highest),
        }.items():
            picks = {first: opened(a), second: opened(b)}
            out[name] = [
                respondent(loaded, role, picks.get(role, opened(lowest))) for role in roles
            ]
    for clf in r.classifiers:
        current = loaded.questions.get(clf.current) if clf.current else None
        todays = [o.value for o in current.options] if current else [None]
        for outcome in clf.outcomes:
            for today in todays:
                for end, base in (("", lowest), ("-high", highest)):
                    pick = _toward(outcome.id, clf.current, today, opened(base))
                    label = f"{clf.id}-{outcome.id}{end}" + (f"-today-{today}" if today else "")
                    out[label] = [respondent(loaded, role, pick) for role in roles]
        if clf.undecided is not None and r.gap is not None and len(clf.outcomes) > 2:
            # The two gap groups lean to different outcomes: the undecided verdict.
            one, other = [o.id for o in clf.outcomes if o.id != clf.undecided][:2]
            lean = {
                r.gap[0]: _toward(one, clf.current, None, opened(lowest)),
                r.gap[1]: _toward(other, clf.current, None, opened(lowest)),
            }
            out[f"{clf.id}-split"] = [
                respondent(loaded, role, lean.get(loaded.group_of(role), opened(lowest)))
                for role in roles
                if loaded.group_of(role) in lean
            ]
    return out


def _toward(
    outcome: str, current: str | None, today: Any, otherwise: Callable[[Question, list[Any]], Any]
) -> Callable[[Question, list[Any]], Any]:
    """Answers that signal `outcome` wherever an option signals, `today` on the current question."""

    def pick(q: Question, options: list[Any]) -> Any:
        if q.id == current and today is not None:
            return today
        if q.id != current and any(o.signals for o in q.options):
            best = max(q.options, key=lambda o: o.signals.get(outcome, 0.0))
            return [best.value] if q.type is QuestionType.MULTI else best.value
        return otherwise(q, options)

    return pick
