"""Say vs do: a measured CRM metric as an answer to the rubric question that names it
(`evidence:`), and how far each role's claims sit from the data.

The metric's value is converted to the question's unit (a share of 0.6 reads as 60 percent)
and scored the way the question's kind scores any answer (a number question: by its bands), so
a measured value and a said one sit on the same scale. Under the rubric's `evidence_policy:
replace` the measured score takes the place of the answers' mean in the question's score
(`engine.score(measured=...)`, the one hook). docs/scoring.md, section 5b, has the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from alignment_cli.files.evidence_file import Evidence
from alignment_cli.model.metrics import METRICS, unit_factor
from alignment_cli.model.models import Question, Rubric
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.scoring.scorecard import Calibration, Scorecard


@dataclass(frozen=True)
class Measured:
    metric: str
    value: float  # in the question's unit
    score: float | None  # 0..1 on the question's scale; None when its bands do not cover it
    replaces: bool = False  # whether the question's score is this one (evidence_policy)
    unit: str = ""  # the question's


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
        return Measured(q.evidence, value, None, unit=q.unit)
    return Measured(q.evidence, value, kind.normalise(q, value, rubric), unit=q.unit)


def fact_questions(loaded: LoadedRubric) -> list[Question]:
    """The rubric's fact questions: those linked to a CRM metric with `evidence:` (only number
    questions can be). Opinions cannot be linked, so nothing measured ever replaces one."""
    return [q for q in loaded.rubric.questions if q.evidence is not None]


def link(loaded: LoadedRubric, evidence: Evidence) -> dict[str, Measured]:
    """Each fact question the evidence measures, by question id; under `evidence_policy:
    replace` (the default) marked to replace the answers in the score."""
    rubric = loaded.rubric
    replaces = rubric.evidence_policy == "replace"
    out: dict[str, Measured] = {}
    for q in fact_questions(loaded):
        value = evidence.value(q.evidence or "")
        if value is None:
            continue  # the import could not measure it: the answers stand alone
        m = measured(q, value, rubric)
        out[q.id] = Measured(m.metric, m.value, m.score, replaces and m.score is not None, q.unit)
    return out


def calibration(card: Scorecard) -> dict[str, Calibration]:
    """Per role, over the linked questions where both its score and the measured score exist:
    the mean of (its score - the measured score), in points (positive: it claims better than
    the data shows), the mean of the absolute differences, and how many questions. Unweighted:
    each fact counts once."""
    diffs: dict[str, list[float]] = {}
    for qs in card.questions:
        ev = qs.evidence
        if ev is None or ev.score is None:
            continue
        for role, said in qs.by_role.items():
            if said is not None:
                diffs.setdefault(role, []).append(said - ev.score)
    return {
        role: Calibration(
            questions=len(d),
            mean_difference=round(math.fsum(d) / len(d), 4),
            mean_absolute=round(math.fsum(abs(x) for x in d) / len(d), 4),
        )
        for role, d in sorted(diffs.items())
    }
