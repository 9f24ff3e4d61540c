"""The report stays harmless and private: hostile text cannot change its structure, custom
templates run sandboxed, and small groups are hidden when asked."""

from __future__ import annotations

import copy
import html
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC, V1_EXAMPLES, build_file_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report import (
    html_problems,
    mermaid_problems,
    parse_html,
    parse_markdown,
    table_problems,
)

from alignment_cli.files.privacy import pseudonym
from alignment_cli.files.responses import ResponseFile, Responses
from alignment_cli.model.rubric import load_rubric
from alignment_cli.report import context as rp
from alignment_cli.report import render as rrender
from alignment_cli.scoring.engine import score

HOSTILE = {
    "pipe": "a | b || c |",
    "backticks": "run `rm -rf` and ```fence``` now",
    "script": "<script>alert('x')</script>",
    "heading": "# Heading\n## Another",
    "link": "[click](https://evil.example/x) ![img](https://evil.example/i.png)",
    "autolink": "https://evil.example/ www.evil.example me@evil.example <https://evil.example>",
    "html": '<img src=x onerror="alert(1)"><b>bold</b>',
    "emphasis": "**bold** _em_ ~~gone~~ *x*",
    "blocks": "- item\n1. first\n> quote\n---\n    code",
    "table": "x\n\n| a | b |\n|---|---|\n| c | d |",
    "template": "{{ 7 * 7 }} {% if true %}yes{% endif %} {# c #}",
    "entities": "&amp; &lt;b&gt; &#60;script&#62;",
    "backslash": "ends with a backslash \\",
    "mermaid": '"] \n```\n</svg>',
}
BENIGN = "Plain words"


def _rubric_data(text: str) -> dict[str, Any]:
    """The minimal rubric with a text question, a benchmark, and `text` in every title."""
    data: dict[str, Any] = yaml.safe_load(MINIMAL_RUBRIC.read_text(encoding="utf-8"))
    data["title"] = "Audit " + text
    data["levels"][0]["title"] = "Apart " + text
    data["levels"][0]["description"] = text
    data["phases"][0]["title"] = "Assess " + text
    data["phases"][0]["description"] = text
    data["dimensions"][0]["title"] = "Definitions " + text
    data["roles"][0]["title"] = "Sales " + text
    data["classifiers"][0]["title"] = "Who leads " + text
    data["classifiers"][0]["outcomes"][0]["title"] = "Marketing-led " + text
    data["questions"][0]["options"][0]["label"] = "New " + text
    data["questions"][1]["text"] = "How is a lead defined? " + text
    data["questions"].append(
        {
            "id": "comments",
            "phase": "alignment",
            "dimension": "definitions",
            "type": "text",
            "text": "Anything else? " + text,
        }
    )
    for rec in data["recommendations"]:
        rec["title"] += " " + text
        rec["body"] += " " + text
        rec["kpi"] += " " + text
    data["benchmarks"] = [
        {
            "id": "b",
            "figure": "Half " + text,
            "source": "Study " + text,
            "year": 2020,
            "second_hand": True,
            "url": "https://evil.example/",
            "questions": ["lead-definition"],
        }
    ]
    return data


def _answers(text: str, name: str, role: str, n: int) -> dict[str, Any]:
    return {
        "rubric": {"id": "minimal-alignment", "version": "0.1.0"},
        "respondent": {"name": f"{name} {n} {text}".strip(), "role": role},
        "organization": "Org " + text,
        "updated": "2026-11-02T09:00:00Z",
        "answers": {
            "market-maturity": "new",
            "lead-definition": 2 + n % 3,
            "sla-exists": role == "sales" or n % 2 == 0,
            "handoff-channels": ["crm-task"],
            "comments": text,
        }
        | ({"follow-up-hours": 5 + n} if role == "sales" else {}),
        "notes": {
            qid: f"{text} note" for qid in ("market-maturity", "lead-definition", "comments")
        },
    }


def _render_both(root: Path, text: str) -> tuple[str, str]:
    """Score answers and a rubric full of `text`, and render both formats from one scoring."""
    from alignment_cli.scoring.pipeline import score_inputs

    build_file_tree(
        root,
        {
            "rubric.yaml": _rubric_data(text),
            "answers/a.yaml": _answers(text, "Sam", "sales", 1),
            "answers/b.yaml": _answers(text, "Mia", "marketing", 2),
        },
    )
    scored = score_inputs([root / "answers"], rubric_ref=str(root / "rubric.yaml"))
    context = rp.build_context(scored.card, scored.rubric, day=date(2026, 11, 2))
    return rrender.render(context, "md"), rrender.render(context, "html")


def _md_shape(text: str) -> list[tuple[str, str, list[str]]]:
    """Block tokens and the kinds of inline markup in them; plain text is left out."""
    plain = {"text", "text_special", "softbreak"}
    return [
        (t.type, t.tag, [c.type for c in (t.children or []) if c.type not in plain])
        for t in parse_markdown(text)
    ]


def _html_shape(text: str) -> list[tuple[str, list[str]]]:
    # Chart labels wrap by length into <tspan>s; everything else must be identical.
    return [
        (tag, sorted(name for name, _ in attrs))
        for tag, attrs in parse_html(text).tags
        if tag != "tspan"
    ]


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return _render_both(tmp_path_factory.mktemp("benign"), BENIGN)


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_text_cannot_change_the_report(
    kind: str, tmp_path: Path, benign: tuple[str, str]
) -> None:
    """Hostile text in every field people type (names, notes, organisation, text answers) and
    in every rubric title leaves the structure of both reports exactly as benign text does."""
    text = HOSTILE[kind]
    md, page = _render_both(tmp_path, text)
    assert table_problems(md) == []
    assert mermaid_problems(md) == []
    assert _md_shape(md) == _md_shape(benign[0])
    tokens = parse_markdown(md)
    assert [t.info for t in tokens if t.type == "fence"] == ["mermaid"]
    # The words survive, as words: what people typed is shown, not obeyed.
    rendered = "".join(c.content for t in tokens for c in (t.children or []) if c.type == "text")
    if kind == "template":
        assert "{{ 7 * 7 }}" in rendered  # printed, never evaluated
    first_word = text.split()[0].strip('#[<*`"]!-')
    if first_word:
        assert first_word in rendered

    assert html_problems(page) == []
    assert _html_shape(page) == _html_shape(benign[1])
    visible = " ".join(parse_html(page).text)
    # Line breaks in notes are kept (white-space: pre-line); compare the first line.
    assert text.splitlines()[0].strip() in visible


def test_rubric_urls_are_not_printed(tmp_path: Path) -> None:
    md, page = _render_both(tmp_path, BENIGN)
    assert "evil.example" not in md
    assert "evil.example" not in page


def test_hostile_names_and_notes_are_escaped_in_place(tmp_path: Path) -> None:
    md, page = _render_both(tmp_path, HOSTILE["script"])
    assert "<script>" not in md and "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; note" in page
    assert "Sam 1 &lt;script&gt;" in page  # the respondent's name
    assert "Org &lt;script&gt;" in page  # the organisation
    assert "&lt;script&gt;alert('x')&lt;/script&gt; note" in md
    md, page = _render_both(tmp_path / "pipe", HOSTILE["pipe"])
    assert "a \\| b \\|\\| c \\| note" in md


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
    org=st.text(max_size=40),
    note=st.text(min_size=1, max_size=80).filter(lambda s: s.strip()),
)
def test_any_text_keeps_tables_whole(name: str, org: str, note: str) -> None:
    loaded = _minimal()
    files = []
    for i, role in enumerate(("sales", "marketing")):
        data = _answers("", "x", role, i)
        data["respondent"]["name"] = f"{name}{i}"
        data["organization"] = org
        data["notes"] = {"lead-definition": note}
        del data["answers"]["comments"]
        files.append(ResponseFile(Path(f"{i}.yaml"), Responses.model_validate(data)))
    card = score(loaded, files, now=datetime(2026, 1, 1, tzinfo=UTC), organization=org or None)
    context = rp.build_context(card, loaded, day=date(2026, 1, 1))
    md = rrender.render(context, "md")
    assert table_problems(md) == []
    kinds = {t.type for t in parse_markdown(md)}
    assert not kinds & {"html_block", "code_block"}
    inline = {c.type for t in parse_markdown(md) for c in (t.children or [])}
    assert not inline & {"html_inline", "link_open", "image", "code_inline"}
    assert html_problems(rrender.render(context, "html")) == []


_LOADED: list[Any] = []


def _minimal() -> Any:
    if not _LOADED:
        _LOADED.append(load_rubric(MINIMAL_RUBRIC))
    return _LOADED[0]


# --------------------------------------------------------------------------- custom templates

MINIMAL_ARGS = [str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)]


@pytest.mark.parametrize(
    "source",
    [
        "{{ meta.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% set unused = summary.__init__ %}harmless",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ meta.date.__class__.__base__ }}",
        "{{ '{0.__class__}'.format(meta) }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ dimensions.append(1) }}",
    ],
)
def test_templates_that_reach_for_python_internals_fail_cleanly(
    invoke: Callable[..., Any], tmp_path: Path, source: str
) -> None:
    template = tmp_path / "evil.md.j2"
    template.write_text("# Report\n\n" + source + "\n", encoding="utf-8")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert f"{template}:3: " in result.stderr
    assert "Python internals" in result.stderr or "not allowed" in result.stderr
    assert "Traceback" not in result.output


def test_template_syntax_error_names_file_and_line(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    template = tmp_path / "broken.md.j2"
    template.write_text("line one\nline two\n{% if summary.overall %}\nno endif\n", "utf-8")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    assert result.exit_code == 2
    assert str(template) in result.stderr
    assert "template syntax error" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_names_are_errors_not_blanks(invoke: Callable[..., Any], tmp_path: Path) -> None:
    template = tmp_path / "typo.md.j2"
    template.write_text("ok\n{{ summary.overal }}\n", encoding="utf-8")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    assert result.exit_code == 2
    assert f"{template}:2: " in result.stderr
    assert "Summary has no field 'overal': not in the report context" in result.stderr
    assert "docs/templates.md" in result.stderr


BOMBS = {
    "range": "{% for i in range(10**9) %}{% endfor %}",
    "nested ranges": "{% for i in range(99999) %}{% for j in range(99999) %}"
    "{% endfor %}{% endfor %}",
    "string repeat": "{{ ('a' * 10**9)|length }}",
    "list repeat": "{{ ([1] * 10**8)|length }}",
    "center": "{{ 'a'|center(10**9) }}",
    "method width": "{{ 'a'.ljust(10**9) }}",
    "format width": "{{ '{:>1000000000}'.format(1) }}",
    "percent width": "{{ '%01000000000d' % 1 }}",
    "format filter": "{{ '%01000000000d'|format(1) }}",
    "lipsum": "{{ lipsum(10**6) }}",
    "power": "{{ 10**100000000 }}",
    "doubling": "{% set s = namespace(t='ab') %}{% for i in range(40) %}"
    "{% set s.t = s.t ~ s.t %}{% endfor %}{{ s.t|length }}",
    "loop over a long string": "{% for c in 'x' * 900000 %}{% for d in 'y' * 900000 %}"
    "{% endfor %}{% endfor %}",
    "output": "{% for i in range(4000000) %}xxxxxxxxxx{% endfor %}",
    "indent width": '{{ ("x\\n" * 20000)|indent(99999, true)|length }}',
    "tojson indent": "{{ (range(20000)|list)|tojson(99999)|length }}",
    "nested format widths": '{{ ("{0:{1}}" * 10000).format(1, 99999)|length }}',
    "many big strings": '{% set s = "x" * 999000 %}{% set ns = namespace(l=[]) %}'
    "{% for i in range(3000) %}{% set ns.l = ns.l + [s ~ i] %}{% endfor %}{{ ns.l|length }}",
    "a huge template": "{{ x|default(1) }}\n" * 300000,
}


@pytest.mark.parametrize("source", BOMBS.values(), ids=BOMBS.keys())
def test_template_bombs_stop_within_seconds_with_a_located_message(
    invoke: Callable[..., Any], tmp_path: Path, source: str
) -> None:
    template = tmp_path / "bomb.md.j2"
    template.write_text("# Report\n\n" + source + "\n", encoding="utf-8")
    start = time.monotonic()
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    elapsed = time.monotonic() - start
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"{template}"), result.stderr
    assert "limit" in result.stderr or "failed" in result.stderr, result.stderr
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_bounds_leave_ordinary_templates_alone(invoke: Callable[..., Any], tmp_path: Path) -> None:
    template = tmp_path / "fine.md.j2"
    template.write_text(
        "{% for i in range(3) %}{{ i }}{% endfor %} {{ 'ab' * 3 }} {{ 2 ** 10 }}"
        " {{ ('%5d'|format(42))|length }} {{ ('x'|center(7))|length }}"
        "|{{ range(5)|list|length }}\n",
        encoding="utf-8",
    )
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    assert result.exit_code == 0, result.output
    assert result.stdout == "012 ababab 1024 5 7|5\n"


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_a_template_cannot_read_through_a_symlink_beside_it(
    invoke: Callable[..., Any], tmp_path: Path, target: str
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "secret.md.j2").symlink_to(target)  # named as a template, to pass that check
    template = folder / "leak.md.j2"
    template.write_text('{% include "secret.md.j2" %}\n', encoding="utf-8")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    assert result.exit_code == 2, result.output
    assert "outside the template's folder" in result.stderr
    assert "root:" not in result.output and "PATH=" not in result.output


def test_a_template_cannot_print_an_answer_file_beside_it(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    (tmp_path / "answers.yaml").write_text("respondent: {name: Secret Person}\n")
    template = tmp_path / "leak.md.j2"
    template.write_text('{% include "answers.yaml" %}\n', encoding="utf-8")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template), "--anonymous")
    assert result.exit_code == 2, result.output
    assert "Secret Person" not in result.output
    assert "only *.j2 templates may be included" in result.stderr


def test_a_template_that_is_itself_a_symlink_out_of_its_folder_is_refused(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "real.md.j2").write_text("hello\n", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "link.md.j2").symlink_to(elsewhere / "real.md.j2")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(folder / "link.md.j2"))
    assert result.exit_code == 2, result.output
    assert "outside the template's folder" in result.stderr


def test_the_documented_example_template_works(invoke: Callable[..., Any], tmp_path: Path) -> None:
    from conftest import ROOT

    doc = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    example = doc.split("```jinja\n", 1)[1].split("```\n", 1)[0]
    template = tmp_path / "board.md.j2"
    template.write_text(example, encoding="utf-8")
    result = invoke("report", *MINIMAL_ARGS, "--template", str(template))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Example Co: alignment at a glance (2 November 2026)\n")
    assert table_problems(result.stdout) == []
    assert "| Shared definitions |" in result.stdout


def test_custom_templates_escape_too_and_can_extend_the_bundled_ones(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    for src in MINIMAL_RESPONSES.iterdir():
        data = yaml.safe_load(src.read_text(encoding="utf-8"))
        data["organization"] = "<b>Co</b> | # x"
        (tmp_path / "data" / src.name).write_text(yaml.safe_dump(data), encoding="utf-8")
    args = [str(tmp_path / "data"), "--rubric", str(MINIMAL_RUBRIC)]
    page = tmp_path / "mine.html.j2"
    page.write_text("<p>{{ meta.organization }}</p>\n", encoding="utf-8")
    out = invoke("report", *args, "--template", str(page))
    assert out.exit_code == 0, out.output
    assert out.stdout == "<p>&lt;b&gt;Co&lt;/b&gt; | # x</p>\n"  # HTML by the template's name
    md = tmp_path / "mine.md.j2"
    md.write_text("{{ meta.organization }}\n", encoding="utf-8")
    assert (
        invoke("report", *args, "--template", str(md)).stdout == "&lt;b&gt;Co&lt;/b&gt; \\| \\# x\n"
    )
    child = tmp_path / "child.md.j2"
    child.write_text('{% extends "report.md.j2" %}\n', encoding="utf-8")
    extended = invoke("report", *args, "--template", str(child))
    assert extended.exit_code == 0, extended.output
    assert extended.stdout == invoke("report", *args).stdout


# --------------------------------------------------------------------------- privacy


def _team(root: Path, sales: int, marketing: int, leadership: int) -> Path:
    data = copy.deepcopy(yaml.safe_load(MINIMAL_RUBRIC.read_text(encoding="utf-8")))
    data["roles"].append({"id": "leadership", "title": "Leadership"})
    spec: dict[str, Any] = {"rubric.yaml": data}
    n = 0
    for role, count in (("sales", sales), ("marketing", marketing), ("leadership", leadership)):
        for _ in range(count):
            n += 1
            answers = _answers("", f"Person{role.title()}", role, n)
            del answers["answers"]["comments"]
            answers["organization"] = "Acme"
            answers["notes"] = {"lead-definition": f"secret note {n} from {role}"}
            spec[f"answers/{role}{n}.yaml"] = answers
    build_file_tree(root, spec)
    return root


def test_who_is_shown() -> None:
    loaded = _minimal()
    files = [
        ResponseFile(
            Path(f"{i}.yaml"),
            Responses.model_validate(_answers("", "p", role, i) | {"answers": {}}),
        )
        for i, role in enumerate(["sales", "sales", "sales", "marketing"])
    ]
    card = score(loaded, files, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert rp.visible_roles(card, anonymous=False, min_group=None) == (
        {"sales": True, "marketing": True},
        None,
    )
    assert rp.visible_roles(card, anonymous=True, min_group=None) == (
        {"sales": True, "marketing": False},
        3,
    )
    assert rp.visible_roles(card, anonymous=False, min_group=4) == (
        {"sales": False, "marketing": False},
        4,
    )
    assert rp.visible_roles(card, anonymous=True, min_group=1)[0] == {
        "sales": True,
        "marketing": True,
    }


def test_anonymous_report_hides_names_and_small_groups(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    root = _team(tmp_path, sales=3, marketing=3, leadership=1)
    args = [str(root / "answers"), "--rubric", str(root / "rubric.yaml"), "--anonymous"]
    for fmt in ("md", "html"):
        result = invoke("report", *args, "--format", fmt)
        assert result.exit_code == 0, result.output
        text = html.unescape(result.stdout)
        assert "PersonSales" not in text and "PersonLeadership" not in text
        assert "secret note 1 from sales" in text
        assert "someone in Sales" in text  # quotes by role, no pseudonym
        assert pseudonym("PersonSales 1", salt="Acme") not in text
        # A group of one keeps its quotes, attributed to neither name nor role.
        assert "secret note 7 from leadership" in text
        assert "someone in Leadership" not in text
        assert "a respondent" in text
        assert (
            "Groups with fewer than 3 respondents are not shown on their own (Leadership)" in text
        )
        assert "not shown" in text
        assert "Who answered" not in text
    md = invoke("report", *args).stdout
    assert "| Dimension | Score | Sales | Marketing | Gap |" in md
    assert md.count("  line [") == 2


def test_anonymous_report_of_one_person_per_group_shows_no_gap(
    invoke: Callable[..., Any],
) -> None:
    if not (V1_EXAMPLES / "siloed").exists():
        pytest.skip("examples/siloed not written yet")
    result = invoke("report", str(V1_EXAMPLES / "siloed"), "--anonymous")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "Helen Achterberg" not in md and "Marcus Doyle" not in md
    assert "Fewer than 3 respondents in Sales or Marketing" in md
    assert "  line [" not in md  # the chart shows all respondents only
    # The quotes stay, attributed to nobody: every group is too small to name.
    quotes = [
        x
        for x in md.split("## Appendix: answers and notes")[1].splitlines()
        if x.startswith("  - “")
    ]
    assert quotes and all(x.endswith("” (a respondent)") for x in quotes)
    assert mermaid_problems(md) == [] and table_problems(md) == []


def test_min_group_given_alone_hides_groups_but_keeps_names(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    root = _team(tmp_path, sales=2, marketing=1, leadership=0)
    args = [str(root / "answers"), "--rubric", str(root / "rubric.yaml")]
    open_report = invoke("report", *args).stdout
    assert "secret note 3 from marketing” (someone in Marketing)" in open_report  # by role
    assert "PersonMarketing 3" in open_report  # in the list of who answered
    hidden = invoke("report", *args, "--min-group", "2").stdout
    assert "secret note 3 from marketing” (a respondent)" in hidden
    assert "secret note 1 from sales" in hidden
    assert "PersonSales 1" in hidden
    assert "| Dimension | Score | Sales |" in hidden
    assert "| Dimension | Score | Sales | Marketing |" not in hidden


def test_questions_only_a_few_answered_show_no_figures_when_anonymous(
    invoke: Callable[..., Any], tmp_path: Path
) -> None:
    # follow-up-hours is asked of sales alone: one salesperson's answer is theirs alone.
    root = _team(tmp_path, sales=1, marketing=3, leadership=0)
    args = [str(root / "answers"), "--rubric", str(root / "rubric.yaml")]
    row = "| 2.3 | How many hours pass, typically, before a qualified lead is first contacted? |"
    attributed = next(line for line in invoke("report", *args).stdout.splitlines() if row in line)
    assert attributed.startswith(row + " 60 | 6 hours |")
    anonymous = invoke("report", *args, "--anonymous").stdout
    line = next(line for line in anonymous.splitlines() if row in line)
    assert line == row + " – | not shown | – |"
    assert "6 hours" not in anonymous


def test_evidence_from_few_people_is_named_without_its_value() -> None:
    from alignment_cli.scoring.scorecard import Evidence

    loaded = _minimal()
    files = [
        ResponseFile(
            Path(f"{i}.yaml"), Responses.model_validate(_answers("", "p", role, i) | {"notes": {}})
        )
        for i, role in enumerate(["sales", "marketing"])
    ]
    card = score(loaded, files, now=datetime(2026, 1, 1, tzinfo=UTC))
    hours = Evidence(name="question.follow_up_hours", value=100.0)
    assert rp._evidence(hours, loaded, card) == (
        "“How many hours pass, typically, before a qualified lead is first contacted?” scores 100"
    )
    hidden = rp._evidence(hours, loaded, card, frozenset({"follow-up-hours"}), True, 3)
    assert hidden.endswith("(answered by fewer than 3 people: not shown)")
    assert "100" not in hidden
    gap = Evidence(name="gap.service_levels", value=-20.0)
    assert rp._evidence(gap, loaded, card) == (
        "Service levels: Sales rates it 20 points lower than Marketing"
    )
    assert rp._evidence(gap, loaded, card, frozenset(), False, 3) == (
        "Service levels: the difference between Sales and Marketing (not shown)"
    )
