"""scale: a whole number on the question's scale (or the rubric's), anchors naming the levels."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from alignment_cli.model.models import Question, QuestionType, Rubric, Scale
from alignment_cli.model.qtypes.base import (
    Bad,
    BadAnswer,
    CellError,
    CellReader,
    QuestionKind,
    one_line,
    show,
)
from alignment_cli.model.qtypes.cells import (
    LEADING_INT,
    loose_text,
    normalise_text,
    reserved,
    short,
)

_INT = re.compile(r"[+-]?\d+")


class ScaleKind(QuestionKind):
    type = QuestionType.SCALE
    fields = ("anchors", "scale", "targets", "tolerance")

    def scale(self, q: Question, rubric: Rubric) -> Scale:
        return q.scale or rubric.scale

    def check(self, bad: Bad, at: tuple[Any, ...], q: Question, rubric: Rubric) -> None:
        scale = self.scale(q, rubric)
        if scale.min >= scale.max:
            if q.scale is not None:  # a bad rubric-wide scale is reported once, at the top
                bad((*at, "scale", "max"), f"must be above min ({scale.min}), got {scale.max}")
            return
        for key in q.anchors:
            if not scale.min <= key <= scale.max:
                bad(
                    (*at, "anchors", key),
                    f"anchor {key} is outside the scale {scale.min}..{scale.max}",
                    at_key=True,
                )

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        scale = q.scale or rubric.scale
        if isinstance(value, bool) or not isinstance(value, int):
            return (
                f"expected a whole number from {scale.min} to {scale.max}, unknown or n/a; "
                f"got {show(value)}"
            )
        if not scale.min <= value <= scale.max:
            return f"{value} is outside the scale {scale.min}..{scale.max}"
        return None

    def normalise(self, q: Question, value: Any, rubric: Rubric) -> float | None:
        if q.targets:  # without the respondent's context: the default target
            return self.on_target(q, value, q.targets[-1].value)
        scale = q.scale or rubric.scale
        return (int(value) - scale.min) / (scale.max - scale.min)

    def position(self, q: Question, value: Any) -> float:
        return float(value)  # a step of the scale is 1

    def phrases(self, q: Question, shown: str, scale_max: int) -> list[str] | float:
        return [f"{shown} of {scale_max}"]

    def hint(self, q: Question, rubric: Rubric) -> str:
        scale = self.scale(q, rubric)
        return f"type a whole number from {scale.min} to {scale.max}"

    def parse(self, q: Question, text: str, rubric: Rubric, hint: str) -> Any:
        scale = self.scale(q, rubric)
        if not _INT.fullmatch(text):
            raise BadAnswer(f"'{text}' is not a whole number; {hint}")
        level = int(text)
        if not scale.min <= level <= scale.max:
            raise BadAnswer(f"{level} is outside {scale.min}..{scale.max}; {hint}")
        return level

    def choices(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        scale = self.scale(q, rubric)
        return [(str(level), q.anchors.get(level, "")) for level in range(scale.min, scale.max + 1)]

    def answers_spec(self, q: Question, rubric: Rubric) -> dict[str, Any]:
        scale = self.scale(q, rubric)
        return {"min": scale.min, "max": scale.max}

    def allowed_answers(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        scale = self.scale(q, rubric)
        return [
            (str(i), f"{i} - {one_line(q.anchors[i])}" if i in q.anchors else str(i))
            for i in range(scale.min, scale.max + 1)
        ]

    def form_comments(self, q: Question, rubric: Rubric) -> list[tuple[str, str, str]]:
        scale = self.scale(q, rubric)
        out = [(f"Answer a whole number from {scale.min} to {scale.max}:", "   ", "")]
        out += [(q.anchors[key], f"     {key} = ", "         ") for key in sorted(q.anchors)]
        return out

    def markdown(self, q: Question, rubric: Rubric, escape: Callable[[str], str]) -> list[str]:
        scale = self.scale(q, rubric)
        out = []
        for i in range(scale.min, scale.max + 1):
            anchor = f" {escape(one_line(q.anchors[i]))}" if i in q.anchors else ""
            out.append(f"- [ ] **{i}**{anchor}")
        return out

    def cell(self, q: Question, value: Any) -> str:
        return f"{value} - {one_line(q.anchors[value])}" if value in q.anchors else str(value)

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        anchors = {normalise_text(t): k for k, t in q.anchors.items()}
        loose = {loose_text(t): k for k, t in q.anchors.items()}
        scale = self.scale(q, rubric)
        lo, hi = scale.min, scale.max

        def read(cell: str, n: str) -> Any:
            if re.fullmatch(r"[-+]?\d+", n):
                return int(n)
            m = re.fullmatch(r"([-+]?\d+)[.,](\d+)", n)
            if m:
                if int(m.group(2)) == 0:
                    return int(m.group(1))
                raise CellError(f"'{short(cell)}' is not a whole number from {lo} to {hi}")
            word = reserved(n)
            if word:
                return word
            if n in anchors:
                return anchors[n]
            m = LEADING_INT.fullmatch(n)
            if m:
                return int(m.group(1))  # "4 - Mostly": the survey's own label after the number
            k = loose.get(loose_text(n))
            if k is not None:
                return k
            raise CellError(
                f"'{short(cell)}' is not an answer from {lo} to {hi} "
                "(a number, a number and its label like '4 - Mostly', or an anchor's text)"
            )

        return read
