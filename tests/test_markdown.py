"""Escaping people's text for Markdown."""

from __future__ import annotations

from markdown_it import MarkdownIt

from alignment_cli.report.markdown import escape


def test_two_notes_on_two_lines_stay_apart_on_one_line() -> None:
    assert escape("SDRs ignore MQLs\nsecond note") == "SDRs ignore MQLs / second note"
    assert escape("a\r\n\r\n  b") == "a / b"


def test_a_line_break_cannot_start_a_heading_or_a_list() -> None:
    html = MarkdownIt("commonmark").render("- " + escape("note\n# heading\n- item\n1. first"))
    assert "<h1>" not in html and html.count("<li>") == 1 and "<ol>" not in html
