"""What choice and multi questions share: a list of options, picked by value, label or number."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from alignment_cli.model.models import RESERVED_ANSWERS, Question, Rubric
from alignment_cli.model.qtypes.base import Bad, BadAnswer, QuestionKind, one_line
from alignment_cli.model.qtypes.cells import loose_text, normalise_text

_INT = re.compile(r"[+-]?\d+")


def numbered(q: Question) -> bool:
    """Options are picked by number 1..k, unless their values are numbers themselves."""
    return not any(o.value.isdigit() for o in q.options)


def option_names(q: Question) -> str:
    return ", ".join(o.value for o in q.options)


def pick_option(q: Question, text: str, hint: str) -> str:
    """A typed option: its value (any case) or, when numbered, its number."""
    values = [o.value for o in q.options]
    for v in values:
        if v.lower() == text.lower():
            return v
    if numbered(q) and _INT.fullmatch(text):
        i = int(text)
        if 1 <= i <= len(values):
            return values[i - 1]
        raise BadAnswer(f"there is no option {i}; {hint}")
    raise BadAnswer(f"'{text}' is not one of the options; {hint}")


def option_tables(q: Question) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """A survey cell's text -> option value: exact (value or label), by number, and loose."""
    exact: dict[str, str] = {}
    numbers: dict[str, str] = {}
    loose: dict[str, str | None] = {}
    for o in q.options:
        exact.setdefault(normalise_text(o.value), o.value)
    for i, o in enumerate(q.options, 1):
        exact.setdefault(normalise_text(o.label), o.value)
        numbers[str(i)] = o.value
        key = loose_text(o.label)
        loose[key] = o.value if loose.get(key, o.value) == o.value else None
    return exact, numbers, {k: v for k, v in loose.items() if v is not None}


class OptionsKind(QuestionKind):
    """The base of choice and multi."""

    fields: ClassVar[tuple[str, ...]] = ("options",)
    schema = {"options": {"minItems": 2}}

    def check(self, bad: Bad, at: tuple[Any, ...], q: Question, rubric: Rubric) -> None:
        from alignment_cli.model.rubric import duplicates

        if len(q.options) < 2:
            bad((*at, "options"), f"a {self.type.value} question needs at least two options")
        duplicates(bad, (*at, "options"), [o.value for o in q.options], field="value")
        scored = [o.score is not None for o in q.options]
        if q.targets:  # scored by its targets: option scores would say something else
            for oi, o in enumerate(q.options):
                if o.score is not None:
                    bad(
                        (*at, "options", oi, "score"),
                        "a question with targets is scored by them: remove the options' scores",
                    )
        elif any(scored) and not all(scored):
            for oi, o in enumerate(q.options):
                if o.score is None:
                    bad((*at, "options", oi), "missing score: score every option or none")
        if (
            q.weight > 0
            and not q.targets
            and not any(scored)
            and not any(o.signals for o in q.options)
        ):
            bad((*at, "options"), "no option has a score or signals: set weight 0 for context")
        for oi, o in enumerate(q.options):
            if o.value in RESERVED_ANSWERS:
                bad((*at, "options", oi, "value"), f"'{o.value}' is reserved for every question")

    def scored(self, q: Question) -> bool:
        return bool(q.targets) or any(o.score is not None for o in q.options)

    def typed(self, q: Question, value: Any) -> str:
        chosen = set(self.coerce(q, value) if isinstance(value, list) else [self.coerce(q, value)])
        picks = [
            str(i) if numbered(q) else o.value
            for i, o in enumerate(q.options, 1)
            if o.value in chosen
        ]
        return " ".join(picks) if picks else ("0" if numbered(q) else "[]")

    def choices(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        return [(str(i) if numbered(q) else o.value, o.label) for i, o in enumerate(q.options, 1)]

    def answers_spec(self, q: Question, rubric: Rubric) -> dict[str, Any]:
        return {"options": [o.value for o in q.options]}

    def allowed_answers(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        return [(o.value, one_line(o.label)) for o in q.options]

    def option_comments(self, q: Question) -> list[tuple[str, str, str]]:
        width = max(len(o.value) for o in q.options)
        return [(o.label, f"     {o.value.ljust(width)} = ", " " * (width + 8)) for o in q.options]
