"""The interview core: which question comes next, what a typed line means, what an answer changes.

Pure: no I/O, no printing, no clock. `cli/audit_cmd.py` reads lines, asks this module what they
mean, shows the result and saves `Interview.responses(now)` after every change. Keeping the
decisions here lets tests drive a whole interview without a terminal.

The keys are the same at every question (see docs/interview.md):

    Enter  keep the answer shown as the default     ?  help       u  don't know
    -      not applicable (where allowed)           +  add a note b  back      q  save and quit

A line that starts with a backslash is always an answer, never a key (`\\q` answers "q").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from alignment_cli.files import answer_file
from alignment_cli.files.responses import (
    NA,
    RESERVED,
    UNKNOWN,
    AnswerRules,
    AnswerValue,
    Refusal,
    Respondent,
    Responses,
    RubricRef,
    Why,
    condition_values,
    value_error,
)
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.qtypes.base import ESCAPE as ESCAPE  # re-exported: the keys' escape
from alignment_cli.model.qtypes.base import BadAnswer as BadAnswer  # re-exported
from alignment_cli.model.qtypes.options import numbered as numbered  # re-exported
from alignment_cli.model.rubric import LoadedRubric

KEY_HELP = "?"
KEY_UNKNOWN = "u"
KEY_NA = "-"
KEY_NOTE = "+"
KEY_BACK = "b"
KEY_QUIT = "q"

# (key, what it does), in the order they are shown under every question.
KEYS: tuple[tuple[str, str], ...] = (
    (KEY_HELP, "help"),
    (KEY_UNKNOWN, "don't know"),
    (KEY_NA, "n/a"),
    (KEY_NOTE, "note"),
    (KEY_BACK, "back"),
    (KEY_QUIT, "save & quit"),
)


class Kind(StrEnum):
    ANSWER = "answer"  # `value` holds the answer, already checked against the question
    KEEP = "keep"  # Enter on a question that has an answer: keep it
    HELP = "help"
    NOTE = "note"  # `text` holds the note, or "" to ask for it on the next line
    BACK = "back"
    QUIT = "quit"
    INVALID = "invalid"  # `text` says what to type instead


@dataclass(frozen=True)
class Action:
    """What one typed line means at one question."""

    kind: Kind
    value: AnswerValue = None
    text: str = ""


# --- reading a typed line ------------------------------------------------------------------


def interpret(line: str, q: Question, rubric: LoadedRubric, *, has_default: bool) -> Action:
    """The meaning of `line` typed at question `q`: a key, an answer, or a hint to try again."""
    raw = line.strip()
    if raw.startswith(ESCAPE):
        return _answer(q, raw[len(ESCAPE) :].strip(), rubric)
    low = raw.lower()
    if not raw:
        if has_default:
            return Action(Kind.KEEP)
        na = f", {KEY_NA} for not applicable" if q.allow_na else ""
        return Action(
            Kind.INVALID, text=f"{answer_hint(q, rubric)}; or {KEY_UNKNOWN} for don't know{na}"
        )
    if raw == KEY_HELP:
        return Action(Kind.HELP)
    if low in (KEY_UNKNOWN, UNKNOWN):
        return Action(Kind.ANSWER, UNKNOWN)
    if low in (KEY_NA, NA, "na"):
        if not q.allow_na:
            return Action(
                Kind.INVALID,
                text=f"this question cannot be answered n/a; {answer_hint(q, rubric)}, "
                f"or {KEY_UNKNOWN} for don't know",
            )
        return Action(Kind.ANSWER, NA)
    if raw.startswith(KEY_NOTE):
        return Action(Kind.NOTE, text=raw[len(KEY_NOTE) :].strip())
    if low == KEY_BACK:
        return Action(Kind.BACK)
    if low == KEY_QUIT:
        return Action(Kind.QUIT)
    return _answer(q, raw, rubric)


def _answer(q: Question, text: str, rubric: LoadedRubric) -> Action:
    try:
        value = parse_value(q, text, rubric)
    except BadAnswer as exc:
        return Action(Kind.INVALID, text=str(exc))
    problem = value_error(q, value, rubric)
    if problem:
        return Action(Kind.INVALID, text=f"{problem}; {answer_hint(q, rubric)}")
    return Action(Kind.ANSWER, value)


def parse_value(q: Question, text: str, rubric: LoadedRubric) -> AnswerValue:
    """The typed text as an answer value of `q`'s type; BadAnswer says what to type instead."""
    hint = answer_hint(q, rubric)
    if not text:
        raise BadAnswer(hint)
    value: AnswerValue = KINDS[q.type].parse(q, text, rubric.rubric, hint)
    return value


def answer_hint(q: Question, rubric: LoadedRubric) -> str:
    """What a valid answer to `q` looks like, in a few words."""
    return KINDS[q.type].hint(q, rubric.rubric)


def format_value(q: Question, value: AnswerValue) -> str:
    """An answer as the interviewer would say it: '4', 'yes', 'established (Established: ...)'."""
    if value is None:
        return "–"
    if isinstance(value, str) and value in RESERVED:
        return "don't know" if value == UNKNOWN else "not applicable"
    return KINDS[q.type].spoken(q, value)


def default_input(q: Question, value: AnswerValue) -> str:
    """What one would type to give `value` again (shown next to the default)."""
    if isinstance(value, str) and value in RESERVED:
        return KEY_UNKNOWN if value == UNKNOWN else KEY_NA
    return KINDS[q.type].typed(q, value)


# --- the walk through the rubric -----------------------------------------------------------


def questions_asked(
    rubric: LoadedRubric, role: str, answers: dict[str, AnswerValue]
) -> list[Question]:
    """The questions for `role` whose conditions hold on `answers`, in rubric order."""
    values = condition_values(rubric, answers)
    out = []
    for q in rubric.questions_for(role):
        cond = rubric.conditions.get(q.id)
        if cond is None or cond.evaluate({"answers": values}):
            out.append(q)
    return out


def unfit_answers(
    rubric: LoadedRubric,
    role: str,
    answers: dict[str, AnswerValue],
    pending: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    """Answers that `alignment score` would refuse, as (question id, why), in answer order.

    Conditions are judged on the answers that remain, question by question, so an answer that
    only fails because an earlier one was dropped is dropped too. A condition that reads a
    `pending` question (a saved answer that does not fit and will be asked again) is not judged
    yet: the answers that depend on it wait for the new answer.
    """
    _, refused = AnswerRules(rubric).sort(role, answers, cascade=True, pending=pending)
    return [(r.qid, _why(rubric, role, r)) for r in refused]


def _why(rubric: LoadedRubric, role: str, r: Refusal) -> str:
    """A dropped answer's reason, as the interview tells it."""
    if r.why is Why.NO_QUESTION:
        return f"the rubric has no question '{r.qid}'"
    q = rubric.questions[r.qid]
    if r.why is Why.NOT_FOR_ROLE:
        return f"it is asked of {', '.join(q.roles)}, not of {role}"
    if r.why is Why.UNFIT:
        return r.message
    return f"its condition no longer holds: {q.when}"


@dataclass
class Interview:
    """One respondent's walk through a rubric: the answers so far and the question at hand.

    `at` is the id of the question being asked; None once every question has been passed.
    """

    rubric: LoadedRubric
    role: str
    name: str
    organization: str | None = None
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    started: datetime | None = None
    at: str | None = None
    rerun: bool = False  # every question was answered before: answers are offered as defaults
    dropped: list[tuple[str, str]] = field(default_factory=list)
    # Saved answers that do not fit their question (a hand edit): kept in the file, as typed,
    # until the question is answered again. Nothing a person typed is thrown away unasked.
    held: dict[str, AnswerValue] = field(default_factory=dict)

    @classmethod
    def begin(
        cls,
        rubric: LoadedRubric,
        role: str,
        name: str,
        *,
        organization: str | None = None,
        previous: Responses | None = None,
        cursor: str | None = None,
    ) -> Interview:
        """Start, or continue from `previous` answers: at `cursor`, unless an earlier question is
        still open (then there), else at the first open question.

        When every question already has an answer the interview starts again from the top with
        those answers as defaults (a quarterly update). Answers that no longer fit the rubric
        (another version, a hand edit) are left out and listed in `dropped`.
        """
        answers: dict[str, AnswerValue] = {}
        notes: dict[str, str] = {}
        started = None
        dropped: list[tuple[str, str]] = []
        if previous is not None:
            answers = dict(previous.answers)
            notes = {k: v for k, v in previous.notes.items() if k in rubric.questions}
            started = previous.started or previous.updated
            rules = AnswerRules(rubric)
            _, refused = rules.sort(role, answers, cascade=True)
            dropped = [(r.qid, _why(rubric, role, r)) for r in refused] + [
                (k, f"a note on a question the rubric does not have: {v!r}")
                for k, v in previous.notes.items()
                if k not in rubric.questions
            ]
            held = {r.qid: answers[r.qid] for r in refused if r.why is Why.UNFIT}
            if held:  # their dependents wait for the new answer instead of going
                dropped = unfit_answers(rubric, role, answers, frozenset(held))
            for qid, _ in dropped:
                answers.pop(qid, None)
            answers = {k: v for k, v in answers.items() if v is not None}
        else:
            held = {}
        iv = cls(
            rubric, role, name, organization, answers, notes, started, dropped=dropped, held=held
        )
        ids = [q.id for q in iv.plan()]
        open_ = iv.open_questions()
        iv.rerun = bool(answers) and not open_
        if not ids:
            iv.at = None
        elif cursor in ids and not (open_ and ids.index(open_[0].id) < ids.index(cursor)):
            iv.at = cursor
        elif open_:
            iv.at = open_[0].id  # an open question before the cursor comes first
        else:
            iv.at = ids[0]
        return iv

    # queries

    def plan(self) -> list[Question]:
        return questions_asked(self.rubric, self.role, self.answers)

    def current(self) -> Question | None:
        return None if self.at is None else self.rubric.questions[self.at]

    def position(self) -> tuple[int, int]:
        """(n, total): the question at hand is question n of total."""
        ids = [q.id for q in self.plan()]
        n = ids.index(self.at) + 1 if self.at in ids else len(ids)
        return n, len(ids)

    def answered(self) -> int:
        return sum(1 for q in self.plan() if q.id in self.answers)

    def open_questions(self) -> list[Question]:
        return [q for q in self.plan() if q.id not in self.answers]

    @property
    def finished(self) -> bool:
        return self.at is None

    def default(self) -> tuple[bool, AnswerValue]:
        """(has one, value): the answer Enter keeps at the question at hand."""
        if self.at is not None and self.at in self.answers:
            return True, self.answers[self.at]
        return False, None

    # changes

    def answer(self, value: AnswerValue) -> list[tuple[str, str]]:
        """Record an answer and move on; returns later answers that no longer apply (dropped).

        A changed answer can make a later question's condition false; its answer would then be
        refused by `alignment score`, so it goes (its note stays: nothing typed is thrown away).
        """
        if self.at is None:
            raise RuntimeError("the interview is finished")
        q = self.rubric.questions[self.at]
        problem = value_error(q, value, self.rubric)
        if problem:
            raise BadAnswer(problem)
        self.answers[self.at] = value
        self.held.pop(self.at, None)
        dropped = unfit_answers(self.rubric, self.role, self.answers, frozenset(self.held))
        for qid, _ in dropped:
            self.answers.pop(qid, None)
        self._advance()
        return dropped

    def keep(self) -> None:
        """Enter on an answered question: keep the answer, move on."""
        if self.at is None or self.at not in self.answers:
            raise RuntimeError("nothing to keep")
        self._advance()

    def back(self) -> bool:
        """Go to the previous question asked; False when already at the first."""
        ids = [q.id for q in self.plan()]
        if self.at is None:
            if not ids:
                return False
            self.at = ids[-1]
            return True
        i = ids.index(self.at)
        if i == 0:
            return False
        self.at = ids[i - 1]
        return True

    def add_note(self, text: str) -> None:
        """Attach a note to the question at hand; a second note is added on a new line."""
        text = text.strip()
        if self.at is None or not text:
            return
        old = self.notes.get(self.at)
        self.notes[self.at] = f"{old}\n{text}" if old else text

    def _advance(self) -> None:
        ids = [q.id for q in self.plan()]
        i = ids.index(self.at) if self.at in ids else -1
        if i + 1 < len(ids):
            self.at = ids[i + 1]
            return
        open_ = self.open_questions()
        self.at = open_[0].id if open_ else None

    # output

    def responses(self, now: datetime) -> Responses:
        """The answers so far in the responses format, stamped `now` (`started` the first time)."""
        r = self.rubric.rubric
        if self.started is None:
            self.started = now
        return Responses(
            rubric=RubricRef(id=r.id, version=r.version, hash=self.rubric.content_hash),
            respondent=Respondent(name=self.name, role=self.role),
            organization=self.organization,
            started=self.started,
            updated=now,
            answers=self._ordered({**self.held, **self.answers}),
            notes=self._ordered(self.notes),
        )

    def _ordered(self, mapping: dict[str, Any]) -> dict[str, Any]:
        order = {q.id: i for i, q in enumerate(self.rubric.rubric.questions)}
        return {k: mapping[k] for k in sorted(mapping, key=lambda k: order.get(k, len(order)))}


# --- the answer file -----------------------------------------------------------------------


def responses_text(responses: Responses, rubric: LoadedRubric) -> str:
    """The answer file as YAML (files/answer_file.py writes every answer file).

    The text loads back to the same `Responses` (tested), so nothing a person typed is altered.
    """
    return answer_file.responses_text(responses, rubric)
