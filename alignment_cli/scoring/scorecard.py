"""The Scorecard: everything scoring found, as one model that renders to text, JSON and reports.

`schema_version` changes only when a field is removed or changes meaning; new fields may appear
(with defaults, so that scorecards saved by earlier versions still load). docs/scoring.md
describes every field and how it is computed.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = 2
"""2: scores by role group, unknown as the lowest value, coverage over everything asked, gaps on
common questions (issue 13); scorecards of 1 still load, and comparing with one says so."""


class Card(BaseModel):
    # NaN and Infinity in JSON as Python's json module writes them (scoring/card_json.py).
    model_config = ConfigDict(extra="ignore", ser_json_inf_nan="constants")


class RubricInfo(Card):
    id: str
    version: str
    hash: str
    title: str


def _empty(value: object) -> bool:
    """Left out of the JSON when empty or false: a card without the feature stays as it was."""
    return not value


class RespondentInfo(Card):
    name: str
    role: str
    group: str | None = Field(
        None,
        exclude_if=lambda v: v is None,
        description="The role group the respondent scores in, when it is not their own role.",
    )
    file: str
    updated: datetime | None = None
    asked: int = 0
    answered: int = 0
    unknown: int = 0
    na: int = 0
    overall: float | None = None
    straight_lined: bool = Field(
        False,
        exclude_if=_empty,
        description="Gave the same answer to every one of at least the rubric's "
        "straightline_min scale questions (still scored).",
    )


class NoteInfo(Card):
    respondent: str
    role: str
    text: str


def _absent(value: object) -> bool:
    """Left out of the JSON when there is nothing: a card without evidence stays as it was."""
    return value is None or value == {}


class QuestionEvidence(Card):
    """What the CRM shows for a fact question (docs/scoring.md, section 5b)."""

    metric: str
    value: float = Field(description="The metric in the question's unit (62.25 percent).")
    unit: str = Field("", description="The question's unit.")
    score: float | None = Field(None, description="The value scored by the question, 0..100.")
    replaced: bool = Field(
        False, description="Whether the question's score is this one (evidence_policy: replace)."
    )
    said: dict[str, float] = Field(
        {}, description="Each role's mean answer, in the question's unit."
    )


class EvidenceInfo(Card):
    """The evidence file the card used."""

    file: str
    imported: str | None = None
    period_from: str | None = None
    period_to: str | None = None
    policy: str = "replace"


class Calibration(Card):
    """How far a role's claims sit from the data (docs/scoring.md, section 5b)."""

    questions: int
    mean_difference: float = Field(description="Mean of its score minus the measured, points.")
    mean_absolute: float = Field(description="Mean absolute difference, points.")


class QuestionScore(Card):
    id: str
    phase: str
    dimension: str
    type: str
    text: str
    weight: float
    scored: bool
    score: float | None = Field(None, description="Mean over respondents, 0..100.")
    by_role: dict[str, float | None] = {}
    gap: float | None = Field(None, description="First gap role minus second, in points.")
    spread: float | None = Field(None, description="Standard deviation over respondents, points.")
    asked: int = 0
    answered: int = 0
    unknown: int = 0
    na: int = 0
    answers: dict[str, dict[str, int]] = Field(
        {}, description="Per role: how many respondents gave each answer."
    )
    notes: list[NoteInfo] = []
    evidence: QuestionEvidence | None = Field(None, exclude_if=_absent)
    skipped_lowest: int = Field(
        0,
        exclude_if=lambda n: n == 0,
        description="Respondents of its roles for whom its when was false, counted as 0 "
        "(skipped: lowest); not in asked or answered.",
    )
    targets_used: dict[str, int] = Field(
        {},
        exclude_if=_absent,
        description="Questions with targets: each target answers were scored against, and by "
        "how many respondents.",
    )


class Interval(Card):
    """Where the score would likely fall with other respondents of the same roles."""

    low: float
    high: float


class OverallInterval(Interval):
    level: float = 0.95


class GroupScore(Card):
    """A phase or a dimension."""

    id: str
    title: str
    weight: float = 1.0
    score: float | None = None
    by_role: dict[str, float | None] = {}
    gap: float | None = Field(
        None, description="gap_first minus gap_second: over the questions both answered."
    )
    gap_first: float | None = Field(None, description="The first gap role, common questions.")
    gap_second: float | None = Field(None, description="The second gap role, common questions.")
    gap_abs: float | None = Field(
        None, description="Weighted mean absolute difference on the common questions, points."
    )
    gap_questions: int = Field(0, description="How many questions both gap roles answered.")
    gap_cancels: bool = Field(
        False, description="Disagreements cancel: gap_abs is 10 or more points above |gap|."
    )
    leadership_gap: dict[str, float] = Field(
        {}, description="Leadership minus each gap role, on their common questions."
    )
    interval: Interval | None = Field(None, description="95% interval of the score.")
    indicative: bool = Field(
        False, description="A role group behind the score is under the minimum group size."
    )
    role_intervals: dict[str, Interval] = Field(
        {}, description="95% interval of each role group's score (groups of two or more)."
    )
    agreement: dict[str, float] = Field(
        {}, description="Dimensions: rwg(J) within each role group of three or more, 0..1."
    )
    spread: float | None = None
    coverage: float | None = Field(None, description="Answered share of what was asked, 0..1.")
    threshold: float | None = None
    achieved: bool | None = None
    target: float | None = None
    shortfall: float | None = Field(None, description="Target minus score, when positive.")


class LevelInfo(Card):
    id: str
    title: str
    min: float
    description: str = ""


class GapItem(Card):
    kind: str = Field(description='"dimension" or "question".')
    id: str
    title: str
    gap: float = Field(description="First gap role minus second, in points.")
    first: float | None = Field(description="The first gap role's score, common questions.")
    second: float | None = Field(description="The second gap role's score, common questions.")
    gap_abs: float | None = Field(None, description="Mean absolute difference, points.")
    common: int = Field(0, description="How many questions both roles answered.")


class AgreementFlag(Card):
    role: str
    dimension: str
    title: str
    rwg: float


class Counts(Card):
    """What the scores rest on. `asked`, `answered`, `unknown`, `na` and `missing` count
    (respondent, scored question) pairs; `missing` is asked and left blank."""

    respondents: int = 0
    questions: int = 0
    scored_questions: int = 0
    asked: int = 0
    answered: int = 0
    unknown: int = 0
    na: int = 0
    missing: int = 0


class Reason(Card):
    question: str
    answer: str
    outcome: str
    weight: float
    respondents: int


class FactorAnswer(Card):
    """One role group's most common answer to a signal question, and where it points."""

    answer: str = Field(description="The answer's label (several joined for a multi question).")
    outcome: str | None = Field(
        None, description="The outcome its options signal most; none on a tie or no signal."
    )


class FactorRow(Card):
    """A signal question and each role group's most common answer to it."""

    question: str
    text: str
    by_role: dict[str, FactorAnswer]


class Classification(Card):
    id: str
    title: str
    outcome: str | None
    outcome_title: str | None
    margin: float = Field(description="The leader's lead over the runner-up, share of all signal.")
    decided: bool = Field(
        True, description="Whether the leader won by the margin; if not, the fallback is shown."
    )
    totals: dict[str, float]
    reasons: list[Reason]
    current: str | None = None
    current_title: str | None = None
    matches: bool | None = None
    by_role: list[FactorRow] = Field(
        [],
        exclude_if=_empty,
        description="Per signal question, each role group's most common answer and the "
        "outcome it points to (the report's factor table).",
    )
    group_outcomes: dict[str, str | None] = Field(
        {},
        exclude_if=_empty,
        description="With `undecided`: per gap group that gave signals, the result it reaches "
        "classified on its own (none: no lead and no fallback).",
    )
    split: str | None = Field(
        None,
        exclude_if=_absent,
        description="Why the classification is undecided: 'results' (the gap groups' own "
        "results differ), 'factors' (their answers point apart on most common factors) or "
        "'margin' (no outcome led by the margin and the fallback is the undecided outcome).",
    )
    factors_common: int = Field(
        0,
        exclude_if=_empty,
        description="With `undecided`: signal questions both gap groups answered.",
    )
    factors_apart: int = Field(
        0,
        exclude_if=_empty,
        description="Of those, how many the two groups' most common answers point to different "
        "outcomes on.",
    )


class Evidence(Card):
    name: str
    value: float | str | bool | None


class RecommendationHit(Card):
    id: str
    title: str
    body: str
    phase: str
    dimension: str | None
    priority: str
    owner: str
    kpi: str
    shortfall: float
    because: list[Evidence]


class BlindSpot(Card):
    question: str
    text: str
    unknown: int
    asked: int


class Scorecard(Card):
    # A saved run too large to hold its respondents' lines and notes is loaded without them
    # (scoring/history.py): what it keeps of them, the digests `same_results` compares.
    _people_digest: str | None = PrivateAttr(default=None)
    _notes_digest: str | None = PrivateAttr(default=None)

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    generated_at: datetime
    rubric: RubricInfo
    organization: str | None = None
    answers_updated: datetime | None = Field(
        None, description="The latest `updated` time among the answer files."
    )
    respondents: list[RespondentInfo]
    respondent_count: int = 0
    by_role: dict[str, int] = Field(description="How many respondents each role group has.")
    by_own_role: dict[str, int] = Field(
        {},
        exclude_if=lambda v: v == {},
        description="With role groups: how many respondents answered each role's form.",
    )
    counts: Counts = Field(default_factory=Counts)
    overall: float | None
    overall_by_role: dict[str, float] = Field(
        {}, description="Each role group's overall score: its dimension scores, weighted."
    )
    overall_gap: float | None = Field(
        None, description="The dimension gaps weighted by dimension weight, in points."
    )
    overall_interval: OverallInterval | None = Field(
        None, description="The overall score's interval and its level (0.95)."
    )
    overall_indicative: bool = False
    leadership: str | None = Field(None, description="The rubric's leadership role.")
    overall_leadership_gap: dict[str, float] = Field(
        {}, description="Leadership minus each gap role: the dimensions' gaps, weighted."
    )
    aggregation: str = Field("roles", description="roles or people (the rubric's choice).")
    min_group_size: int = 3
    small_groups: list[str] = Field(
        [], description="Role groups under the minimum size: their scores are indicative."
    )
    low_agreement: list[AgreementFlag] = []
    cancelling_gaps: list[str] = Field(
        [], description="Dimensions whose signed gap hides disagreements that cancel."
    )
    level: LevelInfo | None
    current_phase: str | None
    all_phases_achieved: bool
    coverage: float | None
    target: float | None = None
    shortfall: float | None = None
    phases: list[GroupScore]
    dimensions: list[GroupScore]
    questions: list[QuestionScore]
    gap_roles: list[str] = []
    gaps: list[GapItem] = Field([], description="Largest disagreements first.")
    largest_dimension_gap: GapItem | None = None
    largest_question_gap: GapItem | None = None
    classifications: list[Classification] = []
    recommendations: list[RecommendationHit] = []
    blind_spots: list[BlindSpot] = []
    warnings: list[str] = []
    evidence: EvidenceInfo | None = Field(None, exclude_if=_absent)
    calibration: dict[str, Calibration] = Field({}, exclude_if=_absent)

    def dimension(self, dimension_id: str) -> GroupScore | None:
        return next((d for d in self.dimensions if d.id == dimension_id), None)

    def phase(self, phase_id: str) -> GroupScore | None:
        return next((p for p in self.phases if p.id == phase_id), None)
