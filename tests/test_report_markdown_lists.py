"""The Markdown report stays whole on GitHub: every roadmap item's body, measure and reasons sit
inside its list item, whatever the item's number (issue 15, item 4).

CommonMark (markdown-it) is the reference; cmark-gfm, GitHub's own parser, is asked too when it
is installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from conftest import V1_EXAMPLES
from markdown_it import MarkdownIt


def _roadmap(text: str) -> str:
    return text.split("\n## Appendix: the full roadmap\n")[1].split("\n## ")[0]


def _siloed(invoke: Callable[..., Any]) -> str:
    result = invoke("report", str(V1_EXAMPLES / "siloed"))
    assert result.exit_code == 0, result.output
    return result.stdout


def _items(roadmap: str) -> list[int]:
    return [int(m[1]) for m in re.finditer(r"^(\d+)\. \*\*", roadmap, re.M)]


def test_the_siloed_roadmap_numbers_past_ten(invoke: Callable[..., Any]) -> None:
    # Otherwise the tests below would not test the two-digit markers.
    assert max(_items(_roadmap(_siloed(invoke)))) >= 10


def test_every_roadmap_body_is_inside_its_item_for_commonmark(
    invoke: Callable[..., Any],
) -> None:
    roadmap = _roadmap(_siloed(invoke))
    numbers = _items(roadmap)
    tokens = MarkdownIt("commonmark").parse(roadmap)
    depth = 0
    inside: list[str] = []
    outside: list[str] = []
    for tok in tokens:
        if tok.type == "list_item_open":
            depth += 1
        elif tok.type == "list_item_close":
            depth -= 1
        elif tok.type == "inline":
            (inside if depth else outside).append(tok.content)
    # Each phase's actions are one ordered list with one item per action ...
    phases = roadmap.count("\n### Phase ")
    assert sum(1 for t in tokens if t.type == "ordered_list_open") == phases
    assert sum(1 for t in tokens if t.type == "list_item_open") == len(numbers)
    # ... and every line of an action (owner, body, measure, why) is inside its item.
    for marker in (" priority · Owner: ", "*Measure:*", "*Why:*"):
        assert sum(x.count(marker) for x in inside) == roadmap.count(marker), marker
        assert not [x for x in outside if marker in x], marker
    assert len(outside) == phases * 2 + 1  # the intro, and each phase's heading and status


@pytest.mark.skipif(shutil.which("cmark-gfm") is None, reason="cmark-gfm is not installed")
def test_github_parser_agrees(invoke: Callable[..., Any]) -> None:
    roadmap = _roadmap(_siloed(invoke))
    html = subprocess.run(
        ["cmark-gfm", "-e", "table"],
        input=roadmap,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    phases = roadmap.count("\n### Phase ")
    assert html.count("<ol") == phases
    assert html.count("<li>") == len(_items(roadmap))
    # Every measure line is inside a list item: between an <li> and its </li>.
    outside = re.sub(r"<li>.*?</li>", "", html, flags=re.S)
    assert "Measure:" not in outside and "priority · Owner" not in outside


def _summary(text: str) -> str:
    return text.split("\n## Executive summary\n")[1].split("\n## ")[0]


@pytest.mark.parametrize("name", ["siloed", "halfway", "integrated"])
def test_every_summary_bullet_is_its_own_list_item(invoke: Callable[..., Any], name: str) -> None:
    # A block tag at the end of a line eats its newline (trim_blocks): the next bullet then ran
    # on inside the previous one ("... (44).- **Largest disagreements ...").
    result = invoke("report", str(V1_EXAMPLES / name))
    assert result.exit_code == 0, result.output
    summary = _summary(result.stdout)
    bullets = re.findall(r"^- \*\*", summary, re.M)
    tokens = MarkdownIt("commonmark").parse(summary)
    items = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    assert len(bullets) >= 4 and len(items) == len(bullets)
    assert not re.search(r"\S- \*\*", summary)
