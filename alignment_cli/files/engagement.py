"""An engagement folder: `alignment.yaml` (organisation, rubric, targets, gates) and folders.

engagement/
  alignment.yaml
  responses/   one answer file per respondent
  history/     saved scorecards, one per `alignment score --save`
  reports/     rendered reports
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError

from alignment_cli.errors import InvalidInput
from alignment_cli.files.yamlio import load_yaml
from alignment_cli.model.models import Model

CONFIG_NAME = "alignment.yaml"


class RubricChoice(Model):
    id: str | None = None
    version: str | None = None
    path: str | None = Field(None, description="A rubric file, relative to the engagement.")


class Targets(Model):
    """Aspirations, not gates: a shortfall is shown, never fails a run."""

    overall: float | None = Field(None, ge=0, le=100)
    dimensions: dict[str, float] = {}


class Gates(Model):
    """Gates CI applies without flags; a flag given on the command line wins."""

    fail_under: float | None = Field(None, ge=0, le=100)
    fail_under_dimension: dict[str, float] = {}
    max_drop: float | None = Field(None, ge=0, le=100)
    drop_beyond_noise: bool = False


class EngagementConfig(Model):
    organization: str | None = None
    rubric: RubricChoice = RubricChoice()
    targets: Targets = Targets()
    gates: Gates = Gates()


@dataclass
class Engagement:
    root: Path
    config: EngagementConfig

    @property
    def responses_dir(self) -> Path:
        return self.root / "responses"

    @property
    def history_dir(self) -> Path:
        return self.root / "history"

    def rubric_ref(self) -> str | None:
        """What to pass to load_rubric: a path relative to the engagement, or an id."""
        if self.config.rubric.path:
            return str(self.root / self.config.rubric.path)
        return self.config.rubric.id


def find_engagement(path: Path) -> Engagement | None:
    """The engagement that `path` is, or None when it is a plain folder or file."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, folder.parent):
        config = candidate / CONFIG_NAME
        if config.is_file():
            return load_engagement(candidate)
    return None


def load_engagement(root: Path) -> Engagement:
    doc = load_yaml(root / CONFIG_NAME)
    try:
        config = EngagementConfig.model_validate(doc.data)
    except ValidationError as exc:
        from alignment_cli.model.rubric import pydantic_problems

        raise InvalidInput(pydantic_problems(doc, exc, EngagementConfig)) from None
    return Engagement(root, config)
