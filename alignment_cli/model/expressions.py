"""Conditions (`when`) and triggers, as Jinja2 expressions run in Jinja2's immutable sandbox.

On top of the sandbox we allow only a small set of syntax (comparisons, boolean logic, arithmetic
without powers, literals, attribute lookups, a few tests and filters): an expression cannot call
anything, and every name it uses is checked against the rubric before anything runs.

Jinja2 parses and checks every expression. Running one does without Jinja2 where that is exact:
the checked tree is kept as plain lists (`Expression.plain`, which the cache of loaded rubrics
stores) and evaluated with the very Python operations Jinja2's generated code performs. Whatever
that evaluation does not decide exactly so (a filter, a name or key the context lacks, a
dict method's name, an error of any kind) runs as before, through Jinja2's compiled code, so
results and failures stay Jinja2's. Jinja2 is imported only when something needs it: a
rubric restored from the cache scores the usual answers without it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from numbers import Number
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import nodes


@cache
def _allowed_nodes() -> tuple[type[nodes.Node], ...]:
    from jinja2 import nodes

    return (
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _none(value: Any) -> bool:
    return value is None or value is MISSING


@cache
def _env() -> Any:
    """The one sandboxed environment every expression parses and runs in (built when first
    needed, so that start-up imports no Jinja2)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class _Env(ImmutableSandboxedEnvironment):
        # Intercepting also stops Jinja2 folding constants at compile time ('%999999999s' % 1).
        intercepted_binops = frozenset({"*", "%"})

        def __init__(self) -> None:
            # Jinja2's optimizer only folds constants, which expressions of answers hardly
            # have, and it costs most of a long condition's compile time.
            super().__init__(optimized=False)
            self.tests["none"] = _none

        def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
            if left is MISSING or right is MISSING:
                return MISSING
            # '*' or '%' on a string or list could allocate without bound ('x' * 10**9).
            if not (_is_number(left) and _is_number(right)):
                raise ExpressionError(f"'{operator_}' only works on numbers")
            return super().call_binop(context, operator_, left, right)

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
    #: The checked tree as plain lists, which `_evaluate` runs (see the module's docstring);
    #: None for an expression only Jinja2 runs (one with a filter, say).
    plain: Any = field(default=None, repr=False, compare=False)

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


@cache
def _failures() -> tuple[tuple[re.Pattern[str], str], ...]:
    # Compiled when first needed: a run without failures never words one.
    return tuple((re.compile(pattern), words) for pattern, words in _PATTERNS)


def plain_failure(exc: BaseException) -> str:
    """Python's message for a failure at run time, in words a rubric author can act on."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    text = str(exc)
    for pattern, words in _failures():
        if m := pattern.fullmatch(text):
            found = m.groupdict()
            kinds = {k: _KINDS.get(v, v) for k, v in found.items() if k != "op"}
            return words.format(op=found.get("op", ""), **kinds)
    return text or type(exc).__name__


def compile_expression(
    source: str, namespaces: frozenset[str], scalars: frozenset[str] = frozenset()
) -> Expression:
    """Parse, check and compile; raises ExpressionError with a readable reason."""
    expr, references = _parse(source, namespaces, scalars)
    jinja = _JinjaForm(source, namespaces, scalars, expr)
    plain = _to_plain(expr)
    if plain is None:
        return Expression(source, references, jinja, jinja.sides)
    return _native(source, references, plain, scalars, jinja)


def deferred_expression(
    source: str,
    namespaces: frozenset[str],
    scalars: frozenset[str],
    references: tuple[Reference, ...],
    plain: Any = None,
) -> Expression:
    """An expression that `compile_expression` accepted before, with the references and the
    plain tree it found then (the cache of loaded rubrics, files/rubric_cache.py): nothing is
    parsed until Jinja2 has to run it. Parsing it again gives what the first parse gave: the
    same code decides."""
    jinja = _JinjaForm(source, namespaces, scalars)
    if plain is None:
        return Expression(source, references, jinja, jinja.sides)
    return _native(source, references, plain, scalars, jinja)


def _parse(
    source: str, namespaces: frozenset[str], scalars: frozenset[str]
) -> tuple[nodes.Node, tuple[Reference, ...]]:
    """The checked tree of `source`, and the references it makes."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

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
    expr.set_environment(env)  # before the sides: they are parts of this tree
    return expr, references


class _JinjaForm:
    """An expression as Jinja2 runs it: parsed when first needed (if not given), its code
    generated when it first runs. Loading checks every expression, but scoring runs few
    through Jinja2, and generating the code was most of a rubric's load time."""

    __slots__ = ("_namespaces", "_run", "_scalars", "_source", "_tree")

    def __init__(
        self,
        source: str,
        namespaces: frozenset[str],
        scalars: frozenset[str],
        tree: nodes.Node | None = None,
    ) -> None:
        self._source = source
        self._namespaces = namespaces
        self._scalars = scalars
        self._tree = tree
        self._run: Callable[..., Any] | None = None

    def tree(self) -> nodes.Node:
        if self._tree is None:
            self._tree, _ = _parse(self._source, self._namespaces, self._scalars)
        return self._tree

    def __call__(self, **values: Any) -> Any:
        if self._run is None:
            self._run = _compile_node(_env(), self.tree())
        return self._run(**values)

    def sides(self) -> tuple[Expression, ...]:
        """The operands of a top-level `or`, each compiled on its own (`alternatives`)."""
        operands = _or_operands(self.tree())
        return tuple(
            Expression(
                self._source,
                tuple(_check(op, self._namespaces, self._scalars)),
                _compile_node(_env(), op),
            )
            for op in (operands if len(operands) > 1 else ())
        )

    def side(self, index: int) -> Callable[..., Any]:
        return _JinjaSide(self, index)


class _JinjaSide:
    """One operand of a top-level `or` as Jinja2 runs it, compiled when it first runs."""

    __slots__ = ("_form", "_index", "_run")

    def __init__(self, form: _JinjaForm, index: int) -> None:
        self._form = form
        self._index = index
        self._run: Callable[..., Any] | None = None

    def __call__(self, **values: Any) -> Any:
        if self._run is None:
            operand = _or_operands(self._form.tree())[self._index]
            self._run = _compile_node(_env(), operand)
        return self._run(**values)


def _or_operands(node: nodes.Node) -> list[nodes.Node]:
    """`a or b or c` parses as Or(Or(a, b), c): flatten every `or` at the top, in source order."""
    from jinja2 import nodes

    out: list[nodes.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, nodes.Or):
            stack.extend((current.right, current.left))
        else:
            out.append(current)
    return out


def _compile_node(env: Any, expr: nodes.Node) -> Callable[..., Any]:
    from jinja2 import nodes
    from jinja2.environment import TemplateExpression
    from jinja2.exceptions import TemplateSyntaxError

    try:
        expr.set_environment(env)
        body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
        template = env.from_string(nodes.Template(body, lineno=1))
        return TemplateExpression(template, undefined_to_none=True)
    except TemplateSyntaxError as exc:  # pragma: no cover - the parse above already failed
        raise ExpressionError(f"does not compile: {exc.message}") from None
    except (RecursionError, SyntaxError, MemoryError):  # pragma: no cover - _walk guards
        raise ExpressionError(_TOO_DEEP) from None


# -- running without Jinja2 ---------------------------------------------------------------------
# The plain tree: [kind, ...] lists, children in the order of the Jinja2 node's fields (so a walk
# finds references in `_check`'s order). Kinds: const VALUE; name NAME; attr NODE ATTR (a
# namespace's `.id`); item NODE KEY; cmp NODE [[OP, NODE], ...]; and, or, add, sub, mul, div,
# floordiv, mod LEFT RIGHT; not, neg, pos NODE; list, tuple [NODE, ...]; test NAME NODE
# [ARG, ...]; cond TEST THEN ELSE-or-None.

_BINARY_NODES = {
    "And": "and",
    "Or": "or",
    "Add": "add",
    "Sub": "sub",
    "Mul": "mul",
    "Div": "div",
    "FloorDiv": "floordiv",
    "Mod": "mod",
}
_UNARY_NODES = {"Not": "not", "Neg": "neg", "Pos": "pos"}
_CONSTANTS = (str, int, float, bool, type(None))


def _to_plain(node: nodes.Node) -> list[Any] | None:
    """The checked tree as plain lists, or None where `_evaluate` would not be Jinja2's equal."""
    from jinja2 import nodes

    def plain(n: Any) -> list[Any]:
        kind = type(n).__name__
        if kind in _BINARY_NODES and type(n) is getattr(nodes, kind):
            return [_BINARY_NODES[kind], plain(n.left), plain(n.right)]
        if kind in _UNARY_NODES and type(n) is getattr(nodes, kind):
            return [_UNARY_NODES[kind], plain(n.node)]
        if isinstance(n, nodes.Const):
            value = n.value
            # Jinja2 writes a float as str(): inf and nan would be names, not numbers.
            if type(value) not in _CONSTANTS or (type(value) is float and value - value != 0):
                raise _NotPlain
            return ["const", value]
        if isinstance(n, nodes.Name):
            return ["name", n.name]
        if isinstance(n, nodes.Getattr) and isinstance(n.node, nodes.Name):
            return ["attr", plain(n.node), n.attr]
        if isinstance(n, nodes.Getitem) and not isinstance(n.arg, nodes.Slice):
            return ["item", plain(n.node), plain(n.arg)]
        if isinstance(n, nodes.Compare):
            return ["cmp", plain(n.expr), [[op.op, plain(op.expr)] for op in n.ops]]
        if isinstance(n, nodes.List | nodes.Tuple) and type(n) in (nodes.List, nodes.Tuple):
            return [kind.lower(), [plain(x) for x in n.items]]
        if isinstance(n, nodes.Test) and n.name in _TESTS:
            if n.kwargs or n.dyn_args is not None or n.dyn_kwargs is not None:
                raise _NotPlain
            return ["test", n.name, plain(n.node), [plain(a) for a in n.args]]
        if isinstance(n, nodes.CondExpr):
            other = None if n.expr2 is None else plain(n.expr2)
            return ["cond", plain(n.test), plain(n.expr1), other]
        raise _NotPlain  # a filter, or anything else: Jinja2 runs it

    try:
        return plain(node)
    except _NotPlain:
        return None


class _NotPlain(Exception):
    pass


class _Unsure(Exception):
    """What the plain evaluation leaves to Jinja2."""


def _native(
    source: str,
    references: tuple[Reference, ...],
    plain: list[Any],
    scalars: frozenset[str],
    jinja: _JinjaForm,
) -> Expression:
    def sides() -> tuple[Expression, ...]:
        operands = _plain_or_operands(plain)
        return tuple(
            Expression(
                source,
                _plain_references(op, scalars),
                _Native(op, jinja.side(i)),
                plain=op,
            )
            for i, op in enumerate(operands if len(operands) > 1 else ())
        )

    return Expression(source, references, _Native(plain, jinja), sides, plain=plain)


class _Native:
    """Runs the plain tree; whatever it leaves undecided, Jinja2 runs (`fallback`)."""

    __slots__ = ("_fallback", "_plain")

    def __init__(self, plain: list[Any], fallback: Callable[..., Any]) -> None:
        self._plain = plain
        self._fallback = fallback

    def __call__(self, **values: Any) -> Any:
        try:
            return _evaluate(self._plain, values)
        except Exception:  # Jinja2 decides, and words any failure its way
            return self._fallback(**values)


def _plain_or_operands(node: list[Any]) -> list[list[Any]]:
    """`_or_operands` of the plain tree."""
    out: list[list[Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current[0] == "or":
            stack.extend((current[2], current[1]))
        else:
            out.append(current)
    return out


def _plain_children(node: list[Any]) -> list[list[Any]]:
    kind = node[0]
    if kind in ("const", "name"):
        return []
    if kind == "attr":
        return [node[1]]
    if kind == "cmp":
        return [node[1], *(operand for _, operand in node[2])]
    if kind in ("list", "tuple"):
        return list(node[1])
    if kind == "test":
        return [node[2], *node[3]]
    if kind == "cond":
        return [x for x in node[1:] if x is not None]
    return list(node[1:])  # item, the binary and the unary kinds


def _plain_references(node: list[Any], scalars: frozenset[str]) -> tuple[Reference, ...]:
    """`_check`'s references, found in the plain tree of a checked expression."""
    out: list[Reference] = []
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current[0]
        if kind in ("attr", "item") and current[1][0] == "name":
            key = current[2] if kind == "attr" else current[2][1].replace("-", "_")
            out.append(Reference(current[1][1], key))
        elif kind == "name" and current[1] in scalars:
            out.append(Reference(current[1], ""))
        stack.extend(reversed(_plain_children(current)))
    return tuple(out)


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gteq": operator.ge,
    "lt": operator.lt,
    "lteq": operator.le,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "div": operator.truediv,
    "floordiv": operator.floordiv,
}
_INTERCEPTED = {"mul": operator.mul, "mod": operator.mod}  # the sandbox's binop_table
# Jinja2's own tests (jinja2/tests.py), and ours for none. A plain value is never Jinja2's
# Undefined: whatever would be one is left to Jinja2.
_TESTS: dict[str, Callable[..., bool]] = {
    "none": _none,
    "defined": lambda value: True,
    "undefined": lambda value: False,
    "number": lambda value: isinstance(value, Number),
    "string": lambda value: isinstance(value, str),
    "true": lambda value: value is True,
    "false": lambda value: value is False,
    "in": lambda value, seq: value in seq,
}


def _evaluate(node: list[Any], values: Mapping[str, Any]) -> Any:
    """The plain tree run as Jinja2's generated code runs it: the same Python operations, in
    the same order; `_Unsure` (or any error) where that code would do something else."""
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "name":
        return values[node[1]]  # an absent name is Jinja2's Undefined: left to Jinja2
    if kind == "attr":
        # The sandbox's getattr: an attribute first (a dict's `items`), then the key.
        space = _evaluate(node[1], values)
        if type(space) is not dict or hasattr(space, node[2]):
            raise _Unsure
        return space[node[2]]
    if kind == "item":
        return _evaluate(node[1], values)[_evaluate(node[2], values)]  # the sandbox's first try
    if kind == "and":
        left = _evaluate(node[1], values)
        return _evaluate(node[2], values) if left else left
    if kind == "or":
        left = _evaluate(node[1], values)
        return left if left else _evaluate(node[2], values)
    if kind == "cmp":
        left = _evaluate(node[1], values)
        result: Any = True
        for op, operand in node[2]:  # chained as in Python: a < b < c
            right = _evaluate(operand, values)
            result = _COMPARE[op](left, right)
            if not result:
                return result
            left = right
        return result
    if kind in _ARITHMETIC:
        left = _evaluate(node[1], values)
        return _ARITHMETIC[kind](left, _evaluate(node[2], values))
    if kind in _INTERCEPTED:  # _Env.call_binop
        left = _evaluate(node[1], values)
        right = _evaluate(node[2], values)
        if left is MISSING or right is MISSING:
            return MISSING
        if not (_is_number(left) and _is_number(right)):
            raise _Unsure
        return _INTERCEPTED[kind](left, right)
    if kind == "not":
        return not _evaluate(node[1], values)
    if kind == "neg":
        return -_evaluate(node[1], values)
    if kind == "pos":
        return +_evaluate(node[1], values)
    if kind == "list":
        return [_evaluate(x, values) for x in node[1]]
    if kind == "tuple":
        return tuple(_evaluate(x, values) for x in node[1])
    if kind == "test":
        subject = _evaluate(node[2], values)
        return _TESTS[node[1]](subject, *(_evaluate(a, values) for a in node[3]))
    if kind == "cond":
        if _evaluate(node[1], values):
            return _evaluate(node[2], values)
        if node[3] is None:  # Jinja2's undefined for a missing else
            raise _Unsure
        return _evaluate(node[3], values)
    raise _Unsure


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
    from jinja2 import nodes

    allowed = _allowed_nodes()
    refs: list[Reference] = []
    for node in _walk(expr):
        if not isinstance(node, allowed):
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
    from jinja2 import nodes

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
