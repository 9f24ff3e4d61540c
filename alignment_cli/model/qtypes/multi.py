"""multi: any number of the question's options; their scores add up, capped at 1."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from alignment_cli.model.models import Question, QuestionType, Rubric
from alignment_cli.model.qtypes.base import CellError, CellReader, one_line, show
from alignment_cli.model.qtypes.cells import NONE_WORDS, reserved, short, split_options
from alignment_cli.model.qtypes.options import (
    OptionsKind,
    numbered,
    option_names,
    option_tables,
    pick_option,
)


def _split_part(part: str, by_lower: dict[str, str]) -> list[str]:
    if not part:
        return []
    if part.lower() in by_lower:
        return [part]
    return part.split()


class MultiKind(OptionsKind):
    type = QuestionType.MULTI

    def coerce(self, q: Question, value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else value

    def value_error(self, q: Question, value: Any, rubric: Rubric) -> str | None:
        values = [o.value for o in q.options]
        if not isinstance(value, list):
            return f"expected a list of options from: {', '.join(values)}; got {show(value)}"
        bad = [v for v in value if isinstance(v, list | dict | bool) or str(v) not in values]
        if bad:
            return f"unknown option {show(bad[0])}; expected some of: {', '.join(values)}"
        return None

    def normalise(self, q: Question, value: Any, rubric: Rubric) -> float | None:
        chosen = set(self.coerce(q, value))
        return min(1.0, math.fsum(o.score or 0.0 for o in q.options if o.value in chosen))

    def canonical(self, q: Question, v: Any) -> Any:
        chosen = set(v)
        return tuple(o.value for o in q.options if o.value in chosen)

    def display(self, q: Question, v: Any) -> str:
        labels = [o.label for o in q.options if o.value in set(v)]
        return "; ".join(labels) if labels else "(none)"

    def words(self, q: Question, value: Any) -> str:
        labels = {o.value: o.label for o in q.options}
        picked = [p.strip() for p in str(value).split(",")] if isinstance(value, str) else []
        return "; ".join(labels.get(p, p) for p in picked) or "none"

    def phrases(self, q: Question, shown: str, scale_max: int) -> list[str] | float:
        known = {o.label for o in q.options}
        pieces = shown.split("; ")
        return pieces if all(p in known for p in pieces) else [shown]

    def hint(self, q: Question, rubric: Rubric) -> str:
        if numbered(q):
            return (
                f"type the option numbers that apply (1 to {len(q.options)}), "
                "separated by spaces or commas; 0 for none"
            )
        return "type the option values that apply, separated by commas; [] for none"

    def parse(self, q: Question, text: str, rubric: Rubric, hint: str) -> Any:
        values = [o.value for o in q.options]
        if text == "[]" or (numbered(q) and text == "0"):
            return []
        by_lower = {v.lower(): v for v in values}
        if text.lower() in by_lower:  # one value that contains commas or spaces
            return [by_lower[text.lower()]]
        tokens = [t for part in text.split(",") for t in _split_part(part.strip(), by_lower)]
        chosen: set[str] = set()
        for token in tokens:
            chosen.add(pick_option(q, token, hint))
        return [v for v in values if v in chosen]  # the rubric's order, each once

    def spoken(self, q: Question, value: Any) -> str:
        if not isinstance(value, list):
            return str(value)
        chosen = set(self.coerce(q, value))
        picks = [
            str(i) if numbered(q) else o.value
            for i, o in enumerate(q.options, 1)
            if o.value in chosen
        ]
        return ", ".join(picks) if picks else "none of them"

    def choices_note(self, q: Question) -> str:
        return "(several may apply)"

    def form_comments(self, q: Question, rubric: Rubric) -> list[tuple[str, str, str]]:
        example = ", ".join(o.value for o in q.options[:2])
        head = f"Answer a list of the values that apply, for example [{example}]; [] for none:"
        return [(head, "   ", ""), *self.option_comments(q)]

    def markdown(self, q: Question, rubric: Rubric, escape: Callable[[str], str]) -> list[str]:
        return ["*Tick all that apply.*", ""] + [
            f"- [ ] {escape(one_line(o.label))}" for o in q.options
        ]

    def cell(self, q: Question, value: Any) -> str:
        labels = {o.value: one_line(o.label) for o in q.options}
        # An empty cell is unanswered; import reads "None" as "none of these apply".
        return ", ".join(labels[v] for v in self.coerce(q, value)) or "None"

    def cell_reader(self, q: Question, rubric: Rubric) -> CellReader:
        exact, numbers, _ = option_tables(q)
        candidates = sorted({**exact, **numbers}.items(), key=lambda kv: -len(kv[0]))
        order = {o.value: i for i, o in enumerate(q.options)}

        def read(cell: str, n: str) -> Any:
            if n in exact:
                return [exact[n]]
            word = reserved(n)
            if word:
                return word
            if n in NONE_WORDS:
                return []
            found = split_options(n, candidates)
            if found is None:
                pieces = [p.strip() for p in re.split(r"[;,]", n) if p.strip()]
                bad = next((p for p in pieces if p not in exact and p not in numbers), n)
                raise CellError(
                    f"'{short(bad)}' is not an option; expected some of: {option_names(q)} "
                    "(or their labels or numbers, separated by ; or ,)"
                )
            chosen = sorted(set(found), key=order.__getitem__)
            return list(chosen)

        return read
