"""The layering rules: flows → tasks → models / copytrace, no import cycles, and nothing heavy at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

TOP_LEVEL = {"copytrace", "flows", "tasks", "models", "sql"}
# Every package of the project: the import graph is built over all of them.
PACKAGES = ("copytrace", "models", "tasks", "flows", "sql", "dashboard")
CLI = "copytrace/cli/"  # the command line: the one part of copytrace that may start flows
FLOW_RUNNERS = {"copytrace/cli/runners.py"}  # within the CLI, the one module that imports flows


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (REPO / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("models", {"prefect", "sqlalchemy", "copytrace", "flows", "tasks", "alembic"}),
        # scikit-learn only in models/: the layers above hold fitted models, they do not fit or score
        ("copytrace", {"prefect", "flows", "tasks", "sklearn"}),
        ("tasks", {"flows", "sklearn"}),
        ("flows", {"sklearn"}),
        ("dashboard", {"sklearn"}),
        ("sql", {"prefect", "flows", "tasks", "sklearn"}),
    ],
)
def test_imports_only_go_down(package: str, forbidden: set[str]) -> None:
    offenders = {path: sorted(names & forbidden) for path, names in _imports(package).items() if names & forbidden}
    if package == "copytrace":  # the CLI may reach Prefect and flows, lazily, inside commands
        offenders = {path: names for path, names in offenders.items() if not path.startswith(CLI)}
    assert offenders == {}


def test_only_the_cli_imports_flows() -> None:
    """Nothing beneath the flows starts one: only the command line does, from one module."""
    importers = {
        path
        for package in PACKAGES
        if package != "flows"
        for path, names in _imports(package).items()
        if "flows" in names
    }
    assert {path for path in importers if not path.startswith(CLI)} == set()
    assert importers <= FLOW_RUNNERS, f"in the CLI only {sorted(FLOW_RUNNERS)} may import flows: {sorted(importers)}"


# ------------------------------------------------------------------------------------------------ cycles


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports, anywhere in it (module level or inside a function,
    absolute or relative). ``from package import name`` is an edge to ``package.name`` when that is a
    module, else to the package; an import of a name that is no module of the project is an edge to the
    closest enclosing module that is."""
    files = {_module_name(p): p for package in PACKAGES for p in (REPO / package).rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package
                    for _ in range(node.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    name = f"{base}.{alias.name}"
                    targets.add(name if name in files else known(base))
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (each holds at least one cycle), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_sees_relative_and_lazy_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    modules = import_graph()
    assert "flows.ingest_copies" in modules["copytrace.cli.runners"]  # imported inside a function
    assert "copytrace.ingest.read" in modules["copytrace.ingest"]  # from copytrace.ingest.read import ...


def test_no_import_cycles_among_the_projects_modules() -> None:
    graph = import_graph()
    cycles = import_cycles(graph)
    shown = ["; ".join(f"{m} → {sorted(graph[m] & set(c))}" for m in c) for c in cycles]
    assert cycles == [], "\n".join(shown)


# ------------------------------------------------------------------------------------------------ flows


def _is_task_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return (isinstance(target, ast.Name) and target.id == "task") or (
        isinstance(target, ast.Attribute) and target.attr == "task"
    )


SESSION_NAMES = {"session", "Session", "session_factory", "sessionmaker"}
SESSION_MODULES = {"sqlalchemy", "copytrace.db"}


def _used_names(tree: ast.AST) -> set[str]:
    """Every name a module reads, reaches by attribute or imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def _imported_modules(tree: ast.AST) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("path", sorted((REPO / "flows").glob("*.py")), ids=lambda p: p.name)
def test_flows_define_no_task_and_open_no_session(path: Path) -> None:
    """A flow sequences tasks: each task lives in tasks/, and a database session only inside a task."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tasks = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and any(_is_task_decorator(d) for d in node.decorator_list)
    ]
    assert tasks == [], f"tasks defined in {path.name}: {tasks}"
    assert not _used_names(tree) & SESSION_NAMES, f"{path.name} uses {sorted(_used_names(tree) & SESSION_NAMES)}"
    database = {m for m in _imported_modules(tree) if m in SESSION_MODULES or m.split(".")[0] in SESSION_MODULES}
    assert not database, f"{path.name} imports {sorted(database)}"


# ------------------------------------------------------------------------------------------------ packages


def test_no_flow_or_task_module_shadows_a_top_level_package() -> None:
    """Prefect puts flows/ first on sys.path: ``flows/models.py`` would hide the real ``models``."""
    for folder in ("flows", "tasks"):
        stems = {p.stem for p in (REPO / folder).glob("*.py")}
        assert not (stems & TOP_LEVEL), f"{folder}/ has modules named like top-level packages: {stems & TOP_LEVEL}"


def test_importing_the_packages_starts_nothing() -> None:
    """No engine, no model load, no Prefect server at import time: importing everything is quick and quiet."""
    code = (
        "import copytrace.cli.app, copytrace.pipeline.classifying, copytrace.pipeline.storing, models;"
        "import flows.ingest_copies, flows.train_classifier, flows.daily_report, flows.spike_alert;"
        "import sqlalchemy.pool as p; import sys;"
        "from copytrace import db; assert db.engine_for.cache_info().currsize == 0;"
        "from copytrace import scoring; assert scoring.load_scorer.cache_info().currsize == 0"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
