"""Scorecard JSON through pydantic's serializer is the json module's text, byte for byte.

`score --format json` and saved runs always wrote `json.dumps(model_dump(mode="json"), indent=2,
ensure_ascii=False)`; scoring/card_json.py writes the same through the fast serializer and falls
back where that would differ. Any float (NaN, infinities, subnormals, exponents) and any text
must come out as the reference has it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alignment_cli.scoring import card_json
from alignment_cli.scoring.card_json import model_json, reference_json, with_member
from alignment_cli.scoring.history import scorecard_json
from alignment_cli.scoring.pipeline import score_inputs
from alignment_cli.scoring.scorecard import NoteInfo, Scorecard
from tests.conftest import V1_EXAMPLES


@cache
def _card() -> Scorecard:
    return score_inputs([V1_EXAMPLES / "halfway"]).card


def _with(card: Scorecard, x: float, y: float, text: str) -> Scorecard:
    note = NoteInfo(respondent=text, role="sales", text=text)
    q = card.questions[0]
    q = q.model_copy(
        update={"spread": x, "by_role": {text: y, "sales": x}, "notes": [note, *q.notes]}
    )
    first = card.respondents[0].model_copy(update={"overall": y})
    return card.model_copy(
        update={
            "overall": x,
            "questions": [q, *card.questions[1:]],
            "respondents": [first, *card.respondents[1:]],
        }
    )


FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [1e-5, 5e-5, 1e-9, -3e-7, 1e-4, 9.99e-5, 1e16, 1e22, 1e308, 5e-324, -0.0, 0.1]
)


@settings(deadline=None)  # the first example scores the example engagement
@given(x=FLOATS, y=FLOATS, text=st.text())
def test_the_fast_path_writes_the_reference_bytes(x: float, y: float, text: str) -> None:
    card = _with(_card(), x, y, text)
    assert model_json(card) == reference_json(card)


@pytest.mark.parametrize("text", ["see 1e-5, not 1e-05", "0.00001", 'x\u2028y\x00\x1f\x7f"\\'])
def test_text_that_looks_like_an_inexact_number_still_comes_out_right(text: str) -> None:
    card = _with(_card(), 50.0, 12.5, text)
    assert model_json(card) == reference_json(card)


def test_a_plain_scorecard_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    card = _card()
    expected = reference_json(card)

    def refuse(model: Any) -> str:
        raise AssertionError("the reference path was taken")

    monkeypatch.setattr(card_json, "reference_json", refuse)
    assert model_json(card) == expected
    assert scorecard_json(card) == expected + "\n"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@given(
    obj=st.dictionaries(st.text(), JSON, max_size=4),
    key=st.text(),
    value=JSON,
)
def test_a_member_added_to_the_text_is_the_member_added_to_the_object(
    obj: dict[str, Any], key: str, value: Any
) -> None:
    obj.pop(key, None)
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    expected = json.dumps({**obj, key: value}, indent=2, ensure_ascii=False)
    assert with_member(text, key, value) == expected


def test_score_json_with_a_baseline_is_the_card_and_its_comparison(
    invoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIGNMENT_NOW", "2026-11-22T10:00:00Z")
    result = invoke(
        "score",
        str(V1_EXAMPLES / "halfway"),
        "--format",
        "json",
        "--baseline",
        str(V1_EXAMPLES / "siloed"),
    )
    assert result.exit_code == 0, result.output
    card = score_inputs([V1_EXAMPLES / "halfway"]).card
    data = json.loads(result.stdout)
    assert set(data) == {*card.model_dump(mode="json"), "plan", "comparison"}
    assert list(data)[-2:] == ["plan", "comparison"]
    expected = {
        **card.model_dump(mode="json"),
        "plan": data["plan"],
        "comparison": data["comparison"],
    }
    assert result.stdout == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def _many(card: Scorecard, n: int, x: float, text: str) -> Scorecard:
    """The card with n respondents' lines (copies of its own, names and scores varied)."""
    people = [
        p.model_copy(update={"name": f"{text}{i}", "overall": x if i % 3 else p.overall})
        for i, p in enumerate(card.respondents * (n // len(card.respondents) + 1))
    ][:n]
    return card.model_copy(update={"respondents": people})


@settings(deadline=None, max_examples=40)
@given(
    n=st.integers(0, 23),
    lines=st.integers(1, 7),
    x=FLOATS,
    text=st.text(max_size=8),
    members=st.lists(st.tuples(st.sampled_from(["plan", "comparison"]), JSON), max_size=2),
)
def test_a_card_in_pieces_is_the_card_with_its_members_byte_for_byte(
    n: int, lines: int, x: float, text: str, members: list[tuple[str, Any]]
) -> None:
    """However many lines a piece holds, and whatever floats and text the lines carry (the
    inexact ones take the reference path piece by piece), the pieces join to the whole text."""
    card = _many(_card(), n, x, text)
    expected = model_json(card)
    for key, value in dict(members).items():
        expected = with_member(expected, key, value)
    pieces = list(card_json.card_pieces(card, list(dict(members).items()), lines=lines))
    assert "".join(pieces) == expected
    if n > lines:  # the lines and the questions came a few at a time, not as one text
        people = [p for p in pieces if '"straight_lined"' in p or '"asked"' in p]
        assert len(pieces) >= 2 + -(-n // lines) + -(-len(card.questions) // lines)
        assert max(map(len, pieces)) < len(expected) / 2 or len(people) > 1
