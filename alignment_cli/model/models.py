"""The rubric format as typed models. Unknown fields are errors, so a typo never passes silently.

Structural rules live here (types, ranges, required fields); rules that need the whole rubric
(cross-references, order, band coverage) live in `rubric.check_rubric`, so both kinds of error are
reported with a path and a line. The field descriptions become the JSON Schema that editors show
(`alignment rubric schema`, rubrics/rubric.schema.json): keep them short and exact.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from alignment_cli.model.metrics import METRIC_IDS

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$"
RESERVED_ANSWERS = ("n/a", "unknown")

Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=80),
    Field(description="Lower-case letters, digits and single hyphens, starting with a letter."),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
# Every number in a rubric is finite: an infinite weight would turn every score into NaN.
Number = Annotated[float, Field(allow_inf_nan=False)]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Scale(Model):
    """The whole-number range of a scale question's answers."""

    min: int = Field(1, description="Lowest answer; it scores 0.")
    max: int = Field(5, description="Highest answer; it scores 1. Must be above min.")


class LevelSentence(Model):
    """A sentence of a level's text that states a fact: shown only when the answers support it."""

    text: Text = Field(description="The sentence, shown when `when` holds (or always without).")
    when: str | None = Field(
        None,
        description="Condition over the results, in the language of recommendations' triggers, "
        "e.g. answers.sla_exists == true; the sentence is left out when it does not hold.",
    )


class Level(Model):
    """A maturity band on the 0..100 overall score; a band runs from its min to the next one's."""

    id: Id
    title: Text = Field(description="Name shown in reports.")
    min: float = Field(
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Overall score where the level starts; the first level starts at 0, "
        "later ones ascend.",
    )
    description: str = Field("", description="What an organisation at this level looks like.")
    sentences: list[LevelSentence] = Field(
        [],
        description="Sentences shown before the description, each only when its `when` holds "
        "on the results: the facts a level usually means, said only where the answers agree.",
    )


class Phase(Model):
    """A step of the framework, in order; the current phase is the first not yet achieved."""

    id: Id
    title: Text = Field(description="Name shown in reports.")
    description: str = Field("", description="What the phase is about.")
    threshold: float = Field(
        60,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="The phase is achieved when its score (0..100) reaches this.",
    )


class Dimension(Model):
    """An area of alignment that questions score; dimension scores make up the overall score."""

    id: Id
    title: Text = Field(description="Name shown in reports.")
    weight: float = Field(
        1,
        gt=0,
        allow_inf_nan=False,
        description="Weight of the dimension in the overall score (above 0).",
    )
    description: str = Field("", description="What the dimension measures.")


class Role(Model):
    """A kind of respondent (sales, marketing, ...); questions can be asked of some roles only.
    A role with `group` is a form of another role's group: asked per role, scored per group."""

    id: Id
    title: Text = Field(description="Name shown in interviews and reports.")
    description: str = Field("", description="Who belongs to this role.")
    group: Id | None = Field(
        None,
        description="Another role of the rubric (one without a group) whose group this role's "
        "respondents score in: the role is a form of that group. Asking stays per role; "
        "scores, gaps and role weights are per group. Its own group when none.",
    )
    minutes: int | None = Field(
        None, ge=1, description="How many minutes the role's form is meant to take."
    )
    group_title: str | None = Field(
        None,
        min_length=1,
        description="Name of the group this role heads, where reports show groups (columns, "
        "gaps), when other roles join it; its title when none.",
    )


class CoverageItem(Model):
    """A topic the rubric promises to ask about; questions name it in `covers`."""

    id: Id
    title: Text = Field(description="The topic.")
    source: str = Field("", description="Where the topic comes from (a study, a checklist).")


class Outcome(Model):
    """One possible result of a classifier."""

    id: Id = Field(description="Unique across all classifiers; options name it in `signals`.")
    title: Text = Field(description="Name shown in reports.")
    description: str = Field("", description="What this outcome means for the organisation.")
    test: str = Field(
        "",
        description="How to test this outcome as a hypothesis (the data or interviews that "
        "would confirm or refute it); the report prints it under the outcome.",
    )


class Classifier(Model):
    """Classifies the organisation by summing the `signals` of the options chosen."""

    id: Id = Field(description="Triggers read the chosen outcome as outcome.<id>.")
    title: Text = Field(description="Name shown in reports.")
    description: str = Field("", description="What the classification decides.")
    outcomes: list[Outcome] = Field(min_length=2, description="The possible results (two or more).")
    fallback: Id | None = Field(
        None,
        description="Outcome chosen when no outcome leads by at least `margin`, or on a tie.",
    )
    margin: float = Field(
        0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Lead the top outcome needs over the second, as a share of all signal (0..1).",
    )
    current: Id | None = Field(
        None,
        description="A choice question whose answer says which outcome describes today "
        "(its options' strongest signal); compared with the outcome, not added to it.",
    )
    roles: list[Id] = Field(
        [],
        description="Only answers of these roles count as signals (for objective inputs from "
        "the people who hold the data); every role when empty.",
    )
    undecided: Id | None = Field(
        None,
        description="Outcome chosen when the rubric's two gap groups disagree: each classified "
        "on its own reaches a different result, or their most common answers point to "
        "different outcomes on more than half of the signal questions both answered.",
    )


class Benchmark(Model):
    """A published figure to compare answers against, with its source."""

    id: Id
    figure: Text = Field(description="The figure, as a sentence.")
    source: Text = Field(description="Who published it, and where.")
    year: int | None = Field(None, description="Year of publication.")
    second_hand: bool = Field(
        False, description="True when quoted from a secondary source rather than the original."
    )
    url: str | None = Field(None, description="Where to read the source.")
    questions: list[Id] = Field([], description="Questions the figure is relevant to.")


UnknownPolicy = Literal["lowest", "exclude"]
SkippedPolicy = Literal["lowest", "exclude"]
TargetSide = Literal["both", "at_least", "at_most"]
PositiveWeight = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class QuestionType(StrEnum):
    SCALE = "scale"
    CHOICE = "choice"
    MULTI = "multi"
    YESNO = "yesno"
    NUMBER = "number"
    TEXT = "text"


def _not_reserved(schema: dict[str, Any]) -> None:
    schema["properties"]["value"]["not"] = {"enum": list(RESERVED_ANSWERS)}


class Option(Model):
    """An allowed answer of a choice or multi question."""

    model_config = ConfigDict(json_schema_extra=_not_reserved)

    value: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="What an answer file stores; not 'n/a' or 'unknown' (reserved). "
        "Quote values YAML would read as something else (yes, no, on, off, 1.0)."
    )
    label: Text = Field(description="What the respondent reads.")
    score: Unit | None = Field(
        None,
        description="0..1. Score every option of a question or none: a question with no "
        "scores is unscored context (set weight 0 unless its options carry signals).",
    )
    signals: dict[Id, Number] = Field(
        {},
        description="Classifier outcome id -> weight this option adds to that outcome.",
        json_schema_extra={
            "propertyNames": {"pattern": ID_PATTERN, "maxLength": 80},
            "additionalProperties": {"type": "number"},
        },
    )


class Band(Model):
    """A half-open range [min, max) of a number answer and the score it earns (the last band of a
    question also includes its max)."""

    min: Number | None = Field(
        None, description="Lowest value in the band (included); only the first band may omit it."
    )
    max: Number | None = Field(
        None, description="Value where the band ends (excluded); only the last band may omit it."
    )
    score: Unit = Field(description="Score of answers in this band, 0..1.")
    label: str = Field("", description="Name of the band shown in reports.")


class CurvePoint(Model):
    """One point of a curve: the score an answer of exactly `at` earns."""

    at: Number = Field(description="The answer, in the question's unit; points ascend by at.")
    score: Unit = Field(description="Score of that answer, 0..1.")


class Curve(Model):
    """A continuous score of a number answer: straight lines between points, flat outside."""

    axis: Literal["linear", "log"] = Field(
        "linear",
        description="linear: interpolate in the answer; log: in its logarithm (for times and "
        "sizes, where 1 to 2 hours matters as much as 24 to 48; every at above 0).",
    )
    points: list[CurvePoint] = Field(
        min_length=2,
        description="Two or more points, at strictly ascending; below the first the first "
        "score, above the last the last score.",
    )
    min: Number | None = Field(
        None, description="Lowest answer accepted (included); any number when not given."
    )
    max: Number | None = Field(
        None, description="Highest answer accepted (included); any number when not given."
    )


class Target(Model):
    """One target of a question: the answer that scores 1, when its condition holds."""

    when: str | None = Field(
        None,
        description="Condition over the respondent's earlier answers, as a question's when; "
        "the first entry whose condition holds sets the target. The last entry has none.",
    )
    value: int | Number | str = Field(
        description="The target answer: a number (number), a whole number on the scale "
        "(scale) or an option value (choice)."
    )

    @field_validator("value", mode="before")
    @classmethod
    def _not_yes_no(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pydantic would read true as 1: say it as options do
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError("string_type", "Input should be a valid string")
        return value


# What a type-specific field must be on a type that does not use it (`QuestionKind.fields`).
_EMPTY_ON_OTHERS: dict[str, dict[str, Any]] = {
    "anchors": {"maxProperties": 0},
    "scale": {"type": "null"},
    "options": {"maxItems": 0},
    "bands": {"maxItems": 0},
    "curve": {"type": "null"},
    "targets": {"maxItems": 0},
    "tolerance": {"type": "null"},
    "unit": {"maxLength": 0},
    "invert": {"const": False},
    "evidence": {"type": "null"},
}


def _per_type(schema: dict[str, Any]) -> None:
    """JSON Schema rules for the type-specific fields, so editors flag a misplaced field."""
    from alignment_cli.model.qtypes import KINDS  # the kinds import this module

    rules = []
    for kind in QuestionType:
        rules_of = KINDS[kind]
        props: dict[str, Any] = {
            name: constraint
            for name, constraint in _EMPTY_ON_OTHERS.items()
            if name not in rules_of.fields
        }
        props.update(rules_of.schema)
        then: dict[str, Any] = {"properties": props}
        if rules_of.required:
            then["required"] = list(rules_of.required)
        if rules_of.required_any:  # one of these scores the answers
            then["anyOf"] = [{"required": [name]} for name in rules_of.required_any]
        rules.append(
            {
                "if": {"properties": {"type": {"const": kind.value}}, "required": ["type"]},
                "then": then,
            }
        )
    schema["allOf"] = rules


class Question(Model):
    """One question. Its type decides the answers it takes and how they score."""

    model_config = ConfigDict(json_schema_extra=_per_type)

    id: Id = Field(
        description="Unique; conditions and triggers write it with underscores for hyphens."
    )
    phase: Id = Field(description="The phase this question scores.")
    dimension: Id = Field(description="The dimension this question scores.")
    type: QuestionType = Field(
        description="scale: a whole number on the scale; choice: one option; multi: several "
        "options; yesno: true or false; number: a number scored by bands, a curve or targets; "
        "text: free text "
        "(never scored)."
    )
    text: Text = Field(description="The question as the respondent reads it.")
    help: str = Field(
        "",
        description="Why it matters and what good looks like: for the consultant (interview, "
        "rubric show), never printed on a form a respondent fills in.",
    )
    hint: str = Field(
        "",
        description="Short, neutral instructions a respondent needs to answer (what to count, "
        "where the clock starts); shown on forms, in the interview and in survey exports.",
    )
    anchors: dict[int, Text] = Field(
        {},
        json_schema_extra={"propertyNames": {"pattern": r"^[+-]?[0-9]+$"}},
        description="scale only: what a level looks like in practice, keyed by answer; "
        "keys inside the scale.",
    )
    scale: Scale | None = Field(None, description="scale only: overrides the rubric's scale.")
    options: list[Option] = Field(
        [], description="choice and multi (two or more): the allowed answers."
    )
    bands: list[Band] = Field(
        [],
        description="number (this, curve or targets): ascending, contiguous ranges [min, max) "
        "and their scores.",
    )
    curve: Curve | None = Field(
        None,
        description="number (this, bands or targets): a continuous score through points, and "
        "the answers accepted.",
    )
    targets: list[Target] = Field(
        [],
        description="number, scale and choice: the answer that scores 1, set by the "
        "respondent's earlier answers; the last entry (no when) is the default. Score: "
        "max(0, 1 - |answer - target| / tolerance), the distance counted on target_side's "
        "side only. Replaces bands, curve and option scores.",
    )
    tolerance: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="With targets (required): the distance from the target that scores 0, in "
        "the unit (number), steps of the scale (scale) or positions of the options (choice).",
    )
    target_side: TargetSide = Field(
        "both",
        description="With targets: which misses cost. both: either side of the target; "
        "at_least: only answers below it (at or above scores 1, for practices where more "
        "never hurts); at_most: only answers above it. Above means a larger number, a higher "
        "step or a later option.",
    )
    unit: str = Field("", description="number only: the unit of the answer (hours, %).")
    invert: bool = Field(False, description="yesno only: when true, no scores 1 and yes 0.")
    evidence: Annotated[str, StringConstraints(max_length=80)] | None = Field(
        None,
        description="number only: the CRM metric (docs/evidence.md) that measures this "
        "question, e.g. speed_to_lead_hours; its unit must fit the question's.",
        json_schema_extra={"enum": [*METRIC_IDS, None]},
    )
    weight: float = Field(
        1,
        ge=0,
        allow_inf_nan=False,
        description="Weight inside its dimension and phase; 0: asked but unscored (context).",
    )
    roles: list[Id] = Field([], description="Who is asked; every role when empty.")
    when: str | None = Field(
        None,
        description="Ask only when this condition over earlier answers holds, "
        "e.g. answers.sla_exists == true.",
    )
    allow_na: bool | None = Field(
        None,
        description="Whether 'n/a' (not applicable) is an answer; the rubric's allow_na when "
        "not given. Allow it on structural questions only (partner programmes without a "
        "channel).",
    )
    unknown: UnknownPolicy | None = Field(
        None,
        description="How 'unknown' (don't know) counts: lowest (as the lowest value, for facts "
        "someone should track) or exclude (left out, for perceptions a person cannot judge); "
        "the rubric's unknown when not given. Either way it lowers coverage.",
    )
    skipped: SkippedPolicy | None = Field(
        None,
        description="How a question asked of the role but skipped by its when counts: exclude "
        "(left out) or lowest (as the lowest value, so leaving out a practice never scores "
        "above doing it weakly); the rubric's skipped when not given. Never lowers coverage.",
    )
    covers: list[Id] = Field([], description="Coverage items this question addresses.")
    tags: list[str] = Field([], description="Free labels, for your own grouping.")

    @property
    def var(self) -> str:
        return to_var(self.id)

    @property
    def scored(self) -> bool:
        """Whether answers to this question feed any score."""
        from alignment_cli.model.qtypes import KINDS  # the kinds import this module

        return self.weight != 0 and KINDS[self.type].scored(self)


Priority = Literal["high", "medium", "low"]
Owner = Literal["joint", "sales", "marketing", "leadership", "revops"]


Accountable = Literal["sales", "marketing", "leadership", "revops"]
#: A plan's checkpoints: days from the start of the work.
ByDay = Literal[30, 60, 90]
MAX_WORKSTREAMS = 7


class Measure(Model):
    """How a workstream's progress is measured, and where the client's baseline comes from."""

    text: Text = Field(description="What is measured, e.g. 'Sales acceptance rate of MQLs'.")
    question: Id | None = Field(
        None, description="The question whose answers give the client's baseline."
    )
    target: str = Field("", description="The figure to reach, e.g. '90%'.")


class Workstream(Model):
    """A group of recommendations the plan turns into one line of work with one owner."""

    id: Id
    title: Text = Field(description="The workstream, in a few words.")
    owner: Accountable = Field(
        description="The one accountable owner: sales, marketing, leadership or revops."
    )
    dimensions: list[Id] = Field(
        [], description="Recommendations on these dimensions belong here unless they say else."
    )
    measure: Measure | None = Field(None, description="Default: the first action's KPI.")


class Recommendation(Model):
    """An action for the roadmap, shown when its trigger holds on the scored results."""

    id: Id
    title: Text = Field(description="The action, in a few words.")
    body: Text = Field(description="What to do, concretely.")
    phase: Id = Field(description="The phase the action belongs to (the roadmap's order).")
    dimension: Id | None = Field(None, description="The dimension the action improves.")
    priority: Priority = Field("medium", description="high, medium or low.")
    owner: Owner = Field("joint", description="joint, sales, marketing, leadership or revops.")
    kpi: str = Field("", description="How to tell it worked.")
    workstream: Id | None = Field(
        None, description="The plan's workstream. Default: the one listing its dimension."
    )
    by_day: ByDay | None = Field(
        None, description="30, 60 or 90: when the plan has it done. Default: by priority."
    )
    trigger: Text = Field(
        description="Condition over the results, e.g. dimension.shared_definitions < 60."
    )


class Rubric(Model):
    """A rubric: the questions of an audit and how their answers score."""

    id: Id = Field(description="The rubric's id; answer files name it.")
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)] = Field(
        description="Semantic version, e.g. 1.0.0 (YAML reads 1.0 as a number: quote it)."
    )
    title: Text = Field(description="Name shown in reports.")
    description: str = Field("", description="What the rubric is for.")
    scale: Scale = Field(Scale(), description="Default range of scale questions.")
    levels: list[Level] = Field(
        min_length=1, description="Maturity bands on the overall score, ascending by min."
    )
    phases: list[Phase] = Field(min_length=1, description="The phases, in order.")
    dimensions: list[Dimension] = Field(min_length=1, description="The areas that are scored.")
    roles: list[Role] = Field(min_length=1, description="The groups of respondents.")
    gap: list[Id] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="Two role ids whose perception gap is measured (first minus second).",
    )
    leadership: Id | None = Field(
        None,
        description="The role id of leadership: its gap to each of the two gap roles is shown.",
    )
    aggregation: Literal["roles", "people"] = Field(
        "roles",
        description="roles: a question's score is the mean within each role group, the groups "
        "then combined by role_weights (who answered how often does not matter); people: the "
        "mean over all respondents.",
    )
    role_weights: dict[Id, PositiveWeight] = Field(
        {},
        description="Role id -> weight (above 0) of its group in every score; roles not named "
        "weigh 1. Equal weights over the groups that answered when empty.",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN, "maxLength": 80}},
    )
    evidence_policy: Literal["replace", "beside"] = Field(
        "replace",
        description="With CRM evidence in the engagement: replace puts the measured score of "
        "each fact question (a question with evidence:) in place of the answers' mean in every "
        "score; beside only shows it next to what each role said.",
    )
    min_group_size: int = Field(
        3,
        ge=1,
        description="A role group with fewer respondents is flagged as indicative wherever its "
        "score is shown.",
    )
    straightline_min: int = Field(
        8,
        ge=0,
        description="A respondent who gives the same answer to every one of at least this many "
        "scale questions is flagged as straight-lining (still scored); 0 switches it off.",
    )
    allow_na: bool = Field(
        True, description="Default of the questions' allow_na: whether 'n/a' is an answer."
    )
    unknown: UnknownPolicy = Field(
        "lowest", description="Default of the questions' unknown: lowest or exclude."
    )
    skipped: SkippedPolicy = Field(
        "exclude",
        description="Default of the questions' skipped: exclude or lowest (applies to scored "
        "questions with a when only).",
    )
    coverage: list[CoverageItem] = Field(
        [], description="Topics the rubric promises to cover; each needs a question."
    )
    classifiers: list[Classifier] = Field(
        [], description="Classifications of the organisation from option signals."
    )
    benchmarks: list[Benchmark] = Field([], description="Published figures, with sources.")
    questions: list[Question] = Field(min_length=1, description="The questions, in order.")
    recommendations: list[Recommendation] = Field(
        [], description="Actions for the roadmap, each with a trigger."
    )
    workstreams: list[Workstream] = Field(
        [],
        max_length=MAX_WORKSTREAMS,
        description="At most seven lines of work the plan groups the recommendations into.",
    )
    renamed: dict[Id, Id] = Field(
        {},
        description="Question ids of earlier versions -> the ids they have now, so answers "
        "and saved scorecards made for an earlier version carry over.",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN, "maxLength": 80}},
    )

    @model_validator(mode="after")
    def _answer_policy(self) -> Rubric:
        return _fill_answer_policy(self)


def _fill_answer_policy(r: Rubric) -> Rubric:
    """Questions that leave allow_na, unknown or skipped out take the rubric's default: every
    reader then sees one resolved policy per question. A default `skipped: lowest` reaches only
    the scored questions with a `when` (the only ones it can apply to)."""

    def resolved(q: Question) -> bool:
        return q.allow_na is not None and q.unknown is not None and q.skipped is not None

    if all(resolved(q) for q in r.questions):
        return r
    filled = [
        q
        if resolved(q)
        else q.model_copy(
            update={
                "allow_na": r.allow_na if q.allow_na is None else q.allow_na,
                "unknown": r.unknown if q.unknown is None else q.unknown,
                "skipped": (
                    q.skipped
                    if q.skipped is not None
                    else r.skipped
                    if q.when is not None and q.scored
                    else "exclude"
                ),
            }
        )
        for q in r.questions
    ]
    object.__setattr__(r, "questions", filled)  # frozen: filled once, while validating
    return r


def to_var(identifier: str) -> str:
    """Ids carry hyphens; expressions name them with underscores."""
    return identifier.replace("-", "_")
