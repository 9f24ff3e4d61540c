"""The plan: the triggered recommendations as at most seven workstreams, each with one
accountable owner, steps at day 30, 60 and 90, and a measure with the client's baseline and a
target (docs/rubric-format.md, "Workstreams and the plan").

Grouping: a recommendation goes to the workstream it names (`workstream:`), else to the one
that lists its dimension. A rubric without workstreams gets one per dimension (and one for
actions without a dimension); past seven, the smallest are merged into "Other actions".
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from alignment_cli.model.models import MAX_WORKSTREAMS, QuestionType
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.report.appendix import _answer_items, _number
from alignment_cli.report.model import _OWNERS
from alignment_cli.scoring.scorecard import RecommendationHit, Scorecard

DAYS = (30, 60, 90)
#: Without `by_day`, when an action is done: by its priority.
DAY_BY_PRIORITY = {"high": 30, "medium": 60, "low": 90}
_PRIORITY = {"high": 0, "medium": 1, "low": 2}
OTHER = "other-actions"


@dataclass(frozen=True)
class Step:
    by_day: int
    action: str
    recommendation: str | None  # the recommendation's id; none for a check-in the plan adds


@dataclass(frozen=True)
class Workstream:
    id: str
    title: str
    owner: str
    steps: list[Step]
    measure: str
    baseline: str
    target: str
    recommendations: list[str]
    #: The question the baseline was read from, if any (a report hides it for small groups).
    baseline_question: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "owner": self.owner,
            "steps": [{"by_day": s.by_day, "action": s.action} for s in self.steps],
            "measure": self.measure,
            "baseline": self.baseline,
            "target": self.target,
        }


def build_plan(
    card: Scorecard, loaded: LoadedRubric, hits: Sequence[RecommendationHit]
) -> list[Workstream]:
    r = loaded.rubric
    recs = {x.id: x for x in r.recommendations}
    dims = {d.id: d for d in r.dimensions}
    declared = {w.id: w for w in r.workstreams}
    by_dimension = {d: w.id for w in r.workstreams for d in w.dimensions}
    phase_order = {p.id: i for i, p in enumerate(r.phases)}
    groups: dict[str, list[RecommendationHit]] = {}
    for hit in hits:
        rec = recs.get(hit.id)
        stream = rec.workstream if rec is not None and rec.workstream else None
        if stream is None and hit.dimension in by_dimension:
            stream = by_dimension[hit.dimension]
        if stream is None:
            stream = f"dimension-{hit.dimension}" if hit.dimension else OTHER
        groups.setdefault(stream, []).append(hit)
    order = [w.id for w in r.workstreams] + [f"dimension-{d.id}" for d in r.dimensions] + [OTHER]
    keys = sorted(groups, key=lambda k: order.index(k) if k in order else len(order))
    if len(keys) > MAX_WORKSTREAMS:
        # Keep the six with the most high-priority work; merge the rest.
        named = [k for k in keys if k != OTHER]
        ranked = sorted(named, key=lambda k: (*(-x for x in _weight(groups[k])), keys.index(k)))
        kept = set(ranked[: MAX_WORKSTREAMS - 1])
        merged = [h for k in keys if k not in kept for h in groups[k]]
        groups = {k: groups[k] for k in keys if k in kept}
        groups[OTHER] = merged
        keys = [k for k in keys if k in kept] + [OTHER]
    out = []
    for key in keys:
        members = sorted(
            groups[key],
            key=lambda h: (_day(h, recs), phase_order.get(h.phase, 99), _PRIORITY[h.priority]),
        )
        w = declared.get(key)
        title: str
        owner: str
        if w is not None:
            title, owner = w.title, w.owner
        elif key.startswith("dimension-") and key[10:] in dims:
            title, owner = dims[key[10:]].title, _owner(members)
        else:
            title, owner = "Other actions", _owner(members)
        measure, baseline, target = _measure(card, loaded, w, members, key)
        steps = [Step(_day(h, recs), h.title, h.id) for h in members]
        days = {s.by_day for s in steps}
        if 60 not in days:
            steps.append(Step(60, f"Check progress: {measure}", None))
        if 90 not in days:
            steps.append(Step(90, f"Measure again and report to leadership: {measure}", None))
        steps.sort(key=lambda s: s.by_day)
        out.append(
            Workstream(
                id=key,
                title=title,
                owner=owner,
                steps=steps,
                measure=measure,
                baseline=baseline,
                target=target,
                recommendations=[h.id for h in members],
                baseline_question=getattr(getattr(w, "measure", None), "question", None),
            )
        )
    return out


def _weight(hits: list[RecommendationHit]) -> tuple[int, int]:
    return (sum(1 for h in hits if h.priority == "high"), len(hits))


def _day(hit: RecommendationHit, recs: Mapping[str, object]) -> int:
    rec = recs.get(hit.id)
    declared = getattr(rec, "by_day", None)
    return int(declared) if declared else DAY_BY_PRIORITY.get(hit.priority, 90)


def _owner(hits: list[RecommendationHit]) -> str:
    """One accountable owner: the function that owns most of the work; "joint" work is the
    leadership's to hold both sides to."""
    counts = Counter(h.owner for h in hits if h.owner != "joint")
    if not counts:
        return "leadership"
    top = max(counts.values())
    return next(h.owner for h in hits if counts.get(h.owner) == top)


def _measure(
    card: Scorecard,
    loaded: LoadedRubric,
    w: object,
    hits: list[RecommendationHit],
    key: str,
) -> tuple[str, str, str]:
    declared = getattr(w, "measure", None)
    dims = [d for d in card.dimensions if any(h.dimension == d.id for h in hits)]
    dim = dims[0] if dims else None
    if declared is not None:
        baseline = (
            measured_baseline(card, declared.question)
            or baseline_from_answers(card, loaded, declared.question)
            if declared.question
            else "not measured yet"
        )
        if baseline.startswith("not ") and dim is not None and dim.score is not None:
            # Nobody gave the figure: the score the answers do give stands in.
            baseline += f" ({dim.title} scores {dim.score:.0f} of 100)"
        return declared.text, baseline, declared.target or "agree one at day 30"
    first = next((h for h in hits if h.kpi), None)
    if dim is not None and dim.score is not None:
        baseline = f"{dim.title} scores {dim.score:.0f} of 100"
        target = _dimension_target(loaded, dim.score, dim.target)
    else:
        baseline, target = "not measured yet", "agree one at day 30"
    return (first.kpi if first else f"{dim.title if dim else 'Overall'} score"), baseline, target


def _dimension_target(loaded: LoadedRubric, score: float, target: float | None) -> str:
    if target is not None:
        return f"{target:g} of 100 (the engagement's target)"
    above = [lv for lv in loaded.rubric.levels if lv.min > score]
    if not above:
        return "hold it at this level"
    return f"{above[0].min:g} of 100 (level {above[0].title})"


def measured_baseline(card: Scorecard, question: str) -> str | None:
    """The client's figure from the CRM evidence, when the question is measured: the data
    before what people say (docs/scoring.md, section 5b)."""
    from alignment_cli.report.say_do import fmt_value  # one decimal: 11.9 hours, 62.3%

    qs = next((q for q in card.questions if q.id == question), None)
    if qs is None or qs.evidence is None:
        return None
    e = card.evidence
    period = f", {e.period_from} to {e.period_to}" if e and e.period_from and e.period_to else ""
    return f"{fmt_value(qs.evidence.value, qs.evidence.unit)} (the CRM{period})"


def baseline_from_answers(card: Scorecard, loaded: LoadedRubric, question: str) -> str:
    """The client's own figure from the answers: the median of a number question, else the
    most common answer, with how many gave it."""
    qs = next((q for q in card.questions if q.id == question), None)
    q = loaded.questions.get(question)
    if qs is None or q is None:
        return "not asked"
    counts: Counter[str] = Counter()
    for per_role in qs.answers.values():
        counts.update(per_role)
    real = {k: n for k, n in counts.items() if k not in ("unknown", "n/a")}
    if not real:
        return "not known: nobody could answer" if counts.get("unknown") else "not answered"
    if q.type is QuestionType.NUMBER:
        values = []
        for raw, n in real.items():
            try:
                values += [float(raw.split(" ", 1)[0])] * min(n, 10_000)
            except ValueError:
                continue
        if values:
            med = statistics.median(values)
            people = len(values)
            median = _number(med, q.unit)
            return median if people == 1 else f"{median} (median of {people:,} answers)"
    scale = (q.scale or loaded.rubric.scale).max
    top = _answer_items(q, real, scale)[0]
    return top


def owner_title(owner: str) -> str:
    return _OWNERS.get(owner, owner.capitalize())
