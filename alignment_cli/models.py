"""The rubric format as typed models. Unknown fields are errors, so a typo never passes silently.

Structural rules live here (types, ranges, required fields); rules that need the whole rubric
(cross-references, order, band coverage) live in `rubric.check_rubric`, so both kinds of error are
reported with a path and a line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Unit = Annotated[float, Field(ge=0, le=1)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(Model):
    min: int = Field(1, description="Lowest answer of a scale question.")
    max: int = Field(5, description="Highest answer of a scale question.")


class Level(Model):
    """A maturity band on the 0..100 overall score; a band runs from its min to the next one's."""

    id: Id
    title: Text
    min: float = Field(ge=0, le=100)
    description: str = ""


class Phase(Model):
    id: Id
    title: Text
    description: str = ""
    threshold: float = Field(
        60, ge=0, le=100, description="A phase counts as achieved when its score reaches this."
    )


class Dimension(Model):
    id: Id
    title: Text
    weight: float = Field(1, gt=0, description="Weight of the dimension in the overall score.")
    description: str = ""


class Role(Model):
    id: Id
    title: Text
    description: str = ""


class CoverageItem(Model):
    """A topic the rubric promises to ask about; questions name it in `covers`."""

    id: Id
    title: Text
    source: str = ""


class Outcome(Model):
    id: Id
    title: Text
    description: str = ""


class Classifier(Model):
    """Classifies the organisation by summing the `signals` of the options chosen."""

    id: Id
    title: Text
    description: str = ""
    outcomes: list[Outcome] = Field(min_length=2)
    fallback: Id | None = Field(None, description="Outcome chosen when the lead is below margin.")
    margin: float = Field(0.0, ge=0, le=1, description="Lead needed, as a share of all signal.")
    current: Id | None = Field(
        None, description="A choice question whose answer says which outcome describes today."
    )


class Benchmark(Model):
    id: Id
    figure: Text
    source: Text
    year: int | None = None
    second_hand: bool = False
    url: str | None = None
    questions: list[Id] = []


class QuestionType(StrEnum):
    SCALE = "scale"
    CHOICE = "choice"
    MULTI = "multi"
    YESNO = "yesno"
    NUMBER = "number"
    TEXT = "text"


class Option(Model):
    value: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    label: Text
    score: Unit | None = Field(None, description="0..1; leave out on unscored context questions.")
    signals: dict[Id, float] = Field(
        {}, description="Weight this option adds to classifier outcomes."
    )


class Band(Model):
    """A half-open range [min, max) of a number answer and the score it earns."""

    min: float | None = None
    max: float | None = None
    score: Unit
    label: str = ""


class Question(Model):
    id: Id
    phase: Id
    dimension: Id
    type: QuestionType
    text: Text
    help: str = ""
    anchors: dict[int, Text] = Field({}, description="scale: what each level looks like.")
    scale: Scale | None = Field(None, description="scale: overrides the rubric's scale.")
    options: list[Option] = Field([], description="choice and multi: the allowed answers.")
    bands: list[Band] = Field([], description="number: value ranges and their scores.")
    unit: str = ""
    invert: bool = Field(False, description="yesno: when true, no scores 1 and yes 0.")
    weight: float = Field(
        1, ge=0, description="Weight inside its dimension and phase; 0: unscored."
    )
    roles: list[Id] = Field([], description="Who is asked; everyone when empty.")
    when: str | None = Field(None, description="Condition over earlier answers.")
    allow_na: bool = Field(True, description="Whether 'n/a' is an allowed answer.")
    covers: list[Id] = []
    tags: list[str] = []

    @property
    def var(self) -> str:
        return to_var(self.id)

    @property
    def scored(self) -> bool:
        """Whether answers to this question feed any score."""
        if self.weight == 0 or self.type is QuestionType.TEXT:
            return False
        if self.type in (QuestionType.CHOICE, QuestionType.MULTI):
            return any(o.score is not None for o in self.options)
        return True


Priority = Literal["high", "medium", "low"]
Owner = Literal["joint", "sales", "marketing", "leadership"]


class Recommendation(Model):
    id: Id
    title: Text
    body: Text
    phase: Id
    dimension: Id | None = None
    priority: Priority = "medium"
    owner: Owner = "joint"
    kpi: str = ""
    trigger: Text


class Rubric(Model):
    id: Id
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
    title: Text
    description: str = ""
    scale: Scale = Scale()
    levels: list[Level] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    gap: tuple[Id, Id] | None = Field(None, description="Two role ids whose gap is measured.")
    coverage: list[CoverageItem] = []
    classifiers: list[Classifier] = []
    benchmarks: list[Benchmark] = []
    questions: list[Question] = Field(min_length=1)
    recommendations: list[Recommendation] = []
    renamed: dict[Id, Id] = Field(
        {},
        description="Question ids of earlier versions and the ids they have now, so answers "
        "and saved scorecards made for an earlier version carry over.",
    )


def to_var(identifier: str) -> str:
    """Ids carry hyphens; expressions name them with underscores."""
    return identifier.replace("-", "_")
