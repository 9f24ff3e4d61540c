"""Hostile and broken YAML is refused quickly, with a located message and exit 2, never a crash."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RUBRIC, ROOT

from alignment_cli.errors import InvalidInput, UsageError
from alignment_cli.files.writes import write_atomic
from alignment_cli.files.yamlio import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    format_loc,
    load_data_fast,
    load_yaml,
    parse_yaml,
)

# Generous: the point is "no hang", not a benchmark. Each of these takes well under a second.
TIME_LIMIT = 5.0


def _alias_bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    return ("\n".join(lines) + "\n").encode()


# The parser's own description of a syntax error is its wording, not our contract: for those the
# test holds us to the location and our "YAML syntax error" prefix (see `_PARSER`).
_PARSER = "YAML syntax error: "

HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    # (name, content, the problem as printed after the file name; a _PARSER one ends there)
    ("alias bomb", _alias_bomb, f"5:28: expands to more than {MAX_NODES:,} values through aliases"),
    # Where libyaml itself stops deep flow nesting (6.0.4 bundles one that does) the column is
    # its own (<col>); the message and the line are ours either way.
    ("deep flow nesting", lambda: b"a: " + b"[" * 100_000, "1:<col>: nested deeper than 64 levels"),
    (
        "deep compact nesting",
        lambda: b"- " * 5_000 + b"x\n",
        "1:129: nested deeper than 64 levels",
    ),
    (
        "deep block nesting",
        lambda: "".join(" " * i + f"k{i}:\n" for i in range(100)).encode(),
        "65:65: nested deeper than 64 levels",
    ),
    (
        "recursive alias",
        lambda: b"a: &a [1, *a]\n",
        "1:11: alias '*a' refers to a value that contains it",
    ),
    (
        "too many values",
        lambda: "".join(f"k{i}: {i}\n" for i in range(30_000)).encode(),
        f"25000:9: expands to more than {MAX_NODES:,} values",
    ),
    (
        "9 MB file",
        lambda: b"# " + b"x" * (9 * 1024 * 1024) + b"\n",
        f"file is {9 * 1024 * 1024 + 3:,} bytes; the limit is {MAX_BYTES:,}",
    ),
    ("NUL byte", lambda: b"id: x\x00\n", "1:6: binary data (a NUL byte); expected text"),
    ("binary junk", lambda: bytes(range(1, 256)) * 40, "2:118: not UTF-8 text"),
    ("invalid UTF-8", lambda: b"id: x\ntitle: caf\xe9\n", "2:11: not UTF-8 text"),
    ("empty file", lambda: b"", "1:1: the file is empty"),
    (
        "only comments",
        lambda: b"# nothing here\n\n",
        "1:1: expected a mapping of fields, found nothing",
    ),
    ("a scalar document", lambda: b"hello\n", "1:1: expected a mapping of fields, found text"),
    ("a list document", lambda: b"- a\n- b\n", "1:1: expected a mapping of fields, found a list"),
    ("a number document", lambda: b"42\n", "1:1: expected a mapping of fields, found a number"),
    (
        "two documents",
        lambda: b"a: 1\n---\nb: 2\n",
        "2:1: expected one YAML document, found a second",
    ),
    (
        "python tag",
        lambda: b"id: !!python/object/apply:os.system [echo hi]\n",
        "1:5: " + _PARSER,
    ),
    (
        "a 100,000-digit number",
        lambda: b"version: " + b"9" * 100_000 + b"\n",
        "1:10: a number longer than 100 characters",
    ),
    (
        "an impossible date",
        lambda: b"version: 2024-13-45\n",
        "1:10: '2024-13-45' is not a valid date: month must be in 1..12",
    ),
    (
        "tab indentation",
        lambda: b"id: x\n\tversion: 1\n",
        "2:1: " + _PARSER,
    ),
    (
        "unclosed quote",
        lambda: b'id: "x\nversion: 1\n',
        "3:1: " + _PARSER,
    ),
    (
        "unhashable key",
        lambda: b"? [a, b]\n: 1\n",
        "1:3: " + _PARSER,
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_is_refused_quickly_with_a_clean_message(
    invoke: Callable[..., Any],
    tmp_path: Path,
    name: str,
    content: Callable[[], bytes],
    expected: str,
) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content())
    start = time.perf_counter()
    result = invoke("rubric", "validate", str(path))
    elapsed = time.perf_counter() - start
    assert result.exit_code == 2, result.output
    sep = ":" if expected[0].isdigit() else ": "
    pattern = re.escape(f"{path}{sep}{expected}").replace("<col>", r"\d+")
    if expected.endswith(_PARSER):
        pattern += r"\S[^\n]*"
    assert re.fullmatch(pattern + "\n1 problem in 1 file\n", result.stderr), result.stderr
    assert "Traceback" not in result.output
    assert elapsed < TIME_LIMIT, f"{name} took {elapsed:.1f}s"


def test_the_largest_accepted_document_still_loads_fast() -> None:
    # Just under the value limit: the guard must not cost more than the load it protects.
    text = "".join(f"k{i}: {i}\n" for i in range((MAX_NODES - 1) // 2))
    start = time.perf_counter()
    doc = parse_yaml("big.yaml", text)
    assert time.perf_counter() - start < TIME_LIMIT
    assert len(doc.data) == (MAX_NODES - 1) // 2


def test_nesting_up_to_the_limit_is_fine() -> None:
    text = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    doc = parse_yaml("deep.yaml", "a: " + text)
    depth, value = 0, doc.data["a"]
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    assert depth == MAX_DEPTH - 2


def test_every_duplicate_key_is_reported_with_its_first_line() -> None:
    text = "id: x\nid: y\nversion: 1\nm: {a: 1, a: 2}\nversion: 2\n"
    with pytest.raises(InvalidInput) as exc:
        parse_yaml("dup.yaml", text)
    assert [str(p) for p in exc.value.problems] == [
        "dup.yaml:2:1: duplicate key 'id' (first on line 1)",
        "dup.yaml:4:11: duplicate key 'a' (first on line 4)",
        "dup.yaml:5:1: duplicate key 'version' (first on line 3)",
    ]


def test_merge_keys_may_override_without_counting_as_duplicates() -> None:
    doc = parse_yaml("m.yaml", "base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n")
    assert doc.data["item"] == {"x": 1, "y": 3}


def test_anchors_and_aliases_within_the_limit_work() -> None:
    doc = parse_yaml("a.yaml", "roles: &r [sales, marketing]\ngap: *r\n")
    assert doc.data["gap"] == ["sales", "marketing"]


def test_a_bare_scalar_is_allowed_when_no_mapping_is_expected() -> None:
    assert parse_yaml("s.yaml", "- 1\n- 2\n", expect_mapping=False).data == [1, 2]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, y]\nc: {d: null}\n",
        "answers:\n  q: 3\n  r: [a, b]\n  s: yes\n",
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "a: [1, 2\n",
        "version: 2024-13-45\n",
        "n: " + "9" * 200 + "\n",
        "- - - - x\n",
    ],
)
def test_the_fast_loader_agrees_with_the_guarded_one(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        expected: Any = parse_yaml(str(path), text).data
    except InvalidInput as exc:
        with pytest.raises(InvalidInput) as fast:
            load_data_fast(path)
        assert fast.value.problems == exc.problems
    else:
        assert load_data_fast(path) == expected


def test_missing_files_and_directories_are_clean_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        load_yaml(tmp_path / "nope.yaml")
    with pytest.raises(InvalidInput, match="is a directory, expected a file"):
        load_yaml(tmp_path)


def test_locate_follows_a_path_to_its_line_and_column() -> None:
    text = "questions:\n  - id: a\n    options:\n      - {value: x, score: 2}\n"
    doc = parse_yaml("q.yaml", text)
    assert doc.locate(("questions", 0, "options", 0, "score")) == (4, 27)
    assert doc.locate(("questions", 0, "options")) == (3, 5)  # a list: at its key
    assert doc.locate(("questions", 0)) == (2, 5)  # a list item: at the item
    assert doc.locate(("questions", 0, "options", 0, "score"), at_key=True) == (4, 20)
    # A path that leaves the document stops at the deepest node that exists.
    assert doc.locate(("questions", 0, "weight")) == (2, 5)
    assert doc.locate(("questions", 7)) == (1, 1)
    assert doc.node_at(("questions", 0, "weight")) is None


def test_format_loc_writes_paths_as_people_read_them() -> None:
    assert format_loc(("questions", 12, "options", 2, "score")) == "questions[12].options[2].score"
    assert format_loc(()) == ""
    assert Document("x.yaml", {}, None).locate(("a",)) == (None, None)


def test_write_atomic_replaces_the_whole_file_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "answers.yaml"
    write_atomic(path, "first\n", make_dirs=True)
    write_atomic(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert [p.name for p in path.parent.iterdir()] == ["answers.yaml"]
    with pytest.raises(TypeError):  # fails while writing the temporary file
        write_atomic(path, b"bytes are not text")  # type: ignore[arg-type]
    assert path.read_text(encoding="utf-8") == "second\n"
    assert [p.name for p in path.parent.iterdir()] == ["answers.yaml"]


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="no libyaml")
def test_shipped_yaml_reads_the_same_with_or_without_libyaml() -> None:
    # We use the C loader when present; files must not depend on its leniencies.
    files = [
        *sorted((ROOT / "rubrics").glob("*.yaml")),
        MINIMAL_RUBRIC,
        *sorted((ROOT / "examples").glob("**/*.yaml")),
        *sorted((ROOT / "tests" / "data").glob("**/*.yaml")),
    ]
    assert len(files) > 3
    for path in files:
        text = path.read_text(encoding="utf-8")
        pure = yaml.load(text, Loader=yaml.SafeLoader)
        fast = yaml.load(text, Loader=yaml.CSafeLoader)
        assert pure == fast, path


def test_write_atomic_makes_no_folder_unless_asked(tmp_path: Path) -> None:
    """A path into a missing folder is a usage error naming the folder; nothing is made."""
    path = tmp_path / "missing" / "answers.yaml"
    with pytest.raises(
        UsageError, match=re.escape(f"the folder {tmp_path / 'missing'} does not exist")
    ):
        write_atomic(path, "a: 1\n")
    assert not (tmp_path / "missing").exists()


def test_a_file_without_an_honest_size_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    """/dev/zero (or a FIFO) reports size 0: the limit holds by what is read, not by st_size."""
    with pytest.raises(InvalidInput) as exc:
        load_yaml(Path("/dev/zero"))
    assert [p.message for p in exc.value.problems] == [
        f"file is over {MAX_BYTES:,} bytes, the limit"
    ]


def test_the_fast_readers_refused_characters_are_the_complement_it_was_written_as() -> None:
    """flatyaml lists the characters it leaves to PyYAML (quick to compile); the set is the
    complement of those it takes, as first written: every code point agrees."""
    from alignment_cli.files import flatyaml

    allowed = re.compile(
        "[^\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029]"
    )
    text = "".join(map(chr, range(0x110000)))
    assert [m.start() for m in flatyaml._UNSUPPORTED_CHARS.finditer(text)] == [
        m.start() for m in allowed.finditer(text)
    ]
