"""Role groups (docs/rubric-format.md, Role groups): a role with `group:` is a form of that
group. Asking stays per role; every score, gap, weight and agreement is per group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from alignment_cli.model.rubric import load_rubric

Invoke = Callable[..., Any]
DATA = ROOT / "tests" / "data" / "role-groups"
RUBRIC = DATA / "rubric.yaml"
TEXT = RUBRIC.read_text(encoding="utf-8")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    assert old in TEXT
    path = tmp_path / "rubric.yaml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(x for x in text.splitlines() if needle in x)) + 1


def test_the_grouped_rubric_knows_each_roles_group() -> None:
    loaded = load_rubric(RUBRIC)
    assert loaded.groups == ["sales", "marketing", "leadership"]
    assert [loaded.group_of(r) for r in ("sales", "sales-rep", "marketer", "leadership")] == [
        "sales",
        "sales",
        "marketing",
        "leadership",
    ]
    assert loaded.members("sales") == ["sales", "sales-rep"]
    # Asking stays per role: a question for [sales, marketing, leadership] is not a rep's.
    assert "definition-review" not in [q.id for q in loaded.questions_for("sales-rep")]
    assert "definition-review" in [q.id for q in loaded.questions_for("sales")]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "group: sales, minutes: 15",
            "group: sails, minutes: 15",
            "group: sails",
            "roles[1].group: unknown role 'sails' (did you mean 'sales'?)",
        ),
        (
            "group: sales, minutes: 15",
            "group: sales-rep, minutes: 15",
            "group: sales-rep",
            "roles[1].group: a role cannot name itself as its group: leave group out",
        ),
        (
            "{id: marketer, title: Marketer, group: marketing}",
            "{id: marketer, title: Marketer, group: sales-rep}",
            "group: sales-rep}",
            "roles[3].group: 'sales-rep' is in group 'sales' itself: name 'sales' "
            "(groups do not chain)",
        ),
        (
            "gap: [sales, marketing]",
            "gap: [sales, marketer]",
            "gap:",
            "gap[1]: 'marketer' is a role of group 'marketing': name the group",
        ),
        (
            "leadership: leadership",
            "leadership: sales-rep",
            "leadership: sales-rep",
            "leadership: 'sales-rep' is a role of group 'sales': name the group",
        ),
        (
            "leadership: leadership",
            "leadership: leadership\nrole_weights: {marketer: 2}",
            "role_weights",
            "role_weights.marketer: 'marketer' is a role of group 'marketing': name the group",
        ),
        (
            "minutes: 40}",
            "minutes: 0}",
            "minutes: 0}",
            "roles[0].minutes: must be at least 1, got 0",
        ),
    ],
)
def test_group_mistakes_are_located(
    invoke: Invoke, tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    path = edited(tmp_path, old, new)
    result = invoke("rubric", "validate", str(path))
    assert result.exit_code == 2, result.output
    text = path.read_text(encoding="utf-8")
    out = " ".join(result.output.split())
    assert f"{path}:{line_of(text, needle)}:" in out
    assert message in out
    assert "Traceback" not in result.output
