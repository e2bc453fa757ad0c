"""Alembic migrations and the SQL views that form the dashboard contract."""

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent
VIEWS_DIR = SQL_DIR / "views"


def read_view(name: str) -> str:
    """The CREATE VIEW statement of ``sql/views/<name>.sql``."""
    return (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8")
