"""What a report template sees: the context's types, its limits, and how its figures are written.

Every field here is documented in docs/templates.md (a test keeps the two in step).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal

from alignment_cli.report import markdown as md
from alignment_cli.report.charts import (
    Markdown,
    Series,
    SvgChart,
    SvgLine,
)

Format = Literal["md", "html"]

#: How many of each long list the report shows before it says "and N more".
NOTES_PER_QUESTION = 12
ANSWERS_PER_CELL = 4
RESPONDENT_TABLE_MAX = 60
GAP_QUESTIONS = 10
#: How many of a group's answers a disagreement shows (most common first).
GAP_ANSWERS = 2
BLIND_SPOTS = 10
#: A sales/marketing difference this large (points) counts as a disagreement in the summary.
DISAGREEMENT_POINTS = 15.0

_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_FIGURE_OK = re.compile(r"^[0-9A-Za-z %+\-−–.,:/()×†]*$")
_OWNERS = {
    "joint": "Sales and marketing together",
    "sales": "Sales",
    "marketing": "Marketing",
    "leadership": "Leadership",
    "revops": "Revenue operations",
}


class Figure(str):
    """A number, date or fixed word this module formatted: no Markdown or HTML specials in it."""

    __slots__ = ()

    def __new__(cls, text: str) -> Figure:
        if not _FIGURE_OK.match(text):
            raise ValueError(f"not a plain figure: {text!r}")
        return super().__new__(cls, text)


# --------------------------------------------------------------------------- formatting

NO_FIGURE = Figure("")


def score_text(value: float | None) -> Figure:
    """Scores are read as whole points out of 100."""
    return Figure(md.fmt_score(value))


def signed_text(value: float | None) -> Figure:
    """A difference in points with its sign, a true minus, and no "+0"."""
    if value is None:
        return Figure("–")
    text = f"{value:+.0f}"
    if text in ("+0", "-0"):
        return Figure("0")
    return Figure(text.replace("-", "−"))


def points(value: float | None) -> int | None:
    """A score as the report shows it, in whole points: the one rounding every derived figure
    (a gap, a change, the points to go) starts from, so that what a reader recomputes from the
    figures shown adds up (issue 15)."""
    return None if value is None else int(md.fmt_score(value))


def difference(a: float | None, b: float | None) -> int | None:
    """`a` minus `b` as shown: the difference of the two rounded figures."""
    pa, pb = points(a), points(b)
    return None if pa is None or pb is None else pa - pb


def difference_text(a: float | None, b: float | None) -> Figure:
    d = difference(a, b)
    return signed_text(None if d is None else float(d))


def _floor1(value: float) -> float:
    return math.floor(round(value * 10, 6)) / 10


def below(value: float | None, bound: float | None) -> bool:
    """Whether `value` falls short of `bound` though it rounds up to it (59.6 against 60)."""
    return (
        value is not None and bound is not None and value < bound and (points(value) or 0) >= bound
    )


def score_against(value: float | None, bounds: list[float | None]) -> Figure:
    """A score in whole points, or to one decimal, rounded down, where whole points would put
    it on or over a threshold, level or target it has not reached (59.6 shows as 59.6, not 60,
    beside a threshold of 60 and "Not yet")."""
    if value is not None and any(below(value, b) for b in bounds):
        return Figure(f"{_floor1(value):.1f}")
    return score_text(value)


def to_go(target: float | None, score: float | None) -> str | None:
    """The points from the score shown to the target shown, never below 0: whole points, or
    one decimal where the score is shown with one (`score_against`)."""
    if target is None:
        return None
    if score is not None and below(score, target):
        return f"{target - _floor1(score):.1f}"
    return str(max(0, (points(target) or 0) - (points(score) or 0)))


def percent_text(value: float | None) -> Figure:
    return Figure(md.fmt_percent(value))


def long_date(day: date) -> Figure:
    """15 October 2026: the same in every locale."""
    return Figure(f"{day.day} {_MONTHS[day.month - 1]} {day.year}")


def count_text(n: int) -> Figure:
    """A count as people read it: 10,000."""
    return Figure(f"{n:,}")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# --------------------------------------------------------------------------- the context


@dataclass(frozen=True)
class RoleInfo:
    """A role group of respondents."""

    id: str
    title: str
    count: int
    shown: bool


@dataclass(frozen=True)
class Meta:
    organization: str | None
    title: str
    date: Figure
    date_text: Figure
    rubric_id: str
    rubric_title: str
    rubric_version: Figure
    rubric_hash: str
    tool_version: Figure
    respondents: int
    respondents_text: str
    roles: list[RoleInfo]
    coverage: Figure
    coverage_value: float | None


@dataclass(frozen=True)
class Privacy:
    anonymous: bool
    min_group: int | None
    hidden_roles: list[str]
    note: str | None


@dataclass(frozen=True)
class LevelBand:
    id: str
    title: str
    description: str
    start: Figure
    end: Figure
    start_value: float
    end_value: float
    current: bool


@dataclass(frozen=True)
class RoleScore:
    role: str
    score: Figure
    score_value: float | None
    #: Its interval (when the group has two or more people), with † when the group is under
    #: the minimum size; the gap roles' common-question scores carry the † only.
    range: Figure = NO_FIGURE


@dataclass(frozen=True)
class PhaseRow:
    id: str
    number: int
    title: str
    description: str
    score: Figure
    score_value: float | None
    threshold: Figure
    status: str
    achieved: bool | None
    current: bool
    coverage: Figure
    range: Figure = NO_FIGURE  # its interval, with a dagger when indicative (docs/scoring.md)


@dataclass(frozen=True)
class DimensionRow:
    id: str
    title: str
    description: str
    weight: Figure
    score: Figure
    score_value: float | None
    by_role: list[RoleScore]
    gap: Figure
    gap_value: float | None
    target: Figure | None
    shortfall: Figure | None
    coverage: Figure
    range: Figure = NO_FIGURE  # its interval, with a dagger when indicative (docs/scoring.md)


@dataclass(frozen=True)
class GapRow:
    id: str
    title: str
    first: Figure
    second: Figure
    gap: Figure
    gap_value: float
    reading: str
    #: What each group answered ("20 percent", "Weekly (2); Never"); empty for a dimension.
    first_answer: str = ""
    second_answer: str = ""
    gap_abs: Figure = NO_FIGURE  # mean absolute difference on the common questions


@dataclass(frozen=True)
class GapView:
    shown: bool
    hidden_reason: str | None
    first: str
    second: str
    dimensions: list[GapRow]
    questions: list[GapRow]
    more_questions: int


@dataclass(frozen=True)
class ReasonRow:
    question: str
    answer: str
    points_to: str
    respondents: int


@dataclass(frozen=True)
class FactorRowView:
    """A signal question and each shown role group's most common answer, with where it points."""

    question: str
    cells: list[str]


@dataclass(frozen=True)
class OrientationView:
    id: str
    title: str
    description: str
    outcome: str | None
    outcome_description: str
    current: str | None
    matches: bool | None
    verdict: str
    reasons: list[ReasonRow]
    totals: list[tuple[str, Figure]]
    #: The gap groups disagree: no verdict is printed, `groups` says what each concluded.
    undecided: bool = False
    groups: str = ""
    #: How to test the outcome as a hypothesis (the outcome's `test`).
    test: str = ""
    #: The factor table: one column per shown role group that answered a signal question.
    factor_roles: list[str] = field(default_factory=list)
    factors: list[FactorRowView] = field(default_factory=list)


@dataclass(frozen=True)
class RecommendationView:
    id: str
    number: int
    title: str
    body: str
    phase: str
    priority: str
    priority_id: str
    owner: str
    owner_id: str
    kpi: str
    dimension: str | None
    why: list[str]
    #: Spaces as wide as the list marker ("10. " is four): continuation lines indented by it
    #: stay inside the Markdown list item (CommonMark's list-item rule).
    indent: Figure
    #: The consultant's note on it (alignment.yaml, report.recommendations), or empty.
    note: str = ""


@dataclass(frozen=True)
class RoadmapPhase:
    id: str
    number: int
    title: str
    status: str
    current: bool
    counts: str
    recommendations: list[RecommendationView]


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
    client: str  # "the CRM shows 62.3 percent" or "answers: sales 80 percent, ..."
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


@dataclass(frozen=True)
class BenchmarkView:
    id: str
    figure: str
    source: str
    year: Figure | None
    second_hand: bool
    url: str | None
    questions: list[str]
    client: list[BenchmarkLine] = field(default_factory=list)  # the client's own figures


@dataclass(frozen=True)
class BlindSpotView:
    question: str
    unknown: int
    asked: int
    text: str


@dataclass(frozen=True)
class RespondentRow:
    name: str
    role: str
    answered: int
    asked: int
    unknown: int
    updated: Figure


@dataclass(frozen=True)
class AnswerCell:
    role: str
    shown: bool
    items: list[str]
    more: int
    text: str


@dataclass(frozen=True)
class NoteView:
    text: str
    respondent: str
    role: str
    attribution: str


@dataclass(frozen=True)
class AppendixQuestion:
    id: str
    number: Figure
    text: str
    dimension: str
    scored: bool
    score: Figure
    cells: list[AnswerCell]
    notes: list[NoteView]
    more_notes: int
    hidden_notes: int
    skipped_note: str = ""  # skipped: lowest, "skipped for 2 by an earlier answer: ..."


@dataclass(frozen=True)
class AppendixPhase:
    id: str
    number: int
    title: str
    questions: list[AppendixQuestion]


@dataclass(frozen=True)
class Appendix:
    roles: list[RoleInfo]
    phases: list[AppendixPhase]
    respondents: list[RespondentRow]
    respondents_listed: bool
    warnings: list[str]
    #: One sentence naming the respondents flagged for straight-lining, or empty.
    straight_lined: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    categories: list[str]
    series: list[Series]
    caption: str
    mermaid: Markdown
    svg: SvgChart


@dataclass(frozen=True)
class ChangeRow:
    id: str
    title: str
    before: Figure
    after: Figure
    change: Figure
    change_value: float | None


@dataclass(frozen=True)
class ComparisonView:
    """What changed since an earlier run (see `comparison_view`)."""

    baseline_date: Figure
    overall: ChangeRow
    level_before: str
    level_after: str
    dimensions: list[ChangeRow]
    phases: list[ChangeRow]
    resolved: list[str]
    new: list[str]
    caveats: list[str]
    summary: str


@dataclass(frozen=True)
class HistoryPoint:
    """One earlier (or the current) run, oldest first."""

    date: Figure
    overall: Figure
    overall_value: float | None
    level: str


@dataclass(frozen=True)
class Trend:
    mermaid: Markdown
    svg: SvgLine


@dataclass(frozen=True)
class Summary:
    overall: Figure
    overall_value: float | None
    level: str
    level_description: str
    phase: str | None
    phase_number: int | None
    phase_description: str
    phases_total: int
    all_phases_achieved: bool
    target: Figure | None
    shortfall: Figure | None
    strongest: list[DimensionRow]
    weakest: list[DimensionRow]
    disagreements: list[GapRow]
    agreement_note: str | None
    orientation: list[OrientationView]
    first_steps: list[RecommendationView]
    overall_range: Figure = NO_FIGURE  # its interval, with a dagger when indicative
    notes: list[str] = field(default_factory=list)  # how to read the numbers (intervals, ...)


@dataclass(frozen=True)
class HeatCell:
    role: str
    score: Figure
    score_value: float | None
    #: "h0" (0 to 20) ... "h4" (80 to 100), "none" when the group did not score it.
    shade: str
    #: The group's interval (two or more people), with † when it is under the minimum size.
    range: Figure = NO_FIGURE


@dataclass(frozen=True)
class HeatRow:
    id: str
    title: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    """Every role group shown on its own, by dimension."""

    roles: list[RoleInfo]
    rows: list[HeatRow]
    #: What the brackets and the † in its cells mean, and what each column is scored on.
    legend: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanStep:
    by_day: int
    action: str


@dataclass(frozen=True)
class WorkstreamView:
    """One workstream of the plan (report/plan.py; docs/rubric-format.md)."""

    id: str
    number: int
    title: str
    owner: str
    owner_id: str
    steps: list[PlanStep]
    measure: str
    baseline: str
    target: str
    actions: int


@dataclass(frozen=True)
class FindingView:
    """One of the consultant's findings; `body` as typed, `markdown` and `html` made harmless."""

    title: str
    body: str
    markdown: Markdown
    html: md.SafeHtml


@dataclass(frozen=True)
class ConsultantView:
    firm: str | None
    logo: str | None
    findings: list[FindingView]


NO_CONSULTANT_VIEW = ConsultantView(None, None, [])


@dataclass(frozen=True)
class ReportContext:
    """The variables every report template receives (docs/templates.md)."""

    meta: Meta
    privacy: Privacy
    summary: Summary
    levels: list[LevelBand]
    phases: list[PhaseRow]
    dimensions: list[DimensionRow]
    role_columns: list[RoleInfo]
    chart: Chart
    gap: GapView
    orientation: list[OrientationView]
    roadmap: list[RoadmapPhase]
    recommendations_total: int
    benchmarks: list[BenchmarkView]
    blind_spots: list[BlindSpotView]
    appendix: Appendix
    comparison: ComparisonView | None = None
    history: list[HistoryPoint] = field(default_factory=list)
    trend: Trend | None = None
    consultant: ConsultantView = NO_CONSULTANT_VIEW
    plan: list[WorkstreamView] = field(default_factory=list)
    heatmap: HeatMap = field(default_factory=lambda: HeatMap([], []))
    say_do: SayDo = field(default_factory=lambda: SayDo([], [], None, None))

    def variables(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
