"""The leadership report: a template context built from a Scorecard, rendered with Jinja2.

Everything that decides (rounding, wording, ordering, privacy, chart geometry) happens here, in
`build_context`; the templates in `templates/` only lay it out. docs/templates.md documents the
context for people who write their own templates.

Escaping is by default, never by remembering to: in HTML, Jinja's autoescape escapes every
value; in Markdown, the environment's `finalize` escapes every printed value with
`markdown.escape`, except numbers and the two marker types below (`Figure`, strings of digits
and words we formatted; `Markdown`, chart source we assembled from sanitised pieces). Every
template, bundled or custom, runs in Jinja2's sandbox.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from alignment_cli.files.privacy import DEFAULT_MIN_GROUP
from alignment_cli.model.models import Question
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric
from alignment_cli.report import markdown as md
from alignment_cli.report.appendix import answer_summary, build_appendix
from alignment_cli.report.charts import (
    PALETTE,
    Markdown,
    Series,
    mermaid_bars,
    svg_bars,
)
from alignment_cli.report.consultant import NO_CONSULTANT, Consultant, apply_changes
from alignment_cli.report.model import (
    _OWNERS,
    BLIND_SPOTS,
    DISAGREEMENT_POINTS,
    GAP_ANSWERS,
    GAP_QUESTIONS,
    BenchmarkView,
    BlindSpotView,
    Chart,
    ComparisonView,
    ConsultantView,
    DimensionRow,
    FactorRowView,
    Figure,
    FindingView,
    GapRow,
    GapView,
    HeatCell,
    HeatMap,
    HeatRow,
    HistoryPoint,
    LevelBand,
    Meta,
    OrientationView,
    PhaseRow,
    PlanStep,
    Privacy,
    ReasonRow,
    RecommendationView,
    ReportContext,
    RoadmapPhase,
    RoleInfo,
    RoleScore,
    Summary,
    WorkstreamView,
    _plural,
    difference_text,
    long_date,
    percent_text,
    points,
    score_against,
    score_text,
    signed_text,
    to_go,
)
from alignment_cli.report.progress import trend_view
from alignment_cli.report.reading import reading_notes
from alignment_cli.report.say_do import benchmark_lines, say_do
from alignment_cli.scoring.scorecard import (
    Classification,
    Evidence,
    GroupScore,
    RecommendationHit,
    Scorecard,
)

# --------------------------------------------------------------------------- building


def report_date(card: Scorecard, fixed: date | None, today: Callable[[], date]) -> date:
    """The report's date: the one given, else the newest answer's, else today.

    Taking it from the answers keeps a rerun on unchanged answers byte-identical.
    """
    if fixed is not None:
        return fixed
    times = [r.updated for r in card.respondents if r.updated is not None]
    return max(times).date() if times else today()


def visible_roles(
    card: Scorecard, *, anonymous: bool, min_group: int | None
) -> tuple[dict[str, bool], int | None]:
    """Which role groups may be shown on their own, and the group size in force.

    Nothing is hidden by default (quotes name roles, not people) unless the report is anonymous or
    a minimum group size is asked for; then a group smaller than it (default
    privacy.DEFAULT_MIN_GROUP) is never broken out: no column, chart series or gap of its own,
    and its quotes name neither person nor role.
    """
    enforce = anonymous or min_group is not None
    size = (min_group if min_group is not None else DEFAULT_MIN_GROUP) if enforce else None
    shown = {role: size is None or n >= size for role, n in card.by_role.items()}
    return shown, size


def build_context(
    card: Scorecard,
    loaded: LoadedRubric,
    *,
    day: date,
    anonymous: bool = False,
    min_group: int | None = None,
    attribute_quotes: bool = False,
    consultant: Consultant = NO_CONSULTANT,
    comparison: ComparisonView | None = None,
    history: Sequence[HistoryPoint] = (),
) -> ReportContext:
    role_titles = loaded.group_titles  # card.by_role counts groups
    shown, size = visible_roles(card, anonymous=anonymous, min_group=min_group)
    roles = [
        RoleInfo(id=rid, title=role_titles.get(rid, rid), count=n, shown=shown[rid])
        for rid, n in card.by_role.items()
    ]
    hidden = [x.title for x in roles if not x.shown]
    everyone_shown = size is None or len(card.respondents) >= size
    # A question only a few people answered (say, one asked of sales alone) would show their
    # answers through its score, blind spot or evidence: hide those figures too.
    few = frozenset(
        qs.id for qs in card.questions if size is not None and qs.answered + qs.unknown < size
    )
    privacy_note = None
    if hidden:
        privacy_note = (
            f"Groups with fewer than {size} respondents are not shown on their own "
            f"({', '.join(hidden)}): their answers count in the overall scores only."
        )
    privacy = Privacy(anonymous=anonymous, min_group=size, hidden_roles=hidden, note=privacy_note)

    gap_roles = [g for g in card.gap_roles if g in card.by_role]
    role_columns = [x for x in roles if x.id in gap_roles and x.shown]
    gap_shown = len(gap_roles) == 2 and all(shown.get(g, False) for g in gap_roles)

    meta = _meta(card, loaded, day, roles)
    phases = _phases(card, loaded)
    dimensions = _dimensions(card, loaded, role_columns, gap_shown)
    gap = _gap_view(card, loaded, gap_roles, gap_shown, size)
    orientation = [_orientation(c, loaded, shown) for c in card.classifications]
    hits = apply_changes(card.recommendations, consultant.changes)
    notes = {k: v.note for k, v in consultant.changes.items() if v.note}
    roadmap = _roadmap(card, loaded, hits, notes, phases, few, gap_shown, size)
    chart = _chart(dimensions, role_columns)
    levels = _levels(card, loaded)
    summary = _summary(
        card,
        loaded,
        phases,
        dimensions,
        gap,
        orientation,
        roadmap,
        {x.id for x in roles if x.shown},
    )
    shown_ids = {x.id for x in roles if x.shown}
    history_list = list(history)
    trend = trend_view(history_list) if len(history_list) >= 2 else None
    return ReportContext(
        meta=meta,
        privacy=privacy,
        summary=summary,
        levels=levels,
        phases=phases,
        dimensions=dimensions,
        role_columns=role_columns,
        chart=chart,
        gap=gap,
        orientation=orientation,
        roadmap=roadmap,
        recommendations_total=len(hits),
        benchmarks=_benchmarks(card, loaded, shown_ids),
        blind_spots=_blind_spots(card, few),
        appendix=build_appendix(
            card, loaded, roles, anonymous, everyone_shown, few, attribute_quotes
        ),
        comparison=comparison,
        history=history_list,
        trend=trend,
        consultant=_consultant_view(consultant),
        plan=_plan(card, loaded, hits, few, size),
        heatmap=_heatmap(card, roles),
        say_do=say_do(card, loaded, shown_ids),
    )


def shade(value: float | None) -> str:
    """A score's band on the heat map: h0 below 20, h1 below 40, ... h4 from 80."""
    if value is None:
        return "none"
    return f"h{min(4, max(0, int(value // 20)))}"


def _role_range(card: Scorecard, d: GroupScore, role: str, *, interval: bool = True) -> Figure:
    """A role group's score's interval and † (under the minimum size), as a Figure."""
    if d.by_role.get(role) is None:
        return Figure("")
    small = role in card.small_groups
    return Figure(md.fmt_range(d.role_intervals.get(role) if interval else None, small))


def _heatmap(card: Scorecard, roles: list[RoleInfo]) -> HeatMap:
    shown = [x for x in roles if x.shown]
    rows = [
        HeatRow(
            id=d.id,
            title=d.title,
            cells=[
                HeatCell(
                    role=x.title,
                    score=score_text(d.by_role.get(x.id)),
                    score_value=d.by_role.get(x.id),
                    shade=shade(d.by_role.get(x.id)),
                    range=_role_range(card, d, x.id),
                )
                for x in shown
            ],
        )
        for d in card.dimensions
    ]
    legend = [
        "Each group on every question it answered (the gap tables take the two compared "
        "groups on the questions both answered, so their figures can differ from these)."
    ]
    if any(c.range.startswith("(") for row in rows for c in row.cells):
        legend.append(
            "In brackets: 95% intervals of each group's score (groups of two or more people)."
        )
    for d in card.dimensions:
        values = [v for x in shown if (v := points(d.by_role.get(x.id))) is not None]
        score = points(d.score)
        if score is None or len(values) < 2 or min(values) <= score <= max(values):
            continue
        side = "below" if score < min(values) else "above"
        replaced = sum(
            1
            for q in card.questions
            if q.dimension == d.id and q.evidence is not None and q.evidence.replaced
        )
        why = (
            "the groups answered different questions, and each question counts once, with every "
            "group that answered it"
        )
        if replaced:
            why = (
                f"the CRM's figures stand for the answers to {replaced} of its questions (each "
                f"group's score is what it said); also, {why}"
            )
        legend.append(
            f"{d.title} scores {score} overall, {side} every group's score: {why} "
            "(docs/scoring.md)."
        )
    small = [x for x in shown if x.id in card.small_groups]
    if small:
        legend.append(
            f"† indicative: fewer than {card.min_group_size} respondents in "
            + ", ".join(f"{x.title} ({x.count:,})" for x in small)
            + "."
        )
    return HeatMap(roles=shown, rows=rows, legend=legend)


def _plan(
    card: Scorecard,
    loaded: LoadedRubric,
    hits: Sequence[RecommendationHit],
    few: frozenset[str],
    size: int | None,
) -> list[WorkstreamView]:
    from alignment_cli.report.plan import build_plan, owner_title

    hidden = f"answered by fewer than {size} people: not shown"
    return [
        WorkstreamView(
            id=w.id,
            number=i,
            title=w.title,
            owner=owner_title(w.owner),
            owner_id=w.owner,
            steps=[PlanStep(s.by_day, s.action) for s in w.steps],
            measure=w.measure,
            baseline=hidden if w.baseline_question in few else w.baseline,
            target=w.target,
            actions=len(w.recommendations),
        )
        for i, w in enumerate(build_plan(card, loaded, hits), start=1)
    ]


def _consultant_view(c: Consultant) -> ConsultantView:
    return ConsultantView(
        firm=c.firm,
        logo=c.logo_uri,
        findings=[
            FindingView(
                title=f.title,
                body=f.body,
                markdown=Markdown(md.safe_markdown(f.body)),
                html=md.safe_html(f.body),
            )
            for f in c.findings
        ],
    )


def _meta(card: Scorecard, loaded: LoadedRubric, day: date, roles: list[RoleInfo]) -> Meta:
    total = len(card.respondents)
    parts = [f"{x.count:,} {x.title}" for x in roles]
    if card.by_own_role:  # role groups: who answered which form (and its group, if another)
        titles, groups = {x.id: x.title for x in loaded.rubric.roles}, loaded.group_titles
        parts = [
            f"{n:,} {titles.get(role, role)}"
            + ("" if (g := loaded.group_of(role)) == role else f" ({groups.get(g, g)})")
            for role, n in card.by_own_role.items()
        ]
    text = _plural(total, "person", "people") + (": " + ", ".join(parts) if parts else "")
    return Meta(
        organization=card.organization,
        title=card.rubric.title,
        date=Figure(day.isoformat()),
        date_text=long_date(day),
        rubric_id=card.rubric.id,
        rubric_title=card.rubric.title,
        rubric_version=Figure(card.rubric.version),
        rubric_hash=card.rubric.hash,
        tool_version=Figure(card.tool_version),
        respondents=total,
        respondents_text=text,
        roles=roles,
        coverage=percent_text(card.coverage),
        coverage_value=card.coverage,
    )


def _levels(card: Scorecard, loaded: LoadedRubric) -> list[LevelBand]:
    levels = loaded.rubric.levels
    out = []
    for i, lv in enumerate(levels):
        end = levels[i + 1].min if i + 1 < len(levels) else 100.0
        out.append(
            LevelBand(
                id=lv.id,
                title=lv.title,
                description=lv.description,
                start=score_text(lv.min),
                end=score_text(end),
                start_value=lv.min,
                end_value=end,
                current=card.level is not None and card.level.id == lv.id,
            )
        )
    return out


def _status(achieved: bool | None) -> str:
    return {True: "Achieved", False: "Not yet", None: "Not assessed"}[achieved]


def _phases(card: Scorecard, loaded: LoadedRubric) -> list[PhaseRow]:
    descriptions = {p.id: p.description for p in loaded.rubric.phases}
    return [
        PhaseRow(
            id=p.id,
            number=i,
            title=p.title,
            description=descriptions.get(p.id, ""),
            score=score_against(p.score, [p.threshold]),
            score_value=p.score,
            threshold=score_text(p.threshold),
            status=_status(p.achieved)
            + (
                f": only {percent_text(p.coverage)} answered"
                if p.achieved is False and p.score is not None and p.score >= (p.threshold or 0)
                else ""
            ),
            achieved=p.achieved,
            current=p.id == card.current_phase and not card.all_phases_achieved,
            coverage=percent_text(p.coverage),
            range=Figure(md.fmt_range(p.interval, p.indicative)),
        )
        for i, p in enumerate(card.phases, start=1)
    ]


def _dimensions(
    card: Scorecard, loaded: LoadedRubric, columns: list[RoleInfo], gap_shown: bool
) -> list[DimensionRow]:
    descriptions = {d.id: d.description for d in loaded.rubric.dimensions}
    return [
        DimensionRow(
            id=d.id,
            title=d.title,
            description=descriptions.get(d.id, ""),
            weight=Figure(f"{d.weight:g}"),
            score=score_against(d.score, [d.target]),
            score_value=d.score,
            by_role=[
                RoleScore(
                    role=c.title,
                    score=score_text(v),
                    score_value=v,
                    range=_role_range(
                        card, d, c.id, interval=not (gap_shown and c.id in card.gap_roles)
                    ),
                )
                for c in columns
                for v in [_role_value(card, d, c.id, gap_shown)]
            ],
            gap=difference_text(d.gap_first, d.gap_second) if gap_shown else Figure("–"),
            gap_value=_shown_gap(d.gap_first, d.gap_second) if gap_shown else None,
            target=None if d.target is None else score_text(d.target),
            shortfall=_to_go_text(d.target, d.score),
            coverage=percent_text(d.coverage),
            range=Figure(md.fmt_range(d.interval, d.indicative)),
        )
        for d in card.dimensions
    ]


def _shown_gap(first: float | None, second: float | None) -> float | None:
    """The gap as the table shows it: the difference of the two rounded scores beside it."""
    return md.shown_gap(first, second, None)


def _to_go_text(target: float | None, score: float | None) -> Figure | None:
    n = to_go(target, score)
    return None if n is None else Figure(n)


def _role_value(card: Scorecard, d: GroupScore, role: str, gap_shown: bool) -> float | None:
    """Beside the gap, the two gap roles' scores as the gap takes them: on the questions both
    answered, so that the row adds up."""
    if gap_shown and role in card.gap_roles:
        return d.gap_first if role == card.gap_roles[0] else d.gap_second
    return d.by_role.get(role)


def _reading(first: str, second: str, gap: float) -> str:
    """A gap in words: who rates it higher, and by how much (`gap` as shown: whole points)."""
    size = abs(round(gap))
    if size == 0:
        return f"{first} and {second} agree"
    direction = "higher" if gap > 0 else "lower"
    return f"{first} rates it {_plural(size, 'point')} {direction} than {second}"


def _gap_view(
    card: Scorecard,
    loaded: LoadedRubric,
    gap_roles: list[str],
    shown: bool,
    size: int | None,
) -> GapView:
    titles = loaded.group_titles
    pair = card.gap_roles
    first = titles.get(pair[0], pair[0]) if len(pair) == 2 else ""
    second = titles.get(pair[1], pair[1]) if len(pair) == 2 else ""
    reason = None
    if len(pair) != 2:
        reason = "This rubric does not compare two groups."
    elif len(gap_roles) != 2:
        reason = f"The gap needs answers from both {first} and {second}."
    elif not shown:
        reason = (
            f"Fewer than {size} respondents in {first} or {second}: the gap between them "
            "is not shown."
        )

    by_id = {qs.id: qs for qs in card.questions}

    def said(g: Any, role: str) -> str:
        qs = by_id.get(g.id) if g.kind == "question" else None
        if qs is None:
            return ""
        q = loaded.questions.get(qs.id)
        scale = (q.scale if q is not None and q.scale else loaded.rubric.scale).max
        return answer_summary(q, qs.answers.get(role, {}), scale, GAP_ANSWERS)[2].rstrip(".")

    def row(g: Any) -> GapRow:
        shown_gap = _shown_gap(g.first, g.second)
        value = g.gap if shown_gap is None else shown_gap
        return GapRow(
            id=g.id,
            title=g.title,
            first=score_text(g.first),
            second=score_text(g.second),
            gap=signed_text(value),
            gap_value=value,
            reading=_reading(first, second, value),
            first_answer=said(g, pair[0]) if len(pair) == 2 else "",
            second_answer=said(g, pair[1]) if len(pair) == 2 else "",
            gap_abs=score_text(g.gap_abs),
        )

    if reason is not None:
        return GapView(False, reason, first, second, [], [], 0)

    # Ordered by the gaps as shown (largest first; the scorecard's order breaks ties), so that
    # the order agrees with the figures.
    def largest(rows: list[GapRow]) -> list[GapRow]:
        return sorted(rows, key=lambda x: -abs(x.gap_value))

    dims = largest([row(g) for g in card.gaps if g.kind == "dimension"])
    questions = largest(
        [x for x in (row(g) for g in card.gaps if g.kind == "question") if x.gap_value != 0]
    )
    return GapView(
        shown=True,
        hidden_reason=None,
        first=first,
        second=second,
        dimensions=dims,
        questions=questions[:GAP_QUESTIONS],
        more_questions=max(0, len(questions) - GAP_QUESTIONS),
    )


def _orientation(
    c: Classification, loaded: LoadedRubric, shown: Mapping[str, bool] | None = None
) -> OrientationView:
    clf = next((x for x in loaded.rubric.classifiers if x.id == c.id), None)
    outcomes = {o.id: o for o in clf.outcomes} if clf else {}
    qtext = {q.id: q.text for q in loaded.rubric.questions}
    grouped: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    people: dict[tuple[str, str], int] = {}
    for reason in c.reasons:
        key = (reason.question, reason.answer)
        grouped[key][reason.outcome] += reason.weight * reason.respondents
        people[key] = reason.respondents
    reasons = []
    for key, weights in grouped.items():
        parts = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
        reasons.append(
            (
                -sum(weights.values()),
                key,
                ReasonRow(
                    question=qtext.get(key[0], key[0]),
                    answer=key[1],
                    points_to=", ".join(
                        f"{outcomes[o].title if o in outcomes else o} ({w:g})" for o, w in parts
                    ),
                    respondents=people[key],
                ),
            )
        )
    reasons.sort(key=lambda t: (t[0], t[1]))
    undecided = c.split is not None
    if undecided:
        verdict = f"Today: {c.current_title}." if c.current_title else ""
    elif c.outcome is None:
        verdict = "The answers do not point to either function."
    elif c.current is None:
        # Only a classifier with a `current` question can say what today looks like.
        verdict = "Who drives strategy today was not answered." if clf and clf.current else ""
    elif c.matches:
        verdict = f"Today: {c.current_title}, which matches."
    else:
        verdict = f"Today: {c.current_title}, which does not match."
    totals = [
        (outcomes[o].title if o in outcomes else o, Figure(f"{w:g}"))
        for o, w in sorted(c.totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return OrientationView(
        id=c.id,
        title=c.title,
        description=clf.description if clf else "",
        outcome=c.outcome_title,
        outcome_description=outcomes[c.outcome].description if c.outcome in outcomes else "",
        current=c.current_title,
        matches=c.matches,
        verdict=verdict,
        reasons=[t[2] for t in reasons],
        totals=totals,
        undecided=undecided,
        groups=_group_sentence(c, loaded, outcomes, shown) if undecided else "",
        test=outcomes[c.outcome].test if c.outcome in outcomes else "",
        **_factor_table(c, loaded, outcomes, shown),
    )


def _shown_roles(
    loaded: LoadedRubric, shown: Mapping[str, bool] | None, roles: Iterable[str]
) -> list[str]:
    """The roles among `roles`, in rubric order, that the report may show on their own."""
    wanted = set(roles)
    return [
        x.id
        for x in loaded.rubric.roles
        if x.id in wanted and (shown is None or shown.get(x.id, False))
    ]


def _group_sentence(
    c: Classification,
    loaded: LoadedRubric,
    outcomes: Mapping[str, Any],
    shown: Mapping[str, bool] | None,
) -> str:
    """What each gap group concluded, in words (no verdict: the groups disagree or no outcome
    leads clearly)."""
    titles = loaded.group_titles
    if c.split == "margin":
        return (
            "No outcome leads clearly: the answers point several ways, so the rubric's "
            "undecided outcome stands until the evidence below settles it."
        )

    def said(o: str | None) -> str:
        return str(outcomes[o].title) if o is not None and o in outcomes else "no clear outcome"

    gap = list(loaded.rubric.gap or [])
    named = _shown_roles(loaded, shown, gap)
    if len(named) < 2:  # a group too small to show on its own is not named
        return "The two groups disagree: their answers point to different outcomes."
    first, second = (titles[g] for g in gap)
    if c.split == "results":
        return (
            f"The groups disagree: the answers of {first} point to "
            f"{said(c.group_outcomes.get(gap[0]))}, those of {second} to "
            f"{said(c.group_outcomes.get(gap[1]))}."
        )
    return (
        f"The groups disagree: on {c.factors_apart} of the {c.factors_common} factors both "
        f"answered, the most common answers of {first} and {second} point to different outcomes."
    )


def _factor_table(
    c: Classification,
    loaded: LoadedRubric,
    outcomes: Mapping[str, Any],
    shown: Mapping[str, bool] | None,
) -> dict[str, Any]:
    """Factor | one column per shown role group: its most common answer (→ where it points)."""
    roles = _shown_roles(loaded, shown, {role for row in c.by_role for role in row.by_role})
    if not roles:
        return {"factor_roles": [], "factors": []}
    titles = loaded.group_titles
    rows = []
    for row in c.by_role:
        cells = []
        for role in roles:
            a = row.by_role.get(role)
            if a is None:
                cells.append("–")
            elif a.outcome is not None and a.outcome in outcomes:
                cells.append(f"{a.answer} (→ {outcomes[a.outcome].title})")
            else:
                cells.append(a.answer)
        rows.append(FactorRowView(question=row.text, cells=cells))
    return {"factor_roles": [titles[r] for r in roles], "factors": rows}


def _evidence(
    e: Evidence,
    loaded: LoadedRubric,
    card: Scorecard,
    few: frozenset[str] = frozenset(),
    gap_shown: bool = True,
    size: int | None = None,
) -> str:
    """A trigger's evidence in words a leader reads ("question.x_y = 33.3" is for developers).

    Evidence that would show the answers of fewer than `size` people (`few`), or a gap that is
    not shown, is named without its value.
    """
    r = loaded.rubric
    namespace, _, var = e.name.partition(".")
    by_var = {q.var: q for q in r.questions}
    dims = {d.id.replace("-", "_"): d.title for d in r.dimensions}
    phases = {p.id.replace("-", "_"): p.title for p in r.phases}
    clfs = {c.id.replace("-", "_"): c for c in r.classifiers}
    value = e.value
    number = (
        score_text(float(value))
        if isinstance(value, int | float) and not isinstance(value, bool)
        else None
    )
    if namespace == "overall":
        return f"Overall score: {number or 'not scored'}"
    if namespace == "dimension" and var in dims:
        return f"{dims[var]}: {number or 'not scored'}"
    if namespace == "phase" and var in phases:
        return f"{phases[var]} phase: {number or 'not scored'}"
    if namespace in ("question", "answers") and var in by_var and by_var[var].id in few:
        return f"“{by_var[var].text}” (answered by fewer than {size} people: not shown)"
    if namespace == "question" and var in by_var:
        return f"“{by_var[var].text}” scores {number or 'nothing yet'}"
    if namespace == "gap" and var in dims and len(card.gap_roles) == 2:
        titles = loaded.group_titles
        a, b = (titles.get(x, x) for x in card.gap_roles)
        if not gap_shown:
            return f"{dims[var]}: the difference between {a} and {b} (not shown)"
        if isinstance(value, int | float) and not isinstance(value, bool):
            # As the tables show it: the difference of the two rounded scores.
            d = next((x for x in card.dimensions if x.id.replace("-", "_") == var), None)
            own = d is not None and d.gap is not None and abs(d.gap - float(value)) < 1e-6
            shown = _shown_gap(d.gap_first, d.gap_second) if own and d is not None else None
            return f"{dims[var]}: {_reading(a, b, float(value) if shown is None else shown)}"
        return f"{dims[var]}: no comparison between {a} and {b}"
    if namespace == "answers" and var in by_var:
        q = by_var[var]
        return f"Most common answer to “{q.text}”: {_answer_words(q, value)}"
    if namespace == "outcome" and var in clfs:
        clf = clfs[var]
        title = next((o.title for o in clf.outcomes if o.id == value), None)
        return f"{clf.title}: {title or 'undecided'}"
    if namespace == "current" and var in clfs:
        clf = clfs[var]
        title = next((o.title for o in clf.outcomes if o.id == value), None)
        return f"{clf.title} today: {title or 'unclear'}"
    return f"{e.name}: {value}"


def _answer_words(q: Question, value: object) -> str:
    if value is None:
        return "not answered"
    return KINDS[q.type].words(q, value)


def _roadmap(
    card: Scorecard,
    loaded: LoadedRubric,
    hits: Sequence[RecommendationHit],
    notes: dict[str, str],
    phases: list[PhaseRow],
    few: frozenset[str],
    gap_shown: bool,
    size: int | None,
) -> list[RoadmapPhase]:
    dims = {d.id: d.title for d in loaded.rubric.dimensions}
    by_phase: dict[str, list[RecommendationView]] = defaultdict(list)
    order = {p.id: i for i, p in enumerate(phases)}
    ranked = sorted(
        hits,
        key=lambda h: (order.get(h.phase, len(order)), _PRIORITY.get(h.priority, 9)),
    )
    for number, hit in enumerate(ranked, start=1):
        by_phase[hit.phase].append(
            RecommendationView(
                id=hit.id,
                number=number,
                title=hit.title,
                body=hit.body,
                phase=hit.phase,
                priority=hit.priority.capitalize(),
                priority_id=hit.priority,
                owner=_OWNERS.get(hit.owner, hit.owner.capitalize()),
                owner_id=hit.owner,
                kpi=hit.kpi,
                dimension=dims.get(hit.dimension) if hit.dimension else None,
                why=[_evidence(e, loaded, card, few, gap_shown, size) for e in hit.because],
                indent=Figure(" " * (len(str(number)) + 2)),
                note=notes.get(hit.id, ""),
            )
        )
    out = []
    for p in phases:
        recs = by_phase.get(p.id, [])
        if not recs:
            continue
        counts = Counter(x.priority_id for x in recs)
        text = ", ".join(f"{counts[k]} {k}" for k in ("high", "medium", "low") if counts[k])
        out.append(
            RoadmapPhase(
                id=p.id,
                number=p.number,
                title=p.title,
                status=p.status,
                current=p.current,
                counts=f"{_plural(len(recs), 'action')} ({text} priority)",
                recommendations=recs,
            )
        )
    return out


_PRIORITY = {"high": 0, "medium": 1, "low": 2}


def _chart(dimensions: list[DimensionRow], columns: list[RoleInfo]) -> Chart:
    rows = [d for d in dimensions if d.score_value is not None]
    categories = [d.title for d in rows]
    series = [Series("all", "All respondents", [d.score_value for d in rows], "s0", PALETTE[0])]
    for i, col in enumerate(columns, start=1):
        values = [d.by_role[i - 1].score_value for d in rows]
        series.append(Series(col.id, col.title, values, f"s{i}", PALETTE[i % len(PALETTE)]))
    title = "Scores by dimension (0 to 100)"
    if len(series) == 1:
        caption = "Bars: all respondents."
    else:
        names = [f"{s.name} ({_COLOUR_NAMES.get(s.colour, s.colour)})" for s in series[1:]]
        caption = f"Bars: all respondents ({_COLOUR_NAMES[PALETTE[0]]}). Lines: {', '.join(names)}."
    return Chart(
        title=title,
        categories=categories,
        series=series,
        caption=caption,
        mermaid=mermaid_bars(title, categories, series),
        svg=svg_bars(title, categories, series),
    )


_COLOUR_NAMES = {
    PALETTE[0]: "blue",
    PALETTE[1]: "orange",
    PALETTE[2]: "green",
    PALETTE[3]: "purple",
    PALETTE[4]: "grey",
}


def _summary(
    card: Scorecard,
    loaded: LoadedRubric,
    phases: list[PhaseRow],
    dimensions: list[DimensionRow],
    gap: GapView,
    orientation: list[OrientationView],
    roadmap: list[RoadmapPhase],
    shown_roles: set[str],
) -> Summary:
    scored = [d for d in dimensions if d.score_value is not None]
    order = {d.id: i for i, d in enumerate(dimensions)}
    ranked = sorted(scored, key=lambda d: (-(d.score_value or 0.0), order[d.id]))
    strongest = ranked[:1]
    weakest = ranked[-1:] if len(ranked) > 1 else []
    if strongest and weakest and strongest[0].score == weakest[0].score:
        strongest, weakest = [], []
    current = next((p for p in phases if p.current), None)
    disagreements = [g for g in gap.questions if abs(g.gap_value) >= DISAGREEMENT_POINTS][:3]
    agreement = None
    if gap.shown and not disagreements:
        agreement = (
            f"{gap.first} and {gap.second} see things much the same: no question differs by "
            f"{DISAGREEMENT_POINTS:.0f} points or more."
        )
    steps: list[RecommendationView] = []
    for phase in roadmap:
        steps += [x for x in phase.recommendations if x.priority_id == "high"]
    if not steps:
        steps = [x for phase in roadmap for x in phase.recommendations]
    level_description = card.level.description if card.level else ""
    return Summary(
        overall=score_against(card.overall, [card.target, *(x.min for x in loaded.rubric.levels)]),
        overall_value=card.overall,
        level=card.level.title if card.level else "not scored",
        level_description=level_description,
        phase=current.title if current else None,
        phase_number=current.number if current else None,
        phase_description=current.description if current else "",
        phases_total=len(phases),
        all_phases_achieved=card.all_phases_achieved
        and any(p.achieved is not None for p in phases),
        target=None if card.target is None else score_text(card.target),
        shortfall=_to_go_text(card.target, card.overall),
        strongest=strongest,
        weakest=weakest,
        disagreements=disagreements,
        agreement_note=agreement,
        orientation=orientation,
        first_steps=steps[:3],
        overall_range=Figure(md.fmt_range(card.overall_interval, card.overall_indicative)),
        notes=reading_notes(card, named=shown_roles, titles=loaded.group_titles),
    )


def _benchmarks(card: Scorecard, loaded: LoadedRubric, shown: set[str]) -> list[BenchmarkView]:
    """Each published figure, and beside it the client's own on the questions it names."""
    qtext = {q.id: q.text for q in loaded.rubric.questions}
    return [
        BenchmarkView(
            id=b.id,
            figure=b.figure,
            source=b.source,
            year=None if b.year is None else Figure(str(b.year)),
            second_hand=b.second_hand,
            url=b.url,
            questions=[qtext.get(q, q) for q in b.questions],
            client=benchmark_lines(card, loaded, b.id, shown),
        )
        for b in loaded.rubric.benchmarks
    ]


def _blind_spots(card: Scorecard, few: frozenset[str]) -> list[BlindSpotView]:
    return [
        BlindSpotView(
            question=b.text,
            unknown=b.unknown,
            asked=b.asked,
            text=f"{b.unknown:,} of {_plural(b.asked, 'person', 'people')} did not know",
        )
        for b in [b for b in card.blind_spots if b.question not in few][:BLIND_SPOTS]
    ]
