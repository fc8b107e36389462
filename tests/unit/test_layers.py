"""The house rules: imports run one way (base <- catalog <- index <- answering <- engine <- ingest, ui),
no import loops, and modules and functions stay small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("finder", "ingest", "ui")
RANKS = [("finder.settings", 0), ("finder.errors", 0), ("finder.text", 0), ("finder.safeyaml", 0),
         ("finder.catalog", 1),
         ("finder.index", 2), ("finder.answering", 3), ("finder.engine", 4), ("finder.evaluation", 4),
         ("finder", 4), ("ingest", 5), ("ui", 6)]
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
# Functions allowed past the limit, with the reason (keep this list short and honest).
LONG_FUNCTIONS = {
    "ui/app.py:_ask_tab": "one Gradio tab: its components and their event wiring must share one `with` block",
}


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            parts = f.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def rank(module: str) -> int:
    return max(r for prefix, r in RANKS if module == prefix or module.startswith(prefix + "."))


def imports(f: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(f.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.split(".")[0] in PACKAGES}


def test_imports_run_one_way():
    bad = [f"{mod} (rank {rank(mod)}) imports {dep} (rank {rank(dep)})"
           for mod, f in modules().items() for dep in imports(f) if rank(dep) > rank(mod)]
    assert bad == []


def test_no_import_loops():
    graph = {mod: {d for d in imports(f, top_level_only=True) if d in modules() and d != mod}
             for mod, f in modules().items()}
    loops, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                loops.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [mod])
    assert loops == []


def test_modules_and_functions_stay_small():
    too_long = []
    for f in modules().values():
        rel = f.relative_to(ROOT).as_posix()
        lines = f.read_text().splitlines()
        if len(lines) > MAX_MODULE_LINES:
            too_long.append(f"{rel}: {len(lines)} lines")
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES and f"{rel}:{node.name}" not in LONG_FUNCTIONS:
                    too_long.append(f"{rel}:{node.name}: {size} lines")
    assert too_long == []
