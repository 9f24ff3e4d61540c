"""The scoring core: (rubric, responses) -> Scorecard. Pure: no I/O, no printing, no clock.

The math, step by step, is in docs/scoring.md; the names below follow it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import __version__
from .engagement import Targets
from .expressions import Expression
from .models import Question, QuestionType, Rubric, to_var
from .responses import NA, RESERVED, UNKNOWN, ResponseFile, coerce, normalise
from .rubric import LoadedRubric
from .scorecard import (
    BlindSpot,
    Classification,
    Evidence,
    GapItem,
    GroupScore,
    LevelInfo,
    NoteInfo,
    QuestionScore,
    Reason,
    RecommendationHit,
    RespondentInfo,
    RubricInfo,
    Scorecard,
)

PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class _Stat:
    """Running count, sum and sum of squares: a mean and a spread in one pass."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        self.total += value
        self.squares += value * value

    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    def spread(self) -> float | None:
        if self.n < 2:
            return None
        m = self.total / self.n
        return math.sqrt(max(0.0, self.squares / self.n - m * m))


@dataclass
class _QuestionTally:
    all: _Stat = field(default_factory=_Stat)
    roles: dict[str, _Stat] = field(default_factory=lambda: defaultdict(_Stat))
    asked: int = 0
    answered: int = 0
    unknown: int = 0
    na: int = 0
    answers: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    raw: Counter[Any] = field(default_factory=Counter)
    notes: list[NoteInfo] = field(default_factory=list)


def weighted_mean(pairs: Sequence[tuple[float, float | None]]) -> float | None:
    """sum(w*s)/sum(w) over the pairs whose score counts; None when nothing counts."""
    num = den = 0.0
    for weight, score in pairs:
        if score is not None and weight > 0:
            num += weight * score
            den += weight
    return num / den if den else None


def _pts(x: float | None) -> float | None:
    """0..1 to points on 0..100, rounded off float noise (rounding keeps order)."""
    return None if x is None else round(x * 100.0, 4)


def score(
    loaded: LoadedRubric,
    files: Sequence[ResponseFile],
    *,
    now: datetime,
    targets: Targets | None = None,
    organization: str | None = None,
    warnings: Sequence[str] = (),
) -> Scorecard:
    r = loaded.rubric
    targets = targets or Targets()
    role_ids = [x.id for x in r.roles]
    by_role_q: dict[str, list[Question]] = {role: loaded.questions_for(role) for role in role_ids}
    tallies = {q.id: _QuestionTally() for q in r.questions}
    var_to_id = {q.var: q.id for q in r.questions}
    cond_cache: dict[tuple[str, tuple[Any, ...]], bool] = {}
    respondents: list[RespondentInfo] = []
    dim_stats: dict[str, _Stat] = defaultdict(_Stat)
    phase_stats: dict[str, _Stat] = defaultdict(_Stat)
    overall_stat = _Stat()
    role_counts: Counter[str] = Counter()

    for rf in files:
        resp = rf.responses
        role = resp.respondent.role
        role_counts[role] += 1
        raw = resp.answers
        info = RespondentInfo(
            name=resp.respondent.name, role=role, file=str(rf.path), updated=resp.updated
        )
        own: dict[str, float] = {}
        for q in by_role_q.get(role, []):
            expr = loaded.conditions.get(q.id)
            if expr is not None and not _holds(expr, q.id, raw, loaded, var_to_id, cond_cache):
                continue
            t = tallies[q.id]
            t.asked += 1
            info.asked += 1
            value = raw.get(q.id)
            if value is None:
                continue
            if isinstance(value, str) and value in RESERVED:
                if value == UNKNOWN:
                    t.unknown += 1
                    info.unknown += 1
                else:
                    t.na += 1
                    info.na += 1
                t.answers[role][value] += 1
                continue
            t.answered += 1
            info.answered += 1
            t.answers[role][_display(q, value)] += 1
            t.raw[_hashable(coerce(q, value))] += 1
            s = normalise(q, value, loaded)
            if s is not None:
                t.all.add(s)
                t.roles[role].add(s)
                own[q.id] = s
        for qid, text in resp.notes.items():
            if qid in tallies and text.strip():
                tallies[qid].notes.append(
                    NoteInfo(respondent=resp.respondent.name, role=role, text=text)
                )
        # Each respondent's own dimension and phase scores give the spread between people.
        own_dims = _group_means(r, own, "dimension")
        for did, s in own_dims.items():
            if s is not None:
                dim_stats[did].add(s)
        for pid, s in _group_means(r, own, "phase").items():
            if s is not None:
                phase_stats[pid].add(s)
        mine = weighted_mean([(d.weight, own_dims.get(d.id)) for d in r.dimensions])
        info.overall = _pts(mine)
        if mine is not None:
            overall_stat.add(mine)
        respondents.append(info)

    gap_pair = list(r.gap) if r.gap else []
    questions = [_question_score(q, tallies[q.id], role_ids, gap_pair) for q in r.questions]
    qmap = {qs.id: qs for qs in questions}

    dimensions = []
    for d in r.dimensions:
        members = [q for q in r.questions if q.dimension == d.id and q.scored]
        g = _group(d.id, d.title, members, qmap, role_ids, gap_pair, tallies)
        g.weight = d.weight
        g.spread = _pts(dim_stats[d.id].spread()) if d.id in dim_stats else None
        g.target = targets.dimensions.get(d.id)
        g.shortfall = _shortfall(g.target, g.score)
        dimensions.append(g)

    phases = []
    for p in r.phases:
        members = [q for q in r.questions if q.phase == p.id and q.scored]
        g = _group(p.id, p.title, members, qmap, role_ids, gap_pair, tallies)
        g.spread = _pts(phase_stats[p.id].spread()) if p.id in phase_stats else None
        g.threshold = p.threshold
        # A phase with nothing scored is not assessed: it neither passes nor blocks.
        g.achieved = None if g.score is None else g.score >= p.threshold
        phases.append(g)

    overall = _round(weighted_mean([(d.weight, d.score) for d in dimensions]))
    current = next((p for p in phases if p.achieved is False), None)
    level = None
    if overall is not None:
        chosen = [lv for lv in r.levels if overall >= lv.min][-1]
        level = LevelInfo(
            id=chosen.id, title=chosen.title, min=chosen.min, description=chosen.description
        )

    scored_q = [qs for qs in questions if qs.scored]
    coverage = _coverage(scored_q)
    classifications = [_classify(loaded, c.id, tallies) for c in r.classifiers]
    gaps = _gaps(dimensions, questions, gap_pair)

    card = Scorecard(
        tool_version=__version__,
        generated_at=now,
        rubric=RubricInfo(id=r.id, version=r.version, hash=loaded.content_hash, title=r.title),
        organization=organization,
        respondents=respondents,
        by_role={role: role_counts[role] for role in role_ids if role_counts[role]},
        overall=overall,
        level=level,
        current_phase=(current or phases[-1]).id if phases else None,
        all_phases_achieved=current is None,
        coverage=coverage,
        target=targets.overall,
        shortfall=_shortfall(targets.overall, overall),
        phases=phases,
        dimensions=dimensions,
        questions=questions,
        gap_roles=gap_pair,
        gaps=gaps,
        classifications=classifications,
        blind_spots=sorted(
            (
                BlindSpot(question=qs.id, text=qs.text, unknown=qs.unknown, asked=qs.asked)
                for qs in questions
                if qs.unknown
            ),
            key=lambda b: (-b.unknown / max(b.asked, 1), b.question),
        ),
        warnings=list(warnings),
    )
    card.recommendations = _recommend(loaded, card, tallies)
    return card


def _holds(
    expr: Expression,
    qid: str,
    raw: dict[str, Any],
    loaded: LoadedRubric,
    var_to_id: dict[str, str],
    cache: dict[tuple[str, tuple[Any, ...]], bool],
) -> bool:
    """Evaluate a condition, memoised on the answers it reads (most respondents repeat)."""
    values: list[Any] = []
    for ref in expr.references:
        ref_id = var_to_id.get(ref.name, ref.name)
        v = raw.get(ref_id)
        q = loaded.questions.get(ref_id)
        if v is None or (isinstance(v, str) and v in RESERVED) or q is None:
            values.append(None)
        else:
            values.append(_hashable(coerce(q, v)))
    key = (qid, tuple(values))
    hit = cache.get(key)
    if hit is None:
        context = {
            ref.name: (list(v) if isinstance(v, tuple) else v)
            for ref, v in zip(expr.references, values, strict=True)
        }
        hit = cache[key] = expr.evaluate({"answers": context})
    return hit


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _display(q: Question, value: Any) -> str:
    """An answer as people read it in the appendix."""
    v = coerce(q, value)
    if q.type is QuestionType.YESNO:
        return "yes" if v else "no"
    if q.type is QuestionType.CHOICE:
        return next((o.label for o in q.options if o.value == v), str(v))
    if q.type is QuestionType.MULTI:
        labels = [o.label for o in q.options if o.value in set(v)]
        return "; ".join(labels) if labels else "(none)"
    if q.type is QuestionType.NUMBER:
        return f"{float(v):g}" + (f" {q.unit}" if q.unit else "")
    return str(v)


def _group_means(r: Rubric, own: dict[str, float], attr: str) -> dict[str, float | None]:
    pairs: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
    for q in r.questions:
        if q.id in own:
            pairs[getattr(q, attr)].append((q.weight, own[q.id]))
    return {key: weighted_mean(v) for key, v in pairs.items()}


def _question_score(
    q: Question, t: _QuestionTally, role_ids: list[str], gap_pair: list[str]
) -> QuestionScore:
    by_role = {role: _pts(t.roles[role].mean()) for role in role_ids if role in t.roles}
    return QuestionScore(
        id=q.id,
        phase=q.phase,
        dimension=q.dimension,
        type=q.type.value,
        text=q.text,
        weight=q.weight,
        scored=q.scored,
        score=_pts(t.all.mean()),
        by_role=by_role,
        gap=_gap(by_role, gap_pair),
        spread=_pts(t.all.spread()),
        asked=t.asked,
        answered=t.answered,
        unknown=t.unknown,
        na=t.na,
        answers={role: dict(sorted(c.items())) for role, c in sorted(t.answers.items())},
        notes=t.notes,
    )


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _gap(by_role: dict[str, float | None], pair: list[str]) -> float | None:
    if len(pair) != 2:
        return None
    a, b = by_role.get(pair[0]), by_role.get(pair[1])
    return None if a is None or b is None else round(a - b, 4)


def _group(
    gid: str,
    title: str,
    members: list[Question],
    qmap: dict[str, QuestionScore],
    role_ids: list[str],
    gap_pair: list[str],
    tallies: dict[str, _QuestionTally],
) -> GroupScore:
    score = _round(weighted_mean([(q.weight, qmap[q.id].score) for q in members]))
    by_role: dict[str, float | None] = {}
    for role in role_ids:
        s = _round(weighted_mean([(q.weight, qmap[q.id].by_role.get(role)) for q in members]))
        if s is not None:
            by_role[role] = s
    return GroupScore(
        id=gid,
        title=title,
        score=score,
        by_role=by_role,
        gap=_gap(by_role, gap_pair),
        coverage=_coverage([qmap[q.id] for q in members]),
    )


def _coverage(questions: Sequence[QuestionScore]) -> float | None:
    """Answered share of what was asked, n/a left out: unknown and missing answers lower it."""
    answerable = sum(q.asked - q.na for q in questions)
    return sum(q.answered for q in questions) / answerable if answerable else None


def _shortfall(target: float | None, score: float | None) -> float | None:
    if target is None:
        return None
    return max(0.0, target - (score or 0.0))


def _gaps(
    dimensions: list[GroupScore], questions: list[QuestionScore], pair: list[str]
) -> list[GapItem]:
    if len(pair) != 2:
        return []
    items = [
        GapItem(
            kind="dimension",
            id=d.id,
            title=d.title,
            gap=d.gap,
            first=d.by_role.get(pair[0]),
            second=d.by_role.get(pair[1]),
        )
        for d in dimensions
        if d.gap is not None
    ]
    items += [
        GapItem(
            kind="question",
            id=q.id,
            title=q.text,
            gap=q.gap,
            first=q.by_role.get(pair[0]),
            second=q.by_role.get(pair[1]),
        )
        for q in questions
        if q.gap is not None
    ]
    return sorted(items, key=lambda g: (-abs(g.gap), g.kind, g.id))


def _classify(loaded: LoadedRubric, cid: str, tallies: dict[str, _QuestionTally]) -> Classification:
    clf = next(c for c in loaded.rubric.classifiers if c.id == cid)
    titles = {o.id: o.title for o in clf.outcomes}
    totals = {o.id: 0.0 for o in clf.outcomes}
    reasons: list[Reason] = []
    for q in loaded.rubric.questions:
        if q.id == clf.current or not any(o.signals for o in q.options):
            continue
        for value, count in sorted(tallies[q.id].raw.items(), key=lambda kv: str(kv[0])):
            chosen = set(value) if isinstance(value, tuple) else {value}
            for o in q.options:
                if o.value not in chosen:
                    continue
                for signal, weight in o.signals.items():
                    if signal in totals:
                        totals[signal] += weight * count
                        reasons.append(
                            Reason(
                                question=q.id,
                                answer=o.label,
                                outcome=signal,
                                weight=weight,
                                respondents=count,
                            )
                        )
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    whole = sum(v for v in totals.values() if v > 0)
    margin = (ranked[0][1] - ranked[1][1]) / whole if whole else 0.0
    outcome: str | None = ranked[0][0] if whole else None
    if outcome is None or margin < clf.margin or (whole and ranked[0][1] == ranked[1][1]):
        outcome = clf.fallback if clf.fallback is not None else outcome
    current = None
    if clf.current is not None:
        q = loaded.questions[clf.current]
        votes: Counter[str] = Counter()
        for value, count in tallies[q.id].raw.items():
            opt = next((o for o in q.options if o.value == value), None)
            if opt is not None and opt.signals:
                votes[max(opt.signals.items(), key=lambda kv: kv[1])[0]] += count
        if votes:
            current = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    reasons.sort(key=lambda x: (-x.weight * x.respondents, x.question, x.outcome))
    return Classification(
        id=clf.id,
        title=clf.title,
        outcome=outcome,
        outcome_title=titles.get(outcome) if outcome else None,
        margin=margin,
        totals=totals,
        reasons=reasons,
        current=current,
        current_title=titles.get(current) if current else None,
        matches=None if current is None or outcome is None else current == outcome,
    )


def trigger_context(
    loaded: LoadedRubric, card: Scorecard, tallies: dict[str, _QuestionTally]
) -> dict[str, Any]:
    """What a recommendation's trigger can see (docs/rubric-format.md, Expressions)."""
    answers: dict[str, Any] = {}
    for q in loaded.rubric.questions:
        raw = tallies[q.id].raw
        if raw:
            top = sorted(raw.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]
            answers[q.var] = list(top) if isinstance(top, tuple) else top
        else:
            answers[q.var] = None
    return {
        "overall": card.overall,
        "dimension": {to_var(d.id): d.score for d in card.dimensions},
        "phase": {to_var(p.id): p.score for p in card.phases},
        "question": {to_var(q.id): q.score for q in card.questions if q.scored},
        "gap": {to_var(d.id): d.gap for d in card.dimensions},
        "answers": answers,
        "outcome": {to_var(c.id): c.outcome for c in card.classifications},
    }


def _recommend(
    loaded: LoadedRubric, card: Scorecard, tallies: dict[str, _QuestionTally]
) -> list[RecommendationHit]:
    context = trigger_context(loaded, card, tallies)
    phase_order = {p.id: i for i, p in enumerate(loaded.rubric.phases)}
    hits = []
    for rec in loaded.rubric.recommendations:
        expr = loaded.triggers.get(rec.id)
        if expr is None or not expr.evaluate(context):
            continue
        because = []
        for ref in expr.references:
            value = context[ref.namespace] if not ref.name else context[ref.namespace].get(ref.name)
            name = ref.namespace if not ref.name else f"{ref.namespace}.{ref.name}"
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            if isinstance(value, float):
                value = round(value, 1)
            because.append(Evidence(name=name, value=value))
        hits.append(
            RecommendationHit(
                id=rec.id,
                title=rec.title,
                body=rec.body,
                phase=rec.phase,
                dimension=rec.dimension,
                priority=rec.priority,
                owner=rec.owner,
                kpi=rec.kpi,
                shortfall=_rec_shortfall(rec.phase, rec.dimension, card),
                because=because,
            )
        )
    hits.sort(key=lambda h: (phase_order[h.phase], PRIORITY_RANK[h.priority], -h.shortfall, h.id))
    return hits


def _rec_shortfall(phase_id: str, dimension_id: str | None, card: Scorecard) -> float:
    """How far below its mark the recommendation's area is: the dimension's target, else the
    phase threshold."""
    phase = card.phase(phase_id)
    threshold = phase.threshold if phase and phase.threshold is not None else 60.0
    if dimension_id is not None:
        d = card.dimension(dimension_id)
        if d is not None:
            mark = d.target if d.target is not None else threshold
            return max(0.0, mark - (d.score or 0.0))
    score = phase.score if phase else None
    return max(0.0, threshold - (score or 0.0))


__all__ = ["NA", "UNKNOWN", "score", "trigger_context", "weighted_mean"]
