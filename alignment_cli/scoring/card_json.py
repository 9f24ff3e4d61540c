"""A scorecard as JSON text, quickly: the bytes of `json.dumps(model_dump(mode="json"), indent=2,
ensure_ascii=False)`, the format `score --format json` and saved runs have always had.

That reference builds the whole card as Python objects, then indents it in pure Python (the json
module's C encoder does not indent): at 100,000 respondents about 85 MB through two slow passes.
pydantic's own serializer writes the same text in one fast pass, except for floats under 1e-4
(Python writes `1e-05`, pydantic `0.00001`; `1e-09` against `1e-9`) and when it fails. Those
cases are found in its output and take the reference path, so the result is always the
reference's, byte for byte (tests/test_card_json.py holds the two equal on any floats and text).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter


def reference_json(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False)


def model_json(model: BaseModel) -> str:
    """`reference_json(model)`, byte for byte, through pydantic's serializer where that is exact.
    Its models need `ser_json_inf_nan="constants"` (NaN and Infinity as Python writes them)."""
    try:
        text = model.model_dump_json(indent=2)
    except (ValueError, TypeError):  # say, a lone surrogate: the reference decides what happens
        return reference_json(model)
    if _inexact(text):
        return reference_json(model)
    return text


def _inexact(text: str) -> bool:
    """Whether the text has a number pydantic writes differently from Python: a one-digit
    negative exponent (`1e-9`, Python `1e-09`) or a plain decimal under 1e-4 (`0.00001`, Python
    `1e-05`). Found with plain substring searches; a match inside a string is a false alarm,
    which only costs the reference path."""
    i = text.find("e-")
    while i != -1:
        after = text[i + 3 : i + 4]
        if text[i - 1 : i].isdigit() and text[i + 2 : i + 3].isdigit() and not after.isdigit():
            return True
        i = text.find("e-", i + 2)
    i = text.find("0.0000")
    while i != -1:
        before = text[i - 1 : i]
        if not (before.isdigit() or before == "."):
            return True
        i = text.find("0.0000", i + 6)
    return False


def with_member(text: str, key: str, value: Any) -> str:
    """Indent=2 JSON text of an object with `key: value` added last, as json.dumps would write
    the object with that member (value: JSON-ready data)."""
    if not text.endswith("}"):
        raise ValueError("not the text of a JSON object")
    member = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    head = text[:-1].rstrip("\n")
    if head == "{":  # an empty object
        return "{\n  " + json.dumps(key, ensure_ascii=False) + ": " + member + "\n}"
    return head + ",\n  " + json.dumps(key, ensure_ascii=False) + ": " + member + "\n}"


LINES_PER_PIECE = 1000
"""Respondents' lines serialised at a time by `card_pieces`."""

QUESTIONS_PER_PIECE = 8
"""Questions serialised at a time: a question carries its notes, one per person who wrote one."""


def card_pieces(
    card: Any, members: Sequence[tuple[str, Any]] = (), *, lines: int | None = None
) -> Iterator[str]:
    """The text of `model_json(card)` with `members` added last (as `with_member` adds them),
    in pieces that join to it byte for byte. A card of more than LINES_PER_PIECE respondents
    comes as its other members, then its respondents' lines and its questions (with their
    notes: the bulk of a large card, 70 MB at 100,000 people) a few at a time, so the whole
    text is never held, nor copied to add a member. `lines` (tests) sets how many of either
    go in a piece. `card` is a Scorecard."""
    if len(card.respondents) <= (lines or LINES_PER_PIECE):
        text = model_json(card)
        for key, value in members:
            text = with_member(text, key, value)
        yield text
        return
    streamed = {
        "respondents": (card.respondents, lines or LINES_PER_PIECE),
        "questions": (card.questions, lines or QUESTIONS_PER_PIECE),
    }
    text = model_json(card.model_copy(update={name: [] for name in streamed}))
    for key, value in members:
        text = with_member(text, key, value)
    # A newline is never inside a JSON string (it is written \n), so a member at the top
    # level, two spaces in, is the only place such a marker can match.
    spots = sorted(
        (text.index(f'\n  "{name}": [],\n'), name) for name, (items, _) in streamed.items() if items
    )
    done = 0
    for at, name in spots:
        items, per_piece = streamed[name]
        yield text[done:at] + f'\n  "{name}": [\n'
        for start in range(0, len(items), per_piece):
            yield ("" if start == 0 else ",\n") + _lines_json(items[start : start + per_piece])
        yield "\n  ],\n"
        done = at + len(f'\n  "{name}": [],\n')
    yield text[done:]


def _lines_json(models: Sequence[BaseModel]) -> str:
    """Models as the items of a list four spaces in, as json.dumps(indent=2) writes the
    respondents' lines of a card."""
    adapter = _list_adapter(type(models[0]))
    try:
        text = adapter.dump_json(list(models), indent=2).decode("utf-8")
    except (ValueError, TypeError, UnicodeDecodeError):
        text = None
    if text is None or _inexact(text):
        data = [m.model_dump(mode="json") for m in models]
        text = json.dumps(data, indent=2, ensure_ascii=False)
    # "[\n  {...}\n]" -> the items, each line two spaces further in.
    return "  " + text[2:-2].replace("\n", "\n  ")


@functools.cache
def _list_adapter(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]
