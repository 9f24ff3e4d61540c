"""Rendering a report context with a bundled or custom template, always in Jinja2's sandbox.

Markdown output escapes every printed value in the environment's `finalize`; HTML autoescapes.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alignment_cli.errors import InvalidInput, Problem
from alignment_cli.report import markdown as md
from alignment_cli.report.charts import (
    Markdown,
)
from alignment_cli.report.model import Figure, Format, ReportContext, count_text

# --------------------------------------------------------------------------- rendering

TEMPLATES = {"md": "report.md.j2", "html": "report.html.j2"}


def _md_finalize(value: Any) -> Any:
    """Every value a Markdown template prints passes here: people's text cannot become markup."""
    if value is None:
        return ""
    if isinstance(value, Figure | Markdown):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return md.escape(value)


def _environment(fmt: Format, extra_dir: Path | None) -> Any:
    from alignment_cli.report.sandbox import environment

    env = environment(fmt, extra_dir, _md_finalize if fmt == "md" else None)
    env.filters["count"] = count_text
    return env


def render(context: ReportContext, fmt: Format, template: Path | None = None) -> str:
    """Render the bundled template for `fmt`, or a custom one; a bad custom template is exit 2."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from alignment_cli.report.sandbox import TemplateLimit, deadline, stream

    env = _environment(fmt, template.parent if template is not None else None)
    if template is not None and not template.is_file():
        raise InvalidInput([Problem(str(template), None, None, "no such template file")])
    name = template.name if template is not None else TEMPLATES[fmt]
    label = str(template) if template is not None else name
    try:
        with deadline():  # compiling a huge template takes time too
            tpl = env.get_template(name)
            text = stream(tpl.generate(**context.variables()), env.budget)
    except TemplateLimit as exc:
        line = _template_line(exc, label)
        raise InvalidInput(
            [
                Problem(
                    label, line, None, f"the template went past a limit: {exc} (docs/templates.md)"
                )
            ]
        ) from None
    except TemplateSyntaxError as exc:
        where = exc.filename or label
        raise InvalidInput(
            [Problem(where, exc.lineno, None, f"template syntax error: {exc.message}")]
        ) from None
    except SecurityError as exc:
        line = _template_line(exc, label)
        raise InvalidInput(
            [
                Problem(
                    label,
                    line,
                    None,
                    f"the template reaches for Python internals ({exc}); report templates "
                    "may only use the documented context (docs/templates.md)",
                )
            ]
        ) from None
    except UndefinedError as exc:
        if template is None:
            raise
        line = _template_line(exc, label)
        raise InvalidInput(
            [
                Problem(
                    label,
                    line,
                    None,
                    f"{_plain_undefined(exc.message or '')}: not in the report context "
                    "(see docs/templates.md)",
                )
            ]
        ) from None
    except TemplateNotFound as exc:
        if template is None:
            raise
        raise InvalidInput(
            [Problem(label, None, None, f"includes '{exc.name}', which was not found")]
        ) from None
    except Exception as exc:
        if template is None:
            raise
        line = _template_line(exc, label)
        raise InvalidInput(
            [Problem(label, line, None, f"the template failed: {type(exc).__name__}: {exc}")]
        ) from None
    return text if text.endswith("\n") else text + "\n"


def _plain_undefined(message: str) -> str:
    """Jinja's "'alignment_cli.report.context.Summary object' has no attribute 'x'" as
    "Summary has no field 'x'"."""
    m = re.match(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '([^']*)'", message)
    return f"{m[1]} has no field '{m[2]}'" if m else message


def _template_line(exc: BaseException, label: str) -> int | None:
    """The template line that raised: Jinja rewrites tracebacks so template frames carry it."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(Path(label).name) or filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def report_format(fmt: str | None, output: Path | None, template: Path | None) -> Format:
    """--format when given; else what the output or template file name says; else Markdown."""
    if fmt is not None:
        return "html" if fmt == "html" else "md"
    for path in (output, template):
        if path is not None:
            name = path.name.lower()
            if name.endswith((".html", ".htm", ".html.j2", ".htm.j2")):
                return "html"
    return "md"


def parse_day(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        from alignment_cli.errors import UsageError

        raise UsageError(f"--date: expected a date as YYYY-MM-DD, got '{text}'") from None
