"""Safe YAML in and out: hostile-input guards, source locations for errors, atomic writes.

Every file a user hands us goes through `load_yaml`: it refuses what could hang or exhaust the
machine (alias bombs, deep nesting, huge or binary files) in one pass over the parser's events,
before any node or Python object is built; it refuses what PyYAML would accept silently or crash
on (a key written twice, a 100,000-digit number, an impossible date); and it keeps the node tree
so that a validation error can be traced back to a line and column. The limits are documented in
docs/rubric-format.md ("Limits").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from alignment_cli.errors import InvalidInput, Problem

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when present
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
# Building a node costs some microseconds: 50,000 values (a rubric of ~1,000 questions at the
# bundled rubric's ~40 values each) load in well under a second; more is refused unbuilt.
MAX_NODES = 50_000
MAX_NUMBER_CHARS = 100

Loc = tuple[str | int, ...]

# Plain scalars YAML 1.1 reads as numbers nobody meant: `1:30` is 90 (base 60), `0x1F` is 31,
# `017` is 15 (octal), `0b11` is 3, `1_000` is 1000. Searched in the text of a scalar that
# resolved to an int or a float.
ODD_NUMBER = re.compile(r"[:_]|^[-+]?0(?:[xXbB]|[0-7])")
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


def odd_numbers(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    """The plain scalars under `node` that YAML reads as sexagesimal, hexadecimal, octal or
    binary numbers (or with `_` separators): for callers to whom a number must look like one."""
    out: list[yaml.ScalarNode] = []
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode):
            if n.tag in _NUMBER_TAGS and not n.style and ODD_NUMBER.search(str(n.value)):
                out.append(n)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for _, v in n.value)
    return out


@dataclass
class Document:
    """A parsed YAML file: the data, and the node tree to locate paths inside it."""

    file: str
    data: Any
    root: yaml.Node | None

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest node along `loc` that exists.

        A scalar is located at itself (`questions[3].weight` points at the weight's value); a
        list or mapping under a key at the key (the line that names the field, even when the
        items start on the next line); a list item at the item.
        With `at_key`, the last step is located at its key (an unknown field, a bad key).
        """
        _, mark, complete, key_mark = self._follow(loc)
        if at_key and complete and key_mark is not None:
            mark = key_mark
        if mark is None:
            return None, None
        return mark.line + 1, mark.column + 1

    def node_at(self, loc: Loc) -> yaml.Node | None:
        """The node at `loc`, or None when the path leaves the document."""
        node, _, complete, _ = self._follow(loc)
        return node if complete else None

    def _follow(self, loc: Loc) -> tuple[yaml.Node | None, Any, bool, Any]:
        node = self.root
        mark = node.start_mark if node is not None else None
        key_mark = None
        for key in loc:
            if node is None:
                return None, mark, False, None
            child: yaml.Node | None = None
            key_mark = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if _scalar_matches(k, key):
                        child = v
                        mark = key_mark = k.start_mark
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and 0 <= key < len(node.value)
            ):
                child = node.value[key]
            if child is None:
                return node, mark, False, None
            node = child
            if isinstance(node, yaml.ScalarNode) or mark is None or isinstance(key, int):
                mark = node.start_mark
        return node, mark, True, key_mark

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> Problem:
        line, column = self.locate(loc, at_key=at_key)
        return Problem(self.file, line, column, message, format_loc(loc))


def _scalar_matches(node: yaml.Node, key: str | int) -> bool:
    return isinstance(node, yaml.ScalarNode) and str(node.value) == str(key)


def format_loc(loc: Loc) -> str:
    """('questions', 12, 'options', 2, 'score') -> 'questions[12].options[2].score'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_text(path: Path, limit: int | None = None) -> str:
    """Read a user's file as UTF-8 text, refusing what is too large (over `limit`, by default
    MAX_BYTES) or not text."""
    return decode_text(str(path), read_bytes(path, limit))


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """A user's file's bytes, refusing what is too large or cannot be read (`read_text`
    without the decoding)."""
    name = str(path)
    limit = MAX_BYTES if limit is None else limit
    with read_errors(name):
        size = path.stat().st_size
        if size > limit:
            raise InvalidInput(
                [Problem(name, None, None, f"file is {size:,} bytes; the limit is {limit:,}")]
            )
        raw = _read_bounded(path, size, limit)
        if len(raw) > limit:
            raise InvalidInput(
                [Problem(name, None, None, f"file is over {limit:,} bytes, the limit")]
            )
    return raw


@contextmanager
def read_errors(name: str) -> Iterator[None]:
    """What reading a user's file can meet (a folder, nothing there, no permission, a FIFO
    that fails), as one located message each, exit 2."""
    try:
        yield
    except IsADirectoryError:
        raise InvalidInput([Problem(name, None, None, "is a directory, expected a file")]) from None
    except FileNotFoundError:
        raise InvalidInput([Problem(name, None, None, "no such file")]) from None
    except OSError as exc:
        raise InvalidInput([Problem(name, None, None, f"cannot read: {exc.strerror}")]) from None


def _read_bounded(path: Path, size: int, limit: int) -> bytes:
    """At most `limit` + 1 bytes. A regular file's size is a fair guide to its buffer (an
    8 MiB buffer for each of 10,000 answer files cost a third of their load time); a FIFO or
    /dev/zero says size 0, so those are read in chunks up to the limit."""
    with path.open("rb") as fh:
        if size > 0:
            return fh.read(min(size, limit) + 1)
        chunks: list[bytes] = []
        total = 0
        while total <= limit and (chunk := fh.read(65_536)):
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)


def decode_text(name: str, raw: bytes) -> str:
    if b"\x00" in raw:
        line, col = _position(raw, raw.index(b"\x00"))
        raise InvalidInput([Problem(name, line, col, "binary data (a NUL byte); expected text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        raise InvalidInput([Problem(name, line, col, "not UTF-8 text")]) from None
    return text


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def load_yaml(path: Path, *, expect_mapping: bool = True) -> Document:
    return parse_yaml(str(path), read_text(path), expect_mapping=expect_mapping)


def parse_yaml(name: str, text: str, *, expect_mapping: bool = True) -> Document:
    """Parse one YAML document behind the guards; every failure is an InvalidInput."""
    if not text.strip():
        raise InvalidInput([Problem(name, 1, 1, "the file is empty")])
    loader = _Loader(text)
    try:
        _scan(name, text)  # before composing: the composer recurses and expands aliases
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        raise InvalidInput([_yaml_problem(name, exc)]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Problem(name, None, None, f"YAML error: {exc}")]) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # The constructors of odd scalars; our own checks should have caught them first.
        raise InvalidInput([Problem(name, None, None, f"cannot read a value: {exc}")]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise InvalidInput(
            [_duplicate_problem(name, key, first) for key, first in loader.duplicates]
        )
    if expect_mapping and not isinstance(data, dict):
        kind = "nothing" if data is None else _kind(data)
        raise InvalidInput([Problem(name, 1, 1, f"expected a mapping of fields, found {kind}")])
    return Document(name, data, root)


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "text"
    if isinstance(data, bool):
        return "true/false"
    if isinstance(data, int | float):
        return "a number"
    return type(data).__name__


def _yaml_problem(name: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
    if isinstance(exc, _Refused):
        return Problem(name, line, col, str(exc.problem))
    if "nesting depth" in (exc.problem or ""):
        # Newer libyaml stops deep nesting itself, sometimes before our event pass does: the
        # same refusal, in the same words, located where libyaml stopped.
        return Problem(name, line, col, f"nested deeper than {MAX_DEPTH} levels")
    what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
    return Problem(name, line, col, f"YAML syntax error: {what}")


def _duplicate_problem(name: str, key: yaml.Node, first: yaml.Node) -> Problem:
    m = key.start_mark
    return Problem(
        name,
        m.line + 1,
        m.column + 1,
        f"duplicate key '{key.value}' (first on line {first.start_mark.line + 1})",
    )


class _Refused(yaml.MarkedYAMLError):
    """Input we will not process (too deep, too big, recursive); the message is the problem."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(problem=message, problem_mark=mark)


_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _scan(name: str, text: str) -> None:
    """One pass over the parser's events, in bounded time and memory, before building nodes.

    Refuses nesting deeper than MAX_DEPTH (libyaml's composer recurses and can crash), documents
    that would expand to more than MAX_NODES values (alias bombs and plain huge files alike:
    building nodes is what costs time), recursive aliases and a second document.
    """
    scanner = _Loader(text)
    sizes: dict[str, int] = {}  # expanded size of each anchored value
    stack: list[list[Any]] = []  # open collections: [anchor, values inside so far]
    total = 0
    aliased = False
    documents = 0
    try:
        while (event := scanner.get_event()) is not None:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused("expected one YAML document, found a second", event.start_mark)
                continue
            if isinstance(event, _START):
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
                stack.append([event.anchor, 1])
                added = 1
            elif isinstance(event, _END):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
                continue
            elif isinstance(event, yaml.AliasEvent):
                if any(entry[0] == event.anchor for entry in stack):
                    raise _Refused(
                        f"alias '*{event.anchor}' refers to a value that contains it",
                        event.start_mark,
                    )
                added = sizes.get(event.anchor or "", 1)
                aliased = True
            elif isinstance(event, yaml.ScalarEvent):
                added = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            else:
                continue
            total += added
            if total > MAX_NODES:
                how = " through aliases" if aliased else ""
                raise _Refused(f"expands to more than {MAX_NODES:,} values{how}", event.start_mark)
            if stack and not isinstance(event, _START):
                stack[-1][1] += added
    finally:
        scanner.dispose()


class _GuardedLoader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, noting duplicate keys (PyYAML keeps the last one silently) and refusing
    values whose construction could blow up (a 100,000-digit number, an impossible date)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[yaml.Node, yaml.Node]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # unhashable: the constructor reports it
            if first is not key_node:
                self.duplicates.append((key_node, first))
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return result

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(str(node.value)) > MAX_NUMBER_CHARS:
            raise _Refused(f"a number longer than {MAX_NUMBER_CHARS} characters", node.start_mark)
        value: int = super().construct_yaml_int(node)
        return value

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _Refused(f"'{node.value}' is not a valid date: {exc}", node.start_mark) from None


_MERGE_TAG = "tag:yaml.org,2002:merge"
_GuardedLoader.add_constructor("tag:yaml.org,2002:int", _GuardedLoader.construct_yaml_int)
_GuardedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _GuardedLoader.construct_yaml_timestamp
)
_Loader = _GuardedLoader


def load_data_fast(path: Path, check: Callable[[Document], None] | None = None) -> Any:
    """The data of a file, without keeping nodes: the bulk path for answer files.

    The flat reader takes what answer files normally look like, several times faster than
    PyYAML; everything else goes through `parse_yaml`, so every file meets the same guards
    whichever reader reads it. Callers use `load_yaml` to locate a validation error. `check`
    sees the parsed document when PyYAML read it: the flat reader declines what it looks for
    (odd numbers, see ODD_NUMBER), so both readers agree on what is refused.
    """
    from alignment_cli.files import flatyaml

    text = read_text(path)
    data = flatyaml.parse(text)
    if data is None:
        doc = parse_yaml(str(path), text)
        if check is not None:
            check(doc)
        data = doc.data
    return data


def dump_yaml(data: Any) -> str:
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))
