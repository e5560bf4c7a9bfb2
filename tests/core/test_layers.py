"""The import graph has no upward arrow and no cycle (see `[tool.importlinter]` in
pyproject.toml for the layer order), and imports inside functions are the few that must be.

Checked on the whole graph, imports inside functions included (grimp reads every import
statement), so an import moved into a function to dodge a cycle still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]

# Imports left inside a function, each with its reason. Nothing else may be.
DEFERRED = {
    ("matchmaker/i18n.py", "flask_babel"):
        "translate() runs at the doors; the pure cores import i18n for N_ and Message",
    # Optional services and platform-specific servers: imported only where they run.
    ("matchmaker/jobs.py", "redis"): "only when REDIS_URL is set",
    ("matchmaker/jobs.py", "rq"): "only when REDIS_URL is set",
    ("matchmaker/jobs.py", "rq.exceptions"): "only when REDIS_URL is set",
    ("matchmaker/jobs.py", "rq.job"): "only when REDIS_URL is set",
    ("matchmaker/jobs_cli.py", "rq"): "only `matchmaker worker`, which needs Redis",
    ("matchmaker/meetings/scheduler.py", "ortools.sat.python"):
        "the exact solver, loaded only when a schedule asks for it",
    ("matchmaker/meetings/agenda.py", "fpdf"):
        "PDFs only; without fpdf2 the pages' print version is the fallback",
    ("matchmaker/serve.py", "gunicorn.http"): "gunicorn exists where it runs (not on Windows)",
    ("matchmaker/serve.py", "gunicorn.app.base"): "gunicorn exists where it runs (not on Windows)",
    ("matchmaker/serve.py", "waitress"): "the fallback server, only where gunicorn cannot run",
}


def test_the_layer_contracts_hold(capsys):
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle():
    assert _cycles(grimp.build_graph("matchmaker")) == []


def test_the_cycle_check_sees_a_cycle():
    class Graph:
        modules = {"a", "b", "c"}
        edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}

        def find_modules_directly_imported_by(self, module):
            return self.edges[module]

    assert _cycles(Graph()) == [["a", "b"]]


def _function_level_imports() -> set[tuple[str, str]]:
    found = set()
    for path in sorted((ROOT / "matchmaker").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    found.add((str(path.relative_to(ROOT)), node.module or ""))
                elif isinstance(node, ast.Import):
                    found.update((str(path.relative_to(ROOT)), a.name) for a in node.names)
    return found


def test_imports_inside_functions_are_only_the_deferred_ones():
    assert _function_level_imports() - set(DEFERRED) == set()
