"""Answer files: the responses format, finding them, loading them fast, checking them.

One file per respondent. Checking against a rubric yields located problems; locating re-parses
the file with positions, which we only pay for when something is wrong.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, ValidationError

from alignment_cli.clock import as_utc
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.yamlio import Loc, load_data_fast, load_yaml
from alignment_cli.model.expressions import Expression
from alignment_cli.model.models import ID_PATTERN, Model, Question, QuestionType
from alignment_cli.model.rubric import LoadedRubric

NA = "n/a"
UNKNOWN = "unknown"
RESERVED = (NA, UNKNOWN)

AnswerValue = bool | int | float | str | list[str | int | float] | None


class RubricRef(Model):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    version: str
    hash: str | None = None


class Respondent(Model):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
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


def load_response_file(path: Path) -> ResponseFile:
    data: Any = load_data_fast(path)
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
    out: list[ResponseFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            out.append(load_response_file(path))
        except InvalidInput as exc:
            problems.extend(exc.problems or [Problem(str(path), None, None, exc.message)])
    if problems:
        raise InvalidInput(problems)
    return out


def check_against_rubric(
    rubric: LoadedRubric, files: list[ResponseFile], *, carry_over: bool = False
) -> tuple[list[ResponseFile], list[str]]:
    """Refuse answers that do not fit the rubric; return the files to score and any warnings.

    With `carry_over`, files made for another version of the same rubric are scored on the
    answers that still fit, and each dropped answer becomes a warning instead of an error.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    r = rubric.rubric
    roles = {x.id for x in r.roles}
    kept: list[ResponseFile] = []
    checker = AnswerChecker(rubric)
    for rf in files:
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
            answer_problems = checker.errors(rf.responses)
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
            problems.extend(doc.problem(loc, msg) for loc, msg in found)
        else:
            kept.append(rf)
    if problems:
        raise InvalidInput(problems)
    return kept, warnings


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
        key: list[Any] = [qid]
        for ref_id, _ in refs:
            v = answers.get(ref_id)
            key.append((type(v), v) if type(v) in _SIMPLE else answer_key(v))
        k = tuple(key)
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


_SIMPLE = frozenset({int, str, bool, float, type(None)})


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


class AnswerChecker:
    """Checks answer files against one rubric; what it learns about valid values it keeps."""

    def __init__(self, rubric: LoadedRubric) -> None:
        self.rubric = rubric
        self.conditions = Conditions(rubric)
        self._messages: dict[tuple[Any, ...], str | None] = {}

    def errors(self, responses: Responses) -> list[tuple[Loc, str]]:
        """Every answer that does not fit its question, as (location, message)."""
        out: list[tuple[Loc, str]] = []
        role = responses.respondent.role
        raw = responses.answers
        questions = self.rubric.questions
        messages = self._messages
        conditional = self.conditions.questions
        wrong: set[str] = set()  # answers with their own error: their dependents wait for them
        deferred: list[Question] = []
        for qid, value in raw.items():
            q = questions.get(qid)
            if q is None:
                out.append((("answers", qid), _unknown_question(qid, questions)))
                continue
            if value is None:
                continue
            if q.roles and role not in q.roles:
                out.append(
                    (("answers", qid), f"'{qid}' is asked of {', '.join(q.roles)}, not of {role}")
                )
                continue
            kind = type(value)
            key = (qid, kind, value) if kind in _SIMPLE else (qid, answer_key(value))
            try:
                message = messages[key]
            except KeyError:
                message = messages[key] = value_error(q, value, self.rubric)
            if message:
                out.append((("answers", qid), message))
                wrong.add(q.var)
                continue
            if qid in conditional:
                deferred.append(q)
        for q in deferred:  # after every answer's own check, whatever the order in the file
            if not self.conditions.holds(q.id, raw):
                expr = self.rubric.conditions.get(q.id)
                if expr is not None and any(ref.name in wrong for ref in expr.references):
                    continue  # one error per root cause: the answer it depends on is wrong
                out.append((("answers", q.id), self._not_asked(q, raw)))
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


def _unknown_question(qid: str, questions: dict[str, Question]) -> str:
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
    t = q.type
    if t is QuestionType.CHOICE and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if t is QuestionType.MULTI and isinstance(value, list):
        return [str(v) for v in value]
    if t is QuestionType.YESNO and isinstance(value, str):
        return value.strip().lower() in ("yes", "true")
    if (
        t is QuestionType.TEXT
        and isinstance(value, int | float | date)
        and not isinstance(value, bool)
    ):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def _show(value: Any) -> str:
    """An answer quoted in a message, cut short: a message names the value, it does not echo it."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def value_error(q: Question, value: AnswerValue, rubric: LoadedRubric) -> str | None:
    """Why `value` is not a valid answer to `q`, or None when it is."""
    if isinstance(value, str) and value in RESERVED:
        if value == NA and not q.allow_na:
            return f"'{q.id}' cannot be answered n/a; answer it or say unknown"
        return None
    t = q.type
    if t is QuestionType.SCALE:
        scale = q.scale or rubric.rubric.scale
        if isinstance(value, bool) or not isinstance(value, int):
            return (
                f"expected a whole number from {scale.min} to {scale.max}, unknown or n/a; "
                f"got {_show(value)}"
            )
        if not scale.min <= value <= scale.max:
            return f"{value} is outside the scale {scale.min}..{scale.max}"
    elif t is QuestionType.CHOICE:
        values = [o.value for o in q.options]
        if isinstance(value, list | dict | bool) or coerce(q, value) not in values:
            return f"unknown option {_show(value)}; expected one of: {', '.join(values)}"
    elif t is QuestionType.MULTI:
        values = [o.value for o in q.options]
        if not isinstance(value, list):
            return f"expected a list of options from: {', '.join(values)}; got {_show(value)}"
        bad = [v for v in value if isinstance(v, list | dict | bool) or str(v) not in values]
        if bad:
            return f"unknown option {_show(bad[0])}; expected some of: {', '.join(values)}"
    elif t is QuestionType.YESNO:
        if not isinstance(value, bool) and not (
            isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false")
        ):
            return f"expected yes or no (true or false); got {_show(value)}"
    elif t is QuestionType.NUMBER:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return f"expected a number{f' of {q.unit}' if q.unit else ''}; got {_show(value)}"
        if band_for(q, float(value)) is None:
            lo, hi = q.bands[0].min, q.bands[-1].max
            rng = f"{'' if lo is None else f'{lo:g}'}..{'' if hi is None else f'{hi:g}'}"
            return f"{value:g} is outside the range the rubric scores ({rng})"
    elif t is QuestionType.TEXT and not isinstance(coerce(q, value), str):
        return f"expected text; got {_show(value)}"
    return None


def band_for(q: Question, value: float) -> int | None:
    """The band holding `value`: [min, max), except that the last band includes its max, so a
    share can run up to 100 inclusive and no further."""
    last = len(q.bands) - 1
    for i, b in enumerate(q.bands):
        below_max = b.max is None or value < b.max or (i == last and value == b.max)
        if (b.min is None or value >= b.min) and below_max:
            return i
    return None


def normalise(q: Question, value: AnswerValue, rubric: LoadedRubric) -> float | None:
    """A valid, real answer as a value in 0..1; None for unscored questions and reserved answers."""
    if not q.scored or value is None or (isinstance(value, str) and value in RESERVED):
        return None
    t = q.type
    if t is QuestionType.SCALE:
        scale = q.scale or rubric.rubric.scale
        return (int(value) - scale.min) / (scale.max - scale.min)  # type: ignore[arg-type]
    if t is QuestionType.CHOICE:
        v = coerce(q, value)
        return next(o.score or 0.0 for o in q.options if o.value == v)
    if t is QuestionType.MULTI:
        chosen = set(coerce(q, value))
        return min(1.0, math.fsum(o.score or 0.0 for o in q.options if o.value in chosen))
    if t is QuestionType.YESNO:
        yes = bool(coerce(q, value))
        return float(yes != q.invert)
    if t is QuestionType.NUMBER:
        i = band_for(q, float(value))  # type: ignore[arg-type]
        return None if i is None else q.bands[i].score
    return None


def slug(name: str) -> str:
    """File-name slug for a respondent: 'Dana Lee' -> 'dana-lee'."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return s or "respondent"
