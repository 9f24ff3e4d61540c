"""`alignment report`: snapshots of the example organisations, Markdown and HTML structure,
determinism, the date, output files, and the documented template context.

Snapshots live in tests/snapshots/<name>.md and .html. After an intended change to the report,
regenerate them with `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_report.py` and review the
diff like any other change.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC, ROOT, V1_EXAMPLES
from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit

from alignment_cli.report import appendix as rappendix
from alignment_cli.report import context as rp
from alignment_cli.report import model as rmodel
from alignment_cli.report import progress as rprogress
from alignment_cli.report import render as rrender
from alignment_cli.scoring.pipeline import score_inputs

SNAPSHOTS = ROOT / "tests" / "snapshots"
EXAMPLE_ORGS = ["siloed", "halfway", "integrated"]

# --------------------------------------------------------------------------- structure checks


def parse_markdown(text: str) -> list[Any]:
    return list(MarkdownIt("commonmark").enable("table").parse(text))


def _cells(line: str) -> int:
    """Cells in a GFM table row, split exactly as markdown-it splits it."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return len(escapedSplit(row))


def table_problems(text: str) -> list[str]:
    """Every row of every table (delimiter row included) must have the header's column count.

    markdown-it pads short rows and drops extra cells, so the count comes from the source line.
    """
    lines = text.split("\n")  # markdown-it's line endings; str.splitlines() knows more
    problems = []
    tables = 0
    for tok in parse_markdown(text):
        if tok.type != "table_open":
            continue
        tables += 1
        start, end = tok.map
        header = _cells(lines[start])
        for i in range(start, end):
            if _cells(lines[i]) != header:
                problems.append(f"line {i + 1}: {_cells(lines[i])} cells, header has {header}")
    assert tables, "expected at least one table"
    return problems


_MERMAID_BARS = re.compile(
    r"---\nconfig:\n  themeVariables:\n    xyChart:\n"
    r'      plotColorPalette: "(?P<palette>#[0-9a-f]{6}(, #[0-9a-f]{6})*)"\n---\n'
    r"xychart-beta horizontal\n"
    r'  title "[^"\n]*"\n'
    r"  x-axis \[(?P<labels>[^\]\n]*)\]\n"
    r'  y-axis "[^"\n]*" 0 --> 100\n'
    r"(?P<series>(  (bar|line) \[[^\]\n]*\]\n)+)$"
)


def run_on_problems(text: str) -> list[str]:
    """Sentences run together ("outcomes.Today"): a space lost where template pieces meet
    (the Markdown escape trims what it prints, so a space inside an expression is dropped).
    Links and code are left out: a URL or a file name has dots between words."""
    prose = re.sub(r"`[^`]*`|\(https?://[^)]*\)|https?://\S+", "", text)
    return [line for line in prose.splitlines() if re.search(r"[a-z)*]\.[A-Z][a-z]", line)]


def mermaid_problems(text: str) -> list[str]:
    """Each Mermaid block is a well-formed xychart: quoted labels, one number per label."""
    blocks = [t.content for t in parse_markdown(text) if t.type == "fence" and t.info == "mermaid"]
    assert blocks, "expected a Mermaid chart"
    problems = []
    for block in blocks:
        if block.startswith("xychart-beta\n"):  # the trend chart
            continue
        m = _MERMAID_BARS.match(block)
        if not m:
            problems.append(f"malformed Mermaid block:\n{block}")
            continue
        labels = re.findall(r'"([^"\n]*)"', m["labels"])
        if m["labels"] != ", ".join(f'"{x}"' for x in labels):
            problems.append(f"x-axis labels are not a list of quoted strings: {m['labels']}")
        series = re.findall(r"  (bar|line) \[([^\]]*)\]", m["series"])
        if [kind for kind, _ in series].count("bar") != 1 or series[0][0] != "bar":
            problems.append("expected exactly one bar series, first")
        for _, values in series:
            numbers = values.split(", ")
            if len(numbers) != len(labels) or not all(n.isdigit() for n in numbers):
                problems.append(f"{len(labels)} labels but values [{values}]")
        if len(m["palette"].split(", ")) != len(series):
            problems.append("one palette colour per series expected")
    return problems


_VOID = {"meta", "br", "hr", "img", "input", "link", "source", "wbr", "col", "area", "base"}
_SVG_LEAVES = {"rect", "line", "path", "circle"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def parse_html(text: str) -> _Collector:
    c = _Collector()
    c.feed(text)
    c.close()
    return c


_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/]+=*$")


def _embedded_image(attrs: list[tuple[str, str | None]]) -> bool:
    names = {n for n, _ in attrs}
    src = dict(attrs).get("src") or ""
    return names <= {"class", "src", "alt"} and bool(_DATA_IMAGE.match(src))


def html_problems(text: str) -> list[str]:
    """Balanced tags, and nothing that loads or runs anything: no scripts, no external refs."""
    c = parse_html(text)
    problems = list(c.problems)
    if c.stack:
        problems.append(f"unclosed: {c.stack}")
    for tag, attrs in c.tags:
        if tag == "img" and _embedded_image(attrs):
            continue  # the consultant's logo, inside the page as a data URI
        if tag in {"script", "link", "img", "iframe", "object", "embed", "base", "image", "use"}:
            problems.append(f"<{tag}> is not allowed")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"event handler {name} on <{tag}>")
            if name in {"src", "srcset", "xlink:href", "action", "formaction", "data", "poster"}:
                problems.append(f"{name}= on <{tag}> loads something")
            if name == "href" and not (value or "").startswith("#"):
                problems.append(f"href={value!r} leaves the page")
            if name == "style" and "url(" in (value or ""):
                problems.append(f"url() in a style attribute on <{tag}>")
    if "url(" in c.style or "@import" in c.style or "@font-face" in c.style:
        problems.append("the stylesheet fetches something")
    if not re.search(r"@media print", c.style):
        problems.append("no print styles")
    return problems


# --------------------------------------------------------------------------- snapshots


def _cases() -> list[tuple[str, list[str]]]:
    cases = [("minimal", [str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)])]
    for org in EXAMPLE_ORGS:
        cases.append((org, [str(V1_EXAMPLES / org)]))
    return cases


def _available(args: list[str]) -> bool:
    return Path(args[0]).exists()


CASES = [pytest.param(name, args, id=name) for name, args in _cases()]


def check_snapshot(path: Path, text: str) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no snapshot {path.name}: run UPDATE_SNAPSHOTS=1 pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{path.name} differs from the report; if the change is intended, run "
        f"UPDATE_SNAPSHOTS=1 pytest tests/test_report.py and review the diff"
    )


@pytest.mark.parametrize(("name", "args"), CASES)
def test_markdown_snapshot(invoke: Callable[..., Any], name: str, args: list[str]) -> None:
    if not _available(args):
        pytest.skip(f"{args[0]} does not exist yet")
    result = invoke("report", *args)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert table_problems(text) == []
    assert mermaid_problems(text) == []
    assert run_on_problems(text) == []
    check_snapshot(SNAPSHOTS / f"{name}.md", text)


@pytest.mark.parametrize(("name", "args"), CASES)
def test_html_snapshot(invoke: Callable[..., Any], name: str, args: list[str]) -> None:
    if not _available(args):
        pytest.skip(f"{args[0]} does not exist yet")
    result = invoke("report", *args, "--format", "html")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("<!DOCTYPE html>")
    assert html_problems(text) == []
    # Nothing refers to the network at all, not even as text.
    assert "://" not in text
    check_snapshot(SNAPSHOTS / f"{name}.html", text)


def test_markdown_has_every_section_of_the_brief(invoke: Callable[..., Any]) -> None:
    result = invoke("report", str(V1_EXAMPLES / "siloed"))
    assert result.exit_code == 0, result.output
    text = result.stdout
    headings = [
        line.lstrip("#").strip() for line in text.splitlines() if re.match(r"#{1,3} ", line)
    ]
    for expected in (
        "Kestrel Fleet Telematics: Sales and marketing alignment audit",
        "Executive summary",
        "Scorecard",
        "By phase",
        "By dimension",
        "Perception gap",
        "Strategic orientation",
        "The plan: the first 90 days",
        "Appendix: the full roadmap",
        "Benchmarks",
        "Appendix: answers and notes",
        "Who answered",
    ):
        assert expected in headings
    summary = text.split("## Executive summary")[1].split("## Scorecard")[0]
    for words in (
        "out of 100, level",
        "Current phase: Assessment",
        "**Strongest:**",
        "**Weakest:**",
        "Largest disagreements between Sales and Marketing",
        "the answers point to **Marketing-led**",
        "does not match",
        "First steps",
    ):
        assert words in summary
    # Who answered, by role, and the coverage, at the top.
    assert "3 people: 1 Sales, 1 Marketing, 1 Leadership" in text
    assert "% of questions answered" in text
    # The roadmap gives an owner and a measure; benchmarks say which figures are second-hand.
    assert "Owner: Leadership" in text
    assert "*Measure:*" in text
    assert "(second-hand)" in text
    # Nothing a developer alone would understand.
    for jargon in ("question.", "dimension.", "None", "null", "sha256:1", "n/a", "_"):
        body = text.split("\n---\n")[0]
        assert jargon not in body.replace("n/a)", ""), jargon


def test_no_change_section_without_a_baseline(invoke: Callable[..., Any]) -> None:
    result = invoke("report", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC))
    assert "Change since the last run" not in result.stdout
    assert "Progress over time" not in result.stdout


# --------------------------------------------------------------------------- determinism, date


def test_same_inputs_same_bytes_and_o_writes_what_stdout_prints(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    args = [str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)]
    first = invoke("report", *args)
    second = invoke("report", *args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    out = tmp_path / "reports" / "q1.md"
    out.parent.mkdir()  # -o writes into a folder that exists (test_cli_surface.py)
    written = invoke("report", *args, "-o", str(out))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert out.read_text(encoding="utf-8") == first.stdout
    assert f"wrote {out}" in written.stderr
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_format_follows_the_output_name_unless_given(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    args = [str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)]
    out = tmp_path / "report.html"
    assert invoke("report", *args, "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md_out = tmp_path / "report.html.txt"
    assert invoke("report", *args, "-o", str(md_out), "--format", "md").exit_code == 0
    assert md_out.read_text(encoding="utf-8").startswith("# Example Co: ")


def test_date_comes_from_the_answers_and_can_be_fixed(invoke: Callable[..., Any]) -> None:
    args = [str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)]
    default = invoke("report", *args).stdout
    assert "2 November 2026" in default.splitlines()[2]  # the newest `updated` of the answers
    fixed = invoke("report", *args, "--date", "2027-03-04").stdout
    assert fixed.splitlines()[2].startswith("4 March 2027 · ")
    bad = invoke("report", *args, "--date", "04/03/2027")
    assert bad.exit_code == 2
    assert "--date: expected a date as YYYY-MM-DD, got '04/03/2027'" in bad.stderr
    assert "Traceback" not in bad.output


def test_the_clock_does_not_leak_into_the_report() -> None:
    scored = score_inputs([MINIMAL_RESPONSES], rubric_ref=str(MINIMAL_RUBRIC))
    card = scored.card
    later = card.model_copy(update={"generated_at": datetime(2031, 1, 1, tzinfo=UTC)})
    day = rp.report_date(card, None, lambda: date(1999, 1, 1))
    assert day == date(2026, 11, 2)
    for fmt in ("md", "html"):
        a = rrender.render(rp.build_context(card, scored.rubric, day=day), fmt)  # type: ignore[arg-type]
        b = rrender.render(rp.build_context(later, scored.rubric, day=day), fmt)  # type: ignore[arg-type]
        assert a == b
        assert "2031" not in b


def test_today_only_when_no_answer_has_a_date() -> None:
    scored = score_inputs([MINIMAL_RESPONSES], rubric_ref=str(MINIMAL_RUBRIC))
    undated = scored.card.model_copy(
        update={
            "respondents": [r.model_copy(update={"updated": None}) for r in scored.card.respondents]
        }
    )
    assert rp.report_date(undated, None, lambda: date(2030, 6, 1)) == date(2030, 6, 1)
    assert rp.report_date(undated, date(2029, 1, 2), lambda: date(2030, 6, 1)) == date(2029, 1, 2)


def test_errors_name_the_problem(invoke: Callable[..., Any], tmp_path: Path) -> None:
    missing = invoke("report", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.stderr
    template = invoke(
        "report",
        str(MINIMAL_RESPONSES),
        "--rubric",
        str(MINIMAL_RUBRIC),
        "--template",
        str(tmp_path / "missing.md.j2"),
    )
    assert template.exit_code == 2
    assert "missing.md.j2: no such template file" in template.stderr


# --------------------------------------------------------------------------- formatting


def test_numbers_are_rounded_for_people() -> None:
    assert rmodel.score_text(24.2335) == "24"
    assert rmodel.score_text(None) == "–"
    assert rmodel.signed_text(-23.4) == "−23"
    assert rmodel.signed_text(6.0) == "+6"
    assert rmodel.signed_text(0.4) == "0"
    assert rmodel.signed_text(-0.4) == "0"
    assert rmodel.percent_text(0.9776) == "98%"
    assert rmodel.long_date(date(2026, 10, 5)) == "5 October 2026"


def test_a_figure_cannot_carry_markup() -> None:
    with pytest.raises(ValueError):
        rmodel.Figure("<b>1</b>")
    with pytest.raises(ValueError):
        rmodel.Figure("1 | 2")


def test_appendix_aggregates_by_role_and_caps_long_lists() -> None:
    from alignment_cli.model.models import Question

    scale_q = Question.model_validate(
        {"id": "q", "phase": "p", "dimension": "d", "type": "scale", "text": "T"}
    )
    assert rappendix._answer_items(scale_q, {"4": 2, "2": 1}, 5) == ["4 of 5 (2)", "2 of 5 (1)"]
    assert rappendix._answer_items(scale_q, {"3": 1}, 5) == ["3 of 5"]
    assert rappendix._answer_items(scale_q, {"unknown": 1, "n/a": 2}, 5) == [
        "not applicable (2)",
        "don't know (1)",
    ]
    number_q = Question.model_validate(
        {
            "id": "n",
            "phase": "p",
            "dimension": "d",
            "type": "number",
            "text": "T",
            "unit": "hours",
            "bands": [{"score": 1}],
        }
    )
    many = {f"{h} hours": 1 for h in range(1, 101)}
    assert rappendix._answer_items(number_q, many, 5) == [
        "median 50.5 hours, range 1 to 100 hours (100)"
    ]
    multi_q = Question.model_validate(
        {
            "id": "m",
            "phase": "p",
            "dimension": "d",
            "type": "multi",
            "text": "T",
            "options": [
                {"value": "a", "label": "Alpha", "score": 0.5},
                {"value": "b", "label": "Beta", "score": 0.5},
                {"value": "c", "label": "Gamma; delta", "score": 0.5},
            ],
        }
    )
    # Several people: counted per option, not per combination.
    assert rappendix._answer_items(multi_q, {"Alpha; Beta": 2, "Alpha": 1}, 5) == [
        "Alpha (3)",
        "Beta (2)",
    ]
    # A label that itself contains "; " cannot be split safely: the combination stays whole.
    assert rappendix._answer_items(multi_q, {"Alpha; Gamma; delta": 2, "Alpha": 1}, 5) == [
        "Alpha; Gamma; delta (2)",
        "Alpha (1)",
    ]


# --------------------------------------------------------------------------- progress hooks


def test_change_since_last_run_and_trend_render_when_given() -> None:
    from alignment_cli.scoring.compare import compare
    from alignment_cli.scoring.history import Run, trend

    scored = score_inputs([MINIMAL_RESPONSES], rubric_ref=str(MINIMAL_RUBRIC))
    card = scored.card.model_copy(update={"generated_at": datetime(2026, 11, 5, tzinfo=UTC)})
    earlier = card.model_copy(
        update={
            "overall": (card.overall or 0) - 12,
            "generated_at": datetime(2026, 8, 1, tzinfo=UTC),
            "dimensions": [
                d.model_copy(update={"score": (d.score or 0) - 10}) for d in card.dimensions
            ],
        }
    )
    runs = [Run(Path("2026-08-01.json"), earlier), Run(Path("2026-11-05.json"), card)]
    context = rp.build_context(
        card,
        scored.rubric,
        day=date(2026, 11, 2),
        comparison=rprogress.comparison_view(compare(earlier, card)),
        history=rprogress.history_points(trend(runs)),
    )
    md = rrender.render(context, "md")
    assert "## Change since the last run" in md
    assert "The overall score is up 12 points since 1 August 2026" in md
    assert "- **Change since the last run:** The overall score is up 12 points" in md
    assert table_problems(md) == []
    assert mermaid_problems(md) == []
    assert '  x-axis ["2026-08-01", "2026-11-05"]' in md
    html = rrender.render(context, "html")
    assert html_problems(html) == []
    assert 'id="change"' in html and '<path class="trend" d="M' in html


# --------------------------------------------------------------------------- documentation


def _context_classes() -> list[type]:
    from alignment_cli.report import charts as report_charts

    out = []
    for module in (rp, report_charts):
        for value in vars(module).values():
            if (
                dataclasses.is_dataclass(value)
                and isinstance(value, type)
                and value.__module__ == module.__name__
            ):
                out.append(value)
    return out


def test_every_context_field_is_documented() -> None:
    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    missing = []
    for cls in _context_classes():
        if f"`{cls.__name__}`" not in doc:
            missing.append(cls.__name__)
        for f in dataclasses.fields(cls):
            if f"`{f.name}`" not in doc:
                missing.append(f"{cls.__name__}.{f.name}")
    assert missing == []


# --------------------------------------------------------------------------- charts


def test_bar_geometry_is_proportional_and_stays_in_the_plot() -> None:
    from alignment_cli.report.charts import Series, svg_bars

    series = [
        Series("all", "All respondents", [0.0, 50.0, 100.0, None], "s0", "#111111"),
        Series("sales", "Sales", [120.0, -5.0, 25.0, 10.0], "s1", "#222222"),
    ]
    chart = svg_bars("t", ["A", "B", "C", "A long dimension title that must wrap"], series)
    plot = chart.plot_right - chart.plot_left
    widths = [[b.width for b in g.bars] for g in chart.groups]
    assert widths[0] == [0.0, round(plot, 1)]  # 120 is drawn as 100
    assert widths[1] == [round(plot / 2, 1), 0.0]  # -5 is drawn as 0
    assert widths[3][0] == 0.0 and chart.groups[3].bars[0].value == "–"
    assert len(chart.groups[3].label) == 2
    for g in chart.groups:
        for b in g.bars:
            assert chart.plot_top <= b.y and b.y + b.height <= chart.plot_bottom
            assert b.x + b.width <= chart.plot_right + 0.1
    assert [t.label for t in chart.ticks] == ["0", "20", "40", "60", "80", "100"]


def test_mermaid_labels_cannot_break_out() -> None:
    from alignment_cli.report.charts import mermaid_text

    assert mermaid_text('a "b"\n```\n] x') == '"a b x"'
    assert mermaid_text("Feedback & insight (sales/marketing)") == (
        '"Feedback & insight (sales/marketing)"'
    )
    assert mermaid_text("x" * 80, limit=10) == '"xxxxxxxxx…"'
