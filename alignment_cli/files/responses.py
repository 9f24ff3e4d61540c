"""Answer files: the responses format, finding them, loading them fast, checking them.

One file per respondent. Checking against a rubric yields located problems; locating re-parses
the file with positions, which we only pay for when something is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field, StringConstraints, ValidationError

from alignment_cli.clock import as_utc
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.yamlio import Document, Loc, load_data_fast, load_yaml, odd_numbers
from alignment_cli.model.expressions import Expression
from alignment_cli.model.models import ID_PATTERN, Model, Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric

NA = "n/a"
UNKNOWN = "unknown"
RESERVED = (NA, UNKNOWN)

AnswerValue = bool | int | float | str | list[str | int | float] | None


class RubricRef(Model):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    version: str
    hash: str | None = None


MAX_NAME = 200
"""The longest respondent name an answer file holds."""


class Respondent(Model):
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_NAME, strip_whitespace=True)
    ]
    role: Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class Responses(Model):
    rubric: RubricRef
    respondent: Respondent
    organization: str | None = None
    # A time written without a zone is UTC (docs/interview.md): the rule applied here, once.
    started: Annotated[datetime, AfterValidator(as_utc)] | None = None
    updated: Annotated[datetime, AfterValidator(as_utc)] | None = None
    # Any value is accepted here and judged against its question by `value_error`, so that a
    # wrong answer gets one message in the rubric's terms instead of one per type it is not.
    answers: dict[str, Any] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)


@dataclass
class ResponseFile:
    path: Path
    responses: Responses
    # The content hash of the rubric whose AnswerRules already sorted these answers (a survey
    # export's rows: alignment_cli/survey/rows.py keeps only answers that count): the answer
    # checker would find nothing against that rubric, so `FileCheck` does not run it again.
    sorted_by: str | None = None


def find_response_files(inputs: list[Path]) -> list[Path]:
    """DIR (an engagement: DIR/responses/*.yaml; or a folder of answer files) or files."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            folder = item / "responses" if (item / "responses").is_dir() else item
            found = sorted(
                (p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")), key=lambda p: p.name
            )
            found = [p for p in found if p.name != "alignment.yaml" and not p.name.startswith(".")]
            if not found:
                raise InvalidInput(
                    f"no answer files (*.yaml) in {folder}: interview someone with "
                    "`alignment audit`, or import or copy answer files there"
                )
            files.extend(found)
        elif item.exists():
            files.append(item)
        else:
            raise InvalidInput([Problem(str(item), None, None, "no such file or folder")])
    # The same file named twice (a folder and a file in it) is one respondent, not two.
    seen: set[str] = set()
    unique = []
    for path in files:
        key = os.path.abspath(path)  # no system calls: cheap for thousands of files
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def refuse_odd_answers(doc: Document) -> None:
    """Refuse answers YAML would read as numbers nobody typed: `1:30` read as 90 (YAML 1.1's
    base 60), `0x1F` as 31, `017` as 15. Whoever wrote them meant the text or a plain number."""
    answers = None
    if isinstance(doc.root, yaml.MappingNode):
        for key, value in doc.root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "answers":
                answers = value
    problems = [
        Problem(
            doc.file,
            n.start_mark.line + 1,
            n.start_mark.column + 1,
            f"YAML reads {n.value} as the number {_read_as(n)}; to mean the text, put it in "
            f"quotes ('{n.value}'); to mean a number, write it plainly",
        )
        for n in odd_numbers(answers)
    ]
    if problems:
        raise InvalidInput(problems)


def _read_as(node: yaml.ScalarNode) -> str:
    try:
        return str(yaml.safe_load(str(node.value)))
    except (yaml.YAMLError, ValueError):
        return "something else"


def load_response_file(path: Path) -> ResponseFile:
    data: Any = load_data_fast(path, refuse_odd_answers)
    if not isinstance(data, dict):
        load_yaml(path)  # raises a located message for empty or non-mapping files
        raise InvalidInput([Problem(str(path), 1, 1, "expected a mapping of fields")])
    try:
        return ResponseFile(path, Responses.model_validate(data))
    except ValidationError as exc:
        from alignment_cli.model.rubric import pydantic_problems

        raise InvalidInput(pydantic_problems(load_yaml(path), exc, Responses)) from None


def load_responses(paths: list[Path]) -> list[ResponseFile]:
    """Load every file; report the problems of all of them together."""
    return list(load_each(paths))


def load_each(paths: Iterable[Path]) -> Iterator[ResponseFile]:
    """Each answer file as it loads (a stream: none is kept here); the problems of all that
    do not load are raised together once every file was read, and once one does not load the
    rest are only read for their problems."""
    problems: list[Problem] = []
    for path in paths:
        try:
            rf = load_response_file(path)
        except InvalidInput as exc:
            problems.extend(exc.problems or [Problem(str(path), None, None, exc.message)])
            continue
        if not problems:
            yield rf
    if problems:
        raise InvalidInput(problems)


def check_against_rubric(
    rubric: LoadedRubric, files: list[ResponseFile], *, carry_over: bool = False
) -> tuple[list[ResponseFile], list[str]]:
    """Refuse answers that do not fit the rubric; return the files to score and any warnings.

    With `carry_over`, files made for another version of the same rubric are scored on the
    answers that still fit, and each dropped answer becomes a warning instead of an error.
    """
    check = FileCheck(rubric, carry_over=carry_over)
    kept = [ok for ok in map(check, files) if ok is not None]
    check.raise_problems()
    return kept, check.warnings


class FileCheck:
    """`check_against_rubric` one file at a time, for a stream of respondents: calling it
    with a file returns the file to score (None when refused); the problems of every refused
    file are kept to raise together (`raise_problems`), the warnings in order."""

    def __init__(self, rubric: LoadedRubric, *, carry_over: bool = False) -> None:
        self.rubric = rubric
        self.carry_over = carry_over
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self._roles = {x.id for x in rubric.rubric.roles}
        self._checker = AnswerChecker(rubric)
        self.rules = self._checker.rules  # for scoring the files it passes (engine.Fold)

    def raise_problems(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)

    def __call__(self, rf: ResponseFile) -> ResponseFile | None:
        rubric, carry_over, warnings, roles = (
            self.rubric,
            self.carry_over,
            self.warnings,
            self._roles,
        )
        r = rubric.rubric
        ref = rf.responses.rubric
        found: list[tuple[Loc, str]] = []
        if (
            ref.id == r.id
            and ref.version == r.version
            and ref.hash
            and ref.hash != (rubric.content_hash)
        ):
            warnings.append(
                f"{rf.path}: these answers were given on a different text of '{r.id}' "
                f"{r.version} (hash {ref.hash}, now {rubric.content_hash}); the rubric changed "
                "without a new version"
            )
        if ref.id != r.id:
            found.append(
                (
                    ("rubric", "id"),
                    f"these answers are for rubric '{ref.id}', not '{r.id}' "
                    f"(use --rubric {ref.id})",
                )
            )
        elif ref.version != r.version and not carry_over:
            found.append(
                (
                    ("rubric", "version"),
                    f"these answers are for version {ref.version} of '{r.id}', not {r.version}; "
                    "pass --carry-over to score the answers that still fit",
                )
            )
        if rf.responses.respondent.role not in roles:
            found.append(
                (
                    ("respondent", "role"),
                    f"unknown role '{rf.responses.respondent.role}' "
                    f"(this rubric has: {', '.join(sorted(roles))})",
                )
            )
        if not found and carry_over and ref.version != r.version and r.renamed:
            rf, renames = carry_renamed(rf, r.renamed)
            warnings.extend(f"{rf.path}: {o}: renamed to {n}" for o, n in renames)
        if not found:
            settled = rf.sorted_by == rubric.content_hash
            answer_problems = [] if settled else self._checker.errors(rf.responses)
            if carry_over and ref.version != r.version:
                warnings.append(
                    f"{rf.path}: answers for version {ref.version} carried over to {r.version}"
                )
                dropped = {loc[1] for loc, _ in answer_problems}
                for loc, msg in answer_problems:
                    warnings.append(f"{rf.path}: {loc[1]}: dropped, {msg}")
                answers = {k: v for k, v in rf.responses.answers.items() if k not in dropped}
                new = rf.responses.model_copy(update={"answers": answers})
                rf = ResponseFile(rf.path, new)
            else:
                found.extend(answer_problems)
        if found:
            doc = load_yaml(rf.path)
            self.problems.extend(doc.problem(loc, msg) for loc, msg in found)
            return None
        return rf


def carry_renamed(
    rf: ResponseFile, renamed: dict[str, str]
) -> tuple[ResponseFile, list[tuple[str, str]]]:
    """Answers and notes under a question's old id move to its new id (the rubric's `renamed`);
    an answer already given under the new id wins."""
    res = rf.responses
    done = [(o, n) for o, n in renamed.items() if o in res.answers and n not in res.answers]
    if not done and not any(o in res.notes for o in renamed):
        return rf, []

    def move(items: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items.items():
            new = renamed.get(key, key)
            if new != key and new in items:
                new = key  # both given: keep the new id's answer, leave the old one to be dropped
            out[new] = value
        return out

    new = res.model_copy(update={"answers": move(res.answers), "notes": move(res.notes)})
    return ResponseFile(rf.path, new), done


class Conditions:
    """Evaluates `when` conditions, memoised on the answers each one reads.

    Most respondents give the same few answers to the questions conditions read, so with
    thousands of files nearly every evaluation is a dictionary look-up.
    """

    def __init__(self, rubric: LoadedRubric) -> None:
        self.rubric = rubric
        var_to_id = {q.var: q.id for q in rubric.rubric.questions}
        self._refs: dict[str, tuple[Expression, tuple[tuple[str, Question | None], ...]]] = {}
        for qid, expr in rubric.conditions.items():
            refs = []
            for ref in expr.references:
                ref_id = var_to_id.get(ref.name, ref.name)
                refs.append((ref_id, rubric.questions.get(ref_id)))
            self._refs[qid] = (expr, tuple(refs))
        self._cache: dict[tuple[Any, ...], bool] = {}
        self.questions = frozenset(self._refs)  # the questions that have a condition

    def __contains__(self, qid: str) -> bool:
        return qid in self._refs

    def holds(self, qid: str, answers: dict[str, Any]) -> bool:
        """Whether question `qid` is asked, given these answers; true when it has no condition."""
        entry = self._refs.get(qid)
        if entry is None:
            return True
        expr, refs = entry
        k = _memo_key(qid, [ref_id for ref_id, _ in refs], answers)
        hit = self._cache.get(k)
        if hit is None:
            context: dict[str, Any] = {}
            for ref, (ref_id, q) in zip(expr.references, refs, strict=True):
                v = answers.get(ref_id)
                if q is None or v is None or (isinstance(v, str) and v in RESERVED):
                    context[ref.name] = None
                else:
                    context[ref.name] = coerce(q, v)
            hit = self._cache[k] = expr.evaluate({"answers": context})
        return hit


class TargetPicker:
    """Which of a question's `targets` a respondent is scored against: the first whose `when`
    holds on their answers (read as a question's `when` reads them), else the last (the
    default). Memoised, like `Conditions`, on the answers the targets read."""

    def __init__(self, rubric: LoadedRubric) -> None:
        var_to_id = {q.var: q.id for q in rubric.rubric.questions}
        self._refs: dict[str, tuple[tuple[Expression | None, ...], tuple[str, ...]]] = {}
        for qid, exprs in rubric.target_conditions.items():
            ids = dict.fromkeys(
                var_to_id.get(ref.name, ref.name)
                for expr in exprs
                if expr is not None
                for ref in expr.references
            )
            self._refs[qid] = (exprs, tuple(ids))
        self._questions = rubric.questions
        self._cache: dict[tuple[Any, ...], int] = {}
        self.questions = frozenset(self._refs)  # the questions that have targets

    def pick(self, qid: str, answers: dict[str, Any]) -> int:
        """The index of the target `qid`'s answer is scored against, given these answers."""
        exprs, ids = self._refs[qid]
        k = _memo_key(qid, ids, answers)
        hit = self._cache.get(k)
        if hit is None:
            context: dict[str, Any] = {}
            for ref_id in ids:
                q = self._questions.get(ref_id)
                v = answers.get(ref_id)
                if q is None or v is None or (isinstance(v, str) and v in RESERVED):
                    context[q.var if q is not None else ref_id] = None
                else:
                    context[q.var] = coerce(q, v)
            scope = {"answers": context}
            hit = next(
                (i for i, e in enumerate(exprs) if e is not None and e.evaluate(scope)),
                len(exprs) - 1,
            )
            self._cache[k] = hit
        return hit


_SIMPLE = frozenset({int, str, bool, float, type(None)})


def _memo_key(qid: str, ids: Iterable[str], answers: dict[str, Any]) -> tuple[Any, ...]:
    """What a memoised condition or target reads: the question and the answers it names, each
    with its type (True and 1 are different answers) or, for a list, a hashable form."""
    key: list[Any] = [qid]
    for ref_id in ids:
        v = answers.get(ref_id)
        key.append((type(v), v) if type(v) in _SIMPLE else answer_key(v))
    return tuple(key)


def answer_key(value: Any) -> Any:
    """A hashable stand-in for an answer that keeps 1, 1.0 and true apart."""
    kind = type(value)
    if kind in _SIMPLE or isinstance(value, date):
        return (kind, value)
    if kind is list or kind is tuple:
        key = (list, tuple(value), tuple(map(type, value)))
        try:
            hash(key)
        except TypeError:  # a list inside the list: never valid, keep it apart
            return (list, repr(value))
        return key
    return (kind, repr(value))


class Why(StrEnum):
    """Why an answer does not count."""

    NO_QUESTION = "no question"  # the rubric has no such question
    NOT_FOR_ROLE = "not for role"  # the question is not asked of the respondent's role
    UNFIT = "unfit"  # the value does not fit the question (`Refusal.message` says why)
    CONDITION = "condition"  # the question's `when` is false on the answers


@dataclass(frozen=True, slots=True)
class Refusal:
    """One answer that does not count, and why."""

    qid: str
    why: Why
    message: str = ""  # for UNFIT: the value's problem
    # For CONDITION: the condition reads an answer that is itself UNFIT (its root cause).
    after_unfit: bool = False


class AnswerRules:
    """Which answers count: the one rule behind checking, scoring, interviews and imports.

    An answer counts when its question exists, is asked of the respondent's role, the value fits
    it, and its `when` condition holds. Value checks and conditions are memoised on the values
    they read, so thousands of respondents cost a few dictionary look-ups each.
    """

    def __init__(self, rubric: LoadedRubric) -> None:
        self.rubric = rubric
        self.conditions = Conditions(rubric)
        self._messages: dict[tuple[Any, ...], str | None] = {}

    def judge(self, q: Question | None, qid: str, value: Any, role: str) -> Refusal | None:
        """The checks of one answer on its own (all but its condition); None when it passes."""
        if q is None:
            return Refusal(qid, Why.NO_QUESTION)
        if q.roles and role not in q.roles:
            return Refusal(qid, Why.NOT_FOR_ROLE)
        kind = type(value)
        key = (qid, kind, value) if kind in _SIMPLE else (qid, answer_key(value))
        try:
            message = self._messages[key]
        except KeyError:
            message = self._messages[key] = value_error(q, value, self.rubric)
        return None if message is None else Refusal(qid, Why.UNFIT, message)

    def sort(
        self,
        role: str,
        raw: dict[str, Any],
        *,
        cascade: bool = False,
        pending: frozenset[str] = frozenset(),
    ) -> tuple[dict[str, Any], list[Refusal]]:
        """(the answers that count, in rubric order when `cascade`; the others, and why).

        Unanswered (None) answers to known questions are neither. The answers' own checks
        come first, in answer order; then conditions, in that order too. By default a
        condition is judged on all the answers given (what the file says). With `cascade`,
        questions are judged in rubric order on the answers that still count, so an answer
        that only fails because an earlier one went goes too (an interview or an import, where
        a dropped answer is gone); a condition that reads a `pending` question (a saved answer
        asked again) is not judged yet.
        """
        questions = self.rubric.questions
        conditional = self.conditions.questions
        refused: list[Refusal] = []
        kept: dict[str, Any] = {}
        unfit: set[str] = set()
        for qid, value in raw.items():
            q = questions.get(qid)
            if value is None and q is not None:
                continue
            refusal = self.judge(q, qid, value, role)
            if refusal is None:
                kept[qid] = value
                continue
            refused.append(refusal)
            if refusal.why is Why.UNFIT and q is not None:
                unfit.add(q.var)
        if not cascade:
            counted: dict[str, Any] = {}
            for qid, value in kept.items():
                if qid in conditional and not self.conditions.holds(qid, raw):
                    expr = self.rubric.conditions[qid]
                    after = any(ref.name in unfit for ref in expr.references)
                    refused.append(Refusal(qid, Why.CONDITION, after_unfit=after))
                else:
                    counted[qid] = value
            return counted, refused
        order = self._order
        pending_vars = {questions[p].var for p in pending if p in questions}
        remaining: dict[str, Any] = {}
        for qid in sorted(kept, key=order.__getitem__):
            if qid in conditional:
                expr = self.rubric.conditions[qid]
                waits = pending_vars and any(ref.name in pending_vars for ref in expr.references)
                if not waits and not self.conditions.holds(qid, remaining):
                    after = any(ref.name in unfit for ref in expr.references)
                    refused.append(Refusal(qid, Why.CONDITION, after_unfit=after))
                    continue
            remaining[qid] = kept[qid]
        return remaining, refused

    def all_count(self, role: str, raw: dict[str, Any]) -> bool:
        """Whether every answer counts as the file says it (`sort` refuses none): the common
        case, answered from a set of the (role, question, value) already judged fit, with no
        lists built; `sort` says what is wrong when this is false."""
        fit = self._fit
        questions = self.rubric.questions
        conditions = self.conditions
        conditional = conditions.questions
        for qid, value in raw.items():
            kind = type(value)
            key = (role, qid, kind, value) if kind in _SIMPLE else (role, qid, answer_key(value))
            if key not in fit:
                q = questions.get(qid)
                if value is None and q is not None:
                    continue
                if self.judge(q, qid, value, role) is not None:
                    return False
                fit.add(key)
            if qid in conditional and not conditions.holds(qid, raw):
                return False
        return True

    def all_asked(self, role: str, raw: dict[str, Any]) -> bool:
        """`all_count` for answers whose values are known to fit their questions (an import
        reads every cell through `value_error`): whether each question is asked of `role` and
        its condition holds on `raw`. False when any is not; `sort` says which."""
        asked = self._asked.get(role)
        if asked is None:
            asked = self._asked[role] = frozenset(
                q.id for q in self.rubric.rubric.questions if not q.roles or role in q.roles
            )
        if not raw.keys() <= asked:
            return False
        holds = self.conditions.holds
        return all(holds(qid, raw) for qid in self.conditions.questions.intersection(raw))

    @cached_property
    def _asked(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property
    def _fit(self) -> set[tuple[Any, ...]]:
        return set()

    @cached_property
    def _order(self) -> dict[str, int]:
        return {q.id: i for i, q in enumerate(self.rubric.rubric.questions)}

    def skipped(self, role_conditional: list[str], raw: dict[str, Any]) -> set[str]:
        """Of these conditional questions, the ones whose condition is false on `raw`."""
        holds = self.conditions.holds
        return {qid for qid in role_conditional if not holds(qid, raw)}


class AnswerChecker:
    """Checks answer files against one rubric; what it learns about valid values it keeps."""

    def __init__(self, rubric: LoadedRubric) -> None:
        self.rubric = rubric
        self.rules = AnswerRules(rubric)
        self.conditions = self.rules.conditions

    def errors(self, responses: Responses) -> list[tuple[Loc, str]]:
        """Every answer that does not fit its question, as (location, message)."""
        out: list[tuple[Loc, str]] = []
        role = responses.respondent.role
        raw = responses.answers
        questions = self.rubric.questions
        if self.rules.all_count(role, raw):
            refused: list[Refusal] = []
        else:
            _, refused = self.rules.sort(role, raw)
        for r in refused:
            if r.why is Why.NO_QUESTION:
                message = _unknown_question(r.qid, questions)
            elif r.why is Why.NOT_FOR_ROLE:
                roles = ", ".join(questions[r.qid].roles)
                message = f"'{r.qid}' is asked of {roles}, not of {role}"
            elif r.why is Why.UNFIT:
                message = r.message
            elif r.after_unfit:
                continue  # one error per root cause: the answer it depends on is wrong
            else:
                message = self._not_asked(questions[r.qid], raw)
            out.append((("answers", r.qid), message))
        for qid in responses.notes:
            if qid not in questions:
                out.append((("notes", qid), "note on " + _unknown_question(qid, questions)))
        return out

    def _not_asked(self, q: Question, raw: dict[str, AnswerValue]) -> str:
        """Why an answer is refused when its condition is false, and what to change."""
        expr = self.rubric.conditions.get(q.id)
        by_var = {x.var: x for x in self.rubric.rubric.questions}
        said = []
        for ref in expr.references if expr is not None else ():
            dep = by_var.get(ref.name)
            if dep is not None:
                value = raw.get(dep.id)
                shown = "unanswered" if value is None else _plain(value)
                said.append(f"{dep.id} is {shown}")
        now = f" ({', '.join(dict.fromkeys(said))})" if said else ""
        return (
            f"only asked when {q.when}{now}: remove this answer, or change the answer it depends on"
        )


def _plain(value: AnswerValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _unknown_question(qid: str, questions: Mapping[str, Question]) -> str:
    import difflib

    hint = difflib.get_close_matches(qid, list(questions), n=1)
    return f"unknown question '{qid}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")


def condition_values(rubric: LoadedRubric, raw: dict[str, AnswerValue]) -> dict[str, Any]:
    """Answers as conditions see them: by variable name, reserved answers as none."""
    out: dict[str, Any] = {}
    for qid, value in raw.items():
        q = rubric.questions.get(qid)
        if q is None or value is None or (isinstance(value, str) and value in RESERVED):
            continue
        out[q.var] = coerce(q, value)
    return out


def coerce(q: Question, value: AnswerValue) -> Any:
    """The answer in its question's own type (an option value of 3 read as the string '3')."""
    return KINDS[q.type].coerce(q, value)


def value_error(q: Question, value: AnswerValue, rubric: LoadedRubric) -> str | None:
    """Why `value` is not a valid answer to `q`, or None when it is."""
    if isinstance(value, str) and value in RESERVED:
        if value == NA and not q.allow_na:
            return f"'{q.id}' cannot be answered n/a; answer it or say unknown"
        return None
    return KINDS[q.type].value_error(q, value, rubric.rubric)


def normalise(q: Question, value: AnswerValue, rubric: LoadedRubric) -> float | None:
    """A valid, real answer as a value in 0..1; None for unscored questions and reserved answers."""
    if not q.scored or value is None or (isinstance(value, str) and value in RESERVED):
        return None
    return KINDS[q.type].normalise(q, value, rubric.rubric)
