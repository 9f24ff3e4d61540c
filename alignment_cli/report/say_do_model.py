"""Figure and the say-vs-do rows: the part of the report's model that the terminal's scorecard
needs too, apart from the rest (report/model.py re-exports them) so that `score` does not build
the report's other models at start-up (bench/run.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIGURE_OK = re.compile(r"^[0-9A-Za-z %+\-−–.,:/()×†]*$")


class Figure(str):
    """A number, date or fixed word this module formatted: no Markdown or HTML specials in it."""

    __slots__ = ()

    def __new__(cls, text: str) -> Figure:
        if not _FIGURE_OK.match(text):
            raise ValueError(f"not a plain figure: {text!r}")
        return super().__new__(cls, text)


# Say vs do (report/say_do.py builds them; docs/scoring.md, section 5b, defines them)


@dataclass(frozen=True)
class Said:
    role: str
    value: Figure  # "80 percent"
    difference: Figure  # "+17.8 percent": said minus measured


@dataclass(frozen=True)
class SayDoRow:
    question: str  # its text
    metric: str
    measured: Figure  # "62.3 percent"
    measured_score: Figure  # points, or a dash when the question's bands do not cover it
    replaced: bool
    said: list[Said]


@dataclass(frozen=True)
class CalibrationRow:
    role: str
    questions: int
    mean_difference: Figure  # points, signed
    mean_absolute: Figure  # points


@dataclass(frozen=True)
class BenchmarkLine:
    benchmark: str  # its id
    question: str
    client: str  # "the CRM shows 62.3%" or "answers: Sales 80% (2); Marketing 60%"
    measured: bool


@dataclass(frozen=True)
class SayDo:
    rows: list[SayDoRow]
    calibration: list[CalibrationRow]
    policy: str | None  # replace or beside; None without evidence
    source: str | None  # the evidence file and its period

    @property
    def present(self) -> bool:
        return bool(self.rows)
