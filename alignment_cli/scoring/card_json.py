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

import json
from typing import Any

from pydantic import BaseModel


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
