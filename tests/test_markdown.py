"""Escaping people's text for Markdown."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from alignment_cli.report.markdown import escape, safe_html, safe_markdown


def test_two_notes_on_two_lines_stay_apart_on_one_line() -> None:
    assert escape("SDRs ignore MQLs\nsecond note") == "SDRs ignore MQLs / second note"
    assert escape("a\r\n\r\n  b") == "a / b"


def test_a_line_break_cannot_start_a_heading_or_a_list() -> None:
    html = MarkdownIt("commonmark").render("- " + escape("note\n# heading\n- item\n1. first"))
    assert "<h1>" not in html and html.count("<li>") == 1 and "<ol>" not in html


# --------------------------------------------------------------------------- the consultant's text

_ALLOWED = {"p", "ul", "ol", "li", "strong", "em", "code"}
_PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[a](javascript:x)",
        "![i](http://e.com/i.png)",
        "# h",
        "\n# h",
        "\n\n- item",
        "\n1. one",
        "\n10) ten",
        "**b**",
        "*e*",
        "_u_",
        "`c`",
        "| a | b |\n|---|---|",
        "\n---\n",
        "\n===",
        "&amp;",
        "http://e.com",
        "a@b.c",
        "\n    code",
        "> quote",
        "\r\n",
        "\u2028",
        "\x1b[31m",
        " ",
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12).map("".join)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    p = _Tags()
    p.feed(page)
    return p.tags


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_the_consultants_markdown_stays_harmless(text: str) -> None:
    # As Markdown, read by a CommonMark parser that lets raw HTML through (as GitHub's, before
    # its sanitiser): only paragraphs, lists, emphasis and code come out, and nothing escapes
    # the finding it belongs to.
    rendered = MarkdownIt("commonmark").enable("table").render(safe_markdown(text))
    for tag, attrs in _tags(rendered):
        assert tag in _ALLOWED | {"br"}, (tag, text)
        assert attrs == [], (tag, attrs, text)
    # As HTML: the same subset, no attributes at all.
    for tag, attrs in _tags(safe_html(text)):
        assert tag in _ALLOWED and attrs == [], (tag, text)
    assert "\x1b" not in safe_markdown(text) and "\x1b" not in safe_html(text)
