"""The layering rules: flows → tasks → models / copytrace, and nothing heavy at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOP_LEVEL = {"copytrace", "flows", "tasks", "models", "sql"}


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
        ("copytrace", {"prefect", "flows", "tasks"}),
        ("tasks", {"flows"}),
        ("sql", {"prefect", "flows", "tasks"}),
    ],
)
def test_imports_only_go_down(package: str, forbidden: set[str]) -> None:
    offenders = {path: sorted(names & forbidden) for path, names in _imports(package).items() if names & forbidden}
    if package == "copytrace":  # the CLI and Prefect settings edge may reach flows, lazily, inside commands
        offenders.pop("copytrace/cli.py", None)
    assert offenders == {}


def test_no_flow_or_task_module_shadows_a_top_level_package() -> None:
    """Prefect puts flows/ first on sys.path: ``flows/models.py`` would hide the real ``models``."""
    for folder in ("flows", "tasks"):
        stems = {p.stem for p in (REPO / folder).glob("*.py")}
        assert not (stems & TOP_LEVEL), f"{folder}/ has modules named like top-level packages: {stems & TOP_LEVEL}"


def test_importing_the_packages_starts_nothing() -> None:
    """No engine, no model load, no Prefect server at import time: importing everything is quick and quiet."""
    code = (
        "import copytrace.cli, copytrace.pipeline, flows.ingest_copies, models;"
        "import sqlalchemy.pool as p; import sys;"
        "from copytrace import db; assert db.engine_for.cache_info().currsize == 0;"
        "from copytrace import scoring; assert scoring.load_scorer.cache_info().currsize == 0"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
