"""yesno: true or false; `invert` makes no the good answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alignment_cli.model.models import Question, QuestionType, Rubric
from alignment_cli.model.qtypes.base import BadAnswer, CellError, CellReader, QuestionKind, show
from alignment_cli.model.qtypes.cells import NO_WORDS, YES_WORDS, reserved, short


class YesNoKind(QuestionKind):
    type = QuestionType.YESNO
    fields = ("invert",)

    def coerce(self, q: Question, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() in ("yes", "true")
        return value

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        if not isinstance(value, bool) and not (
            isinstance(value, str) and value.strip().lower() in ("yes", "no", "true", "false")
        ):
            return f"expected yes or no (true or false); got {show(value)}"
        return None

    def normalise(self, q: Question, value: Any, rubric: Rubric) -> float | None:
        yes = bool(self.coerce(q, value))
        return float(yes != q.invert)

    def display(self, q: Question, v: Any) -> str:
        return "yes" if v else "no"

    def words(self, q: Question, value: Any) -> str:
        return "yes" if value is True else "no" if value is False else str(value)

    def hint(self, q: Question, rubric: Rubric) -> str:
        return "type y or n"

    def parse(self, q: Question, text: str, rubric: Rubric, hint: str) -> Any:
        low = text.lower()
        if low in ("y", "yes", "true"):
            return True
        if low in ("n", "no", "false"):
            return False
        raise BadAnswer(f"'{text}' is neither yes nor no; {hint}")

    def spoken(self, q: Question, value: Any) -> str:
        return "yes" if self.coerce(q, value) else "no"

    def typed(self, q: Question, value: Any) -> str:
        return "y" if self.coerce(q, value) else "n"

    def inline_choices(self, q: Question) -> str:
        return "y yes    n no"

    def answers_spec(self, q: Question, rubric: Rubric) -> dict[str, Any]:
        return {"options": [True, False]}

    def allowed_answers(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def form_comments(self, q: Question, rubric: Rubric) -> list[tuple[str, str, str]]:
        return [("Answer yes or no.", "   ", "")]

    def markdown(self, q: Question, rubric: Rubric, escape: Callable[[str], str]) -> list[str]:
        return ["- [ ] Yes", "- [ ] No"]

    def cell(self, q: Question, value: Any) -> str:
        return "Yes" if self.coerce(q, value) else "No"

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        def read(cell: str, n: str) -> Any:
            if n in YES_WORDS:
                return True
            if n in NO_WORDS:
                return False
            word = reserved(n)
            if word:
                return word
            raise CellError(f"'{short(cell)}' is not yes or no")

        return read
