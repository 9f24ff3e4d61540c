"""The question types, one module each; `kind_of(q)` is where the rest of the code asks.

Adding a type: a module with a `QuestionKind` subclass, its member in `models.QuestionType`,
and one line in `KINDS` below.
"""

from __future__ import annotations

from alignment_cli.model.models import Question, QuestionType, Rubric, Scale
from alignment_cli.model.qtypes.base import QuestionKind
from alignment_cli.model.qtypes.choice import ChoiceKind
from alignment_cli.model.qtypes.multi import MultiKind
from alignment_cli.model.qtypes.number import NumberKind
from alignment_cli.model.qtypes.scale import ScaleKind
from alignment_cli.model.qtypes.text import TextKind
from alignment_cli.model.qtypes.yesno import YesNoKind

KINDS: dict[QuestionType, QuestionKind] = {
    kind.type: kind
    for kind in (ScaleKind(), ChoiceKind(), MultiKind(), YesNoKind(), NumberKind(), TextKind())
}

# The type-specific fields of a question, in the order the checker reports them misplaced,
# with the verb their message takes ("anchors are for scale questions").
TYPE_FIELDS: dict[str, str] = {
    "anchors": "are",
    "scale": "is",
    "options": "are",
    "bands": "are",
    "curve": "is",
    "targets": "are",
    "tolerance": "is",
    "invert": "is",
    "unit": "is",
    "evidence": "is",
}


def kind_of(q: Question) -> QuestionKind:
    """The rules of `q`'s type."""
    return KINDS[q.type]


def owners(name: str) -> list[QuestionType]:
    """The types that use the type-specific field `name`."""
    return [t for t, kind in KINDS.items() if name in kind.fields]


def scale_of(q: Question, rubric: Rubric) -> Scale | None:
    """The scale `q`'s answers run on (its own, else the rubric's); None off scale types."""
    return KINDS[q.type].scale(q, rubric)


__all__ = ["KINDS", "TYPE_FIELDS", "QuestionKind", "kind_of", "owners", "scale_of"]
