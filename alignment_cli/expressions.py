"""Conditions (`when`) and triggers, as Jinja2 expressions run in Jinja2's immutable sandbox.

On top of the sandbox we allow only a small set of syntax (comparisons, boolean logic, arithmetic
without powers, literals, attribute lookups, a few tests and filters): an expression cannot call
anything, and every name it uses is checked against the rubric before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import nodes
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


class ExpressionError(ValueError):
    """An expression that does not compile or names something it may not."""


class _Env(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        # '*' on a string or list could allocate without bound ('x' * 10**9).
        if operator_ == "*" and not (_is_number(left) and _is_number(right)):
            raise ExpressionError("'*' only multiplies numbers")
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


@dataclass
class Expression:
    source: str
    references: tuple[Reference, ...]
    _compiled: Callable[..., Any] = field(repr=False)

    def evaluate(self, context: Mapping[str, Any]) -> bool:
        """True or false; any failure at run time (a comparison with none, say) counts as false."""
        try:
            return bool(self._compiled(**context))
        except Exception:
            return False


def compile_expression(
    source: str, namespaces: frozenset[str], scalars: frozenset[str] = frozenset()
) -> Expression:
    """Parse, check and compile; raises ExpressionError with a readable reason."""
    if len(source) > _MAX_LENGTH:
        raise ExpressionError(f"longer than {_MAX_LENGTH} characters")
    env = _env()
    try:
        tree = env.parse("{{ (" + source + ") }}")
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"does not compile: {exc.message}") from None
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        raise ExpressionError("must be a single expression")
    expr = body[0].nodes[0]
    references = tuple(_check(expr, namespaces, scalars))
    try:
        compiled = env.compile_expression(source, undefined_to_none=True)
    except TemplateSyntaxError as exc:
        raise ExpressionError(f"does not compile: {exc.message}") from None
    return Expression(source, references, compiled)


def _check(
    expr: nodes.Node, namespaces: frozenset[str], scalars: frozenset[str]
) -> list[Reference]:
    refs: list[Reference] = []
    for node in _walk(expr):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"{type(node).__name__.lower()} is not allowed in a condition")
        if isinstance(node, nodes.Filter) and node.name not in _ALLOWED_FILTERS:
            raise ExpressionError(f"filter '{node.name}' is not allowed")
        if isinstance(node, nodes.Test) and node.name not in _ALLOWED_TESTS:
            raise ExpressionError(f"test '{node.name}' is not allowed")
        if isinstance(node, nodes.Getattr | nodes.Getitem) and isinstance(node.node, nodes.Name):
            name = _attr_name(node)
            if name is None:
                raise ExpressionError(f"write {node.node.name}.<id> with a literal id")
            refs.append(Reference(node.node.name, name))
        if isinstance(node, nodes.Name):
            if node.name in scalars:
                refs.append(Reference(node.name, ""))
            elif node.name not in namespaces:
                known = ", ".join(sorted(namespaces | scalars))
                raise ExpressionError(f"unknown name '{node.name}' (known: {known})")
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise ExpressionError("names starting with '_' are not allowed")
    # A bare namespace (e.g. `answers | length`) could not be checked against the rubric.
    referenced = {id(n.node) for n in _walk(expr) if isinstance(n, nodes.Getattr | nodes.Getitem)}
    for node in _walk(expr):
        if isinstance(node, nodes.Name) and node.name in namespaces and id(node) not in referenced:
            raise ExpressionError(f"write {node.name}.<id>, not {node.name} alone")
    return refs


def _attr_name(node: nodes.Getattr | nodes.Getitem) -> str | None:
    if isinstance(node, nodes.Getattr):
        return node.attr
    if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        return node.arg.value.replace("-", "_")
    return None


def _walk(node: nodes.Node) -> list[nodes.Node]:
    out = [node]
    for child in node.iter_child_nodes():
        out.extend(_walk(child))
    return out
