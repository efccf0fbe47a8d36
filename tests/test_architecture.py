"""The shape ARCHITECTURE.md describes, checked on the source: no import
circles inside our packages, and each layer imports only what it may.

Imports are read with ``ast`` from every module of ours: module-level ones
and those under ``if TYPE_CHECKING`` (a circle for the type checker is a
circle for the reader too); imports inside functions are left out (they are
the way a module reaches something heavy only when it runs).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "desk", "knowledge", "storage", "sandbox")

# Which of our packages (and which outside libraries) each package may import.
MAY_IMPORT = {
    "desk": set(),
    "knowledge": set(),
    "sandbox": set(),
    "storage": {"desk"},
    "bot": {"desk", "knowledge", "storage"},
}
ONLY_IN = {"aiogram": {"bot"}, "sqlalchemy": {"storage"}, "alembic": {"storage"}}
# The demo runs the sandbox beside the bot: the one module of ours that may.
ALSO = {"bot.cli.demo": {"sandbox"}}


@cache
def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _walk(body: list[ast.stmt], found: set[str], module: str, path: Path) -> None:
    for node in body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, path, node)
            submodules = {f"{source}.{alias.name}" for alias in node.names}
            known = submodules & modules().keys()
            found.update(known or {source})  # `from pkg import submodule` needs the submodule
        elif isinstance(node, ast.If | ast.Try):
            for block in ("body", "orelse", "finalbody"):
                _walk(getattr(node, block, []), found, module, path)
            for handler in getattr(node, "handlers", []):
                _walk(handler.body, found, module, path)


@cache
def imports_of(module: str) -> frozenset[str]:
    """What ``module`` imports (its own package's ``__init__`` left out: it runs first anyway)."""
    path = modules()[module]
    found: set[str] = set()
    _walk(ast.parse(path.read_text(encoding="utf-8")).body, found, module, path)
    return frozenset(n for n in found if n != module and not module.startswith(f"{n}."))


def _ours(name: str) -> str | None:
    """The module of ours ``name`` is (or is inside), or None."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def _circles() -> list[list[str]]:
    graph = {m: {o for n in imports_of(m) if (o := _ours(n)) and o != m} for m in modules()}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        order[node] = low[node] = len(order)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in order:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], order[nxt])
        if low[node] == order[node]:
            part = [stack.pop()]
            while part[-1] != node:
                part.append(stack.pop())
            if len(part) > 1:
                circles.append(sorted(part))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return circles


def test_no_module_of_ours_imports_itself_round_a_circle() -> None:
    assert _circles() == []


def test_the_checker_sees_a_circle() -> None:
    """The walk finds imports at all (a checker that sees none passes anything)."""
    assert "desk.model" in {_ours(n) for n in imports_of("desk.clock")}
    assert "storage.uow" in {_ours(n) for n in imports_of("bot.middlewares.db")}


def test_each_layer_imports_only_what_it_may() -> None:
    wrong: list[str] = []
    for module in modules():
        package = module.split(".")[0]
        for name in imports_of(module):
            top = name.split(".")[0]
            allowed = MAY_IMPORT[package] | ALSO.get(module, set())
            if top in MAY_IMPORT and top != package and top not in allowed:
                wrong.append(f"{module} imports {name}")
            if top in ONLY_IN and package not in ONLY_IN[top]:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def _private_outside(module: str, imported: str) -> str | None:
    """The private module (``pkg._helper``, at any depth) ``imported`` names, when
    ``module`` sits outside the package that holds it; else None."""
    target = _ours(imported)
    if target is None:
        return None
    parts = target.split(".")
    for depth, part in enumerate(parts):
        if part.startswith("_") and depth > 0:
            owner = ".".join(parts[:depth])
            if module != owner and not module.startswith(f"{owner}."):
                return target
            return None
    return None


def test_private_modules_are_used_only_inside_their_package() -> None:
    leaks = sorted(
        f"{module} imports {private}"
        for module in modules()
        for name in imports_of(module)
        if (private := _private_outside(module, name))
    )
    assert leaks == []


def test_the_checker_sees_a_private_module_used_outside() -> None:
    assert _private_outside("bot.services.intake", "storage._dialect") == "storage._dialect"
    assert _private_outside("storage.tickets", "storage._dialect") is None
    assert _private_outside("bot.cli.faq", "knowledge._retrieval.Params") == "knowledge._retrieval"
