"""The shape of the code, checked: layers import one way, no module imports itself back
through others, and nothing outside a channel's module and the settings names a channel.

Layers, from the ground floor up (a module may import its own layer and the ones below):
``common`` → ``storage`` → ``scheduler`` → ``reports`` → ``bot`` → ``baocao`` (the command
line, the composition root, the runtime and the demo scaffolding).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("common", "storage", "scheduler", "reports", "bot", "baocao")
RANK = {name: index for index, name in enumerate(LAYERS)}
# Where a channel may be named: its own module, the registry, the settings, the test scaffolding,
# and the migrations (history: they rewrite stored rows).
CHANNEL_HOMES = (
    "bot/channels/",
    "baocao/config.py",
    "baocao/demo/",
    "baocao/commands/demo.py",  # the demo and the sandbox run on a channel's stand-in
    "baocao/commands/sandbox.py",
    "storage/migrations/",
)
CHANNEL_WORDS = ("telegram", "zalo", "t.me/", "parse_mode", "inline_keyboard")


def modules() -> dict[str, Path]:
    out = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations/versions" in path.as_posix():
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(path, name, known) for name, path in mods.items()}


def test_layers_import_downwards_only():
    wrong = []
    for module, targets in graph().items():
        for target in targets:
            if RANK[target.split(".")[0]] > RANK[module.split(".")[0]]:
                wrong.append(f"{module} → {target}")
    assert wrong == []


def test_the_product_does_not_import_the_demo_scaffolding():
    wrong = [
        f"{module} → {target}"
        for module, targets in graph().items()
        if not module.startswith("baocao.demo") and not module.startswith("baocao.commands")
        for target in targets
        if target.startswith("baocao.demo")
    ]
    assert wrong == []


def test_no_import_cycles():
    edges = graph()
    # Packages' __init__ re-exporting their modules are not cycles of meaning; compare modules.
    edges = {m: {t for t in ts if not (t == m.rpartition(".")[0])} for m, ts in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    import sys

    sys.setrecursionlimit(10_000)
    for node in list(edges):
        if node not in index:
            visit(node)
    assert cycles == []


def _code_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants and names in code, docstrings and comments left out."""
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add(id(first.value))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            out.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            out.append((node.lineno, node.attr))
        elif isinstance(node, ast.alias):
            out.append((getattr(node, "lineno", 0), node.name))
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
    return out


def test_no_module_outside_the_channels_names_a_channel():
    wrong = []
    for name, path in modules().items():
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(CHANNEL_HOMES) or relative == "bot/channels/__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, value in _code_strings(tree):
            lowered = value.lower()
            if any(word in lowered for word in CHANNEL_WORDS):
                wrong.append(f"{relative}:{line}: {value[:60]!r}")
    assert wrong == []


def test_the_channel_registry_knows_every_channel_module():
    from bot import channels

    present = {p.stem for p in (ROOT / "bot" / "channels").glob("*.py")} - {"__init__", "base", "render"}
    assert present == set(channels.MODULES)
