"""A measured metric as an answer to the rubric question that names it (`evidence:`).

The metric's value is converted to the question's unit (a share of 0.6 reads as 60 percent)
and scored the way the question's kind scores any answer (a number question: by its bands), so
a measured value and a said one sit on the same scale. docs/evidence.md has the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from alignment_cli.model.metrics import METRICS, unit_factor
from alignment_cli.model.models import Question, Rubric


@dataclass(frozen=True)
class Measured:
    metric: str
    value: float  # in the question's unit
    score: float | None  # 0..1 on the question's scale; None when its bands do not cover it


def measured(q: Question, metric_value: float, rubric: Rubric) -> Measured:
    """The evidence's value and score on question `q` (which must name a metric)."""
    from alignment_cli.model.qtypes import KINDS

    if q.evidence is None or q.evidence not in METRICS:
        raise ValueError(f"question {q.id} names no known metric")
    factor = unit_factor(q.evidence, q.unit)
    if factor is None:
        raise ValueError(f"metric {q.evidence} does not read in {q.unit!r}")
    value = round(metric_value * factor, 6)
    kind = KINDS[q.type]
    if kind.value_error(q, value, rubric) is not None:
        return Measured(q.evidence, value, None)
    return Measured(q.evidence, value, kind.normalise(q, value, rubric))
