"""The house rules of the package layout, checked on the source with `ast`.

Layers, low to high: errors, clock (0) < model (1) < files (2) < scoring (3) < report,
interview, survey, evidence (4) < cli (5). A module may import its own layer and lower ones,
never a higher one, and the layer-4 packages do not import each other. Every import counts,
including those inside functions and under TYPE_CHECKING: an import deferred for speed is still
a dependency. Only the CLI draws on a terminal (rich). And the modules import each other
without cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "alignment_cli"

LAYERS = {
    "errors": 0,
    "clock": 0,
    "model": 1,
    "files": 2,
    "scoring": 3,
    "report": 4,
    "interview": 4,
    "survey": 4,
    "evidence": 4,
    "cli": 5,
}
PEERS = {"report", "interview", "survey", "evidence"}
"""Layer-4 packages, independent of each other."""

MODULE_LAYERS = {
    # The located YAML reader sits under files/ but below model: the rubric loader reads its
    # YAML (and locates its problems) with it. It imports only `errors` and its own helper,
    # which test_foundation_modules_stay_at_the_bottom holds it to.
    "alignment_cli.files.yamlio": 0,
    "alignment_cli.files.flatyaml": 0,
}

ALLOWED = {
    # Markdown escaping is one leaf module of text functions (it imports nothing of ours); the
    # printable form escapes the rubric's text with it, so forms and reports escape alike.
    ("alignment_cli.survey.forms", "alignment_cli.report.markdown"),
}

SPECIAL = {"alignment_cli": ("alignment_cli", 0), "alignment_cli.__main__": ("cli", 5)}
"""The package root holds only the version (layer 0); the entry point starts the CLI."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, *, top_level_only: bool = False) -> Iterator[tuple[str, int]]:
    """(imported name, line) for every import; `from a import b` yields `a.b` when that is a
    module of ours (a submodule), else `a`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in MODULES else base), node.lineno


def layer_of(module: str) -> tuple[str, int]:
    """(top package under alignment_cli, layer) of one of our modules."""
    if module in SPECIAL:
        return SPECIAL[module]
    top = module.split(".")[1]
    return top, MODULE_LAYERS.get(module, LAYERS[top])


def test_every_module_has_a_layer() -> None:
    unknown = [m for m in MODULES if m not in SPECIAL and m.split(".")[1] not in LAYERS]
    assert not unknown, "give these a layer in LAYERS (and in README's map of the code)"


def _ours(name: str) -> str | None:
    """The module of ours that `name` imports, or None for the standard library and others."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def layer_violations() -> list[str]:
    found = []
    for module, path in MODULES.items():
        here = layer_of(module)
        for name, line in imports(path):
            target = _ours(name)
            if target is None or target == module or (module, target) in ALLOWED:
                continue
            there = layer_of(target)
            if there[1] > here[1]:
                found.append(
                    f"{path}:{line}: {module} (layer {here[1]}) imports {target} (layer {there[1]})"
                )
            elif here[0] != there[0] and here[0] in PEERS and there[0] in PEERS:
                found.append(f"{path}:{line}: {module} imports its peer {target}")
    return found


def test_no_layer_imports_a_higher_one_or_a_peer() -> None:
    assert layer_violations() == []


def test_only_the_cli_draws_on_the_terminal() -> None:
    found = [
        f"{path}:{line}: {module} imports {name}"
        for module, path in MODULES.items()
        if not module.startswith("alignment_cli.cli")
        for name, line in imports(path)
        if name == "rich" or name.startswith("rich.")
    ]
    assert found == []


def test_foundation_modules_stay_at_the_bottom() -> None:
    """What MODULE_LAYERS and ALLOWED rely on: those modules import (almost) nothing of ours."""
    for module in MODULE_LAYERS:
        targets = {_ours(n) for n, _ in imports(MODULES[module])} - {None, module}
        assert targets <= {"alignment_cli.errors", *MODULE_LAYERS}, module
    for _, target in ALLOWED:
        assert {_ours(n) for n, _ in imports(MODULES[target])} <= {None}, target


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports at the top of the file (when it is loaded)."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_ours(n) for n, _ in imports(path, top_level_only=True)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_modules_import_each_other_without_cycles() -> None:
    assert find_cycle(import_graph()) is None


MUTUAL_ALLOWED = {
    # The guarded YAML reader hands answer files to the fast flat reader (imported when first
    # needed, to keep it off start-up), and the flat reader declines what the guards refuse, so
    # it reads their limits. One reader in two files; at load time only flatyaml -> yamlio.
    "alignment_cli.files.flatyaml <-> alignment_cli.files.yamlio",
    # The question kinds are built on the rubric models; two facts of the models (whether a
    # question is scored, the JSON Schema of the per-type fields) are the kinds' to say, asked
    # when first needed. At load time only qtypes -> models.
    "alignment_cli.model.models <-> alignment_cli.model.qtypes",
}


def test_no_two_modules_import_each_other_even_lazily() -> None:
    """A cycle hidden in function-level imports is a knot all the same (forms <-> importer)."""
    every = {m: {_ours(n) for n, _ in imports(p)} - {None, m} for m, p in MODULES.items()}
    pairs = sorted(
        f"{a} <-> {b}"
        for a, targets in every.items()
        for b in targets
        if b is not None and a < b and a in every.get(b, set())
    )
    assert [p for p in pairs if p not in MUTUAL_ALLOWED] == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a2"}, "a2": set(), "b": {"b"}}, ["b", "b"]),
    ],
)
def test_find_cycle_finds_cycles(graph: dict[str, set[str]], expected: list[str] | None) -> None:
    assert find_cycle(graph) == expected


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from alignment_cli.cli import console\n", encoding="utf-8")
    assert ("alignment_cli.cli.console", 2) in list(imports(source))
    assert list(imports(source, top_level_only=True)) == []
