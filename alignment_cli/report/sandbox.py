"""The sandbox every report template runs in, bundled or custom: no Python internals, no file
outside the template's own folder and the bundled templates, and bounded time, memory and output.

Jinja2's sandbox stops a template reaching for internals, but not one that asks for a billion
characters (`'a' * 10**9`, `center(10**9)`, a format width), a number of a hundred million digits
(`10**100000000`) or minutes of loops; and its file loader follows symlinks anywhere. Here every
operator that can grow a value, every filter, global and method call is checked before it runs,
loops count against a budget, the output is capped while it streams, and the whole render has a
deadline. docs/templates.md ("Limits") lists the bounds.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MAX_SECONDS = 10.0
"""A render longer than this is stopped (bundled reports of 10,000 people take well under 1 s)."""
MAX_OUTPUT_CHARS = 20_000_000
"""The largest report text (the bundled report of 10,000 people is about 250,000 characters)."""
MAX_VALUE_CHARS = 1_000_000
"""The longest string or list any one operation may make."""
MAX_LOOP_STEPS = 5_000_000
"""Iterations of `range` over the whole render."""
MAX_INT_ARGUMENT = 100_000
"""The largest number a filter or method accepts (widths, counts, repeats)."""
MAX_NUMBER_BITS = 4_096
"""The largest integer arithmetic may produce (about 1,200 digits)."""

MAX_TEMPLATE_CHARS = 1_000_000
"""The largest template source (the bundled ones are about 20,000 characters)."""
TEMPLATE_SUFFIXES = (".j2", ".css")  # what a template may include: templates, and its styles
MAX_MEMORY_BYTES = 1 << 30
"""Memory a render may add to the process (about 1 GiB; the bundled report needs little)."""
_WIDTH = re.compile(r"\d{6,}")  # a width or precision of 100,000 or more in a format string


class TemplateLimit(Exception):
    """A template went past one of the bounds; the message says which."""


class Budget:
    """Time and loop steps left for one render."""

    def __init__(self, seconds: float = MAX_SECONDS, steps: int = MAX_LOOP_STEPS) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.steps = steps

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"the template ran for more than {self.seconds:g} seconds")

    def step(self, n: int = 1) -> None:
        self.steps -= n
        if self.steps < 0:
            raise TemplateLimit(f"the template loops more than {MAX_LOOP_STEPS:,} times")
        if self.steps % 4096 == 0:
            self.check()


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The parameters of a call (widths, counts, repeats); never the data being filtered."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT_ARGUMENT:
            raise TemplateLimit(f"a number argument of {_short_int(value)} (the limit is 100,000)")


def _check_growth(data: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """`replace`, `join` and the like make at most (data size) x (parameter size): refuse a
    product past the output cap before it is made."""
    parameter = max((_weight(v) for v in (*args, *kwargs.values())), default=0)
    if parameter and max(_size(data), 1) * parameter > MAX_OUTPUT_CHARS:
        raise TemplateLimit(f"a value of more than {MAX_OUTPUT_CHARS:,} characters or items")


def _weight(value: Any) -> int:
    """How much a parameter can multiply the data by: its size, or a width it sets."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value)
    return _size(value)


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDTH.search(text):
        raise TemplateLimit("a format width of 100,000 or more")


def _check_result(value: Any) -> Any:
    if _size(value) > MAX_VALUE_CHARS:
        raise TemplateLimit(f"a value of more than {MAX_VALUE_CHARS:,} characters or items")
    if isinstance(value, int) and value.bit_length() > MAX_NUMBER_BITS:
        raise TemplateLimit("a number of more than about 1,200 digits")
    return value


def _short_int(value: int) -> str:
    return f"{value:,}" if value.bit_length() < 64 else "a huge number"


def bounded(func: Any, budget: Budget, *, is_filter: bool) -> Callable[..., Any]:
    """`func`, refusing huge parameters and results, and keeping to the deadline. A filter's
    first argument (after a context or environment it asks for) is the data, not a parameter."""
    from jinja2.utils import _PassArg  # jinja2 internals: bounded in pyproject.toml

    skip = (1 if _PassArg.from_obj(func) is not None else 0) + (1 if is_filter else 0)
    formats = getattr(func, "__name__", "") == "do_format"

    def call(*args: Any, **kwargs: Any) -> Any:
        budget.check()
        _check_arguments(args[skip:], kwargs)
        if is_filter and len(args) >= skip:
            data = args[skip - 1]
            _check_growth(data, args[skip:], kwargs)
            if formats:
                _check_format(data)
        return _check_result(func(*args, **kwargs))

    call.__name__ = getattr(func, "__name__", "call")
    for attribute in ("jinja_pass_arg",):  # pass_context/pass_environment markers
        if hasattr(func, attribute):
            setattr(call, attribute, getattr(func, attribute))
    return call


def _binop_limit(operator: str, left: Any, right: Any) -> None:
    """Refuse before computing: the operation itself is what takes the memory or the time."""
    if operator == "**":
        numbers = isinstance(right, int | float) and isinstance(left, int | float)
        if numbers and abs(left) > 1 and right > 0:
            bits = right * math.log2(abs(left))
            if bits > MAX_NUMBER_BITS:
                raise TemplateLimit("a power of more than about 1,200 digits")
        return
    if operator == "*":
        sizes = (_size(left), _size(right))
        counts = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
        if any(sizes) and counts and max(sizes) * abs(counts[0]) > MAX_VALUE_CHARS:
            raise TemplateLimit(f"a value of more than {MAX_VALUE_CHARS:,} characters or items")
        if len(counts) == 2 and counts[0].bit_length() + counts[1].bit_length() > MAX_NUMBER_BITS:
            raise TemplateLimit("a number of more than about 1,200 digits")
        return
    if operator == "%" and isinstance(left, str) and _WIDTH.search(left):
        raise TemplateLimit("a format width of 100,000 or more")
    if operator == "+" and _size(left) + _size(right) > MAX_VALUE_CHARS:
        raise TemplateLimit(f"a value of more than {MAX_VALUE_CHARS:,} characters or items")


def environment(fmt: str, extra_dir: Path | None, finalize: Callable[[Any], Any] | None) -> Any:
    """A fresh bounded sandbox for one render; `extra_dir` is a custom template's folder."""
    from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, nodes
    from jinja2.compiler import CodeGenerator
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from alignment_cli.model.rubric import data_dir

    budget = Budget()

    class ContainedLoader(FileSystemLoader):
        """Finds templates only inside its folders, after following every symlink."""

        def get_source(self, environment: Any, template: str) -> Any:
            if not template.endswith(TEMPLATE_SUFFIXES):
                # Only templates: an answer file beside a template must not be printed raw,
                # past --anonymous and the minimum group size.
                raise TemplateNotFound(f"{template} (only *.j2 templates may be included)")
            source, filename, uptodate = super().get_source(environment, template)
            if len(source) > MAX_TEMPLATE_CHARS:
                raise TemplateLimit(
                    f"{template} is {len(source):,} characters; the limit is {MAX_TEMPLATE_CHARS:,}"
                )
            real = os.path.realpath(filename)
            roots = [os.path.realpath(folder) for folder in self.searchpath]
            if not any(real == r or real.startswith(r + os.sep) for r in roots):
                raise TemplateNotFound(
                    f"{template} (it leads outside the template's folder, to {real})"
                )
            return source, filename, uptodate

    class BoundedCodeGenerator(CodeGenerator):
        """`a ~ b` is joined by the generated code itself, out of the sandbox's reach: route
        the result through the environment, so that doubling a string stops at the bound."""

        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.checked_concat(")
            super().visit_Concat(node, frame)
            self.write(")")

        def visit_For(self, node: Any, frame: Any) -> None:
            # Every loop's steps count against the budget, whatever it loops over.
            counted = nodes.EnvironmentAttribute("counted")
            node.iter = nodes.Call(counted, [node.iter], [], None, None)
            super().visit_For(node, frame)

    class ReportEnvironment(ImmutableSandboxedEnvironment):
        """A sandbox that fails at the first reach for Python internals or past a bound."""

        budget: Budget

        intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            budget.check()
            _binop_limit(operator, left, right)
            return _check_result(super().call_binop(context, operator, left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            budget.check()
            _check_arguments(args, kwargs)
            _check_growth(getattr(__obj, "__self__", None), args, kwargs)
            return _check_result(super().call(__context, __obj, *args, **kwargs))

        code_generator_class = BoundedCodeGenerator

        def counted(self, iterable: Any) -> Iterator[Any]:
            for item in iterable:
                budget.step()
                yield item

        def checked_concat(self, joined: Any) -> Any:
            budget.check()
            return _check_result(joined)

        def wrap_str_format(self, value: Any) -> Any:
            _check_format(getattr(value, "__self__", None))  # '{:>1000000000}'.format(1)
            return super().wrap_str_format(value)

        def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
            raise SecurityError(
                f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed"
            )

    dirs = [str(extra_dir)] if extra_dir is not None else []
    dirs.append(str(data_dir("templates")))
    options: dict[str, Any] = {
        "loader": ContainedLoader(dirs, followlinks=False),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "autoescape": fmt == "html",
    }
    if finalize is not None:
        options["finalize"] = finalize
    env = ReportEnvironment(**options)

    def loop_range(*args: int) -> _Range:
        for value in args:
            if isinstance(value, int) and abs(value) > MAX_LOOP_STEPS:
                raise TemplateLimit(f"a range of more than {MAX_LOOP_STEPS:,} steps")
        return _Range(range(*args), budget)

    env.globals["range"] = loop_range
    for name in ("lipsum", "dict", "cycler", "joiner", "namespace"):
        if name in env.globals:
            env.globals[name] = bounded(env.globals[name], budget, is_filter=False)
    for name, func in list(env.filters.items()):
        env.filters[name] = bounded(func, budget, is_filter=True)
    env.budget = budget
    return env


class _Range:
    """`range` whose every step counts against the render's budget."""

    def __init__(self, steps: range, budget: Budget) -> None:
        self._steps = steps
        self._budget = budget

    def __iter__(self) -> Iterator[int]:
        for i in self._steps:
            self._budget.step()
            yield i

    def __len__(self) -> int:
        return len(self._steps)

    def __contains__(self, value: object) -> bool:
        return value in self._steps

    def __reversed__(self) -> Iterator[int]:
        return iter(_Range(self._steps[::-1], self._budget))


@contextlib.contextmanager
def deadline(seconds: float = MAX_SECONDS) -> Iterator[None]:
    """Stop a render that runs too long, also inside a loop that calls nothing we can check.

    SIGALRM can only be set from the main thread (where the CLI renders); elsewhere the budget's
    own checks still bound the time.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TemplateLimit(f"the template ran for more than {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with _memory_cap():
            yield
    except MemoryError:
        raise TemplateLimit(
            f"the template needed more than {MAX_MEMORY_BYTES >> 20:,} MB of memory"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _memory_cap() -> Iterator[None]:
    """Lower the address-space limit to what the process uses now plus MAX_MEMORY_BYTES, for
    the render only: a runaway allocation then fails as MemoryError instead of exhausting the
    machine. Where the limit cannot be read or set, the other bounds still hold."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm", encoding="ascii") as fh:
            used = int(fh.read().split()[0]) * resource.getpagesize()
        cap = used + MAX_MEMORY_BYTES
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY and soft < cap:
            yield
            return
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def stream(chunks: Iterator[str], budget: Budget) -> str:
    """Join a render's output, stopping at the size cap or the deadline."""
    out: list[str] = []
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"the report would be longer than {MAX_OUTPUT_CHARS:,} characters")
        out.append(chunk)
        budget.check()
    return "".join(out)
