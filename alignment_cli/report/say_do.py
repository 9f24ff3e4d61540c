"""Say vs do: per fact question, what each role said beside what the CRM shows, each role's
calibration, and the benchmark lines set against the client's own figures.

Built once from the scorecard (its questions' `evidence` and `calibration`) for the terminal
view and the report alike. The figures are defined in docs/scoring.md, section 5b.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from alignment_cli.model.models import RESERVED_ANSWERS, Question
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.report.say_do_model import (
    BenchmarkLine,
    CalibrationRow,
    Figure,
    Said,
    SayDo,
    SayDoRow,
)
from alignment_cli.scoring.scorecard import Scorecard

_PERCENT = frozenset({"percent", "%"})


def _one_decimal(value: float) -> str:
    d = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{d:,f}".removesuffix(".0")
    return "0" if text == "-0" else text


def fmt_value(value: float | None, unit: str = "") -> str:
    """A said or measured value as the appendix writes answers: one decimal at most (half up),
    a percent as 62.3%, another unit after the number (11.9 hours)."""
    if value is None:
        return "–"
    text = _one_decimal(value)
    if unit.strip().lower() in _PERCENT:
        return f"{text}%"
    return f"{text} {unit}".strip()


def fmt_difference(value: float, unit: str = "") -> str:
    """Said minus measured, signed (a minus sign, as the report writes gaps); a difference of
    percents in percentage points (+17.8 pp)."""
    text = _one_decimal(abs(value))
    if unit.strip().lower() in _PERCENT:
        text = f"{text} pp"
    elif unit.strip():
        text = f"{text} {unit.strip()}"
    if _one_decimal(abs(value)) == "0":
        return text
    return ("+" if value > 0 else "−") + text


def _points(value: float) -> str:
    d = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if d == 0:
        return "0"
    return ("+" if d > 0 else "−") + str(abs(d))


def say_do(
    card: Scorecard, loaded: LoadedRubric | None = None, shown: set[str] | None = None
) -> SayDo:
    """The say-vs-do rows; `loaded` gives the roles' titles (else their ids); `shown`: the
    roles whose figures may be shown (small-group rules)."""
    titles = loaded.group_titles if loaded else {}

    def ok(role: str) -> bool:
        return shown is None or role in shown

    rows: list[SayDoRow] = []
    for qs in card.questions:
        ev = qs.evidence
        if ev is None:
            continue
        unit = ev.unit
        said = [
            Said(
                titles.get(role, role),
                Figure(fmt_value(v, unit)),
                Figure(fmt_difference(v - ev.value, unit)),
            )
            for role, v in ev.said.items()
            if ok(role)
        ]
        rows.append(
            SayDoRow(
                question=qs.text,
                metric=ev.metric,
                measured=Figure(fmt_value(ev.value, unit)),
                measured_score=Figure("–" if ev.score is None else f"{ev.score:.0f}"),
                replaced=ev.replaced,
                said=said,
            )
        )
    calibration = [
        CalibrationRow(
            titles.get(role, role),
            c.questions,
            Figure(_points(c.mean_difference)),
            Figure(str(Decimal(str(c.mean_absolute)).quantize(Decimal(1), ROUND_HALF_UP))),
        )
        for role, c in card.calibration.items()
        if ok(role)
    ]
    source = None
    if card.evidence is not None:
        e = card.evidence
        period = f", {e.period_from} to {e.period_to}" if e.period_from and e.period_to else ""
        source = f"{e.file}{period}"
    return SayDo(rows, calibration, card.evidence.policy if card.evidence else None, source)


def benchmark_lines(
    card: Scorecard, loaded: LoadedRubric, benchmark_id: str, shown: set[str] | None = None
) -> list[BenchmarkLine]:
    """The client's own figures on the questions a benchmark names: the CRM's where measured,
    else what each role answered (number questions only: a figure beside a figure)."""
    # Only the report asks for these lines: `score` reads this module without the report's model.
    from alignment_cli.report.appendix import answer_summary

    bench = next(b for b in loaded.rubric.benchmarks if b.id == benchmark_id)
    questions: dict[str, Question] = {q.id: q for q in loaded.rubric.questions}
    titles = loaded.group_titles
    scores = {qs.id: qs for qs in card.questions}
    out: list[BenchmarkLine] = []
    for qid in bench.questions:
        q, qs = questions.get(qid), scores.get(qid)
        if q is None or qs is None or q.type != "number":
            continue
        if qs.evidence is not None:
            text = f"the CRM shows {fmt_value(qs.evidence.value, q.unit)}"
            out.append(BenchmarkLine(bench.id, q.text, text, True))
            continue
        # Each group's figures as the appendix writes them (20%, counted; a median and range
        # where many people answered), not every distinct raw value.
        scale = (q.scale or loaded.rubric.scale).max
        answers = []
        for role, counts in qs.answers.items():
            figures = {a: n for a, n in counts.items() if a not in RESERVED_ANSWERS}
            if figures and (shown is None or role in shown):
                answers.append(f"{titles.get(role, role)} {answer_summary(q, figures, scale)[2]}")
        if answers:
            out.append(BenchmarkLine(bench.id, q.text, "answers: " + "; ".join(answers), False))
    return out
