"""A fast reader for the flat YAML of answer files: PyYAML's exact result, or nothing.

Answer files are small block mappings of scalars. PyYAML's C loader still builds every value
through its pure-Python constructor (about 0.3 ms a file), so 10,000 respondents would spend three
seconds in parsing alone. This reader accepts a strict subset of YAML (block mappings nested by
indentation, block lists of scalars, one-line flow lists and mappings of scalars, plain and quoted
scalars, comments) and resolves every scalar with PyYAML's own resolver and constructors, so what
it returns equals `yaml.safe_load`. Anything outside the subset, including anything PyYAML would
reject, returns None: the caller then parses with PyYAML, which also locates errors. The test
suite compares the two on generated and mutated files, with the guarded loader as the oracle:
what it refuses (too deep, too many values, too long a number) this reader declines too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from alignment_cli.files.yamlio import MAX_DEPTH, MAX_NODES, MAX_NUMBER_CHARS, ODD_NUMBER

_STR = "tag:yaml.org,2002:str"
_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_ASCII_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*(?: [A-Za-z0-9_.\-/]+)*")
_PLAIN_START = frozenset(",[]{}#&*!|>%@`?:")
_FLOW_FORBIDDEN = frozenset(",[]{}#:?")
_FLOW_FORBIDDEN_RE = re.compile("[" + re.escape("".join(sorted(_FLOW_FORBIDDEN))) + "]")


# What PyYAML's reader refuses, and what YAML treats as line breaks: left to PyYAML. Written as
# the characters refused (controls but \n, C1 controls, surrogates, U+FEFF, U+FFFE, U+FFFF,
# U+2028, U+2029), not as the complement of those allowed: the same set (every code point is
# checked in tests/test_yaml_safety.py), and it compiles in a tenth of the time.
_UNSUPPORTED_CHARS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)


# Where a plain scalar in a flow collection ends: the first ',', ']' or '}' (and ': ' after a key).
_FLOW_VALUE_END = re.compile(r"[,\]}]")
_FLOW_KEY_END = re.compile(r"[,\]}]|: ")
_CACHE_LIMIT = 50_000

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_plain_cache: dict[str, Any] = {}


class _Unsupported(Exception):
    """The text leaves the subset; PyYAML decides."""


def parse(text: str) -> dict[Any, Any] | None:
    """The mapping `yaml.safe_load(text)` returns, or None when the text leaves the subset."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if "\t" in text:
        return None
    if (_ASCII_CONTROL if text.isascii() else _UNSUPPORTED_CHARS).search(text):
        return None
    # The guarded loader's limits, with a margin: near them this reader declines, and the
    # guarded loader refuses with a located message. A line holds at most a key, a collection
    # and its items (two values per comma-separated pair, plus one).
    if 4 * (text.count("\n") + 1) + 2 * text.count(",") >= MAX_NODES:
        return None
    if len(_line_cache) > _CACHE_LIMIT:
        _line_cache.clear()
        _plain_cache.clear()
    root: dict[Any, Any] = {}
    # Open containers, innermost last: (indent, container). An indentless list shares its
    # parent mapping's indent, as PyYAML writes lists by default.
    stack: list[tuple[int, dict[Any, Any] | list[Any]]] = [(0, root)]
    pending: tuple[dict[Any, Any], Any, int] | None = None  # `key:` waiting for its block
    # The innermost open mapping (None when it is a list), kept at hand for the fast path.
    cur_indent = 0
    cur_mapping: dict[Any, Any] | None = root
    get = _line_cache.get
    try:
        for raw in text.split("\n"):
            line = get(raw)
            if line is None:
                line = _line_cache[raw] = _classify(raw)
            kind, indent, key, value = line
            if (
                kind == _PAIR
                and indent == cur_indent
                and pending is None
                and cur_mapping is not None
            ):
                if key in cur_mapping:
                    raise _Unsupported  # a duplicate key: PyYAML keeps the last; let it
                cur_mapping[key] = value  # the common line: `key: scalar` in the current mapping
                continue
            if kind == _SKIP:
                continue
            if kind == _MARKER:
                raise _Unsupported
            if pending is not None:
                parent, parent_key, parent_indent = pending
                pending = None
                if indent > parent_indent or (indent == parent_indent and kind == _ITEM):
                    child: dict[Any, Any] | list[Any] = [] if kind == _ITEM else {}
                    parent[parent_key] = child
                    stack.append((indent, child))
                    if len(stack) >= MAX_DEPTH - 1:
                        raise _Unsupported  # the guarded loader refuses deep nesting, located
                else:
                    parent[parent_key] = None
            while stack[-1][0] > indent:
                stack.pop()
            top_indent, top = stack[-1]
            if kind != _ITEM and isinstance(top, list) and top_indent == indent:
                stack.pop()
                top_indent, top = stack[-1]
            if top_indent != indent:
                raise _Unsupported
            if kind == _ITEM:
                if not isinstance(top, list):
                    raise _Unsupported
                top.append(_materialise(value))
            elif not isinstance(top, dict) or key in top:
                raise _Unsupported
            elif kind == _OPEN:
                top[key] = None
                pending = (top, key, indent)
            else:
                top[key] = _materialise(value) if kind == _FLOW else value
            cur_indent = top_indent
            cur_mapping = top if isinstance(top, dict) else None
    except _Unsupported:
        return None
    if pending is not None:
        pending[0][pending[1]] = None
    return root if root else None


_SKIP, _MARKER, _ITEM, _OPEN, _PAIR, _FLOW = range(6)  # _FLOW: a pair whose value is frozen
_Line = tuple[int, int, Any, Any]
_line_cache: dict[str, _Line] = {}


class _Frozen(tuple):  # type: ignore[type-arg]
    """A flow list or mapping as cached: rebuilt per use, so callers may change what they get."""

    is_map = False


class _FrozenMap(_Frozen):
    is_map = True


def _materialise(value: Any) -> Any:
    if isinstance(value, _Frozen):
        return dict(value) if value.is_map else list(value)
    return value


def _classify(raw: str) -> _Line:
    """One line -> (kind, indent, key, value); values of flow collections come frozen."""
    content = raw.lstrip(" ")
    if not content or content[0] == "#":
        return (_SKIP, 0, None, None)
    indent = len(raw) - len(content)
    if indent == 0 and content.startswith(("---", "...", "%")):
        return (_MARKER, 0, None, None)
    content = content.rstrip(" ")
    try:
        if content == "-" or content.startswith("- "):
            item = _strip_comment(content[2:])
            if not item or item[0] in "-?" or _has_mapping_indicator(item):
                raise _Unsupported  # nested lists and mappings inside lists
            return (_ITEM, indent, None, _value(item))
        key, rest = _split_key(content)
        if not rest:
            return (_OPEN, indent, key, None)
        value = _value(rest)
        return (_FLOW if isinstance(value, _Frozen) else _PAIR, indent, key, value)
    except _Unsupported:
        return (_MARKER, 0, None, None)


def _has_mapping_indicator(item: str) -> bool:
    if item[0] in "'\"[{":
        return False
    return ": " in item or item.endswith(":")


def _split_key(content: str) -> tuple[Any, str]:
    """`key: rest` -> (resolved key, rest without its comment)."""
    if content[0] in "'\"":
        key_text, end = _quoted(content, 0)
        after = content[end:]
        if after == ":":
            return key_text, ""
        if not after.startswith(": "):
            raise _Unsupported
        return key_text, _strip_comment(after[2:])
    colon = content.find(": ")
    if colon < 0:
        if not content.endswith(":"):
            raise _Unsupported
        colon = len(content) - 1
    key_text = content[:colon]
    if _KEY.fullmatch(key_text) is None:
        raise _Unsupported
    return _plain(key_text), _strip_comment(content[colon + 1 :])


def _strip_comment(rest: str) -> str:
    rest = rest.lstrip(" ")
    if not rest or rest[0] == "#":
        return ""
    if rest[0] in "'\"[{":
        return rest  # the value's own reader finds where it ends
    cut = rest.find(" #")
    return (rest if cut < 0 else rest[:cut]).rstrip(" ")


def _value(text: str) -> Any:
    """A scalar, or a one-line flow list or mapping of scalars."""
    first = text[0]
    if first in "'\"":
        value, end = _quoted(text, 0)
        _tail(text, end)
        return value
    if first == "[":
        return _flow(text, "]")
    if first == "{":
        return _flow(text, "}")
    if first in _PLAIN_START or text == "-" or text.startswith("- "):
        raise _Unsupported
    if ": " in text or text.endswith(":"):
        raise _Unsupported
    return _plain(text)


def _tail(text: str, end: int) -> None:
    """After a quoted scalar or a flow collection: nothing, or a comment."""
    rest = text[end:]
    if rest and not (rest[0] == " " and rest.lstrip(" ").startswith("#")):
        raise _Unsupported


def _quoted(text: str, start: int) -> tuple[str, int]:
    """A single- or double-quoted scalar on one line -> (value, index after the closing quote)."""
    quote = text[start]
    i = start + 1
    parts: list[str] = []
    while True:
        j = text.find(quote, i)
        if j < 0:
            raise _Unsupported  # continues on the next line
        parts.append(text[i:j])
        if quote == "'" and text.startswith("''", j):
            parts.append("'")
            i = j + 2
            continue
        value = "".join(parts)
        if quote == '"' and "\\" in value:
            raise _Unsupported  # escapes: left to PyYAML
        return value, j + 1


def _flow(text: str, close: str) -> Any:
    items: list[Any] = []
    pairs: dict[Any, Any] = {}
    i = 1
    n = len(text)
    while True:
        while i < n and text[i] == " ":
            i += 1
        if i >= n:
            raise _Unsupported  # continues on the next line
        if text[i] == close and not items and not pairs:
            _tail(text, i + 1)
            return _FrozenMap() if close == "}" else _Frozen()
        if close == "}":
            key, i = _flow_scalar(text, i, key=True)
            if not text.startswith(": ", i):
                raise _Unsupported
            i += 2
            while i < n and text[i] == " ":
                i += 1
            if key in pairs:
                raise _Unsupported
            pairs[key], i = _flow_scalar(text, i, key=False)
        else:
            value, i = _flow_scalar(text, i, key=False)
            items.append(value)
        while i < n and text[i] == " ":
            i += 1
        if i < n and text[i] == ",":
            i += 1
            while i < n and text[i] == " ":
                i += 1
            if i < n and text[i] == close:
                raise _Unsupported  # a trailing comma
            continue
        if i < n and text[i] == close:
            _tail(text, i + 1)
            return _FrozenMap(pairs.items()) if close == "}" else _Frozen(items)
        raise _Unsupported


def _flow_scalar(text: str, i: int, *, key: bool) -> tuple[Any, int]:
    if i >= len(text):
        raise _Unsupported
    if text[i] in "'\"":
        return _quoted(text, i)
    end = (_FLOW_KEY_END if key else _FLOW_VALUE_END).search(text, i)
    raw = text[i : end.start() if end else len(text)].rstrip(" ")
    if not raw or raw[0] in _PLAIN_START or (raw[0] == "-" and raw[1:2] in ("", " ")):
        raise _Unsupported
    if _FLOW_FORBIDDEN_RE.search(raw):
        raise _Unsupported
    return _plain(raw), i + len(raw)


def _plain(text: str) -> Any:
    """A plain scalar, resolved and constructed exactly as PyYAML's SafeLoader does."""
    try:
        return _plain_cache[text]
    except KeyError:
        pass
    tag = _resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag not in _TAGS:
        raise _Unsupported
    if tag == _STR:
        value: Any = text
    else:
        if len(text) > MAX_NUMBER_CHARS:
            raise _Unsupported  # the guarded loader refuses huge numbers with a message
        if tag != "tag:yaml.org,2002:timestamp" and ODD_NUMBER.search(text):
            raise _Unsupported  # `1:30`, `0x1F`, `017`: the answer check refuses them, located
        node = yaml.ScalarNode(tag, text)
        try:
            value = _constructor.yaml_constructors[tag](_constructor, node)
        except (ValueError, TypeError, OverflowError):
            raise _Unsupported from None  # a date like 2026-13-45: the guarded loader says so
    _plain_cache[text] = value
    return value
