"""Conditions (`when`) and triggers, as Jinja2 expressions run in Jinja2's immutable sandbox.

On top of the sandbox we allow only a small set of syntax (comparisons, boolean logic, arithmetic
without powers, literals, attribute lookups, a few tests and filters): an expression cannot call
anything, and every name it uses is checked against the rubric before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from jinja2 import nodes
from jinja2.environment import TemplateExpression
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

_ALLOWED_NODES = (
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.Const,
    nodes.List,
    nodes.Tuple,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Test,
    nodes.Filter,
    nodes.CondExpr,
)
_ALLOWED_FILTERS = {"length", "abs", "lower", "upper", "min", "max", "round", "int", "float"}
_ALLOWED_TESTS = {"none", "defined", "undefined", "number", "string", "true", "false", "in"}
_MAX_LENGTH = 2_000
_MAX_NESTING = 60
_TOO_DEEP = f"is nested too deeply (more than {_MAX_NESTING} levels of brackets or operators)"


class ExpressionError(ValueError):
    """An expression that does not compile or names something it may not."""


class _Missing:
    """A value nobody gave: unanswered, n/a, unknown, or not scored. It reads as `none`.

    Like NaN, every ordering comparison with it is false and arithmetic on it stays missing, so
    `question.a < 50` is simply false when `a` was not scored while the rest of the expression
    still counts: `question.a < 50 or question.b < 50` fires on b alone.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "none"

    def __str__(self) -> str:
        return ""

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, _Missing)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(None)

    def _false(self, other: object) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false

    def __contains__(self, item: object) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Any:
        return iter(())

    def _missing(self, *other: object) -> _Missing:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __truediv__ = __rtruediv__ = _missing
    __floordiv__ = __rfloordiv__ = __neg__ = __pos__ = __abs__ = _missing


MISSING = _Missing()


def _missing_if_none(value: Any) -> Any:
    return MISSING if value is None else value


class _Env(ImmutableSandboxedEnvironment):
    # Intercepting also stops Jinja2 folding constants at compile time ('%999999999s' % 1).
    intercepted_binops = frozenset({"*", "%"})

    def __init__(self) -> None:
        # Jinja2's optimizer only folds constants, which expressions of answers hardly have,
        # and it costs most of a long condition's compile time.
        super().__init__(optimized=False)
        self.tests["none"] = lambda value: value is None or value is MISSING

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if left is MISSING or right is MISSING:
            return MISSING
        # '*' or '%' on a string or list could allocate without bound ('x' * 10**9).
        if not (_is_number(left) and _is_number(right)):
            raise ExpressionError(f"'{operator_}' only works on numbers")
        return super().call_binop(context, operator_, left, right)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@cache
def _env() -> _Env:
    return _Env()


@dataclass(frozen=True)
class Reference:
    """`namespace.name` as written in an expression, e.g. answers.sla_exists."""

    namespace: str
    name: str


@dataclass(frozen=True)
class Expression:
    source: str
    references: tuple[Reference, ...]
    _compiled: Callable[..., Any] = field(repr=False)
    # Makes the operands of a top-level `or` (see `alternatives`), when first asked for: only
    # triggers' evidence needs them, and compiling every side of every condition made a rubric
    # of 1,200 long conditions take minutes to load.
    _sides: Callable[[], tuple[Expression, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def alternatives(self) -> tuple[Expression, ...]:
        """The operands of a top-level `or`, each compiled on its own: `a or b or (c or d)` has
        four, `not (a or b)` and `a if b or c else d` none. Taken from the parsed tree, so an
        `or` inside a string, brackets or a name is never mistaken for one. Their source is the
        whole one's."""
        return self._sides() if self._sides is not None else ()

    def evaluate(self, context: Mapping[str, Any]) -> bool:
        """True or false. A none value, or a name the context leaves out, is missing (see
        `_Missing`): comparisons with it are false. Any other failure at run time counts as false
        (conditions rely on that); `run` says what failed instead.
        """
        try:
            return self.run(context)
        except EvaluationError:
            return False

    def run(self, context: Mapping[str, Any]) -> bool:
        """Like `evaluate`, but a failure at run time (such as ordering text against a number,
        which no check before the run can rule out) raises EvaluationError in plain words."""
        values = dict(context)
        copied: set[str] = set()
        for ref in self.references:
            if not ref.name:
                values[ref.namespace] = _missing_if_none(values.get(ref.namespace))
                continue
            space = context.get(ref.namespace)
            if not isinstance(space, Mapping):
                continue
            if ref.namespace not in copied:  # never write into the caller's dicts
                # Only `namespace.name` reaches a namespace (a bare one is refused at load), so
                # the names referenced are all a run reads: a mapping that makes its values as
                # they are read (engine's `answers`) is read for those alone.
                values[ref.namespace] = dict(space) if type(space) is dict else {}
                copied.add(ref.namespace)
            values[ref.namespace][ref.name] = _missing_if_none(space.get(ref.name))
        try:
            return bool(self._compiled(**values))
        except Exception as exc:
            raise EvaluationError(plain_failure(exc)) from exc


class EvaluationError(Exception):
    """An expression that compiled but failed while running; the message is in plain words."""


_KINDS = {
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "tuple": "a list",
    "dict": "a mapping",
    "NoneType": "none",
    "_Missing": "none",
}
_PATTERNS = (
    # Python's TypeError messages for what an expression can do, as (pattern, words).
    (
        r"'(?P<op>.+)' not supported between instances of '(?P<a>\w+)' and '(?P<b>\w+)'",
        "cannot compare {a} with {b} using '{op}'",
    ),
    (
        r"unsupported operand type\(s\) for (?P<op>.+): '(?P<a>\w+)' and '(?P<b>\w+)'",
        "cannot use '{op}' on {a} and {b}",
    ),
    (
        r'can only concatenate (?P<a>\w+) \(not "(?P<b>\w+)"\) to \w+',
        "cannot use '+' on {a} and {b}",
    ),
    (
        r"bad operand type for (?:unary )?(?P<op>[^:]+?)(?:\(\))?: '(?P<a>\w+)'",
        "cannot use '{op}' on {a}",
    ),
    (r"object of type '(?P<a>\w+)' has no len\(\)", "cannot take the length of {a}"),
    (
        r"(?:argument of type )?'(?P<a>\w+)'(?: object)? is not iterable",
        "expected a list or text, got {a}",
    ),
    (r"type (?P<a>\w+) doesn't define __round__ method", "cannot round {a}"),
)
_FAILURES = tuple((re.compile(pattern), words) for pattern, words in _PATTERNS)


def plain_failure(exc: BaseException) -> str:
    """Python's message for a failure at run time, in words a rubric author can act on."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    text = str(exc)
    for pattern, words in _FAILURES:
        if m := pattern.fullmatch(text):
            found = m.groupdict()
            kinds = {k: _KINDS.get(v, v) for k, v in found.items() if k != "op"}
            return words.format(op=found.get("op", ""), **kinds)
    return text or type(exc).__name__


def compile_expression(
    source: str, namespaces: frozenset[str], scalars: frozenset[str] = frozenset()
) -> Expression:
    """Parse, check and compile; raises ExpressionError with a readable reason."""
    if not source.strip():
        raise ExpressionError("is empty")
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(f"is longer than {_MAX_LENGTH:,} characters")
    env = _env()
    try:
        tree = env.parse("{{ (" + source + ") }}")
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"does not compile: {exc.message}") from None
    except RecursionError:  # Jinja2's parser recurses once per nested bracket or operator
        raise ExpressionError(_TOO_DEEP) from None
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        raise ExpressionError("must be a single expression")
    expr = body[0].nodes[0]
    references = tuple(_check(expr, namespaces, scalars))
    for node in _walk(expr):
        # answers['sla-exists'] reads the same variable as answers.sla_exists: contexts are
        # keyed by the underscore form (Reference.name), so the lookup must use it too.
        if (
            isinstance(node, nodes.Getitem)
            and isinstance(node.node, nodes.Name)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            node.arg.value = node.arg.value.replace("-", "_")
    operands = _or_operands(expr)

    def sides() -> tuple[Expression, ...]:
        return tuple(
            Expression(source, tuple(_check(op, namespaces, scalars)), _compile_node(_env(), op))
            for op in (operands if len(operands) > 1 else ())
        )

    expr.set_environment(env)  # before the sides: they are parts of this tree
    return Expression(source, references, _Deferred(env, expr), sides)


class _Deferred:
    """Jinja2's code for an expression, generated when it first runs: loading checks every
    expression, but scoring a small engagement runs few of them, and generating the code was
    most of a rubric's load time (start-up of `score`, bench/run.py)."""

    __slots__ = ("_env", "_expr", "_run")

    def __init__(self, env: _Env, expr: nodes.Node) -> None:
        self._env = env
        self._expr = expr
        self._run: Callable[..., Any] | None = None

    def __call__(self, **values: Any) -> Any:
        if self._run is None:
            self._run = _compile_node(self._env, self._expr)
        return self._run(**values)


def _or_operands(node: nodes.Node) -> list[nodes.Node]:
    """`a or b or c` parses as Or(Or(a, b), c): flatten every `or` at the top, in source order."""
    out: list[nodes.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, nodes.Or):
            stack.extend((current.right, current.left))
        else:
            out.append(current)
    return out


def _compile_node(env: _Env, expr: nodes.Node) -> Callable[..., Any]:
    try:
        expr.set_environment(env)
        body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
        template = env.from_string(nodes.Template(body, lineno=1))
        return TemplateExpression(template, undefined_to_none=True)
    except TemplateSyntaxError as exc:  # pragma: no cover - the parse above already failed
        raise ExpressionError(f"does not compile: {exc.message}") from None
    except (RecursionError, SyntaxError, MemoryError):  # pragma: no cover - _walk guards
        raise ExpressionError(_TOO_DEEP) from None


_FORBIDDEN = {
    "Call": "may not call functions or methods",
    "Pow": "may not use '**'",
    "Concat": "may not use '~'",
    "Dict": "may not build mappings",
    "Slice": "may not use slices",
    "Keyword": "may not use keyword arguments",
    "Pair": "may not build mappings",
    "TemplateData": "must be a single expression",
}


def _check(
    expr: nodes.Node, namespaces: frozenset[str], scalars: frozenset[str]
) -> list[Reference]:
    refs: list[Reference] = []
    for node in _walk(expr):
        if not isinstance(node, _ALLOWED_NODES):
            kind = type(node).__name__
            raise ExpressionError(_FORBIDDEN.get(kind, f"may not use {kind.lower()}"))
        if isinstance(node, nodes.Filter) and node.name not in _ALLOWED_FILTERS:
            raise ExpressionError(f"may not use the filter '{node.name}'")
        if isinstance(node, nodes.Test) and node.name not in _ALLOWED_TESTS:
            raise ExpressionError(f"may not use the test '{node.name}'")
        if isinstance(node, nodes.Getattr | nodes.Getitem) and isinstance(node.node, nodes.Name):
            name = _attr_name(node)
            if name is None:
                raise ExpressionError(f"must write {node.node.name}.<id> with a literal id")
            if name.startswith("_"):
                raise ExpressionError("may not use names starting with '_'")
            refs.append(Reference(node.node.name, name))
        elif isinstance(node, nodes.Getattr):
            # Only `namespace.id`: attributes of values (methods, internals) stay out of reach.
            raise ExpressionError(f"may not read the attribute '.{node.attr}' of a value")
        if isinstance(node, nodes.Name):
            if node.name in scalars:
                refs.append(Reference(node.name, ""))
            elif node.name not in namespaces:
                known = ", ".join(sorted(namespaces | scalars))
                raise ExpressionError(f"names unknown variable '{node.name}' (known: {known})")
    # A bare namespace (e.g. `answers | length`) could not be checked against the rubric.
    referenced = {id(n.node) for n in _walk(expr) if isinstance(n, nodes.Getattr | nodes.Getitem)}
    for node in _walk(expr):
        if isinstance(node, nodes.Name) and node.name in namespaces and id(node) not in referenced:
            raise ExpressionError(f"must write {node.name}.<id>, not {node.name} alone")
    return refs


def _attr_name(node: nodes.Getattr | nodes.Getitem) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value.replace("-", "_")
    return None


def _walk(root: nodes.Node) -> list[nodes.Node]:
    """Every node of the tree, refusing trees deeper than Jinja2's code generator can take."""
    out: list[nodes.Node] = []
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_NESTING:
            raise ExpressionError(_TOO_DEEP)
        out.append(node)
        stack.extend((child, depth + 1) for child in reversed(list(node.iter_child_nodes())))
    return out
