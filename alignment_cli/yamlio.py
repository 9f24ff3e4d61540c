"""Safe YAML in and out: hostile-input guards, source locations for errors, atomic writes.

Every file a user hands us goes through `load_yaml`: it refuses what could hang or exhaust the
machine (alias bombs, deep nesting, huge or binary files) before building Python objects, and keeps
the node tree so that a validation error can be traced back to a line and column.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidInput, Problem

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 500_000

Loc = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed YAML file: the data, and the node tree to locate paths inside it."""

    file: str
    data: Any
    root: yaml.Node | None

    def locate(self, loc: Loc) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the deepest node along `loc` that exists."""
        node = self.root
        mark = node.start_mark if node is not None else None
        for key in loc:
            if node is None:
                break
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if _scalar_matches(k, key):
                        child = v
                        mark = k.start_mark
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and 0 <= key < len(node.value)
            ):
                child = node.value[key]
            if child is None:
                break
            node = child
            if not isinstance(node, yaml.MappingNode) or mark is None or isinstance(key, int):
                mark = node.start_mark
        if mark is None:
            return None, None
        return mark.line + 1, mark.column + 1

    def problem(self, loc: Loc, message: str) -> Problem:
        line, column = self.locate(loc)
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


def read_text(path: Path) -> str:
    """Read a user's file as UTF-8 text, refusing what is too large or not text."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidInput(
                [Problem(name, None, None, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InvalidInput([Problem(name, None, None, "is a directory, expected a file")]) from None
    except FileNotFoundError:
        raise InvalidInput([Problem(name, None, None, "no such file")]) from None
    except OSError as exc:
        raise InvalidInput([Problem(name, None, None, f"cannot read: {exc.strerror}")]) from None
    return decode_text(name, raw)


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
    if not text.strip():
        raise InvalidInput([Problem(name, 1, 1, "the file is empty")])
    loader = _Loader(text)
    try:
        _check_depth(name, text)
        root = loader.get_single_node()
        if root is not None:
            _check_shape(name, root)
            data = loader.construct_document(root)
        else:
            data = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InvalidInput([Problem(name, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Problem(name, None, None, f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if expect_mapping and not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise InvalidInput([Problem(name, 1, 1, f"expected a mapping of fields, found {kind}")])
    return Document(name, data, root)


_OPEN = (
    "BlockSequenceStartToken",
    "BlockMappingStartToken",
    "FlowSequenceStartToken",
    "FlowMappingStartToken",
)
_CLOSE = ("BlockEndToken", "FlowSequenceEndToken", "FlowMappingEndToken")


def _check_depth(name: str, text: str) -> None:
    """Measure nesting on the token stream: libyaml's composer recurses and can crash on depth."""
    scanner = _Loader(text)
    depth = 0
    try:
        while (token := scanner.get_token()) is not None:
            kind = type(token).__name__
            if kind in _OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    m = token.start_mark
                    raise InvalidInput(
                        [
                            Problem(
                                name,
                                m.line + 1,
                                m.column + 1,
                                f"nested deeper than {MAX_DEPTH} levels",
                            )
                        ]
                    )
            elif kind in _CLOSE:
                depth -= 1
    finally:
        scanner.dispose()


_RISKY_LINE = re.compile(r"^[ \t]*(?:[-?:][ \t]+){3,}|^[ \t]{120,}", re.MULTILINE)


def _check_shape(name: str, root: yaml.Node) -> None:
    """Refuse documents whose expanded size or depth could exhaust us, without expanding them."""
    # Sizes are memoised per node, so an alias bomb costs linear time to measure.
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            m = node.start_mark
            raise InvalidInput(
                [Problem(name, m.line + 1, m.column + 1, f"nested deeper than {MAX_DEPTH} levels")]
            )
        if id(node) in size and not done:
            continue
        children: list[yaml.Node]
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            size[id(node)] = 1
            continue
        if done:
            total = 1 + sum(size.get(id(c), 1) for c in children)
            if total > MAX_NODES:
                m = node.start_mark
                raise InvalidInput(
                    [
                        Problem(
                            name,
                            m.line + 1,
                            m.column + 1,
                            f"expands to more than {MAX_NODES:,} values (aliases nested too deep?)",
                        )
                    ]
                )
            size[id(node)] = total
        else:
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if id(c) not in size)


def load_data_fast(path: Path) -> Any:
    """Parse a small trusted-shape file without keeping nodes: the bulk path for responses.

    Callers fall back to `load_yaml` to locate an error when validation fails.
    """
    text = read_text(path)
    # Without anchors, aliases or deep flow nesting the guards of `load_yaml` cannot trigger.
    risky = (
        "&" in text
        or "*" in text
        or text.count("[") + text.count("{") > MAX_DEPTH
        or _RISKY_LINE.search(text) is not None
    )
    if risky or not text.strip():
        return parse_yaml(str(path), text).data
    try:
        return yaml.load(text, Loader=_Loader)  # the C *safe* loader
    except yaml.YAMLError:
        return parse_yaml(str(path), text).data  # re-parse for a located message (raises)


def dump_yaml(data: Any) -> str:
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))


def write_atomic(path: Path, text: str) -> None:
    """Write so that a reader (or a crash) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
