"""choice: one option out of the question's options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alignment_cli.model.models import Question, QuestionType, Rubric
from alignment_cli.model.qtypes.base import CellError, CellReader, one_line, show
from alignment_cli.model.qtypes.cells import (
    LEADING_INT,
    loose_text,
    normalise_text,
    reserved,
    short,
)
from alignment_cli.model.qtypes.options import (
    OptionsKind,
    numbered,
    option_names,
    option_tables,
    pick_option,
)


class ChoiceKind(OptionsKind):
    type = QuestionType.CHOICE
    fields = ("options", "targets", "tolerance")

    def coerce(self, q: Question, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        values = [o.value for o in q.options]
        if isinstance(value, list | dict | bool) or self.coerce(q, value) not in values:
            return f"unknown option {show(value)}; expected one of: {', '.join(values)}"
        return None

    def normalise(self, q: Question, value: Any, rubric: Rubric) -> float | None:
        if q.targets:  # without the respondent's context: the default target
            return self.on_target(q, value, q.targets[-1].value)
        v = self.coerce(q, value)
        return next(o.score or 0.0 for o in q.options if o.value == v)

    def position(self, q: Question, value: Any) -> float:
        v = self.coerce(q, value)
        return float(next(i for i, o in enumerate(q.options) if o.value == v))

    def display(self, q: Question, v: Any) -> str:
        return next((o.label for o in q.options if o.value == v), str(v))

    def words(self, q: Question, value: Any) -> str:
        labels = {o.value: o.label for o in q.options}
        return labels.get(str(value), str(value)) or "none"

    def hint(self, q: Question, rubric: Rubric) -> str:
        if numbered(q):
            return f"type an option number from 1 to {len(q.options)}"
        return "type one of the option values shown"

    def parse(self, q: Question, text: str, rubric: Rubric, hint: str) -> Any:
        return pick_option(q, text, hint)

    def spoken(self, q: Question, value: Any) -> str:
        v = self.coerce(q, value)
        for i, o in enumerate(q.options, 1):
            if o.value == v:
                return f"{i}. {o.label}" if numbered(q) else f"{o.value}: {o.label}"
        return str(value)

    def form_comments(self, q: Question, rubric: Rubric) -> list[tuple[str, str, str]]:
        return [("Answer one of these values:", "   ", ""), *self.option_comments(q)]

    def markdown(self, q: Question, rubric: Rubric, escape: Callable[[str], str]) -> list[str]:
        return [f"- [ ] {escape(one_line(o.label))}" for o in q.options]

    def cell(self, q: Question, value: Any) -> str:
        labels = {o.value: one_line(o.label) for o in q.options}
        return labels[str(self.coerce(q, value))]

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        exact, numbers, loose = option_tables(q)
        labels = {o.value: normalise_text(o.label) for o in q.options}

        def read(cell: str, n: str) -> Any:
            if n in exact:
                return exact[n]
            if n in numbers:
                return numbers[n]
            word = reserved(n)
            if word:
                return word
            m = LEADING_INT.fullmatch(n)
            if m and m.group(1) in numbers:
                value = numbers[m.group(1)]
                rest = m.group(2)
                if rest in (labels[value], normalise_text(value)) or loose_text(rest) == loose_text(
                    labels[value]
                ):
                    return value
            value_loose = loose.get(loose_text(n))
            if value_loose is not None:
                return value_loose
            raise CellError(
                f"'{short(cell)}' is not an option; expected one of: {option_names(q)} "
                "(or an option's label or number)"
            )

        return read
