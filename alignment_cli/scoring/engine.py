"""The scoring core: (rubric, responses) -> Scorecard. Pure: no I/O, no printing, no clock.

The math, step by step, is in docs/scoring.md; the names below follow it.

Every mean is taken over counts of distinct values with exact summation (`math.fsum`), so a
scorecard does not depend on the order of its respondents, and duplicating every respondent
changes no mean and no spread. Scores are rounded to 4 decimals on the way out; thresholds, levels
and triggers compare the rounded values, so float noise (49.99999999 for 50) never decides.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from alignment_cli import __version__
from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.engagement import Targets
from alignment_cli.files.names import shown_path
from alignment_cli.files.responses import (
    NA,
    RESERVED,
    UNKNOWN,
    AnswerRules,
    ResponseFile,
    TargetPicker,
    answer_key,
    normalise,
)
from alignment_cli.model.expressions import EvaluationError, Expression, Reference
from alignment_cli.model.models import Classifier, Question, QuestionType, Rubric, to_var
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.scoring.evidence import Measured
from alignment_cli.scoring.scorecard import (
    AgreementFlag,
    BlindSpot,
    Classification,
    Counts,
    Evidence,
    FactorAnswer,
    FactorRow,
    GapItem,
    GroupScore,
    Interval,
    LevelInfo,
    NoteInfo,
    OverallInterval,
    QuestionEvidence,
    QuestionScore,
    Reason,
    RecommendationHit,
    RespondentInfo,
    RubricInfo,
    Scorecard,
)

MIN_PHASE_COVERAGE = 0.5  # share of a phase's questions answered before it can be achieved
CANCELLING_POINTS = 10.0  # mean absolute difference this far above |gap|: disagreements cancel
LOW_AGREEMENT = 0.7  # rwg under this is low agreement (LeBreton & Senter 2008)
MIN_AGREEMENT_GROUP = 3  # agreement is measured for role groups of three or more
LEVEL = 0.95  # of every interval
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}

_ANSWERED, _UNKNOWN, _NA, _IGNORED = range(4)
_SIMPLE = frozenset({int, str, bool, float})  # answers hashable as they are


class Dist:
    """Values as counts of distinct values: an exact mean and spread whatever the order."""

    __slots__ = ("_variance", "counts", "n")

    def __init__(self) -> None:
        self.counts: Counter[float] = Counter()
        self.n = 0  # how many values: the sum of the counts, kept as they are added
        # The variance once worked out: every interval that holds this group reads it, and
        # a group of thousands of distinct scores costs a pass over them each time.
        self._variance: float | None = None

    def add(self, value: float, n: int = 1) -> None:
        self.counts[value] += n
        self.n += n
        self._variance = None

    def mean(self) -> float | None:
        """The exact mean, rounded once: the same whatever the counts are multiplied by (three
        copies of everyone give the very same float, so a score on a rounding edge stays put).
        Exact in integers: each value is m / 2^k, so over the largest 2^k the sum is a whole
        number, and Python divides whole numbers correctly rounded (as Fraction would)."""
        n = self.n
        if not n:
            return None
        if len(self.counts) == 1:
            return next(iter(self.counts))
        ratios = [(v.as_integer_ratio(), c) for v, c in self.counts.items()]
        den = max(d for (_, d), _ in ratios)
        return sum(m * (den // d) * c for (m, d), c in ratios) / (den * n)

    def variance(self) -> float | None:
        """Sample variance (n - 1); None for fewer than two values."""
        n = self.n
        if n < 2:
            return None
        if self._variance is None:
            m = math.fsum(v * c for v, c in self.counts.items()) / n
            self._variance = math.fsum(c * (v - m) ** 2 for v, c in self.counts.items()) / (n - 1)
        return self._variance

    def spread(self) -> float | None:
        """Population standard deviation; None for fewer than two values."""
        n = self.n
        if n < 2:
            return None
        m = math.fsum(v * c for v, c in self.counts.items()) / n
        return math.sqrt(math.fsum(c * (v - m) ** 2 for v, c in self.counts.items()) / n)


def straight_lined(scale_answers: Sequence[Any], minimum: int) -> bool:
    """The same answer to every one of at least `minimum` scale questions (0: never)."""
    return bool(minimum) and len(scale_answers) >= minimum and len(set(scale_answers)) == 1


def weighted_mean(pairs: Iterable[tuple[float, float | None]]) -> float | None:
    """sum(w*s)/sum(w) over the pairs whose score counts; None when nothing counts."""
    num: list[float] = []
    den: list[float] = []
    for weight, score in pairs:
        if score is not None and weight > 0:
            num.append(weight * score)
            den.append(weight)
    return math.fsum(num) / math.fsum(den) if den else None


def _pts(x: float | None) -> float | None:
    """0..1 to points on 0..100, rounded off float noise (rounding keeps order). Rounded to 9
    decimals first, so that noise far below the 4 kept cannot tip a value that lies on a half
    (8.65625 computed as 8.656250000001 one way and 8.656249999999 another) to either side."""
    return None if x is None else round(round(x * 100.0, 9), 4)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass(slots=True, eq=False)
class _Value:
    """What one distinct answer to one question, from one role, means and how many gave it;
    worked out once, however many give it."""

    kind: int
    qid: str = ""
    conditional: bool = False
    count: int = 0
    score: float | None = None  # 0..1; None when the question is not scored
    display: str = ""  # as people read it in the appendix
    canonical: Any = None  # as triggers and classifiers see it (a multi answer in rubric order)
    dim: int = 0  # where the score goes, and with which weight (0: nowhere)
    phase: int = 0
    weight: float = 0.0
    weighted: float = 0.0  # weight * score
    target: Any = None  # the target the score measures distance from (questions with targets)


@dataclass(slots=True)
class _Plan:
    q: Question
    dim: int
    phase: int
    weight: float
    scored: bool


@dataclass
class _Tally:
    """Everything respondents said about one question."""

    all: Dist
    roles: dict[str, Dist]
    asked: int = 0
    answered: int = 0
    unknown: int = 0
    na: int = 0
    skipped_lowest: int = 0


def score(
    loaded: LoadedRubric,
    files: Iterable[ResponseFile],
    *,
    now: datetime,
    targets: Targets | None = None,
    organization: str | None = None,
    warnings: Sequence[str] = (),
    measured: Mapping[str, Measured] | None = None,
) -> Scorecard:
    """Score answer files that `responses.check_against_rubric` accepted.

    `measured`: CRM evidence by question id (`evidence.link`); one that `replaces` stands for
    the answers' mean in that question's score (docs/scoring.md, section 5b).

    Answers that do not count are left out rather than guessed at: answers to questions the
    respondent's role is not asked, or whose condition is false, or that do not fit the question.
    Files for another rubric, or with a role the rubric does not have, are refused.

    `files` is read once, one respondent at a time (any iterable: a list, or a generator
    reading files or rows as it goes): see `Fold` for what is kept of each.
    """
    fold = Fold(loaded)
    for rf in files:
        fold.add(rf)
    return fold.finish(
        now=now, targets=targets, organization=organization, warnings=warnings, measured=measured
    )


class Fold:
    """Respondents folded in one at a time into per-question, per-role counts; `finish` makes
    the scorecard. What is kept per respondent is bounded (docs/scoring.md, Performance): the
    scorecard's line about them (`RespondentInfo`), their notes, and their own dimension, phase
    and overall scores as counts of distinct values (the spreads and intervals rest on these).
    Their answers are not kept: each distinct answer to a question, per role, is one counter.
    """

    def __init__(self, loaded: LoadedRubric, rules: AnswerRules | None = None) -> None:
        """`rules`: the checker's, when it has just judged the same answers (their values'
        verdicts are memoised there once, not twice)."""
        self.loaded = loaded
        r = self.r = loaded.rubric
        self.role_ids = role_ids = [x.id for x in r.roles]
        self._roles = set(role_ids)
        # Asking is per role (the respondent's own), scoring per group: see LoadedRubric.group_of.
        self.group_ids = group_ids = loaded.groups
        self.group_of = {role: loaded.group_of(role) for role in role_ids}
        dim_index = {d.id: i for i, d in enumerate(r.dimensions)}
        phase_index = {p.id: i for i, p in enumerate(r.phases)}
        self.n_dims, self.n_phases = n_dims, n_phases = len(r.dimensions), len(r.phases)
        self.rules = rules = rules if rules is not None else AnswerRules(loaded)
        conditions = rules.conditions
        self.plans = {
            q.id: _Plan(q, dim_index[q.dimension], phase_index[q.phase], q.weight, q.scored)
            for q in r.questions
        }
        self.conditional: dict[str, list[str]] = {}
        self.plain_asked: dict[str, int] = {}
        # Questions with targets, per role: their answers are memoised per target too.
        self.targeted: dict[str, list[str]] = {}
        for role in role_ids:
            asked_of = loaded.questions_for(role)
            self.conditional[role] = [q.id for q in asked_of if q.id in conditions]
            self.plain_asked[role] = len(asked_of) - len(self.conditional[role])
            self.targeted[role] = [q.id for q in asked_of if q.targets]
        self.picker = TargetPicker(loaded)
        # Skipped by their `when`, these count as the lowest value (`skipped: lowest`).
        self.lowest_when = {
            q.id: self.plans[q.id]
            for q in r.questions
            if q.skipped == "lowest" and q.id in conditions and q.scored and q.weight > 0
        }
        self.skipped_lowest: Counter[tuple[str, str]] = Counter()
        # Per role: (question, answer) -> what that answer means and how many gave it.
        self.values: dict[str, dict[Any, _Value]] = {role: {} for role in role_ids}
        self.asked_conditional: Counter[tuple[str, str]] = Counter()
        self.role_counts: Counter[str] = Counter()
        self.notes: dict[str, list[NoteInfo]] = defaultdict(list)
        # Each respondent's own dimension, phase and overall scores, per role group: the
        # spreads and the intervals rest on these (a few numbers per respondent, not answers).
        self.own_dims = {g: [Dist() for _ in range(n_dims)] for g in group_ids}
        self.own_phases = {g: [Dist() for _ in range(n_phases)] for g in group_ids}
        self.own_overall = {g: Dist() for g in group_ids}
        self.dim_weights = [d.weight for d in r.dimensions]
        # Straight-lining: the scale questions whose answers are compared (none when off).
        self.straightline_min = r.straightline_min
        self.scale_q = (
            frozenset(q.id for q in r.questions if q.type is QuestionType.SCALE)
            if r.straightline_min
            else frozenset()
        )
        self.respondents: list[RespondentInfo] = []
        self.problems: list[Problem] = []
        self.n = 0

    def add(self, rf: ResponseFile) -> None:
        """Fold in one respondent's answers (a file `check_against_rubric` accepted)."""
        resp = rf.responses
        role = resp.respondent.role
        if resp.rubric.id != self.r.id or role not in self._roles:
            self.problems.extend(_foreign(self.r, rf))
            return
        self.n += 1
        n_dims, n_phases, plans, rules = self.n_dims, self.n_phases, self.plans, self.rules
        self.role_counts[role] += 1
        raw = resp.answers
        theirs = self.conditional[role]
        skipped = rules.skipped(theirs, raw) if theirs else _NONE
        asked = self.plain_asked[role] + len(theirs) - len(skipped)
        if theirs:
            asked_conditional = self.asked_conditional
            for qid in theirs:
                if qid not in skipped:
                    asked_conditional[(qid, role)] += 1
        answered = unknown = na = 0
        dnum = [0.0] * n_dims
        dden = [0.0] * n_dims
        pnum = [0.0] * n_phases
        pden = [0.0] * n_phases
        mine = self.values[role]
        scale_q = self.scale_q
        scale_answers: list[Any] = []
        # Each targeted question's target for this respondent: answers are memoised on
        # (answer, target), since the same answer scores differently against another target.
        targeted = self.targeted[role]
        picked = {q: self.picker.pick(q, raw) for q in targeted if q in raw} if targeted else None
        # The hot loop: one look-up per answer; the rest was worked out per distinct answer.
        for qid, value in raw.items():
            kind_of = type(value)
            key: Any = (qid, kind_of, value) if kind_of in _SIMPLE else (qid, answer_key(value))
            target = None
            if picked and qid in picked:
                target = picked[qid]
                key = (key, target)
            v = mine.get(key)
            if v is None:
                v = mine[key] = _value_of(plans.get(qid), qid, role, rules, value, target)
            kind = v.kind
            if kind == _IGNORED or (v.conditional and qid in skipped):
                continue
            v.count += 1
            if kind == _ANSWERED:
                answered += 1
                if qid in scale_q:
                    scale_answers.append(v.canonical)
                if v.weight:
                    dnum[v.dim] += v.weighted
                    dden[v.dim] += v.weight
                    pnum[v.phase] += v.weighted
                    pden[v.phase] += v.weight
            elif kind == _UNKNOWN:
                unknown += 1
                if v.weight:  # counted as the lowest value: weight without score
                    dden[v.dim] += v.weight
                    pden[v.phase] += v.weight
            else:
                na += 1
        if skipped and self.lowest_when:
            # A follow-up skipped by its `when` counts as the lowest value, as `unknown:
            # lowest` does: weight without score. Not an answer: coverage is not touched.
            for qid in skipped:
                p = self.lowest_when.get(qid)
                if p is not None:
                    self.skipped_lowest[(qid, role)] += 1
                    dden[p.dim] += p.weight
                    pden[p.phase] += p.weight
        own: list[float | None] = [None] * n_dims
        group = self.group_of[role]
        my_dims = self.own_dims[group]
        for i in range(n_dims):
            if dden[i]:
                s = dnum[i] / dden[i]
                own[i] = s
                my_dims[i].add(s)
        my_phases = self.own_phases[group]
        for i in range(n_phases):
            if pden[i]:
                my_phases[i].add(pnum[i] / pden[i])
        mine_overall = weighted_mean(zip(self.dim_weights, own, strict=True))
        if mine_overall is not None:
            self.own_overall[group].add(mine_overall)
        for qid, text in resp.notes.items():
            if qid in plans and text.strip():
                self.notes[qid].append(
                    NoteInfo(respondent=resp.respondent.name, role=role, text=text)
                )
        self.respondents.append(
            RespondentInfo.model_construct(
                _EVERY_FIELD,
                name=resp.respondent.name,
                role=role,
                group=None if group == role else group,
                file=shown_path(rf.path),
                updated=resp.updated,
                asked=asked,
                answered=answered,
                unknown=unknown,
                na=na,
                overall=_pts(mine_overall),
                straight_lined=straight_lined(scale_answers, self.straightline_min),
            )
        )

    def finish(
        self,
        *,
        now: datetime,
        targets: Targets | None = None,
        organization: str | None = None,
        warnings: Sequence[str] = (),
        measured: Mapping[str, Measured] | None = None,
    ) -> Scorecard:
        """The scorecard of everyone folded in. Keyword-only and extensible: options that
        change how a question is read (`measured`: evidence standing in for answers, see
        `score`) come in here."""
        if self.problems:
            raise InvalidInput(self.problems)
        return _finish(self, now, targets or Targets(), organization, warnings, measured)


_NONE: frozenset[str] = frozenset()
# Every respondent's line sets every field: one set of their names shared by all, instead of
# one each (half of a line's memory at 100,000 respondents). A set, not a frozenset, since
# pydantic adds to it when a field is assigned (a name already in it).
_EVERY_FIELD = set(RespondentInfo.model_fields)


def _finish(
    fold: Fold,
    now: datetime,
    targets: Targets,
    organization: str | None,
    warnings: Sequence[str],
    measured: Mapping[str, Measured] | None,
) -> Scorecard:
    loaded, r, role_ids = fold.loaded, fold.r, fold.role_ids
    # From here on scores are per group; `role_ids` stays for what is asked of whom.
    group_ids, group_of = fold.group_ids, fold.group_of
    conditions = fold.rules.conditions
    targets_used: dict[str, Counter[str]] = defaultdict(Counter)
    values, role_counts, notes = fold.values, fold.role_counts, fold.notes
    asked_conditional = fold.asked_conditional
    own_dims, own_phases, own_overall = fold.own_dims, fold.own_phases, fold.own_overall
    dim_weights, respondents, n_files = fold.dim_weights, fold.respondents, fold.n

    # Per question: fold the distinct answers into distributions and counts.
    tallies = {q.id: _Tally(Dist(), {}) for q in r.questions}
    shown: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    group_counts: Counter[str] = Counter()
    for role, n in role_counts.items():
        group_counts[group_of[role]] += n
    # Who gave which answer, per role, as people: `_votes` turns them into votes (each group by
    # its weight, however many of its people answered), for triggers' most common answer and
    # for the classifiers (which may count some roles only, and compare the gap groups).
    role_heads: dict[str, dict[str, dict[Any, int]]] = {}
    answer_scores: dict[tuple[str, Any], float | None] = {}
    for role, known in values.items():
        group = group_of[role]
        for v in known.values():
            n = v.count
            if v.kind == _IGNORED or not n:
                continue
            tally = tallies[v.qid]
            shown[v.qid][group][v.display] += n
            if v.kind == _ANSWERED:
                tally.answered += n
                if v.target is not None:
                    targets_used[v.qid][_target_name(v.target)] += n
                rh = role_heads.setdefault(role, {}).setdefault(v.qid, defaultdict(int))
                rh[v.canonical] += n
                answer_scores[(v.qid, v.canonical)] = v.score
                if v.score is not None:
                    tally.all.add(v.score, n)
                    tally.roles.setdefault(group, Dist()).add(v.score, n)
            elif v.kind == _UNKNOWN:
                tally.unknown += n
                if v.score is not None:
                    tally.all.add(v.score, n)
                    tally.roles.setdefault(group, Dist()).add(v.score, n)
            else:
                tally.na += n
    for (qid, role), n in fold.skipped_lowest.items():  # skipped: lowest, as 0 (section 1)
        tally = tallies[qid]
        tally.skipped_lowest += n
        tally.all.add(0.0, n)
        tally.roles.setdefault(group_of[role], Dist()).add(0.0, n)
    for q in r.questions:
        tally = tallies[q.id]
        for role in role_ids:
            if not q.roles or role in q.roles:
                if q.id in conditions:
                    tally.asked += asked_conditional[(q.id, role)]
                else:
                    tally.asked += role_counts[role]

    gap_pair = list(r.gap) if r.gap else []
    signals = _Signals(role_heads, answer_scores, gap_pair, role_counts)
    votes = _votes(loaded, signals, role_ids)
    lead = r.leadership if r.leadership and len(gap_pair) == 2 else None
    group_weight = {g: r.role_weights.get(g, 1.0) for g in group_ids}
    people = r.aggregation == "people"
    role_means = {
        q.id: {g: tallies[q.id].roles[g].mean() for g in group_ids if g in tallies[q.id].roles}
        for q in r.questions
    }
    if people:
        means = {q.id: tallies[q.id].all.mean() for q in r.questions}
    else:
        # Each role group's mean, the groups combined by their weights: how many people of
        # one role answered does not move the score.
        means = {
            q.id: weighted_mean((group_weight[g], m) for g, m in role_means[q.id].items())
            for q in r.questions
        }
    # Say vs do: a measured fact replaces the answers' mean in its question's score, and so in
    # every score built on it; each role's own scores and the gaps stay what the roles said.
    for qid, m in (measured or {}).items():
        if m.replaces and m.score is not None and qid in means:
            means[qid] = m.score
    questions = [
        _question_score(q, tallies[q.id], means[q.id], role_means[q.id], gap_pair, shown, notes)
        for q in r.questions
    ]
    for qs in questions:
        qs.skipped_lowest = tallies[qs.id].skipped_lowest
        if qs.id in targets_used:
            qs.targets_used = dict(sorted(targets_used[qs.id].items()))
    if measured:
        _attach_evidence(questions, measured, values, group_of)
    qmap = {qs.id: qs for qs in questions}
    small = {g for g in group_ids if 0 < group_counts[g] < r.min_group_size}
    spread_of = _Spread(group_weight, people, small)

    dimensions: list[GroupScore] = []
    dim_exact: list[float | None] = []
    dim_role_exact: dict[str, list[float | None]] = {g: [] for g in group_ids}
    low_agreement: list[AgreementFlag] = []
    for i, d in enumerate(r.dimensions):
        members = [q for q in r.questions if q.dimension == d.id and q.scored]
        g, exact, by_role = _group(
            d.id, d.title, members, means, role_means, group_ids, gap_pair, lead, qmap
        )
        g.weight = d.weight
        spread_of.fill(g, exact, {x: own_dims[x][i] for x in group_ids}, by_role)
        g.target = targets.dimensions.get(d.id)
        g.shortfall = _shortfall(g.target, g.score)
        g.agreement = _agreement(loaded, members, tallies, group_ids)
        for role, rwg in g.agreement.items():
            if rwg < LOW_AGREEMENT:
                low_agreement.append(
                    AgreementFlag(role=role, dimension=d.id, title=d.title, rwg=rwg)
                )
        dimensions.append(g)
        dim_exact.append(exact)
        for x in group_ids:
            dim_role_exact[x].append(by_role.get(x))

    phases: list[GroupScore] = []
    thin: list[str] = []
    for i, ph in enumerate(r.phases):
        members = [q for q in r.questions if q.phase == ph.id and q.scored]
        g, exact, ph_by_role = _group(
            ph.id, ph.title, members, means, role_means, group_ids, gap_pair, lead, qmap
        )
        spread_of.fill(g, exact, {x: own_phases[x][i] for x in group_ids}, ph_by_role)
        g.threshold = ph.threshold
        # A phase with nothing scored is not assessed: it neither passes nor blocks. One whose
        # score rests on under half of its questions cannot count as achieved.
        g.achieved = None if g.score is None else g.score >= ph.threshold
        if g.achieved and (g.coverage or 0) < MIN_PHASE_COVERAGE:
            g.achieved = False
            thin.append(
                f"phase {ph.id} scores {g.score:.0f} but only {(g.coverage or 0):.0%} of its "
                "questions were answered: not counted as achieved"
            )
        phases.append(g)

    overall_exact = weighted_mean(zip(dim_weights, dim_exact, strict=True))
    overall = _pts(overall_exact)
    overall_interval, overall_indicative = spread_of.interval(overall_exact, own_overall)
    overall_by_role: dict[str, float] = {}
    for x in group_ids:
        role_score = _pts(weighted_mean(zip(dim_weights, dim_role_exact[x], strict=True)))
        if role_score is not None:
            overall_by_role[x] = role_score
    # On common ground: each dimension's gap is over the questions both groups answered.
    overall_gap = _round(weighted_mean((d.weight, d.gap) for d in dimensions))
    overall_lead_gap: dict[str, float] = {}
    for other in gap_pair if lead is not None else []:
        lg = weighted_mean((d.weight, d.leadership_gap.get(other)) for d in dimensions)
        if lg is not None:
            overall_lead_gap[other] = round(lg, 4)

    current = next((p for p in phases if p.achieved is False), None)
    assessed = [p for p in phases if p.achieved is not None]
    if current is not None:
        current_phase: str | None = current.id
    elif assessed:
        current_phase = phases[-1].id  # every assessed phase achieved: keep optimising
    else:
        current_phase = None
    level = None
    if overall is not None:
        chosen = [lv for lv in r.levels if overall >= lv.min][-1]
        level = LevelInfo(
            id=chosen.id, title=chosen.title, min=chosen.min, description=chosen.description
        )

    scored_q = [qs for qs in questions if qs.scored]
    counts = Counts(
        respondents=n_files,
        questions=len(questions),
        scored_questions=len(scored_q),
        asked=sum(q.asked for q in scored_q),
        answered=sum(q.answered for q in scored_q),
        unknown=sum(q.unknown for q in scored_q),
        na=sum(q.na for q in scored_q),
    )
    counts.missing = counts.asked - counts.answered - counts.unknown - counts.na
    gaps = _gaps(dimensions, questions, gap_pair)
    updated = [x.updated for x in respondents if x.updated is not None]

    card = Scorecard(
        tool_version=__version__,
        generated_at=now,
        rubric=RubricInfo(id=r.id, version=r.version, hash=loaded.content_hash, title=r.title),
        organization=organization,
        answers_updated=max(updated) if updated else None,
        respondents=sorted(respondents, key=lambda x: (x.name, x.role, x.file)),
        respondent_count=n_files,
        by_role={g: group_counts[g] for g in group_ids if group_counts[g]},
        # With role groups, who answered which form; by_role counts per group.
        by_own_role=(
            {role: role_counts[role] for role in role_ids if role_counts[role]}
            if loaded.role_groups
            else {}
        ),
        counts=counts,
        overall=overall,
        overall_by_role=overall_by_role,
        overall_gap=overall_gap if len(gap_pair) == 2 else None,
        overall_interval=(
            None
            if overall_interval is None
            else OverallInterval(low=overall_interval.low, high=overall_interval.high, level=LEVEL)
        ),
        overall_indicative=overall_indicative,
        leadership=lead,
        overall_leadership_gap=overall_lead_gap,
        aggregation=r.aggregation,
        min_group_size=r.min_group_size,
        small_groups=[g for g in group_ids if g in small],
        low_agreement=low_agreement,
        cancelling_gaps=[d.id for d in dimensions if d.gap_cancels],
        level=level,
        current_phase=current_phase,
        all_phases_achieved=current is None and bool(assessed),
        coverage=_coverage(scored_q),
        target=targets.overall,
        shortfall=_shortfall(targets.overall, overall),
        phases=phases,
        dimensions=dimensions,
        questions=questions,
        gap_roles=gap_pair,
        gaps=gaps,
        largest_dimension_gap=next((g for g in gaps if g.kind == "dimension"), None),
        largest_question_gap=next((g for g in gaps if g.kind == "question"), None),
        classifications=[_classify(loaded, c, signals, role_ids) for c in r.classifiers],
        blind_spots=sorted(
            (
                BlindSpot(question=qs.id, text=qs.text, unknown=qs.unknown, asked=qs.asked)
                for qs in questions
                if qs.unknown
            ),
            key=lambda b: (-b.unknown / max(b.asked, 1), b.question),
        ),
        warnings=[*warnings, *thin],
    )
    context = trigger_context(loaded, card, votes, answer_scores)
    card.recommendations, failed = _recommend(loaded, card, context)
    card.warnings.extend(failed)
    card.warnings.extend(_level_text(loaded, card, context))
    return card


def _level_text(loaded: LoadedRubric, card: Scorecard, context: dict[str, Any]) -> list[str]:
    """The level's text: its sentences whose `when` holds on the results (`context`: what
    triggers see), then its description; a warning for each condition that failed while
    running."""
    if card.level is None:
        return []
    level = next(lv for lv in loaded.rubric.levels if lv.id == card.level.id)
    if not level.sentences:
        return []
    exprs = loaded.level_conditions.get(level.id, ())
    failed: list[str] = []
    kept: list[str] = []
    for i, sentence in enumerate(level.sentences):
        expr = exprs[i] if i < len(exprs) else None
        if expr is not None:
            try:
                if not expr.run(context):
                    continue
            except EvaluationError as exc:
                failed.append(f"level {level.id}: sentence {i + 1}'s condition failed ({exc})")
                continue
        kept.append(sentence.text.strip())
    if level.description.strip():
        kept.append(level.description.strip())
    card.level.description = " ".join(kept)
    return failed


def _foreign(r: Rubric, rf: ResponseFile) -> list[Problem]:
    """A file for another rubric, or with a role it lacks, would be mis-scored: refused."""
    ref, role = rf.responses.rubric, rf.responses.respondent.role
    problems = []
    if ref.id != r.id:
        problems.append(
            Problem(str(rf.path), None, None, f"answers for rubric '{ref.id}', not '{r.id}'")
        )
    if role not in {x.id for x in r.roles}:
        problems.append(Problem(str(rf.path), None, None, f"unknown role '{role}'"))
    return problems


def _target_name(target: Any) -> str:
    """A target as the scorecard names it: an option value, or a number as people write it."""
    if isinstance(target, int | float) and not isinstance(target, bool):
        return f"{float(target):g}"
    return str(target)


def _value_of(
    p: _Plan | None, qid: str, role: str, rules: AnswerRules, value: Any, target: int | None = None
) -> _Value:
    """What an answer means: ignored when it does not count on its own (`AnswerRules.judge`:
    unknown question, not asked of this role, a value that does not fit; the checker reports
    those, scoring skips them). Conditions are judged per respondent, by the caller, and so is
    `target`, the index of the respondent's target on a question with targets."""
    if value is None or rules.judge(p.q if p else None, qid, value, role) is not None:
        return _Value(_IGNORED)
    assert p is not None
    q = p.q
    loaded = rules.rubric
    conditional = q.id in rules.conditions
    if isinstance(value, str) and value in RESERVED:
        if value == UNKNOWN and q.unknown == "lowest" and p.scored:
            # Not knowing a fact someone should track is the finding: it scores as the lowest
            # value (and is a blind spot); it never counts as a real answer for coverage.
            out = _Value(_UNKNOWN, q.id, conditional, display=value, score=0.0)
            if p.weight > 0:
                out.dim, out.phase, out.weight = p.dim, p.phase, p.weight
            return out
        kind = _UNKNOWN if value == UNKNOWN else _NA
        return _Value(kind, q.id, conditional, display=value)
    qkind = KINDS[q.type]
    v = qkind.coerce(q, value)
    goal = None
    if target is not None and q.targets:
        goal = q.targets[target].value
        s = qkind.on_target(q, value, goal) if p.scored else None
    else:
        s = normalise(q, value, loaded)
    out = _Value(_ANSWERED, q.id, conditional, 0, s, qkind.display(q, v), qkind.canonical(q, v))
    out.target = goal
    if s is not None and p.weight > 0:
        out.dim, out.phase, out.weight, out.weighted = p.dim, p.phase, p.weight, p.weight * s
    return out


def _attach_evidence(
    questions: list[QuestionScore],
    measured: Mapping[str, Measured],
    values: dict[str, dict[Any, _Value]],
    group_of: Mapping[str, str],
) -> None:
    """Each measured question carries the measurement and each role group's mean answer (in
    the question's unit: what it said, beside what the data shows)."""
    said: dict[str, dict[str, Dist]] = defaultdict(dict)
    for role, known in values.items():
        for v in known.values():
            number = isinstance(v.canonical, int | float) and not isinstance(v.canonical, bool)
            if v.qid in measured and v.kind == _ANSWERED and v.count and number:
                said[v.qid].setdefault(group_of[role], Dist()).add(float(v.canonical), v.count)
    for qs in questions:
        m = measured.get(qs.id)
        if m is not None:
            qs.evidence = QuestionEvidence(
                metric=m.metric,
                value=m.value,
                unit=m.unit,
                score=_pts(m.score),
                replaced=m.replaces and m.score is not None,
                said={role: round(d.mean() or 0.0, 4) for role, d in sorted(said[qs.id].items())},
            )


def _question_score(
    q: Question,
    t: _Tally,
    mean: float | None,
    by_role_exact: dict[str, float | None],
    gap_pair: list[str],
    shown: dict[str, dict[str, Counter[str]]],
    notes: dict[str, list[NoteInfo]],
) -> QuestionScore:
    by_role = {role: _pts(m) for role, m in by_role_exact.items()}
    return QuestionScore(
        id=q.id,
        phase=q.phase,
        dimension=q.dimension,
        type=q.type.value,
        text=q.text,
        weight=q.weight,
        scored=q.scored,
        score=_pts(mean),
        by_role=by_role,
        gap=_gap(by_role, gap_pair),
        spread=_pts(t.all.spread()),
        asked=t.asked,
        answered=t.answered,
        unknown=t.unknown,
        na=t.na,
        answers={role: dict(sorted(c.items())) for role, c in sorted(shown.get(q.id, {}).items())},
        notes=sorted(notes.get(q.id, []), key=lambda n: (n.respondent, n.role, n.text)),
    )


def _gap(by_role: dict[str, float | None] | dict[str, float], pair: list[str]) -> float | None:
    """First gap role's score minus the second's, in points, from the scores as reported."""
    if len(pair) != 2:
        return None
    a, b = by_role.get(pair[0]), by_role.get(pair[1])
    return None if a is None or b is None else round(a - b, 4)


def _group(
    gid: str,
    title: str,
    members: list[Question],
    means: dict[str, float | None],
    role_means: dict[str, dict[str, float | None]],
    role_ids: list[str],
    gap_pair: list[str],
    lead: str | None,
    qmap: dict[str, QuestionScore],
) -> tuple[GroupScore, float | None, dict[str, float | None]]:
    """A dimension or phase: the weighted mean of its questions, overall and per role group.
    The gap is on common ground: over the questions both gap roles answered."""
    exact = weighted_mean((q.weight, means[q.id]) for q in members)
    by_role_exact: dict[str, float | None] = {}
    for role in role_ids:
        s = weighted_mean((q.weight, role_means[q.id].get(role)) for q in members)
        if s is not None:
            by_role_exact[role] = s
    group = GroupScore(
        id=gid,
        title=title,
        score=_pts(exact),
        by_role={role: _pts(s) for role, s in by_role_exact.items()},
        coverage=_coverage([qmap[q.id] for q in members]),
    )
    if len(gap_pair) == 2:
        first, second, gap_abs, n = _common(members, role_means, gap_pair[0], gap_pair[1])
        if n:
            a_pts, b_pts, abs_pts = (
                round(first * 100, 4),
                round(second * 100, 4),
                round(gap_abs * 100, 4),
            )
            gap = round(a_pts - b_pts, 4)
            group.gap_first, group.gap_second, group.gap, group.gap_abs = a_pts, b_pts, gap, abs_pts
            group.gap_questions = n
            group.gap_cancels = abs_pts - abs(gap) >= CANCELLING_POINTS
        if lead is not None and lead not in gap_pair:
            for other in gap_pair:
                a, b, _, n = _common(members, role_means, lead, other)
                if n:
                    group.leadership_gap[other] = round(round(a * 100, 4) - round(b * 100, 4), 4)
    return group, exact, by_role_exact


def _common(
    members: list[Question], role_means: dict[str, dict[str, float | None]], a: str, b: str
) -> tuple[float, float, float, int]:
    """Over the questions both roles have a score on: each one's weighted mean, the weighted
    mean absolute difference, and how many such questions there are."""
    pairs = []
    for q in members:
        ma, mb = role_means[q.id].get(a), role_means[q.id].get(b)
        if ma is not None and mb is not None and q.weight > 0:
            pairs.append((q.weight, ma, mb))
    if not pairs:
        return 0.0, 0.0, 0.0, 0
    w = math.fsum(p[0] for p in pairs)
    first = math.fsum(p[0] * p[1] for p in pairs) / w
    second = math.fsum(p[0] * p[2] for p in pairs) / w
    gap_abs = math.fsum(p[0] * abs(p[1] - p[2]) for p in pairs) / w
    return first, second, gap_abs, len(pairs)


def _t975(df: float) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (rounded down to a whole
    number: the wider, safer side): a table to 30, then the Cornish-Fisher expansion
    (Abramowitz & Stegun 26.7.5), within 0.001 of the exact value from there on."""
    k = max(1, math.floor(df + 1e-9))
    if k <= len(_T975):
        return _T975[k - 1]
    z = 1.959963984540054
    return (
        z
        + (z**3 + z) / (4 * k)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * k**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * k**3)
    )


_T975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)  # fmt: skip


class _Spread:
    """Intervals and the indicative mark of a score, from each role group's respondents' own
    scores on the same questions (docs/scoring.md, section 5a)."""

    def __init__(self, weights: dict[str, float], people: bool, small: set[str]) -> None:
        self.weights, self.people, self.small = weights, people, small

    def fill(
        self,
        g: GroupScore,
        exact: float | None,
        own: dict[str, Dist],
        by_role: dict[str, float | None] | None = None,
    ) -> None:
        pooled = _pooled(own.values())
        g.spread = _pts(pooled[1]) if pooled[0] >= 2 else None
        g.interval, g.indicative = self.interval(exact, own, pooled)
        # Each role group's score on its own: its interval from its own respondents (none for
        # a group of one, which says nothing about its own variability).
        for role, point in (by_role or {}).items():
            dist = own.get(role)
            if point is None or dist is None or dist.n < 2:
                continue
            interval, _ = self.interval(point, {role: dist})
            if interval is not None:
                g.role_intervals[role] = interval

    def interval(
        self,
        point: float | None,
        own: dict[str, Dist],
        pooled: tuple[int, float, float] | None = None,
    ) -> tuple[Interval | None, bool]:
        groups = {role: d for role, d in own.items() if d.n}
        indicative = any(role in self.small for role in groups)
        if point is None or not groups:
            return None, indicative
        total = sum(d.n for d in groups.values())
        raw = {g: float(d.n) if self.people else self.weights[g] for g, d in groups.items()}
        share = {g: w / math.fsum(raw.values()) for g, w in raw.items()}
        # A group of one says nothing about its own variability: it borrows the larger of the
        # pooled within-group variance of the larger groups and the variance over everyone
        # (which holds the differences between groups too: the wider, safer choice).
        multi = {g: d for g, d in groups.items() if d.n >= 2}
        borrowed: tuple[float, int] | None = None
        if total >= 2:
            if pooled is None and len(groups) == 1:  # one group pooled is its own variance
                (only,) = groups.values()
                borrowed = (only.variance() or 0.0, total - 1)
            else:
                borrowed = ((pooled or _pooled(groups.values()))[2], total - 1)
        if multi:
            dfs = sum(d.n - 1 for d in multi.values())
            within = math.fsum((d.n - 1) * (d.variance() or 0.0) for d in multi.values()) / dfs
            if borrowed is None or within >= borrowed[0]:
                borrowed = (within, dfs)
        if borrowed is None:
            return None, True  # one respondent: nothing to say about the noise
        parts: list[tuple[float, int]] = []
        for g, d in groups.items():
            var, df = (d.variance() or 0.0, d.n - 1) if d.n >= 2 else borrowed
            parts.append((share[g] ** 2 * var / d.n, df))
        se2 = math.fsum(a for a, _ in parts)
        if se2 <= 0:
            return Interval(low=_pts(point) or 0.0, high=_pts(point) or 0.0), indicative
        df_eff = se2**2 / math.fsum(a * a / df for a, df in parts if a > 0)
        half = _t975(df_eff) * math.sqrt(se2)
        low = _pts(max(0.0, point - half)) or 0.0
        high = _pts(min(1.0, point + half)) or 0.0
        return Interval(low=low, high=high), indicative


def _pooled(dists: Iterable[Dist]) -> tuple[int, float, float]:
    """Everyone in these groups as one: (n, population standard deviation, sample variance),
    exact like `Dist` and without building the merged counts; zeros for fewer than two."""
    counts = [d.counts for d in dists if d.counts]
    n = sum(sum(c.values()) for c in counts)
    if n < 2:
        return n, 0.0, 0.0
    m = math.fsum(v * k for c in counts for v, k in c.items()) / n
    ss = math.fsum(k * (v - m) ** 2 for c in counts for v, k in c.items())
    return n, math.sqrt(ss / n), ss / (n - 1)


def _null_variance(q: Question, r: Rubric) -> float:
    """The variance of answers given at random, uniformly, on the question's A possible
    values, in 0..1 units: (A² - 1) / (12 (A - 1)²) (James, Demaree & Wolf 1984); a multi
    question, whose values are sums, and one scored by a curve or targets are taken as
    continuous (1/12)."""
    if q.targets or q.curve is not None:
        return 1 / 12
    if q.type == "scale":
        sc = q.scale or r.scale
        a = sc.max - sc.min + 1
    elif q.type == "yesno":
        a = 2
    elif q.type == "choice":
        a = len({o.score for o in q.options})
    elif q.type == "number":
        a = len({b.score for b in q.bands})
    else:
        return 1 / 12
    return (a * a - 1) / (12 * (a - 1) ** 2) if a >= 2 else 1 / 12


def _agreement(
    loaded: LoadedRubric, members: list[Question], tallies: dict[str, _Tally], role_ids: list[str]
) -> dict[str, float]:
    """rwg(J) per role group of three or more (James, Demaree & Wolf 1984): 1 - mean observed
    variance / mean variance under a uniform null, over the dimension's J questions, corrected
    for the number of questions; 0 when the observed variance reaches the null's."""
    out: dict[str, float] = {}
    for role in role_ids:
        observed: list[float] = []
        null: list[float] = []
        for q in members:
            d = tallies[q.id].roles.get(role)
            if d is not None and d.n >= MIN_AGREEMENT_GROUP:
                observed.append(d.variance() or 0.0)
                null.append(_null_variance(q, loaded.rubric))
        if not observed:
            continue
        j = len(observed)
        ratio = math.fsum(observed) / math.fsum(null)
        rwg = 0.0 if ratio >= 1 else j * (1 - ratio) / (j * (1 - ratio) + ratio)
        out[role] = round(rwg, 4)
    return out


def _coverage(questions: Sequence[QuestionScore]) -> float | None:
    """Answered share of what was asked: unknown, n/a and missing answers all lower it."""
    asked = sum(q.asked for q in questions)
    return _round(sum(q.answered for q in questions) / asked) if asked else None


def _shortfall(target: float | None, score: float | None) -> float | None:
    if target is None:
        return None
    return _round(max(0.0, target - (score or 0.0)))


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
            first=d.gap_first,
            second=d.gap_second,
            gap_abs=d.gap_abs,
            common=d.gap_questions,
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
            gap_abs=abs(q.gap or 0.0),
            common=1,
        )
        for q in questions
        if q.gap is not None
    ]
    return sorted(items, key=lambda g: (-abs(g.gap), g.kind, g.id))


@dataclass(frozen=True)
class _Signals:
    """Who answered what, per role, for triggers and classifiers: heads (people who gave each
    answer), each answer's score (for the tie rule of the most common answer), the gap groups
    and how many respondents each role has (to weigh the people as votes, see `_votes`)."""

    heads: Mapping[str, Mapping[str, Mapping[Any, int]]]
    scores: dict[tuple[str, Any], float | None]
    gap: Sequence[str]
    role_counts: Mapping[str, int]


@dataclass(frozen=True)
class _Tallied:
    outcome: str | None
    margin: float
    leads: bool
    signalled: bool
    totals: dict[str, float]
    reasons: list[Reason]


def _merged(heads: Mapping[str, Mapping[str, Mapping[Any, int]]], roles: Iterable[str]) -> Any:
    """The people of `roles` who gave each answer, per question (worked out per question as
    it is read, see `_LazyMap`)."""
    return _per_question(heads, {role: 1 for role in roles}, int)


def _per_question(
    heads: Mapping[str, Mapping[str, Mapping[Any, int]]],
    factor: Mapping[str, Any],
    zero: Callable[[], Any],
) -> Mapping[str, dict[Any, Any]]:
    """Per question, each answer's people of the roles in `factor`, each role's times its
    factor; a question nobody of them answered is not in it."""
    qids = {qid: qid for role in factor for qid in heads.get(role, {})}

    def make(qid: str) -> dict[Any, Any]:
        out: dict[Any, Any] = defaultdict(zero)
        for role, f in factor.items():
            given = heads.get(role, {}).get(qid)
            if given:
                for value, n in given.items():
                    out[value] += n * f
        return out

    return _LazyMap(qids, make)


def _votes(
    loaded: LoadedRubric, sig: _Signals, roles: Sequence[str]
) -> Mapping[str, dict[Any, Fraction]]:
    """The answers of `roles` as votes. Under `aggregation: roles` each role group among them
    weighs its role weight however many of its people answered (in respondent equivalents:
    N / Σ weights per group, N and Σ over these roles only), so people a classifier does not
    count dilute no one's vote; under `people` one person is one vote. Exact fractions, worked
    out per question as it is read (classifiers and triggers read a few)."""
    r = loaded.rubric
    roles = list(dict.fromkeys(roles))  # a role named twice is still one role's people
    counts: Counter[str] = Counter()
    for role in roles:
        counts[loaded.group_of(role)] += sig.role_counts.get(role, 0)
    present = [g for g, n in counts.items() if n]
    factor: dict[str, Fraction] = {}
    if r.aggregation == "people" or not present:
        factor = {role: Fraction(1) for role in roles}
    else:
        total = sum(counts.values())
        w_all = sum(Fraction(r.role_weights.get(g, 1.0)) for g in present)
        for role in roles:
            g = loaded.group_of(role)
            if counts[g]:
                factor[role] = Fraction(r.role_weights.get(g, 1.0)) * total / (w_all * counts[g])
    return _per_question(sig.heads, factor, Fraction)


def _signal_questions(loaded: LoadedRubric, clf: Classifier) -> list[Question]:
    """The questions whose options signal this classifier's outcomes (another classifier's
    signals are not its factors)."""
    mine = {o.id for o in clf.outcomes}
    return [
        q
        for q in loaded.rubric.questions
        if q.id != clf.current and any(mine.intersection(o.signals) for o in q.options)
    ]


def _tally(
    loaded: LoadedRubric,
    clf: Classifier,
    votes: Mapping[str, Mapping[Any, Fraction | int]],
    heads: Mapping[str, Mapping[Any, int]],
) -> _Tallied:
    """Sum the signals of the options chosen; the leader wins by at least `margin` of all
    positive signal, else the fallback (or no outcome when there is none)."""
    order = {o.id: i for i, o in enumerate(clf.outcomes)}
    parts: dict[str, list[Fraction]] = {o.id: [] for o in clf.outcomes}
    reasons: list[Reason] = []
    for q in _signal_questions(loaded, clf):
        mine = heads.get(q.id, {})
        for value, count in sorted(votes.get(q.id, {}).items(), key=lambda kv: str(kv[0])):
            chosen = set(value) if isinstance(value, tuple) else {value}
            for o in q.options:
                if o.value not in chosen:
                    continue
                for signal, weight in o.signals.items():
                    if signal in parts:
                        # Exact: votes are fractions (see score), weights binary floats.
                        parts[signal].append(Fraction(weight) * count)
                        reasons.append(
                            Reason(
                                question=q.id,
                                answer=o.label,
                                outcome=signal,
                                weight=weight,
                                respondents=int(mine.get(value, 0)),
                            )
                        )
    # Exact sums, and the margin from them: a ratio, so scaling every vote (doubling everyone)
    # cannot move it by a rounding.
    exact = {oid: sum(v, Fraction(0)) for oid, v in parts.items()}
    ranked = sorted(exact.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    whole = sum((t for t in exact.values() if t > 0), Fraction(0))
    margin = (_round(float((ranked[0][1] - ranked[1][1]) / whole)) or 0.0) if whole else 0.0
    leads = whole > 0 and ranked[0][1] > ranked[1][1] and margin >= clf.margin
    reasons.sort(key=lambda x: (-x.weight * x.respondents, x.question, x.outcome))
    return _Tallied(
        outcome=ranked[0][0] if leads else clf.fallback,
        margin=margin,
        leads=leads,
        signalled=any(parts.values()),
        totals={oid: _round(float(t)) or 0.0 for oid, t in exact.items()},
        reasons=reasons,
    )


def _points_to(q: Question, value: Any, outcomes: Mapping[str, int]) -> str | None:
    """The outcome an answer's options signal most (summed over a multi answer's options);
    none on a tie or without a positive signal."""
    chosen = set(value) if isinstance(value, tuple) else {value}
    weight: dict[str, float] = defaultdict(float)
    for o in q.options:
        if o.value in chosen:
            for signal, w in o.signals.items():
                if signal in outcomes:
                    weight[signal] += w
    best = sorted(weight.items(), key=lambda kv: (-kv[1], outcomes[kv[0]]))
    if not best or best[0][1] <= 0 or (len(best) > 1 and best[1][1] == best[0][1]):
        return None
    return best[0][0]


def _factors(
    loaded: LoadedRubric, clf: Classifier, sig: _Signals, groups: Mapping[str, Sequence[str]]
) -> list[FactorRow]:
    """Per signal question, each role group's most common answer (the tie rule of triggers'
    `answers.<id>`) and the outcome it points to."""
    outcomes = {o.id: i for i, o in enumerate(clf.outcomes)}
    rows = []
    for q in _signal_questions(loaded, clf):
        cells: dict[str, FactorAnswer] = {}
        for group, roles in groups.items():  # per group: a rep and the head are one column
            counts = _merged(sig.heads, roles).get(q.id)
            if not counts:
                continue
            top = _most_common(q, counts, sig.scores)
            chosen = set(top) if isinstance(top, tuple) else {top}
            label = ", ".join(o.label for o in q.options if o.value in chosen) or "none"
            cells[group] = FactorAnswer(answer=label, outcome=_points_to(q, top, outcomes))
        if cells:
            rows.append(FactorRow(question=q.id, text=q.text, by_role=cells))
    return rows


def _classify(
    loaded: LoadedRubric, clf: Classifier, sig: _Signals, role_ids: Sequence[str]
) -> Classification:
    """The classification (docs/scoring.md, section 8): the signals of the counted roles
    (`roles`, everyone without), then, with `undecided`, each gap group on its own."""
    counted = list(dict.fromkeys(clf.roles)) or list(role_ids)  # each role once
    main = _tally(loaded, clf, _votes(loaded, sig, counted), _merged(sig.heads, counted))
    order = {o.id: i for i, o in enumerate(clf.outcomes)}
    titles = {o.id: o.title for o in clf.outcomes}
    outcome, decided = main.outcome, main.leads
    factors = _factors(loaded, clf, sig, {g: loaded.members(g) for g in loaded.groups})
    group_outcomes: dict[str, str | None] = {}
    split = None
    common = apart = 0
    if clf.undecided is not None and len(sig.gap) == 2:
        for g in sig.gap:  # a gap group's votes: those of every counted role in it
            members = [x for x in loaded.members(g) if x in counted]
            own = _tally(loaded, clf, _votes(loaded, sig, members), _merged(sig.heads, members))
            if own.signalled:
                group_outcomes[g] = own.outcome
        first, second = sig.gap
        # Compared on the counted roles only, as the verdict is (the table shows everyone).
        kept = {g: [x for x in loaded.members(g) if x in counted] for g in sig.gap}
        for row in _factors(loaded, clf, sig, kept):
            if first in row.by_role and second in row.by_role:
                common += 1
                apart += row.by_role[first].outcome != row.by_role[second].outcome
        if len(group_outcomes) == 2 and len(set(group_outcomes.values())) == 2:
            split = "results"
        elif 2 * apart > common:
            split = "factors"
        if split is not None:
            outcome, decided = clf.undecided, False
    if split is None and clf.undecided is not None and outcome == clf.undecided:
        split = "margin"  # no outcome led clearly and the fallback is the undecided outcome
    current = None
    if clf.current is not None:
        q = loaded.questions[clf.current]
        votes: dict[str, Fraction] = defaultdict(Fraction)
        for value, count in _votes(loaded, sig, role_ids).get(q.id, {}).items():
            opt = next((o for o in q.options if o.value == value), None)
            if opt is not None and opt.signals:
                top = max(opt.signals.values())
                votes[next(k for k, w in opt.signals.items() if w == top)] += count
        if votes:
            best = sorted(votes.items(), key=lambda kv: (-kv[1], order.get(kv[0], 0)))
            if len(best) == 1 or best[0][1] > best[1][1]:
                current = best[0][0]
    return Classification(
        id=clf.id,
        title=clf.title,
        outcome=outcome,
        outcome_title=titles.get(outcome) if outcome else None,
        margin=main.margin,
        decided=decided,
        totals=main.totals,
        reasons=main.reasons,
        current=current,
        current_title=titles.get(current) if current else None,
        # Undecided recommends nothing today's structure could match.
        matches=None if current is None or outcome is None or split else current == outcome,
        by_role=factors,
        group_outcomes=group_outcomes,
        split=split,
        factors_common=common if clf.undecided is not None else 0,
        factors_apart=apart if clf.undecided is not None else 0,
    )


def trigger_context(
    loaded: LoadedRubric,
    card: Scorecard,
    votes: Mapping[str, Mapping[Any, Fraction | int]],
    scores: Mapping[tuple[str, Any], float | None],
) -> dict[str, Any]:
    """What a recommendation's trigger can see (docs/rubric-format.md, Expressions). `votes`:
    per question, each answer's votes; `scores`: each (question, answer)'s score, for the tie
    rule of the most common answer. `answers` works each question's out when it is first read:
    triggers name a few questions, and a question of numbers has as many answers as people."""
    return {
        "overall": card.overall,
        "dimension": {to_var(d.id): d.score for d in card.dimensions},
        "phase": {to_var(p.id): p.score for p in card.phases},
        "question": {to_var(q.id): q.score for q in card.questions if q.scored},
        "gap": {to_var(d.id): d.gap for d in card.dimensions},
        "answers": _LazyMap(
            {q.var: q for q in loaded.rubric.questions},
            lambda q: _as_answer(_most_common(q, votes.get(q.id, {}), scores)),
        ),
        "outcome": {to_var(c.id): c.outcome for c in card.classifications},
        "current": {to_var(c.id): c.current for c in card.classifications},
    }


def _as_answer(top: Any) -> Any:
    return list(top) if isinstance(top, tuple) else top


class _LazyMap(Mapping[str, Any]):
    """A read-only mapping whose values are made from `keys[name]` the first time each is read
    (and kept): the same mapping as making them all, for the cost of those read."""

    __slots__ = ("_keys", "_made", "_make")

    def __init__(self, keys: Mapping[str, Any], make: Callable[[Any], Any]) -> None:
        self._keys, self._make = keys, make
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        made = self._made
        if name not in made:
            made[name] = self._make(self._keys[name])  # KeyError for a name it does not have
        return made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _most_common(
    q: Question,
    counts: Mapping[Any, Fraction | int],
    scores: Mapping[tuple[str, Any], float | None],
) -> Any:
    """The answer most respondents gave. On a tie, the lower-scoring answer (then the earlier
    option, then the smaller value): an even split never hides a problem."""
    if not counts:
        return None
    option_order = {o.value: i for i, o in enumerate(q.options)}

    def rank(item: tuple[Any, Fraction | int]) -> tuple[Any, ...]:
        value, n = item
        s = scores.get((q.id, value))
        return (-n, 2.0 if s is None else s, option_order.get(value, len(option_order)), str(value))

    return min(counts.items(), key=rank)[0]


def _recommend(
    loaded: LoadedRubric, card: Scorecard, context: dict[str, Any]
) -> tuple[list[RecommendationHit], list[str]]:
    """The recommendations that fire, in roadmap order, and a warning for each trigger that
    failed while running: a rubric bug the author must hear of, not a silent `false`."""
    phase_order = {p.id: i for i, p in enumerate(loaded.rubric.phases)}
    hits = []
    failed: list[str] = []
    for rec in loaded.rubric.recommendations:
        expr = loaded.triggers.get(rec.id)
        if expr is None:
            continue
        try:
            fired = fired_by(expr, context)
        except EvaluationError as exc:
            failed.append(f"recommendation {rec.id}: its trigger failed ({exc}); not fired")
            continue
        if fired is None:
            continue
        because = []
        for ref in fired:
            value = context[ref.namespace] if not ref.name else context[ref.namespace].get(ref.name)
            name = ref.namespace if not ref.name else f"{ref.namespace}.{ref.name}"
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            if isinstance(value, float):
                value = round(value, 1)
            evidence = Evidence(name=name, value=value)
            if evidence not in because:
                because.append(evidence)
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
    return hits, failed


def fired_by(expr: Expression, context: dict[str, Any]) -> list[Reference] | None:
    """None when the trigger stays quiet; else the references of what made it fire.

    A trigger `A or B` fires when either side holds, each side judged on its own: so a side that
    compares with something not scored (none) is false without silencing the other side, and the
    evidence names only the sides that held. The sides come from the parsed trigger
    (`Expression.alternatives`), compiled once with the rubric. Every side is run, so a side
    that fails (EvaluationError) fails the whole trigger whatever the order of the sides.
    """
    if not expr.alternatives:
        return list(expr.references) if expr.run(context) else None
    held = [part for part in expr.alternatives if part.run(context)]
    if not held:
        return None
    return [ref for part in held for ref in part.references]


def _rec_shortfall(phase_id: str, dimension_id: str | None, card: Scorecard) -> float:
    """How far below its mark the recommendation's area is: its dimension against the
    dimension's target (else the phase threshold), or else its phase against the threshold."""
    phase = card.phase(phase_id)
    threshold = phase.threshold if phase and phase.threshold is not None else 60.0
    if dimension_id is not None:
        d = card.dimension(dimension_id)
        if d is not None:
            mark = d.target if d.target is not None else threshold
            return round(max(0.0, mark - (d.score or 0.0)), 4)
    score = phase.score if phase else None
    return round(max(0.0, threshold - (score or 0.0)), 4)


__all__ = ["NA", "UNKNOWN", "Dist", "Fold", "score", "trigger_context", "weighted_mean"]
