"""docs/rubric-format.md stays in step with the code: its example validates (and is the example
file), its broken example prints what the page says, and every field of every model is in its
table."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RUBRIC, ROOT

from alignment_cli.model import models
from alignment_cli.model.rubric import load_rubric

DOC = ROOT / "docs" / "rubric-format.md"
TEXT = DOC.read_text(encoding="utf-8")


def block_after(marker: str, lang: str) -> str:
    """The fenced block that follows an HTML comment starting with `marker`."""
    match = re.search(rf"<!-- {marker}[^>]*-->\n```{lang}\n(.*?)```", TEXT, re.S)
    assert match, f"no ```{lang} block after <!-- {marker} --> in {DOC.name}"
    return match.group(1)


def test_the_page_starts_with_the_example() -> None:
    first_block = TEXT.index("```")
    assert TEXT.index("<!-- example:") < first_block
    assert TEXT.index("## A rubric in a minute") < first_block


def test_the_example_on_the_page_validates(tmp_path: Path) -> None:
    path = tmp_path / "from-the-docs.yaml"
    path.write_text(block_after("example", "yaml"), encoding="utf-8")
    loaded = load_rubric(path)
    assert len(loaded.rubric.questions) == 5
    assert {q.type.value for q in loaded.rubric.questions} == {
        "scale",
        "choice",
        "multi",
        "yesno",
        "number",
    }


def test_the_example_on_the_page_is_the_example_file() -> None:
    assert block_after("example", "yaml") == MINIMAL_RUBRIC.read_text(encoding="utf-8")


def test_the_broken_example_prints_what_the_page_says(
    invoke: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(block_after("broken-example", "yaml"), encoding="utf-8")
    console = block_after("broken-output", "console").splitlines()
    assert console[0] == "$ alignment rubric validate broken.yaml"
    result = invoke("rubric", "validate", "broken.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == console[1:]


def documented_fields() -> dict[str, list[str]]:
    """{model name: the fields in the table under its <!-- model: Name --> marker}."""
    out: dict[str, list[str]] = {}
    for match in re.finditer(r"<!-- model: (\w+) -->\n((?:\|.*\n)+)", TEXT):
        rows = match.group(2).splitlines()[2:]  # skip the header and the |---| line
        out[match.group(1)] = [re.findall(r"`([^`]+)`", row.split("|")[1])[0] for row in rows]
    return out


MODELS = [
    models.Rubric,
    models.Scale,
    models.Level,
    models.LevelSentence,
    models.Phase,
    models.Dimension,
    models.Role,
    models.Question,
    models.Option,
    models.Band,
    models.Curve,
    models.CurvePoint,
    models.Target,
    models.Recommendation,
    models.Classifier,
    models.Outcome,
    models.CoverageItem,
    models.Benchmark,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_of_every_model_is_documented_in_order(model: type[Any]) -> None:
    assert documented_fields().get(model.__name__) == list(model.model_fields)


def test_every_model_of_the_format_has_a_table() -> None:
    rubric_models = {
        cls.__name__
        for cls in vars(models).values()
        if isinstance(cls, type) and issubclass(cls, models.Model) and cls is not models.Model
    }
    assert rubric_models == set(documented_fields())


def test_every_question_type_is_explained() -> None:
    table = TEXT[TEXT.index("### Question types and how they score") :]
    for kind in models.QuestionType:
        assert f"| `{kind.value}` |" in table
