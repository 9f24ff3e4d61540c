"""number: a number (of a unit) scored by the band it falls in, by a curve, or by targets."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from typing import Any

from alignment_cli.model.models import Curve, Question, QuestionType, Rubric
from alignment_cli.model.qtypes.base import (
    Bad,
    BadAnswer,
    CellError,
    CellReader,
    QuestionKind,
    show,
)
from alignment_cli.model.qtypes.cells import (
    NUMBER_AND_UNIT,
    UNIT_WORDS,
    normalise_text,
    parse_number,
    reserved,
    short,
)

_INT = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def band_for(q: Question, value: float) -> int | None:
    """The band holding `value`: [min, max), except that the last band includes its max, so a
    share can run up to 100 inclusive and no further."""
    last = len(q.bands) - 1
    for i, b in enumerate(q.bands):
        below_max = b.max is None or value < b.max or (i == last and value == b.max)
        if (b.min is None or value >= b.min) and below_max:
            return i
    return None


def curve_score(curve: Curve, value: float) -> float:
    """The curve's score of `value`: the first point's score below it, the last's above, and
    between two points the straight line between them, in the answer (linear axis) or in its
    logarithm (log axis, where an answer of 0 or less takes the first score)."""
    points = curve.points
    if curve.axis == "log":
        if value <= 0:
            return points[0].score
        x = math.log(value)
        ats = [math.log(p.at) for p in points]
    else:
        x = value
        ats = [p.at for p in points]
    if x <= ats[0]:
        return points[0].score
    if x >= ats[-1]:
        return points[-1].score
    i = bisect.bisect_right(ats, x)  # ats[i - 1] <= x < ats[i]
    a, b = points[i - 1], points[i]
    t = min(1.0, max(0.0, (x - ats[i - 1]) / (ats[i] - ats[i - 1])))
    s = a.score + t * (b.score - a.score)
    return min(max(s, min(a.score, b.score)), max(a.score, b.score))  # no float overshoot


def _accepted(q: Question) -> tuple[float | None, float | None]:
    """The lowest and highest answers the question takes (None: no bound)."""
    if q.bands:
        return q.bands[0].min, q.bands[-1].max
    if q.curve is not None:
        return q.curve.min, q.curve.max
    return None, None


def _check_curve(bad: Bad, at: tuple[Any, ...], curve: Curve) -> None:
    points = curve.points
    for i in range(1, len(points)):
        if points[i].at <= points[i - 1].at:
            bad(
                (*at, "points", i, "at"),
                f"points must ascend: {points[i].at:g} is not above {points[i - 1].at:g}",
            )
    if curve.axis == "log":
        for i, p in enumerate(points):
            if p.at <= 0:
                bad((*at, "points", i, "at"), f"a log axis needs every at above 0, got {p.at:g}")
    if curve.min is not None and curve.max is not None and curve.min >= curve.max:
        bad((*at, "max"), f"must be above min ({curve.min:g}), got {curve.max:g}")


def _of_unit(q: Question) -> str:
    return f" of {q.unit}" if q.unit else ""


def range_text(q: Question) -> str:
    """The answers the rubric accepts, for a form: 'from 0 to 100' (a curve's bounds, or the
    outer band edges, never the inner ones, which would show how answers score); empty when
    unbounded."""
    if q.curve is not None:
        lo, hi = q.curve.min, q.curve.max
    else:
        lo = q.bands[0].min if q.bands else None
        hi = q.bands[-1].max if q.bands else None
    if lo is not None and hi is not None:
        return f"from {lo:g} to {hi:g}"
    if lo is not None:
        return f"{lo:g} or more"
    return "" if hi is None else f"at most {hi:g}"


def _curve_range(q: Question) -> str:
    """A curve's bounds in words (' from 0 to 100'); bands keep their hints as they were."""
    if q.curve is None:
        return ""
    lo, hi = q.curve.min, q.curve.max
    if lo is not None and hi is not None:
        return f" from {lo:g} to {hi:g}"
    if lo is not None:
        return f" of at least {lo:g}"
    return "" if hi is None else f" of at most {hi:g}"


def _check_evidence(bad: Bad, at: tuple[Any, ...], q: Question) -> None:
    """The metric exists and its unit reads in the question's (a share as percent)."""
    import difflib

    from alignment_cli.model.metrics import METRICS, UNIT_FACTORS, unit_factor

    metric = q.evidence or ""
    if metric not in METRICS:
        hint = difflib.get_close_matches(metric, sorted(METRICS), n=1)
        bad(
            (*at, "evidence"),
            f"unknown metric '{metric}'"
            + (f" (did you mean '{hint[0]}'?)" if hint else " (see docs/evidence.md)"),
        )
    elif unit_factor(metric, q.unit) is None:
        fits = ", ".join(repr(u) for u in UNIT_FACTORS[METRICS[metric].unit] if u)
        bad(
            (*at, "evidence"),
            f"metric '{metric}' is in {METRICS[metric].unit}; the question's unit "
            f"'{q.unit}' cannot read it (use one of {fits})",
        )


class NumberKind(QuestionKind):
    type = QuestionType.NUMBER
    fields = ("bands", "curve", "unit", "evidence", "targets", "tolerance")
    schema = {"bands": {"minItems": 1}}
    required_any = ("bands", "curve", "targets")

    def check(self, bad: Bad, at: tuple[Any, ...], q: Question, rubric: Rubric) -> None:
        if q.evidence is not None:
            _check_evidence(bad, at, q)
        if q.targets:
            for name in ("bands", "curve"):
                if getattr(q, name):
                    bad((*at, name), f"a question with targets is scored by them: remove {name}")
            return
        if q.curve is not None:
            if q.bands:
                bad((*at, "curve"), "bands and a curve both score the answers: keep one")
            _check_curve(bad, (*at, "curve"), q.curve)
            return
        bands = q.bands
        if not bands:
            bad(at, "a number question needs bands, a curve or targets that score its answers")
            return
        for i, b in enumerate(bands):
            if b.min is not None and b.max is not None and b.min >= b.max:
                bad((*at, "bands", i, "max"), f"must be above min ({b.min:g}), got {b.max:g}")
            if b.min is None and i > 0:
                bad((*at, "bands", i), "only the first band may leave out min")
            if b.max is None and i < len(bands) - 1:
                bad((*at, "bands", i), "only the last band may leave out max")
        for i in range(1, len(bands)):
            prev, cur = bands[i - 1], bands[i]
            if prev.max is None or cur.min is None:
                continue
            if cur.min > prev.max:
                bad(
                    (*at, "bands", i, "min"),
                    f"gap between bands: nothing scores values from {prev.max:g} to {cur.min:g}",
                )
            elif cur.min < prev.max:
                bad(
                    (*at, "bands", i, "min"),
                    f"bands overlap: {cur.min:g} is below the previous band's max {prev.max:g}",
                )

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return f"expected a number{_of_unit(q)}; got {show(value)}"
        lo, hi = _accepted(q)
        outside = (lo is not None and value < lo) or (hi is not None and value > hi)
        if (band_for(q, float(value)) is None) if q.bands else outside:
            rng = f"{'' if lo is None else f'{lo:g}'}..{'' if hi is None else f'{hi:g}'}"
            return f"{value:g} is outside the range the rubric scores ({rng})"
        return None

    def normalise(self, q: Question, value: Any, rubric: Rubric) -> float | None:
        if q.targets:  # without the respondent's context: the default target
            return self.on_target(q, value, q.targets[-1].value)
        if q.curve is not None:
            return curve_score(q.curve, float(value))
        i = band_for(q, float(value))
        return None if i is None else q.bands[i].score

    def position(self, q: Question, value: Any) -> float:
        return float(value)

    def display(self, q: Question, v: Any) -> str:
        return f"{float(v):g}" + (f" {q.unit}" if q.unit else "")

    def words(self, q: Question, value: Any) -> str:
        if isinstance(value, int | float):
            return f"{float(value):g}" + (f" {q.unit}" if q.unit else "")
        return str(value)

    def phrases(self, q: Question, shown: str, scale_max: int) -> list[str] | float:
        try:
            return float(shown.split(" ", 1)[0])
        except ValueError:
            return [shown]

    def hint(self, q: Question, rubric: Rubric) -> str:
        unit = f" ({q.unit})" if q.unit else ""
        return f"type a number{unit}{_curve_range(q)}, e.g. 12 or 2.5"

    def parse(self, q: Question, text: str, rubric: Rubric, hint: str) -> Any:
        cleaned = text.replace("_", "")
        if cleaned.endswith("%"):
            cleaned = cleaned[:-1].strip()
        if not _NUMBER.fullmatch(cleaned):
            raise BadAnswer(f"'{text}' is not a number; {hint}")
        number = float(cleaned)
        if not math.isfinite(number):
            raise BadAnswer(f"'{text}' is not a number; {hint}")
        return int(number) if _INT.fullmatch(cleaned) else number

    def spoken(self, q: Question, value: Any) -> str:
        if isinstance(value, int | float):
            unit = f" {q.unit}" if q.unit else ""
            return f"{value:g}{unit}"
        return str(value)

    def choices_note(self, q: Question) -> str:
        return f"in {q.unit}" if q.unit else ""

    def answers_spec(self, q: Question, rubric: Rubric) -> dict[str, Any]:
        lo, hi = _accepted(q)
        return {"min": lo, "max": hi, "unit": q.unit}

    def allowed_answers(self, q: Question, rubric: Rubric) -> list[tuple[str, str]]:
        return [("", f"a number{_of_unit(q)}")]

    def form_comments(self, q: Question, rubric: Rubric) -> list[tuple[str, str, str]]:
        return [
            (
                f"Answer a number{_of_unit(q)}{', ' + rng if (rng := range_text(q)) else ''}, "
                "digits only (for example 12 or 2.5).",
                "   ",
                "",
            )
        ]

    def markdown(self, q: Question, rubric: Rubric, escape: Callable[[str], str]) -> list[str]:
        unit = f" {escape(q.unit)}" if q.unit else ""
        rng = range_text(q)
        return [f"Answer: {'_' * 12}{unit}" + (f" ({escape(rng)})" if rng else ""), ""]

    def cell(self, q: Question, value: Any) -> str:
        if isinstance(value, float) and "e" in repr(value):
            from decimal import Decimal

            return format(Decimal(repr(value)), "f")  # surveys never write 1e-05
        return str(value)

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        unit = normalise_text(q.unit)
        allowed = {unit, unit.rstrip("s")} | UNIT_WORDS.get(unit, set()) if unit else set()

        def read(cell: str, n: str) -> Any:
            word = reserved(n)
            if word:
                return word
            m = NUMBER_AND_UNIT.fullmatch(n)
            value = parse_number(m.group(1)) if m else None
            if m is None or value is None:
                raise CellError(
                    f"'{short(cell)}' is not a number" + (f" of {q.unit}" if unit else "")
                )
            suffix = m.group(2).strip()
            if suffix and suffix not in allowed:
                if unit and re.fullmatch(r"[^\W\d_][^\d]*|%", suffix):  # another unit: '2 days'
                    raise CellError(f"'{short(cell)}': expected a number of {q.unit}")
                of = f" of {q.unit}" if unit else ""
                raise CellError(f"'{short(cell)}' is not a number{of}")
            return value

        return read
