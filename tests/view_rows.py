"""Read a view as plain, comparable rows, whichever database it comes from.

SQLite hands timestamps back as ISO text and booleans as 0/1; psycopg hands back aware datetimes
and bools. Both are the same instants and truths: this turns them into one form so rows compare.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from copytrace.db import engine_for


def normalise(column: str, value: Any) -> Any:
    if isinstance(value, str) and column.endswith("_at"):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, bool):
        value = int(value)
    return value


def query_rows(url: str, sql: str) -> list[dict[str, Any]]:
    with engine_for(url).connect() as conn:
        result = conn.execute(text(sql))
        return [{k: normalise(k, v) for k, v in row._mapping.items()} for row in result]


def view_rows(url: str, view: str) -> list[dict[str, Any]]:
    """Every row of ``view``, sorted so two databases' answers compare equal."""
    return sorted(query_rows(url, f"SELECT * FROM {view}"), key=lambda r: [(v is None, str(v)) for v in r.values()])
