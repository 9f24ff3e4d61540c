"""text: free text, never scored."""

from __future__ import annotations

from datetime import date
from typing import Any

from alignment_cli.model.models import Question, QuestionType, Rubric
from alignment_cli.model.qtypes.base import CellReader, QuestionKind, show
from alignment_cli.model.qtypes.cells import clean_text, reserved


class TextKind(QuestionKind):
    type = QuestionType.TEXT

    def scored(self, q: Question) -> bool:
        return False

    def coerce(self, q: Question, value: Any) -> Any:
        if isinstance(value, int | float | date) and not isinstance(value, bool):
            return value.isoformat() if isinstance(value, date) else str(value)
        return value

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        if not isinstance(self.coerce(q, value), str):
            return f"expected text; got {show(value)}"
        return None

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        def read(cell: str, n: str) -> Any:
            return reserved(n) or clean_text(cell)

        return read
