"""Import contracts: no import circles inside ``vidrecap`` and no import across a layer boundary.

Every ``import`` statement counts, the ones inside functions too: a lazy import that keeps a heavy
dependency off the import path is fine, but it still states a dependency, so one that only dodges a
circle is still a circle. Not counted: imports under ``if TYPE_CHECKING:`` (they never run), the
registry's module names (plugins, looked up by name), and a module's own package ``__init__`` (Python
runs it first anyway; a package that re-exports its modules is not a circle).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Circles inside train/ that branch `train` removes (it splits train/ into one package per model);
# delete this allow-list when that branch is merged. Nothing else may join it.
KNOWN_TRAIN_CIRCLES = {
    frozenset({"vidrecap.train.dual_predict", "vidrecap.train.dual_train"}),
    frozenset({"vidrecap.train.moments_bench", "vidrecap.train.moments_train"}),
}

_MODEL_CODE = ("backends", "experts", "writing", "evidence", "hierarchy", "pipeline", "moments", "qa",
               "library", "serve", "train", "media")
_PIPELINE = ("pipeline", "evidence", "hierarchy", "moments", "qa", "library", "experts", "writing", "backends",
             "media", "outputs", "text")
# (importer packages, forbidden packages, why)
LAYERS = [
    (("eval", "datasets"), _MODEL_CODE, "eval and datasets read files only: they import no model code"),
    (("media",), ("outputs", "evidence", "hierarchy", "pipeline"), "media yields arrays; it knows nothing above it"),
    (_PIPELINE, ("serve", "train"), "the pipeline and its readers never import the web page or the trainers"),
    (("results", "errors", "registry", "util"), _MODEL_CODE + ("outputs", "cli", "api"),
     "the shared types, errors, registry and utilities import nothing above them"),
]


def _modules(src: Path = SRC) -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in src.rglob("*.py"):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _runtime_imports(tree: ast.Module):
    """Every import statement outside ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(src: Path = SRC) -> dict[str, set[str]]:
    """module -> the ``vidrecap`` modules it imports (by name; lazy imports included)."""
    modules = _modules(src)
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        targets = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            subs = {f"{module}.{alias.name}" for alias in node.names} & modules.keys()
            targets.update(subs if subs and len(subs) == len(node.names) else subs | {module})
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(frozenset(group))
    return found


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_breaks(graph: dict[str, set[str]]) -> list[str]:
    broken = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if _top(target) == "cli" and module != "vidrecap.__main__":
                broken.append(f"{module} -> {target}: only vidrecap.__main__ imports the command line")
            for importers, forbidden, why in LAYERS:
                if _top(module) in importers and _top(target) in forbidden and _top(target) != _top(module):
                    broken.append(f"{module} -> {target}: {why}")
    return broken


@functools.cache
def _graph() -> dict[str, frozenset[str]]:
    return {module: frozenset(targets) for module, targets in import_graph().items()}


def test_no_import_circles():
    unexpected = [sorted(group) for group in circles(_graph()) if group not in KNOWN_TRAIN_CIRCLES]
    assert not unexpected, f"import circles: {unexpected}"


def test_no_layer_breaks():
    broken = layer_breaks(_graph())
    assert not broken, "layer breaks:\n" + "\n".join(broken)


@pytest.mark.parametrize("extra, expected", [
    ({"vidrecap.results": {"vidrecap.outputs.store"}}, "circle"),
    ({"vidrecap.eval.ranking": {"vidrecap.backends.embedded"}}, "layer"),
    ({"vidrecap.media.probe": {"vidrecap.outputs.store"}}, "layer"),
    ({"vidrecap.moments.index": {"vidrecap.serve.app"}}, "layer"),
    ({"vidrecap.pipeline.run": {"vidrecap.cli"}}, "layer"),
])
def test_contracts_catch_a_new_edge(extra, expected):
    """The checks are live: one added import of each kind is caught on the real graph."""
    graph = {module: set(targets) for module, targets in _graph().items()}
    for module, targets in extra.items():
        graph[module] |= targets
    if expected == "circle":
        assert [g for g in circles(graph) if g not in KNOWN_TRAIN_CIRCLES]
    else:
        assert layer_breaks(graph)
