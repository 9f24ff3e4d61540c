"""An engagement folder: `alignment.yaml` (organisation, rubric, targets, gates) and folders.

engagement/
  alignment.yaml
  responses/   one answer file per respondent
  history/     saved scorecards, one per `alignment score --save`
  reports/     rendered reports
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints, ValidationError

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.files.yamlio import Document, load_yaml
from alignment_cli.model.models import ID_PATTERN, Id, Model, Owner, Priority

if TYPE_CHECKING:
    from alignment_cli.model.rubric import LoadedRubric

CONFIG_NAME = "alignment.yaml"
#: A logo is embedded in the HTML report as a data URI: small images only.
LOGO_MAX_BYTES = 512 * 1024
#: What a logo may be, by its first bytes (SVG is refused: it is a document that can script).
LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]


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


class Finding(Model):
    """One of the consultant's own findings, shown in the report's summary."""

    title: ShortText
    body: LongText = Field("", description="Markdown: paragraphs, lists, emphasis, code.")


class RecommendationChange(Model):
    """The consultant's correction to one of the rubric's recommendations."""

    hide: bool = Field(False, description="Leave the recommendation out of the report and plan.")
    title: ShortText | None = None
    body: LongText | None = None
    priority: Priority | None = Field(None, description="high, medium or low.")
    owner: Owner | None = Field(None, description="joint, sales, marketing, leadership or revops.")
    note: LongText | None = Field(None, description="The consultant's note, shown beside it.")


class ReportSettings(Model):
    """The consultant's layer on the report: their firm, logo, findings and corrections."""

    firm: ShortText | None = Field(None, description="The consulting firm, shown on the cover.")
    logo: str | None = Field(
        None,
        description="A PNG, JPEG or GIF file (at most 512 KiB), relative to the engagement; "
        "embedded in the HTML report.",
    )
    findings: list[Finding] = Field([], max_length=50)
    recommendations: dict[Id, RecommendationChange] = Field(
        {},
        description="Corrections to the rubric's recommendations, keyed by id.",
        json_schema_extra={"propertyNames": {"pattern": ID_PATTERN, "maxLength": 80}},
    )


class EngagementConfig(Model):
    organization: str | None = None
    rubric: RubricChoice = RubricChoice()
    targets: Targets = Targets()
    gates: Gates = Gates()
    report: ReportSettings = ReportSettings()


@dataclass
class Engagement:
    root: Path
    config: EngagementConfig
    document: Document | None = None

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
    return Engagement(root, config, doc)


def check_report_settings(engagement: Engagement, loaded: LoadedRubric) -> None:
    """`report:` against the rubric: every recommendation it corrects must exist."""
    known = {r.id for r in loaded.rubric.recommendations}
    doc = engagement.document
    problems = []
    for rid in engagement.config.report.recommendations:
        if rid in known:
            continue
        message = f"no recommendation '{rid}' in the rubric {loaded.rubric.id}"
        close = difflib.get_close_matches(rid, sorted(known), n=3, cutoff=0.6)
        if close:
            message += f" (did you mean {', '.join(close)}?)"
        if doc is not None:
            problems.append(doc.problem(("report", "recommendations", rid), message, at_key=True))
        else:
            problems.append(Problem(str(engagement.root / CONFIG_NAME), None, None, message))
    if problems:
        raise InvalidInput(problems)


def read_logo(engagement: Engagement) -> tuple[str, bytes] | None:
    """The logo's media type and bytes, read safely: a regular file inside the engagement
    folder (after following links), at most LOGO_MAX_BYTES, a PNG, JPEG or GIF by its bytes."""
    name = engagement.config.report.logo
    if name is None:
        return None
    doc = engagement.document

    def refuse(message: str) -> InvalidInput:
        where = ("report", "logo")
        if doc is not None:
            return InvalidInput([doc.problem(where, f"{name}: {message}")])
        return InvalidInput([Problem(str(engagement.root / CONFIG_NAME), None, None, message)])

    root = engagement.root.resolve()
    path = (engagement.root / name).resolve()
    if not path.is_relative_to(root):
        raise refuse("the logo must be a file inside the engagement folder")
    try:
        if not path.is_file():
            raise refuse("no such file" if not path.exists() else "is not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(LOGO_MAX_BYTES + 1)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror}") from None
    if len(raw) > LOGO_MAX_BYTES:
        raise refuse(f"the logo is over {LOGO_MAX_BYTES // 1024} KiB, the limit")
    kind = next((t for magic, t in LOGO_TYPES.items() if raw.startswith(magic)), None)
    if kind is None:
        raise refuse("not a PNG, JPEG or GIF image")
    return kind, raw
