"""Finding, loading and checking rubrics. Every problem comes back with a file, line and path."""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import InvalidInput, Problem
from .expressions import Expression, ExpressionError, compile_expression
from .models import Question, QuestionType, Rubric, to_var
from .yamlio import Document, Loc, load_yaml

DEFAULT_RUBRIC = "sales-marketing-alignment"
WHEN_NAMESPACES = frozenset({"answers"})
TRIGGER_NAMESPACES = frozenset({"dimension", "phase", "question", "gap", "answers", "outcome"})
TRIGGER_SCALARS = frozenset({"overall"})


def data_dir(name: str) -> Path:
    """`rubrics/` or `templates/`: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    return here / name


def bundled_rubrics() -> list[Path]:
    return sorted(data_dir("rubrics").glob("*.yaml"))


@dataclass
class LoadedRubric:
    """A validated rubric with what loading learnt: where it came from and compiled expressions."""

    rubric: Rubric
    path: Path
    content_hash: str
    conditions: dict[str, Expression] = field(default_factory=dict)
    triggers: dict[str, Expression] = field(default_factory=dict)

    @cached_property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for q in self.rubric.questions}

    def questions_for(self, role: str | None) -> list[Question]:
        return [q for q in self.rubric.questions if role is None or not q.roles or role in q.roles]


def resolve_rubric_path(ref: str | Path | None) -> Path:
    """A bundled rubric's id, or a path to a rubric file."""
    if ref is None:
        ref = DEFAULT_RUBRIC
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in str(ref):
        return path
    for candidate in bundled_rubrics():
        if candidate.stem == str(ref):
            return candidate
    ids = [p.stem for p in bundled_rubrics()]
    hint = difflib.get_close_matches(str(ref), ids, n=1)
    extra = f" (did you mean '{hint[0]}'?)" if hint else f" (bundled: {', '.join(ids) or 'none'})"
    raise InvalidInput(f"rubric '{ref}' is neither a file nor a bundled rubric id{extra}")


def load_rubric(ref: str | Path | None = None) -> LoadedRubric:
    path = resolve_rubric_path(ref)
    doc = load_yaml(path)
    rubric = validate_document(doc)
    loaded = LoadedRubric(rubric, path, _hash(doc))
    problems = check_rubric(loaded, doc)
    if problems:
        raise InvalidInput(problems)
    return loaded


def _hash(doc: Document) -> str:
    # Hash the parsed content, not bytes: comments and formatting do not change the rubric.
    import json

    canonical = json.dumps(doc.data, sort_keys=True, default=str, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def validate_document(doc: Document) -> Rubric:
    try:
        return Rubric.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidInput(pydantic_problems(doc, exc, Rubric)) from None


def pydantic_problems(doc: Document, exc: ValidationError, model: type[Any]) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err["loc"])
        kind = err["type"]
        if kind == "missing":
            problems.append(doc.problem(loc[:-1], f"required field '{loc[-1]}' is missing"))
        elif kind == "extra_forbidden":
            problems.append(doc.problem(loc, _unknown_field(doc, loc, model)))
        elif kind == "string_pattern_mismatch" and "a-z" in str(err.get("ctx", {})):
            value = err.get("input")
            problems.append(
                doc.problem(
                    loc,
                    f"'{value}' is not a valid id: use lower-case letters, digits and single "
                    "hyphens, starting with a letter",
                )
            )
        else:
            msg = err["msg"]
            if "input" in err and not isinstance(err["input"], dict | list):
                msg += f" (got {err['input']!r})"
            problems.append(doc.problem(loc, msg[0].lower() + msg[1:]))
    return problems


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    # pydantic adds union branch names ('int', 'list[str]') to the loc; they are not in the file.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in {"int", "float", "str", "bool"}):
            continue
        out.append(part)
    return tuple(out)


def _unknown_field(doc: Document, loc: Loc, model: type[Any]) -> str:
    name = str(loc[-1])
    known = _fields_at(model, loc[:-1])
    hint = difflib.get_close_matches(name, known, n=1) if known else []
    return f"unknown field '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")


def _fields_at(model: Any, loc: Loc) -> list[str]:
    """Field names of the model found by following `loc` from `model`."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        args = typing.get_args(annotation)
        current = next((a for a in args if hasattr(a, "model_fields")), annotation)
    return list(getattr(current, "model_fields", {}))


def check_rubric(loaded: LoadedRubric, doc: Document) -> list[Problem]:
    """Rules that need the whole rubric. Compiles conditions and triggers on the way."""
    r = loaded.rubric
    out: list[Problem] = []

    def bad(loc: Loc, message: str) -> None:
        out.append(doc.problem(loc, message))

    phases = {p.id for p in r.phases}
    dims = {d.id for d in r.dimensions}
    roles = {x.id for x in r.roles}
    coverage = {c.id for c in r.coverage}
    outcomes: dict[str, str] = {}

    for section, items in (
        ("levels", r.levels),
        ("phases", r.phases),
        ("dimensions", r.dimensions),
        ("roles", r.roles),
        ("coverage", r.coverage),
        ("classifiers", r.classifiers),
        ("benchmarks", r.benchmarks),
        ("questions", r.questions),
        ("recommendations", r.recommendations),
    ):
        _duplicates(bad, section, [x.id for x in items])
    _duplicates(bad, "questions", [to_var(q.id) for q in r.questions], spelled="as a variable ")

    if r.scale.min >= r.scale.max:
        bad(("scale",), f"min ({r.scale.min}) must be below max ({r.scale.max})")
    if r.levels[0].min != 0:
        bad(("levels", 0, "min"), f"the first level must start at 0, not {r.levels[0].min:g}")
    for i in range(1, len(r.levels)):
        if r.levels[i].min <= r.levels[i - 1].min:
            bad(
                ("levels", i, "min"),
                f"levels must ascend: {r.levels[i].min:g} is not above "
                f"{r.levels[i - 1].min:g} of '{r.levels[i - 1].id}'",
            )

    if r.gap is not None:
        for i, role in enumerate(r.gap):
            if role not in roles:
                bad(("gap", i), _unknown("role", role, roles))
        if r.gap[0] == r.gap[1]:
            bad(("gap",), "the gap pair must name two different roles")

    for ci, clf in enumerate(r.classifiers):
        ids = [o.id for o in clf.outcomes]
        _duplicates(bad, f"classifiers[{ci}].outcomes", ids)
        for o in ids:
            if o in outcomes:
                bad(("classifiers", ci), f"outcome '{o}' is also used by '{outcomes[o]}'")
            outcomes[o] = clf.id
        if clf.fallback is not None and clf.fallback not in ids:
            bad(("classifiers", ci, "fallback"), _unknown("outcome", clf.fallback, set(ids)))
        if clf.current is not None:
            q = loaded.questions.get(clf.current)
            if q is None:
                bad(("classifiers", ci, "current"), _unknown("question", clf.current, set()))
            elif q.type is not QuestionType.CHOICE:
                bad(("classifiers", ci, "current"), f"'{clf.current}' must be a choice question")

    for bi, bench in enumerate(r.benchmarks):
        for qi, qid in enumerate(bench.questions):
            if qid not in loaded.questions:
                bad(("benchmarks", bi, "questions", qi), _unknown("question", qid, set()))

    earlier: set[str] = set()
    all_vars = {q.var for q in r.questions}
    covered: set[str] = set()
    for qi, q in enumerate(r.questions):
        at: Loc = ("questions", qi)
        if q.phase not in phases:
            bad((*at, "phase"), _unknown("phase", q.phase, phases))
        if q.dimension not in dims:
            bad((*at, "dimension"), _unknown("dimension", q.dimension, dims))
        for i, role in enumerate(q.roles):
            if role not in roles:
                bad((*at, "roles", i), _unknown("role", role, roles))
        for i, c in enumerate(q.covers):
            if coverage and c not in coverage:
                bad((*at, "covers", i), _unknown("coverage item", c, coverage))
            covered.add(c)
        _check_question_type(bad, at, q, r)
        for oi, opt in enumerate(q.options):
            for name in opt.signals:
                if name not in outcomes:
                    bad((*at, "options", oi, "signals", name), _unknown("outcome", name, outcomes))
        if q.when is not None:
            try:
                expr = compile_expression(q.when, WHEN_NAMESPACES)
            except ExpressionError as exc:
                bad((*at, "when"), f"condition {exc}")
            else:
                for ref in expr.references:
                    if ref.name in earlier:
                        continue
                    if ref.name in all_vars:
                        bad((*at, "when"), f"condition names '{ref.name}', a later question")
                    else:
                        bad((*at, "when"), f"condition names unknown question '{ref.name}'")
                loaded.conditions[q.id] = expr
        earlier.add(q.var)
    for ci, item in enumerate(r.coverage):
        if item.id not in covered:
            bad(("coverage", ci), f"no question covers '{item.id}'")

    names: dict[str, set[str]] = {
        "dimension": {d.replace("-", "_") for d in dims},
        "phase": {p.replace("-", "_") for p in phases},
        "gap": {d.replace("-", "_") for d in dims},
        "question": {q.var for q in r.questions if q.scored},
        "answers": all_vars,
        "outcome": {c.id.replace("-", "_") for c in r.classifiers},
    }
    for ri, rec in enumerate(r.recommendations):
        at = ("recommendations", ri)
        if rec.phase not in phases:
            bad((*at, "phase"), _unknown("phase", rec.phase, phases))
        if rec.dimension is not None and rec.dimension not in dims:
            bad((*at, "dimension"), _unknown("dimension", rec.dimension, dims))
        try:
            expr = compile_expression(rec.trigger, TRIGGER_NAMESPACES, TRIGGER_SCALARS)
        except ExpressionError as exc:
            bad((*at, "trigger"), f"trigger {exc}")
            continue
        for ref in expr.references:
            if ref.namespace in TRIGGER_SCALARS:
                continue
            allowed = names.get(ref.namespace, set())
            if ref.name not in allowed:
                what = "scored question" if ref.namespace == "question" else ref.namespace
                bad((*at, "trigger"), f"trigger names unknown {what} '{ref.name}'")
        loaded.triggers[rec.id] = expr
    for old_id, new_id in r.renamed.items():
        if old_id in loaded.questions:
            bad(("renamed", old_id), f"'{old_id}' is still a question; only old ids are renamed")
        if new_id not in loaded.questions:
            bad(("renamed", old_id), _unknown("question", new_id, set(loaded.questions)))
    return out


def _duplicates(bad: Any, section: str, ids: list[str], spelled: str = "") -> None:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            loc: Loc = (*_split(section), i, "id")
            bad(
                loc,
                f"duplicate id '{ident}' {spelled}in {section.split('[')[0]}".replace("  ", " "),
            )
        seen.add(ident)


def _split(section: str) -> Loc:
    # "classifiers[0].outcomes" -> ("classifiers", 0, "outcomes")
    out: list[str | int] = []
    for part in section.split("."):
        name, _, rest = part.partition("[")
        out.append(name)
        if rest:
            out.append(int(rest.rstrip("]")))
    return tuple(out)


def _unknown(kind: str, value: str, known: set[str] | dict[str, str]) -> str:
    msg = f"unknown {kind} '{value}'"
    hint = difflib.get_close_matches(value, sorted(known), n=1)
    return msg + (f" (did you mean '{hint[0]}'?)" if hint else "")


def _check_question_type(bad: Any, at: Loc, q: Question, r: Rubric) -> None:
    t = q.type
    if q.anchors and t is not QuestionType.SCALE:
        bad((*at, "anchors"), f"anchors are for scale questions, not {t.value}")
    if q.scale is not None and t is not QuestionType.SCALE:
        bad((*at, "scale"), f"scale is for scale questions, not {t.value}")
    if q.options and t not in (QuestionType.CHOICE, QuestionType.MULTI):
        bad((*at, "options"), f"options are for choice and multi questions, not {t.value}")
    if q.bands and t is not QuestionType.NUMBER:
        bad((*at, "bands"), f"bands are for number questions, not {t.value}")
    if q.invert and t is not QuestionType.YESNO:
        bad((*at, "invert"), f"invert is for yesno questions, not {t.value}")

    if t is QuestionType.SCALE:
        scale = q.scale or r.scale
        if scale.min >= scale.max:
            bad((*at, "scale"), f"min ({scale.min}) must be below max ({scale.max})")
        for key in q.anchors:
            if not scale.min <= key <= scale.max:
                bad(
                    (*at, "anchors", key),
                    f"anchor {key} is outside the scale {scale.min}..{scale.max}",
                )
    elif t in (QuestionType.CHOICE, QuestionType.MULTI):
        if len(q.options) < 2:
            bad((*at, "options"), f"a {t.value} question needs at least two options")
        _duplicates(bad, f"{_path(at)}.options", [o.value for o in q.options])
        scored = [o.score is not None for o in q.options]
        if any(scored) and not all(scored):
            for oi, o in enumerate(q.options):
                if o.score is None:
                    bad((*at, "options", oi), "missing score: score every option or none")
        if q.weight > 0 and not any(scored) and not any(o.signals for o in q.options):
            bad((*at, "options"), "no option has a score or signals: set weight 0 for context")
        reserved = {"n/a", "unknown"}
        for oi, o in enumerate(q.options):
            if o.value in reserved:
                bad((*at, "options", oi, "value"), f"'{o.value}' is reserved for every question")
    elif t is QuestionType.NUMBER:
        _check_bands(bad, at, q)


def _check_bands(bad: Any, at: Loc, q: Question) -> None:
    bands = q.bands
    if not bands:
        bad(at, "a number question needs bands that score its answers")
        return
    for i, b in enumerate(bands):
        if b.min is not None and b.max is not None and b.min >= b.max:
            bad((*at, "bands", i), f"min ({b.min:g}) must be below max ({b.max:g})")
        if b.min is None and i > 0:
            bad((*at, "bands", i), "only the first band may leave out min")
        if b.max is None and i < len(bands) - 1:
            bad((*at, "bands", i), "only the last band may leave out max")
    for i in range(1, len(bands)):
        prev, cur = bands[i - 1], bands[i]
        if prev.max is None or cur.min is None:
            continue
        if cur.min > prev.max:
            bad(
                (*at, "bands", i, "min"),
                f"gap between bands: nothing scores values from {prev.max:g} to {cur.min:g}",
            )
        elif cur.min < prev.max:
            bad(
                (*at, "bands", i, "min"),
                f"bands overlap: {cur.min:g} is below the previous band's max {prev.max:g}",
            )


def _path(loc: Loc) -> str:
    from .yamlio import format_loc

    return format_loc(loc)


def count_by_type(rubric: Rubric) -> Counter[str]:
    return Counter(q.type.value for q in rubric.questions)
