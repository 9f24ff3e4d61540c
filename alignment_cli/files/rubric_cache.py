"""Loaded rubrics kept between runs, so that `score` and every other command skip the YAML
parse, the validation and the parse of the expressions of a rubric that passed before:
`load_rubric` here is the loader commands use.

A rubric is restored from here only when a full load of exactly the same bytes, by the same
checking code, passed before: the entry's name is a hash of the code's fingerprint (the one
`rubric list` uses, files/rubric_index.py) and the file's bytes, and the entry repeats both
hashes. A rubric that fails is never kept, so its problems are found and reported by the full
load, every time. What is kept is what the load derived (docs/rubric-format.md, "The rubric
cache"): the validated models as plain JSON, the content hash, and the names each expression
reads; the expressions themselves are parsed again when first run (`deferred_expression`).

The entries are JSON, never pickle: a tampered entry can at worst describe a different rubric
(as editing the rubric could), never run code. Only the rubric's own model and enum classes
can be named in one, and a model only with exactly its own fields. Entries live in `rubrics/`
of the user's cache folder (`rubric_index.cache_dir`), are written whole or not at all, and
at most MAX_ENTRIES are kept (the least recently used go first). The cache is only an aid:
an entry that cannot be read, parsed or written is ignored, and the rubric is loaded in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alignment_cli.model.models import Model
    from alignment_cli.model.rubric import LoadedRubric

FORMAT = 1
FOLDER = "rubrics"
MAX_ENTRIES = 32
MAX_ENTRY_BYTES = 64 << 20  # a rubric at the 8 MiB limit of YAML fits well within


class _Unfit(Exception):
    """A value the cache's format does not cover, or an entry that does not decode."""


def entry_path(raw: bytes, fingerprint: str) -> Path | None:
    """Where the entry for a rubric of these bytes lives, under this checking code."""
    from alignment_cli.files.rubric_index import _safe_cache_dir

    folder = _safe_cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(fingerprint.encode() + b"\0" + raw).hexdigest()
    return folder / FOLDER / f"{key}.json"


def _fingerprint() -> str:
    from alignment_cli.files.rubric_index import _fingerprint

    return _fingerprint()


def load_rubric(ref: str | Path | None = None) -> LoadedRubric:
    """What commands load a rubric with: `model.rubric.load_rubric`'s rubric, restored from
    the cache when exactly these bytes passed before under this checking code, else checked in
    full (and its problems raised, located, as ever) and kept for next time."""
    from alignment_cli.files.yamlio import read_bytes
    from alignment_cli.model.rubric import load_checked, resolve_rubric_path

    path = resolve_rubric_path(ref)
    raw = read_bytes(path)
    cached = restore(raw, path)
    if cached is not None:
        return cached
    loaded = load_checked(path, raw)
    store(raw, loaded)
    return loaded


def restore(raw: bytes, path: Path) -> LoadedRubric | None:
    """The rubric of these bytes as a full load made it before, or None."""
    fingerprint = _fingerprint()
    entry = entry_path(raw, fingerprint)
    if entry is None:
        return None
    try:
        with entry.open("rb") as fh:
            text = fh.read(MAX_ENTRY_BYTES + 1)
        if len(text) > MAX_ENTRY_BYTES:
            return None
        loaded = _decode(text, raw, path, fingerprint)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError, _Unfit):
        return None
    with contextlib.suppress(OSError):  # most recently used: the last to be pruned
        os.utime(entry)
    return loaded


def store(raw: bytes, loaded: LoadedRubric) -> None:
    """Keep a rubric that passed a full load; nothing when it cannot be kept."""
    from alignment_cli.errors import AlignmentError
    from alignment_cli.files.writes import write_atomic

    fingerprint = _fingerprint()
    entry = entry_path(raw, fingerprint)
    if entry is None:
        return
    try:
        text = _encode(raw, loaded, fingerprint)
    except (_Unfit, ValueError, RecursionError):
        return
    if len(text) > MAX_ENTRY_BYTES:
        return
    with contextlib.suppress(AlignmentError, OSError):  # an aid: the next run loads in full
        write_atomic(entry, text, make_dirs=True)
        _prune(entry.parent)


def _prune(folder: Path) -> None:
    entries = []
    for p in folder.glob("*.json"):
        with contextlib.suppress(OSError):
            entries.append((p.stat().st_mtime_ns, p))
    entries.sort(reverse=True)
    for _, p in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            p.unlink()


# -- the format ---------------------------------------------------------------------------------
# A model is an object {"$m": class name, "$s": its fields set, field: value, ...}; a tuple
# {"$t": [...]}; a mapping {"$d": [[key, value], ...]}; an enum member {"$e": class name,
# "v": value}. Every other JSON object is the entry itself or its table of references.

_WHEN = "w"  # the namespaces of a question's or a target's `when`
_TRIGGER = "t"  # those of triggers and of levels' sentences


def _classes() -> tuple[dict[str, type[Model]], dict[str, type[Enum]]]:
    from alignment_cli.model import models

    own = [
        v for v in vars(models).values() if isinstance(v, type) and v.__module__ == models.__name__
    ]
    return (
        {c.__name__: c for c in own if issubclass(c, models.Model)},
        {c.__name__: c for c in own if issubclass(c, Enum)},
    )


def _encode(raw: bytes, loaded: LoadedRubric, fingerprint: str) -> str:
    model_classes, enum_classes = _classes()

    def enc(v: Any) -> Any:
        kind = type(v)
        if v is None or kind in (str, int, float, bool):
            return v
        if kind is list:
            return [enc(x) for x in v]
        if kind is tuple:
            return {"$t": [enc(x) for x in v]}
        if kind is dict:
            return {"$d": [[enc(k), enc(x)] for k, x in v.items()]}
        if model_classes.get(kind.__name__) is kind:
            state = v.__getstate__()
            if state["__pydantic_extra__"] or state["__pydantic_private__"]:
                raise _Unfit(kind.__name__)
            out: dict[str, Any] = {
                "$m": kind.__name__,
                "$s": sorted(state["__pydantic_fields_set__"]),
            }
            for name, x in state["__dict__"].items():
                out[name] = enc(x)
            return out
        if enum_classes.get(kind.__name__) is kind:
            return {"$e": kind.__name__, "v": v.value}
        raise _Unfit(kind.__name__)

    refs: dict[str, dict[str, list[Any]]] = {_WHEN: {}, _TRIGGER: {}}
    groups = (
        (_WHEN, loaded.conditions.values()),
        (_WHEN, (e for es in loaded.target_conditions.values() for e in es)),
        (_TRIGGER, loaded.triggers.values()),
        (_TRIGGER, (e for es in loaded.level_conditions.values() for e in es)),
    )
    for kind, exprs in groups:
        for expr in exprs:
            if expr is not None:
                found = [[r.namespace, r.name] for r in expr.references]
                refs[kind][expr.source] = [found, expr.plain]
    return json.dumps(
        {
            "format": FORMAT,
            "fingerprint": fingerprint,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "content_hash": loaded.content_hash,
            "rubric": enc(loaded.rubric),
            "references": {k: list(by.items()) for k, by in refs.items()},
        },
        separators=(",", ":"),
    )


def _decode(text: bytes, raw: bytes, path: Path, fingerprint: str) -> LoadedRubric:
    from alignment_cli.model.expressions import Reference, deferred_expression
    from alignment_cli.model.models import Rubric
    from alignment_cli.model.rubric import WHEN_NAMESPACES, LoadedRubric, compile_expressions

    model_classes, enum_classes = _classes()

    def revive(obj: dict[str, Any]) -> Any:
        if "$t" in obj:
            return tuple(obj["$t"])
        if "$d" in obj:
            return {k: v for k, v in obj["$d"]}
        if "$e" in obj:
            return enum_classes[obj["$e"]](obj["v"])
        if "$m" not in obj:  # the entry itself, and its references by kind
            return obj
        cls = model_classes[obj.pop("$m")]
        fields_set = set(obj.pop("$s"))
        if obj.keys() != cls.model_fields.keys() or not fields_set <= obj.keys():
            raise _Unfit(cls.__name__)
        model = cls.__new__(cls)
        model.__setstate__(
            {
                "__dict__": obj,
                "__pydantic_fields_set__": fields_set,
                "__pydantic_extra__": None,
                "__pydantic_private__": None,
            }
        )
        return model

    data = json.loads(text, object_hook=revive)
    if data["format"] != FORMAT or data["fingerprint"] != fingerprint:
        raise _Unfit("another format or checking code")
    if data["sha256"] != hashlib.sha256(raw).hexdigest():
        raise _Unfit("another rubric")
    rubric = data["rubric"]
    content_hash = data["content_hash"]
    if type(rubric) is not Rubric or type(content_hash) is not str:
        raise _Unfit("no rubric")
    refs = {
        kind: {
            src: (tuple(Reference(ns, name) for ns, name in found), plain)
            for src, (found, plain) in by
        }
        for kind, by in data["references"].items()
    }

    def deferred(source: str, namespaces: frozenset[str], scalars: frozenset[str]) -> Any:
        found, plain = refs[_WHEN if namespaces is WHEN_NAMESPACES else _TRIGGER][source]
        if plain is not None and type(plain) is not list:
            raise _Unfit("expression")
        return deferred_expression(source, namespaces, scalars, found, plain)

    return LoadedRubric.assemble(rubric, path, content_hash, compile_expressions(rubric, deferred))
