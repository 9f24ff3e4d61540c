"""Defects a consultant's review of the rendered reports found (default rubric, the examples):
each test failed before its fix."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import EXAMPLES, copy_engagement


def report(invoke: Callable[..., Any], *args: str) -> str:
    result = invoke("report", *args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def test_quotes_name_the_group_not_a_role_one_person_holds(invoke: Callable[..., Any]) -> None:
    # Was "(someone in Head of sales)": ungrammatical, and it points at one person.
    page = report(invoke, str(EXAMPLES / "halfway"))
    assert "someone in Head of" not in page and "someone in Sales rep" not in page
    assert "(someone in Sales)" in page and "(someone in Marketing)" in page
    assert "(someone in Revenue operations)" in page
    html = report(invoke, str(EXAMPLES / "halfway"), "--format", "html")
    assert "someone in Head of" not in html and "someone in Sales" in html
    # The internal copy still says who and in which role.
    named = report(invoke, str(EXAMPLES / "halfway"), "--attribute-quotes")
    assert "(Tomás Herrera, Head of sales)" in named


def test_reading_notes_name_groups_by_title_and_count_points(invoke: Callable[..., Any]) -> None:
    # Was "respondents in sales (2), marketing (2), leadership (1)" and "1 points higher than
    # marketing": role ids where every table prints titles, and a plural for one.
    page = report(invoke, str(EXAMPLES / "siloed"))
    assert "fewer than 3 respondents in Sales (2), Marketing (2), Leadership (1)." in page
    assert "13 points higher than Sales and 1 point higher than Marketing" in page
    assert "1 points" not in page
    halfway = report(invoke, str(EXAMPLES / "halfway"))
    groups = "respondents in Sales (2), Marketing (1), Revenue operations (1), Finance (1)."
    assert groups in halfway
    assert re.search(r"respondents in [^.\n]*\b(sales|revops|finance)\b", halfway) is None


def test_benchmark_lines_write_answers_as_the_appendix_does(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    # Was "answers: Marketing 2 percent; ..." beside "2%" in the appendix.
    page = report(invoke, str(EXAMPLES / "integrated"))
    assert "Here: answers: Marketing 2%; Revenue operations 2%; Sales 2%" in page
    assert " percent (" not in page
    # Was every distinct answer, sorted as text ("102.52 hours, ..., 14.38 hours, ..."): a
    # line of 5,000 characters at a thousand respondents.
    org = copy_engagement(EXAMPLES / "halfway", tmp_path / "org")
    source = org / "responses" / "wei-zhang.yaml"
    doc = yaml.safe_load(source.read_text(encoding="utf-8"))
    for i, attempts in enumerate([3, 4, 5, 6, 7, 12], start=1):
        doc["respondent"]["name"] = f"Analyst {i}"
        doc["answers"]["lead-attempts"] = attempts
        (org / "responses" / f"analyst-{i}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
        )
    page = report(invoke, str(org))
    line = next(x for x in page.splitlines() if "how many logged contact attempts" in x.lower())
    assert "Revenue operations median 5 attempts, range 2 to 12 attempts (7)" in line, line
    assert "12 attempts, 2 attempts" not in line and "3 attempts, 4 attempts" not in line


def test_who_answered_lists_people_in_the_rubrics_order_of_roles(
    invoke: Callable[..., Any],
) -> None:
    # Was sorted by role id: Finance, Head of marketing, Revenue operations, Head of sales, Sales
    # rep: no order a reader can see. Now as the cover counts them.
    page = report(invoke, str(EXAMPLES / "halfway"))
    table = page.split("### Who answered")[1].split("\n---")[0]
    names = re.findall(r"^\| ([^|]+?) \|", table, re.M)[2:]  # past the header and its rule
    assert names == ["Tomás Herrera", "Lars Bakken", "Ingrid Solberg", "Wei Zhang", "Kari Nygaard"]
