"""What every question type provides, so the rest of the code asks instead of branching.

One subclass of `QuestionKind` per type (like click's parameter types): it checks its own
definition, reads, checks and scores its answers, and says how they look in interviews, forms,
survey exports and reports. Only data and text live here; rich renderables stay in cli/views.
Kinds are stateless singletons (see `qtypes.kind_of`); every method takes the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from alignment_cli.model.models import RESERVED_ANSWERS, Question, QuestionType, Rubric, Scale

NA, UNKNOWN = RESERVED_ANSWERS
ESCAPE = "\\"  # the interview's escape: a line starting with it is an answer, never a key

# The rubric checker's reporter: bad(location, message, at_key=False).
Bad = Callable[..., None]
# A survey cell reader: (the cell as exported, its normalised text) -> an answer value.
CellReader = Callable[[str, str], Any]

_LINE_BREAKS = re.compile(r"[\r\n\x85\u2028\u2029]+")


class CellError(ValueError):
    """A cell that cannot be read as an answer to its question."""


class BadAnswer(ValueError):
    """A typed line that is no valid answer; the message says what would be."""


def show(value: Any) -> str:
    """An answer quoted in a message, cut short: a message names the value, it does not echo it."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def one_line(text: object) -> str:
    """Text on one line: YAML comments and CSV headers must not break (NEL and LS count too)."""
    return _LINE_BREAKS.sub(" ", str(text)).strip()


class QuestionKind:
    """The rules of one question type. Defaults suit a type with no extra fields."""

    type: ClassVar[QuestionType]
    # The type-specific fields of `Question` this type uses (others must stay empty).
    fields: ClassVar[tuple[str, ...]] = ()
    # JSON Schema additions for this type: {field: constraint}, and required fields.
    schema: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()
    # Fields of which the JSON Schema requires at least one (what scores a number question).
    required_any: ClassVar[tuple[str, ...]] = ()

    # --- the definition in the rubric

    def check(self, bad: Bad, at: tuple[Any, ...], q: Question, rubric: Rubric) -> None:
        """Report what is wrong with `q`'s type-specific fields (rules that need the rubric)."""

    def scale(self, q: Question, rubric: Rubric) -> Scale | None:
        """The scale answers run on; None for types that are not on a scale."""
        return None

    def scored(self, q: Question) -> bool:
        """Whether answers feed a score (weight 0 aside)."""
        return True

    # --- answer values

    def coerce(self, q: Question, value: Any) -> Any:
        """The answer in the type's own terms (an option value of 3 read as the string '3')."""
        return value

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        """Why a real (not reserved, not None) `value` does not fit, or None when it does."""
        raise NotImplementedError

    def normalise(self, q: Question, value: Any, rubric: Rubric) -> float | None:
        """A valid, real answer of a scored question as 0..1."""
        return None

    def position(self, q: Question, value: Any) -> float:
        """A valid, real answer (or a target's value) where `targets` measure distance from:
        only the types that take targets have one."""
        raise NotImplementedError

    def on_target(self, q: Question, value: Any, target: Any) -> float:
        """The score of a real answer against a target: 1 on it, falling in a straight line to
        0 at `tolerance` away; with a `target_side`, 1 on the side that costs nothing
        (docs/scoring.md)."""
        beyond = self.position(q, value) - self.position(q, target)
        if (q.target_side == "at_least" and beyond >= 0) or (
            q.target_side == "at_most" and beyond <= 0
        ):
            return 1.0
        return max(0.0, 1.0 - abs(beyond) / (q.tolerance or 1.0))

    def canonical(self, q: Question, v: Any) -> Any:
        """A coerced answer as counted: equal answers compare and hash equal."""
        return v

    # --- how answers read to people

    def display(self, q: Question, v: Any) -> str:
        """A coerced answer as people read it in the report's appendix."""
        return str(v)

    def words(self, q: Question, value: Any) -> str:
        """The most common answer (as a trigger saw it) in a recommendation's evidence."""
        return str(value)

    def phrases(self, q: Question, shown: str, scale_max: int) -> list[str] | float:
        """An appendix answer (`display` text) as counted phrases, or a number to summarise."""
        return [shown]

    # --- the interview

    def hint(self, q: Question, rubric: Rubric) -> str:
        """What a valid answer looks like, in a few words."""
        return f"type the answer (start it with {ESCAPE} if it equals a key)"

    def parse(self, q: Question, text: str, rubric: Rubric, hint: str) -> Any:
        """A typed (non-empty) line as an answer; BadAnswer says what to type instead."""
        return text

    def spoken(self, q: Question, value: Any) -> str:
        """A real answer as the interviewer would say it."""
        return str(value)

    def typed(self, q: Question, value: Any) -> str:
        """What one would type to give a real answer again."""
        return f"{value:g}" if isinstance(value, float) else str(value)

    def choices(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        """(key to type, label) rows shown under the question; none for most types."""
        return []

    def inline_choices(self, q: Question) -> str:
        """The keys on one line, for types with a couple of fixed answers."""
        return ""

    def choices_note(self, q: Question) -> str:
        """A quiet line under the choices ('several may apply', the unit)."""
        return ""

    # --- forms, survey exports and imports

    def answers_spec(self, q: Question, rubric: Rubric) -> dict[str, Any]:
        """What an answer may be, for scripts (`alignment rubric show --format json`)."""
        return {}

    def allowed_answers(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        """(answer as written in an answer file, label a survey shows) per allowed answer."""
        return [("", "free text")]

    def form_comments(self, q: Question, rubric: Rubric) -> list[tuple[str, str, str]]:
        """The YAML form's instructions: (text, first-line prefix, later-line prefix)."""
        return [("Answer in your own words, between double quotes.", "   ", "")]

    def markdown(self, q: Question, rubric: Rubric, escape: Callable[[str], str]) -> list[str]:
        """The printable questionnaire's answer lines (before Don't know)."""
        return ["Answer:", "", "_" * 60, "", "_" * 60, ""]

    def cell(self, q: Question, value: Any) -> str:
        """A real answer as a survey tool exports it (the inverse of `cell_reader`)."""
        return str(value)

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        """A function reading this question's survey cells; CellError says why not."""
        raise NotImplementedError
