"""The one writer of answer files: the interview, the survey import and resumed files all write
this layout, so a file written by one and rewritten by another changes no byte.

The layout (docs/interview.md, "Nothing lost"): the rubric and the respondent as one-line flow
mappings, the organisation, `started` and `updated` in UTC, the answers in rubric order under a
comment per phase (lists on one line, as people write them), then the notes (several lines as a
literal block). Each scalar is written exactly as PyYAML's safe dumper writes it, which a test
checks on generated text; the common scalars (ids, numbers, plain words) are written directly,
because PyYAML's representer costs about a millisecond a file and an import writes thousands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from alignment_cli.clock import timestamp
from alignment_cli.files.responses import Responses
from alignment_cli.model.rubric import LoadedRubric

# Plain scalars PyYAML also writes plain (a conservative subset: anything else asks PyYAML).
_PLAIN_BLOCK = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.,()'/+&-]*[A-Za-z0-9.)]|[A-Za-z0-9]")
_PLAIN_FLOW = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _./+-]*[A-Za-z0-9.]|[A-Za-z0-9]")
_STR_TAG = "tag:yaml.org,2002:str"
_CACHE_LIMIT = 50_000
_cache: dict[tuple[str, bool], str] = {}
_resolver: Any = None
_resolver_node: Any = None


def scalar(value: Any, *, flow: bool = False) -> str:
    """A value as PyYAML writes it after `key: ` (or, with `flow`, inside a flow list)."""
    if type(value) is not str:
        return _scalar(value, flow)  # cheap; and a cache would take -0.0 for 0.0
    key = (value, flow)
    hit = _cache.get(key)
    if hit is None:
        hit = _scalar(value, flow)
        if len(_cache) < _CACHE_LIMIT:
            _cache[key] = hit
    return hit


def _scalar(value: Any, flow: bool) -> str:
    global _resolver, _resolver_node
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
    if (
        isinstance(value, str)
        and (_PLAIN_FLOW if flow else _PLAIN_BLOCK).fullmatch(value)
        and " #" not in value
        and ": " not in value
        and " -" not in value
    ):
        if _resolver is None:
            import yaml

            _resolver = yaml.resolver.Resolver()
            _resolver_node = yaml.ScalarNode
        if _resolver.resolve(_resolver_node, value, (True, False)) == _STR_TAG:
            return value
    return _pyyaml_scalar(value, flow)


_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")  # PyYAML breaks lines at these too


def _pyyaml_scalar(value: Any, flow: bool) -> str:
    """What PyYAML writes for `value` after `k: ` (or inside `[...]`): the reference layout.

    Text of several lines is a literal block (it reads as typed) when that block reads back as
    the same text, else one double-quoted line with escapes (a trailing blank line, a lone line
    break, line separators other than `\n`).
    """
    if flow:
        text = _dump([value], flow=True).strip()
        return text[1:-1]
    if isinstance(value, str) and any(b in value for b in _OTHER_BREAKS):
        return _double_quoted(value)
    text = _dump({"k": value}, flow=False).removesuffix("...\n")  # PyYAML's end marker
    # After "k: ", without the final line break; a literal block keeps its own trailing lines.
    text = text[3:-1] if text.endswith("\n") else text[3:]
    if isinstance(value, str) and "\n" in value and not _reads_back(text, value):
        return _double_quoted(value)
    return text


def _reads_back(text: str, value: str) -> bool:
    import yaml

    try:
        return bool(yaml.safe_load(f"k: {text}\n") == {"k": value})
    except yaml.YAMLError:
        return False


def _double_quoted(value: str) -> str:
    import yaml

    text = str(
        yaml.dump(
            value,
            Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),  # not ours: it picks "|"
            default_style='"',
            allow_unicode=True,
            width=1_000_000,
        )
    )
    return text.removesuffix("\n...\n").rstrip("\n")


def _dump(data: Any, *, flow: bool | None) -> str:
    import yaml

    return str(
        yaml.dump(
            data,
            Dumper=_dumper(),
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=flow,
            width=1_000_000,  # a long note stays on one line: quarterly diffs stay small
        )
    )


_DUMPER: Any = None


def _dumper() -> Any:
    """The safe dumper, with text of several lines as a literal block (it reads as typed)."""
    global _DUMPER
    if _DUMPER is None:
        import yaml

        base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

        class Dumper(base):  # type: ignore[misc]
            pass

        def text(dumper: Any, value: str) -> Any:
            style = "|" if "\n" in value else None
            return dumper.represent_scalar(_STR_TAG, value, style=style)

        Dumper.add_representer(str, text)
        _DUMPER = Dumper
    return _DUMPER


_flow_cache: dict[tuple[Any, ...], str] = {}


def _flow_mapping(data: Mapping[str, Any], *, cached: bool = False) -> str:
    """`{k: v, ...}`; `cached` for the rubric's, the same in every file of an import."""
    if not cached:
        return "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in data.items()) + "}"
    key = tuple((k, type(v), v) for k, v in data.items())
    try:
        hit = _flow_cache.get(key)
    except TypeError:  # a value that cannot be a key
        hit, key = None, ()
    if hit is None:
        hit = "{" + ", ".join(f"{k}: {scalar(v, flow=True)}" for k, v in data.items()) + "}"
        if key and len(_flow_cache) < _CACHE_LIMIT:
            _flow_cache[key] = hit
    return hit


def _entry(key: str, value: Any) -> str:
    key = scalar(key)  # an id like `on` or `yes` would read back as true
    if isinstance(value, list):
        return f"{key}: [" + ", ".join(scalar(v, flow=True) for v in value) + "]"
    return f"{key}: {scalar(value)}"


_CACHED_KINDS = frozenset({str, int, bool, type(None)})  # not float: -0.0 == 0.0
_answer_cache: dict[tuple[Any, ...], str] = {}
_key_cache: dict[str, str] = {}


def _answer_text(qid: str, value: Any) -> str:
    """The lines of one answer, each ending in a line break; thousands of respondents give the
    same few answers to each question, so each (question, answer) is written once and looked
    up after that (a number with a fraction, rarely the same twice, is written directly)."""
    kind = type(value)
    if kind in _CACHED_KINDS:
        key: tuple[Any, ...] = (qid, kind, value)
    elif kind is list and all(type(v) in _CACHED_KINDS for v in value):
        key = (qid, list, *((type(v), v) for v in value))
    elif kind is float:
        prefix = _key_cache.get(qid)
        if prefix is None:
            prefix = _key_cache[qid] = f"  {scalar(qid)}: "
        return f"{prefix}{_scalar(value, False)}\n"
    else:
        return _lines(qid, value)
    hit = _answer_cache.get(key)
    if hit is None:
        hit = _lines(qid, value)
        if len(_answer_cache) < _CACHE_LIMIT:
            _answer_cache[key] = hit
    return hit


def _lines(qid: str, value: Any) -> str:
    return "".join(f"{line}\n" for line in _indented(_entry(qid, value)))


def _indented(text: str) -> Iterable[str]:
    for line in text.split("\n"):
        yield f"  {line}" if line else line


def answer_file_text(
    *,
    rubric: Mapping[str, Any],
    respondent: Mapping[str, Any],
    organization: str | None,
    started: datetime | None,
    updated: datetime | None,
    answers: Mapping[str, Any],
    notes: Mapping[str, str],
    phase_of: Mapping[str, str],
) -> str:
    """The text of an answer file; `phase_of` maps question ids to their phase's id.

    Answers are written in the order given (callers give rubric order); a comment names each
    phase where it starts. The text loads back to the same values (tested).
    """
    parts = [
        f"rubric: {_flow_mapping(rubric, cached=True)}\n",
        f"respondent: {_flow_mapping(respondent)}\n",
    ]
    if organization is not None:
        parts.append(f"organization: {scalar(organization)}\n")
    if started is not None:
        parts.append(f"started: {timestamp(started)}\n")
    if updated is not None:
        parts.append(f"updated: {timestamp(updated)}\n")
    if answers:
        parts.append("answers:\n")
        current: str | None = None
        # Names bound once: this loop runs for every answer of every file an import writes.
        cache, simple, append, phase_get = (
            _answer_cache.get,
            _CACHED_KINDS,
            parts.append,
            phase_of.get,
        )
        for qid, value in answers.items():
            phase = phase_get(qid)
            if phase != current and phase is not None:
                append(f"  # {phase}\n")
                current = phase
            kind = type(value)
            hit = cache((qid, kind, value)) if kind in simple else None  # most answers
            append(hit if hit is not None else _answer_text(qid, value))
    else:
        parts.append("answers: {}\n")
    if notes:
        parts.append("notes:\n")
        for qid, text in notes.items():
            parts.append(_lines(qid, text))
    return "".join(parts)


def responses_text(responses: Responses, loaded: LoadedRubric) -> str:
    """The answer file of `responses`, answers in the order they are held."""
    return answer_file_text(
        rubric=responses.rubric.model_dump(exclude_none=True),
        respondent=responses.respondent.model_dump(),
        organization=responses.organization,
        started=responses.started,
        updated=responses.updated,
        answers=responses.answers,
        notes=responses.notes,
        phase_of={q.id: q.phase for q in loaded.rubric.questions},
    )
