"""Finding, loading and checking rubrics. Every problem comes back with a file, line and path."""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.yamlio import (
    Document,
    Loc,
    decode_text,
    format_loc,
    parse_yaml,
    read_bytes,
)
from alignment_cli.model.bundled import bundled_rubrics as bundled_rubrics  # re-exported
from alignment_cli.model.bundled import data_dir as data_dir
from alignment_cli.model.expressions import Expression, ExpressionError, compile_expression
from alignment_cli.model.models import (
    ID_PATTERN,
    VERSION_PATTERN,
    Classifier,
    Question,
    QuestionType,
    Rubric,
)
from alignment_cli.model.qtypes import TYPE_FIELDS, kind_of, owners

DEFAULT_RUBRIC = "sales-marketing-alignment"
WHEN_NAMESPACES = frozenset({"answers"})
TRIGGER_NAMESPACES = frozenset(
    {"dimension", "phase", "question", "gap", "answers", "outcome", "current"}
)
TRIGGER_SCALARS = frozenset({"overall"})
NO_SCALARS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LoadedRubric:
    """A validated rubric with what loading learnt: where it came from and compiled expressions.

    Frozen, and made only by `build`: everything derived from the rubric is worked out once,
    from a rubric that passed every check, so no reader ever sees it half filled in.
    """

    rubric: Rubric
    path: Path
    content_hash: str
    questions: Mapping[str, Question]
    conditions: Mapping[str, Expression]
    triggers: Mapping[str, Expression]
    #: Per level id, each of its sentences' `when` compiled (None for a sentence without one).
    level_conditions: Mapping[str, tuple[Expression | None, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: Role id -> its group, for the roles that name one (see `group_of`).
    role_groups: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: Per question with targets, each target's `when` compiled (None for the default).
    target_conditions: Mapping[str, tuple[Expression | None, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @classmethod
    def build(cls, rubric: Rubric, doc: Document, path: Path) -> LoadedRubric:
        """Check `rubric` (validated from `doc`) and derive the rest; raises InvalidInput with
        every located problem when a check fails."""
        compiled = compile_expressions(rubric)
        problems = check_rubric(rubric, doc, compiled)
        if problems:
            raise InvalidInput(problems)
        return cls.assemble(rubric, path, _hash(doc), compiled)

    @classmethod
    def assemble(
        cls, rubric: Rubric, path: Path, content_hash: str, compiled: CompiledExpressions
    ) -> LoadedRubric:
        """The rest derived from a rubric that passed every check (`build`, or the cache of
        loaded rubrics, which holds only such rubrics)."""
        conditions = {
            q.id: expr
            for q, expr in zip(rubric.questions, compiled.conditions, strict=True)
            if isinstance(expr, Expression)
        }
        triggers = {
            rec.id: expr
            for rec, expr in zip(rubric.recommendations, compiled.triggers, strict=True)
            if isinstance(expr, Expression)
        }
        level_conditions = {
            lv.id: tuple(e if isinstance(e, Expression) else None for e in exprs)
            for lv, exprs in zip(rubric.levels, compiled.level_sentences, strict=True)
        }
        target_conditions = {
            q.id: tuple(e if isinstance(e, Expression) else None for e in exprs)
            for q, exprs in zip(rubric.questions, compiled.targets, strict=True)
            if q.targets
        }
        return cls(
            rubric=rubric,
            path=path,
            content_hash=content_hash,
            questions=MappingProxyType(_question_index(rubric)),
            conditions=MappingProxyType(conditions),
            triggers=MappingProxyType(triggers),
            level_conditions=MappingProxyType(level_conditions),
            role_groups=MappingProxyType(
                {x.id: x.group for x in rubric.roles if x.group is not None}
            ),
            target_conditions=MappingProxyType(target_conditions),
        )

    def questions_for(self, role: str | None) -> list[Question]:
        return [q for q in self.rubric.questions if role is None or not q.roles or role in q.roles]

    # The one place that says what a role means. Asking (questions_for, forms, answer checks)
    # is per role, the respondent's own; scoring is per group: a role's `group`, or the role
    # itself when it has none (docs/rubric-format.md, Role groups).
    def group_of(self, role: str) -> str:
        """The group `role`'s respondents score in."""
        return self.role_groups.get(role, role)

    @property
    def groups(self) -> list[str]:
        """The groups, in rubric order: the roles without a `group`."""
        return [x.id for x in self.rubric.roles if x.group is None]

    @property
    def group_titles(self) -> dict[str, str]:
        """Each group's name where reports show groups: its group_title, else its title."""
        return {x.id: x.group_title or x.title for x in self.rubric.roles if x.group is None}

    def members(self, group: str) -> list[str]:
        """The roles whose respondents score in `group`, in rubric order (itself first)."""
        return [x.id for x in self.rubric.roles if self.group_of(x.id) == group]


@dataclass(frozen=True)
class CompiledExpressions:
    """Each question's `when` and each recommendation's trigger, in rubric order, compiled once
    for both the checks and the LoadedRubric: an Expression, the reason it does not compile, or
    None for a question without a condition."""

    conditions: tuple[Expression | ExpressionError | None, ...]
    triggers: tuple[Expression | ExpressionError, ...]
    level_sentences: tuple[tuple[Expression | ExpressionError | None, ...], ...] = ()
    #: Per question (in rubric order), each of its targets' `when`, compiled as a `when`.
    targets: tuple[tuple[Expression | ExpressionError | None, ...], ...] = ()


Compiler = Callable[[str, frozenset[str], frozenset[str]], "Expression | ExpressionError"]


def compile_expressions(rubric: Rubric, compiled: Compiler | None = None) -> CompiledExpressions:
    """Every expression of `rubric` through `compiled(source, namespaces, scalars)`: by default
    parsed and checked now; the cache of loaded rubrics passes one that defers the parse."""
    _compiled = compiled or _compile_now
    return CompiledExpressions(
        conditions=tuple(
            None if q.when is None else _compiled(q.when, WHEN_NAMESPACES, NO_SCALARS)
            for q in rubric.questions
        ),
        triggers=tuple(
            _compiled(rec.trigger, TRIGGER_NAMESPACES, TRIGGER_SCALARS)
            for rec in rubric.recommendations
        ),
        level_sentences=tuple(
            tuple(
                None if s.when is None else _compiled(s.when, TRIGGER_NAMESPACES, TRIGGER_SCALARS)
                for s in lv.sentences
            )
            for lv in rubric.levels
        ),
        targets=tuple(
            tuple(
                None if t.when is None else _compiled(t.when, WHEN_NAMESPACES, NO_SCALARS)
                for t in q.targets
            )
            for q in rubric.questions
        ),
    )


def _compile_now(
    source: str, namespaces: frozenset[str], scalars: frozenset[str] = frozenset()
) -> Expression | ExpressionError:
    try:
        return compile_expression(source, namespaces, scalars)
    except ExpressionError as exc:
        return exc


def _question_index(rubric: Rubric) -> dict[str, Question]:
    # With duplicate ids (a problem check_rubric reports) the last one wins, as it always did.
    return {q.id: q for q in rubric.questions}


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
    """The rubric, checked in full, every time. Commands load with files/rubric_cache.py's
    `load_rubric`, which gives this same rubric, restored when its bytes passed before."""
    path = resolve_rubric_path(ref)
    return load_checked(path, read_bytes(path))


def load_checked(path: Path, raw: bytes) -> LoadedRubric:
    """The rubric of these bytes (the file at `path`), checked in full."""
    name = str(path)
    doc = parse_yaml(name, decode_text(name, raw))
    return LoadedRubric.build(validate_document(doc), doc, path)


def _hash(doc: Document) -> str:
    # Hash the parsed content, not bytes: comments and formatting do not change the rubric.
    import json

    try:
        canonical = json.dumps(doc.data, sort_keys=True, default=str, ensure_ascii=False)
    except TypeError:  # keys of mixed types ({1: a, "3": b}) do not sort: compare them as text
        canonical = json.dumps(_text_keys(doc.data), sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _text_keys(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _text_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_text_keys(v) for v in data]
    return data


def validate_document(doc: Document) -> Rubric:
    try:
        return Rubric.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidInput(pydantic_problems(doc, exc, Rubric)) from None


def pydantic_problems(doc: Document, exc: ValidationError, model: type[Any]) -> list[Problem]:
    """pydantic's errors as located problems, in words a rubric author can act on."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err["loc"], doc.data)
        kind = err["type"]
        if kind == "missing" and loc and isinstance(loc[-1], str):
            problems.append(doc.problem(loc[:-1], f"required field '{loc[-1]}' is missing"))
        elif kind == "extra_forbidden":
            problems.append(doc.problem(loc, _unknown_field(doc, loc, model), at_key=True))
        else:
            # A bad key of a mapping (an anchor that is no number, a field name that is no text).
            on_key = "[key]" in err["loc"] or kind == "invalid_key"
            node = None if on_key else doc.node_at(loc)
            problems.append(doc.problem(loc, describe_error(err, node), at_key=on_key))
    return problems


_NUMBER_WORDS = {
    "greater_than": "above",
    "greater_than_equal": "at least",
    "less_than": "below",
    "less_than_equal": "at most",
}
_BOUND_KEYS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}


def describe_error(err: Any, node: Any = None) -> str:
    """One pydantic error as a short sentence; `node` (the YAML node) lets us quote the source."""
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    got = _show(value)
    if kind == "string_type":
        source = getattr(node, "value", None)
        if isinstance(source, str) and not isinstance(value, str) and value is not None:
            if source == _show(value):
                return f'expected text, got {source}: write "{source}" in quotes'
            return (
                f'expected text; YAML reads {source} as {_kind(value)}: write "{source}" in quotes'
            )
        return f"expected text, got {got}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length', 0):,} characters"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == ID_PATTERN:
            return (
                f"'{value}' is not a valid id: use lower-case letters, digits and single "
                "hyphens, starting with a letter"
            )
        if ctx.get("pattern") == VERSION_PATTERN:
            return f"'{value}' is not a version like 1.0.0"
        return f"{got} does not match {ctx.get('pattern')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {got}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, got {got}"
    if kind == "finite_number":
        return f"must be a finite number, got {got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {got}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"expected a list, got {got}"
    if kind == "invalid_key":
        return f"field names must be text, got {got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {got}"
    if kind == "too_short":
        n = ctx.get("min_length", 0)
        return f"needs at least {n} item{'' if n == 1 else 's'}, found {ctx.get('actual_length')}"
    if kind == "too_long":
        n = ctx.get("max_length", 0)
        return f"takes at most {n} item{'' if n == 1 else 's'}, found {ctx.get('actual_length')}"
    if kind in _NUMBER_WORDS:
        return f"must be {_NUMBER_WORDS[kind]} {_show(ctx.get(_BOUND_KEYS[kind]))}, got {got}"
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = difflib.get_close_matches(str(value), choices, n=1)
        extra = f" (did you mean '{hint[0]}'?)" if hint else ""
        return f"must be one of {', '.join(choices)}; got {got}{extra}"
    msg = str(err["msg"])
    return f"{msg[0].lower()}{msg[1:]} (got {got})"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__


def _show(value: Any) -> str:
    """A value as the author wrote it, roughly: YAML words, not Python reprs."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


_UNION_TAG = re.compile(r"^(?:int|float|str|bool|none|[a-z-]+\[.*\]|function-.*)$")


def _clean_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """pydantic's loc without the steps it adds (union branches such as 'int' or 'list[str]',
    '[key]' for a dict key), found by walking the document's own data alongside."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(data, dict) and part in data:
            data = data[part]
            part = part if isinstance(part, str) else str(part)  # a key, never an index
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif part == "[key]" or (
            isinstance(part, str) and i < len(loc) - 1 and _UNION_TAG.match(part)
        ):
            continue
        else:
            data = None  # a missing field, or a path beyond the data: keep the rest as it is
        out.append(part if isinstance(part, int | str) else str(part))
    return tuple(out)


def _unknown_field(doc: Document, loc: Loc, model: type[Any]) -> str:
    if not loc:  # pragma: no cover - pydantic always names the field
        return "unknown field"
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


def check_rubric(
    r: Rubric, doc: Document, compiled: CompiledExpressions | None = None
) -> list[Problem]:
    """Rules that need the whole rubric, as located problems; it changes nothing. `compiled`
    saves compiling the expressions again when the caller already has them."""
    compiled = compiled or compile_expressions(r)
    questions = _question_index(r)
    out: list[Problem] = []

    def bad(loc: Loc, message: str, *, at_key: bool = False) -> None:
        out.append(doc.problem(loc, message, at_key=at_key))

    phases = {p.id for p in r.phases}
    dims = {d.id for d in r.dimensions}
    roles = {x.id for x in r.roles}
    coverage = {c.id for c in r.coverage}
    outcomes: dict[str, str] = {}
    qids = set(questions)

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
        ("workstreams", r.workstreams),
    ):
        duplicates(bad, (section,), [x.id for x in items])
    # Ids cannot hold underscores, so two ids never share a variable name (to_var is one-to-one).

    if r.scale.min >= r.scale.max:
        bad(("scale", "max"), f"must be above min ({r.scale.min}), got {r.scale.max}")
    if r.levels[0].min != 0:
        bad(("levels", 0, "min"), f"the first level must start at 0, not {r.levels[0].min:g}")
    for i in range(1, len(r.levels)):
        if r.levels[i].min <= r.levels[i - 1].min:
            bad(
                ("levels", i, "min"),
                f"levels must ascend: {r.levels[i].min:g} is not above "
                f"{r.levels[i - 1].min:g} of '{r.levels[i - 1].id}'",
            )

    # Role groups: a role's `group` names a role that is a group itself (no chains), and what
    # is per group (gap, leadership, weights) names groups, never a member role.
    group_of = {x.id: x.group for x in r.roles if x.group is not None}
    for i, x in enumerate(r.roles):
        if x.group is None:
            continue
        if x.group_title is not None:
            bad(
                ("roles", i, "group_title"),
                f"only a group has a group_title; '{x.id}' is in group '{x.group}': give it there",
            )
        if x.group == x.id:
            bad(("roles", i, "group"), "a role cannot name itself as its group: leave group out")
        elif x.group not in roles:
            bad(("roles", i, "group"), _unknown("role", x.group, roles))
        elif x.group in group_of:
            bad(
                ("roles", i, "group"),
                f"'{x.group}' is in group '{group_of[x.group]}' itself: name '{group_of[x.group]}'"
                " (groups do not chain)",
            )

    def member(role: str) -> str | None:
        """Why `role` cannot stand where a group is meant, or None."""
        if role in group_of:
            return f"'{role}' is a role of group '{group_of[role]}': name the group"
        return None

    if r.gap is not None:
        for i, role in enumerate(r.gap):
            if role not in roles:
                bad(("gap", i), _unknown("role", role, roles))
            elif why := member(role):
                bad(("gap", i), why)
        if r.gap[0] == r.gap[1]:
            bad(("gap",), "must name two different roles")

    if r.leadership is not None and r.leadership not in roles:
        bad(("leadership",), _unknown("role", r.leadership, roles))
    elif r.leadership is not None and (why := member(r.leadership)):
        bad(("leadership",), why)
    for role in r.role_weights:
        if role not in roles:
            bad(("role_weights", role), _unknown("role", role, roles), at_key=True)
        elif why := member(role):
            bad(("role_weights", role), why, at_key=True)

    for ci, clf in enumerate(r.classifiers):
        ids = [o.id for o in clf.outcomes]
        duplicates(bad, ("classifiers", ci, "outcomes"), ids)
        for oi, o in enumerate(ids):
            if o in outcomes and outcomes[o] != clf.id:
                bad(
                    ("classifiers", ci, "outcomes", oi, "id"),
                    f"outcome '{o}' is also an outcome of '{outcomes[o]}'",
                )
            outcomes.setdefault(o, clf.id)
        if clf.fallback is not None and clf.fallback not in ids:
            bad(("classifiers", ci, "fallback"), _unknown("outcome", clf.fallback, set(ids)))
        if clf.current is not None:
            q = questions.get(clf.current)
            if q is None:
                bad(("classifiers", ci, "current"), _unknown("question", clf.current, qids))
            elif q.type is not QuestionType.CHOICE:
                bad(("classifiers", ci, "current"), f"'{clf.current}' must be a choice question")
        for i, role in enumerate(clf.roles):
            if role not in roles:
                bad(("classifiers", ci, "roles", i), _unknown("role", role, roles))
        if clf.undecided is not None:
            _check_undecided(bad, ("classifiers", ci, "undecided"), clf, r, set(ids))

    streams = {w.id for w in r.workstreams}
    claimed: dict[str, str] = {}
    for wi, w in enumerate(r.workstreams):
        for di, d in enumerate(w.dimensions):
            if d not in dims:
                bad(("workstreams", wi, "dimensions", di), _unknown("dimension", d, dims))
            elif d in claimed:
                bad(
                    ("workstreams", wi, "dimensions", di),
                    f"dimension '{d}' is already in workstream '{claimed[d]}'",
                )
            else:
                claimed[d] = w.id
        question = w.measure.question if w.measure is not None else None
        if question is not None and question not in questions:
            bad(("workstreams", wi, "measure", "question"), _unknown("question", question, qids))
    for ri, rec in enumerate(r.recommendations):
        if rec.workstream is not None and rec.workstream not in streams:
            bad(
                ("recommendations", ri, "workstream"),
                _unknown("workstream", rec.workstream, streams),
            )
        elif streams and rec.workstream is None and rec.dimension not in claimed:
            bad(
                ("recommendations", ri),
                f"'{rec.id}' belongs to no workstream: give it a workstream, or list its "
                "dimension in one",
            )

    for bi, bench in enumerate(r.benchmarks):
        for qi, qid in enumerate(bench.questions):
            if qid not in questions:
                bad(("benchmarks", bi, "questions", qi), _unknown("question", qid, qids))

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
                    bad(
                        (*at, "options", oi, "signals", name),
                        _unknown("outcome", name, outcomes),
                        at_key=True,
                    )
        _check_when(bad, (*at, "when"), compiled.conditions[qi], q, earlier, all_vars)
        _check_skipped(bad, at, q)
        if (q.targets or q.tolerance is not None) and "targets" in kind_of(q).fields:
            _check_targets(bad, at, q, r, compiled.targets[qi], earlier, all_vars)
        if q.target_side != "both" and not q.targets:  # "both" is the default: harmless
            bad((*at, "target_side"), "target_side is for questions with targets")
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
        "current": {c.id.replace("-", "_") for c in r.classifiers if c.current is not None},
    }
    for ri, rec in enumerate(r.recommendations):
        at = ("recommendations", ri)
        if rec.phase not in phases:
            bad((*at, "phase"), _unknown("phase", rec.phase, phases))
        if rec.dimension is not None and rec.dimension not in dims:
            bad((*at, "dimension"), _unknown("dimension", rec.dimension, dims))
        trigger = compiled.triggers[ri]
        if isinstance(trigger, ExpressionError):
            bad((*at, "trigger"), f"trigger {trigger}")
            continue
        for ref in trigger.references:
            if ref.namespace in TRIGGER_SCALARS:
                continue
            allowed = names.get(ref.namespace, set())
            if ref.name not in allowed:
                what = _TRIGGER_KINDS.get(ref.namespace, ref.namespace)
                bad((*at, "trigger"), _unknown(what, ref.name, allowed, "trigger names "))
    # A level's sentences see what triggers see, and are checked the same way.
    for li, exprs in enumerate(compiled.level_sentences):
        for si, expr in enumerate(exprs):
            at = ("levels", li, "sentences", si, "when")
            if expr is None:
                continue
            if isinstance(expr, ExpressionError):
                bad(at, f"condition {expr}")
                continue
            for ref in expr.references:
                if ref.namespace in TRIGGER_SCALARS:
                    continue
                allowed = names.get(ref.namespace, set())
                if ref.name not in allowed:
                    what = _TRIGGER_KINDS.get(ref.namespace, ref.namespace)
                    bad(at, _unknown(what, ref.name, allowed, "condition names "))
    for old_id, new_id in r.renamed.items():
        if old_id in questions:
            bad(("renamed", old_id), f"'{old_id}' is still a question; only old ids are renamed")
        if new_id not in questions:
            bad(("renamed", old_id), _unknown("question", new_id, set(questions)))
    return out


def _check_undecided(bad: Any, at: Loc, clf: Classifier, r: Rubric, ids: set[str]) -> None:
    """`undecided` is one of the classifier's outcomes and compares the two gap groups, so the
    rubric needs a gap whose groups the classifier counts."""
    if clf.undecided not in ids:
        bad(at, _unknown("outcome", clf.undecided or "", ids))
    elif r.gap is None:
        bad(at, "undecided compares the two gap groups: the rubric needs gap: [ROLE, ROLE]")
    elif clf.roles:
        group_of = {x.id: x.group or x.id for x in r.roles}
        counted = {group_of.get(x, x) for x in clf.roles}
        left_out = [g for g in r.gap if g not in counted]
        if left_out:
            bad(
                at,
                f"undecided compares the gap groups, but the classifier's roles leave out "
                f"{' and '.join(repr(g) for g in left_out)}: add them or drop undecided",
            )


_TRIGGER_KINDS = {
    "question": "scored question",
    "answers": "question",
    "gap": "dimension",
    "outcome": "classifier",
    "current": "classifier with a `current` question",
}


def duplicates(bad: Any, at: Loc, ids: list[str], field: str = "id") -> None:
    """Report every repeat of an id at its place, naming where it first appeared."""
    first: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in first:
            where = format_loc((*at, first[ident]))
            bad((*at, i, field), f"duplicate {field} '{ident}' (first at {where})")
        else:
            first[ident] = i


def _unknown(kind: str, value: str, known: set[str] | dict[str, str], prefix: str = "") -> str:
    msg = f"{prefix}unknown {kind} '{value}'"
    hint = difflib.get_close_matches(value, sorted(known), n=1)
    return msg + (f" (did you mean '{hint[0]}'?)" if hint else "")


def _check_when(
    bad: Any,
    at: Loc,
    expr: Expression | ExpressionError | None,
    q: Question,
    earlier: set[str],
    all_vars: set[str],
) -> None:
    """A condition over a respondent's answers (a question's `when`, a target's): it compiles
    and names only earlier questions."""
    if isinstance(expr, ExpressionError):
        bad(at, f"condition {expr}")
    elif expr is not None:
        for ref in expr.references:
            if ref.name in earlier:
                continue
            if ref.name == q.var:
                bad(at, "condition names the question itself")
            elif ref.name in all_vars:
                bad(at, f"condition names '{ref.name}', a later question")
            else:
                bad(at, _unknown("question", ref.name, all_vars, "condition names "))


def _check_skipped(bad: Any, at: Loc, q: Question) -> None:
    """`skipped: lowest` needs a question that can be skipped and that scores. The rubric's
    default reaches only such questions (models._fill_answer_policy), so this is the
    question's own setting."""
    if q.skipped != "lowest":
        return
    if q.when is None:
        bad(
            (*at, "skipped"),
            "skipped: lowest needs a when: a question without one is never skipped",
        )
    elif not q.scored:
        bad((*at, "skipped"), "skipped: lowest is for scored questions; this one scores nothing")


def _check_targets(
    bad: Any,
    at: Loc,
    q: Question,
    r: Rubric,
    exprs: tuple[Expression | ExpressionError | None, ...],
    earlier: set[str],
    all_vars: set[str],
) -> None:
    """Targets: a tolerance, a default last (and only last), values that are answers."""
    if not q.targets:
        bad((*at, "tolerance"), "tolerance is for questions with targets")
        return
    if q.tolerance is None:
        bad(
            (*at, "targets"), "targets need a tolerance: the distance from the target that scores 0"
        )
    kind = kind_of(q)
    last = len(q.targets) - 1
    for i, t in enumerate(q.targets):
        where: Loc = (*at, "targets", i)
        if i == last and t.when is not None:
            bad((*where, "when"), "the last target is the default: it takes no when")
        elif i < last and t.when is None:
            bad(where, "only the last target may leave out when (later ones would never apply)")
        message = kind.value_error(q, kind.coerce(q, t.value), r)
        if message is not None:
            bad((*where, "value"), message)
        if i < len(exprs):
            _check_when(bad, (*where, "when"), exprs[i], q, earlier, all_vars)


def _check_question_type(bad: Any, at: Loc, q: Question, r: Rubric) -> None:
    kind = kind_of(q)
    for name, verb in TYPE_FIELDS.items():
        if getattr(q, name) and name not in kind.fields:
            types = " and ".join(t.value for t in owners(name))
            bad((*at, name), f"{name} {verb} for {types} questions, not {q.type.value}")
    kind.check(bad, at, q, r)
