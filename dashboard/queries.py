"""Every query the dashboard runs. Each reads views only, never a table (tests/test_dashboard_queries.py checks)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text

QUERIES = {
    "daily": """
        SELECT day, label, SUM(copies) AS copies
        FROM daily_label_counts
        GROUP BY day, label
        ORDER BY day, label""",
    "top_sites": """
        SELECT site, copies, full_copies, rewrites, excerpts, spam_wrapped, share_spam_wrapped
        FROM copying_sites
        ORDER BY copies DESC, spam_wrapped DESC, site
        LIMIT :limit""",
    "delays": """
        SELECT document_id, label, delay_seconds
        FROM time_to_copy
        ORDER BY delay_seconds, document_id""",
    "stories": """
        SELECT story_id, COUNT(*) AS documents
        FROM copy_provenance
        WHERE story_id IS NOT NULL
        GROUP BY story_id
        ORDER BY COUNT(*) DESC, story_id""",
    "story": """
        SELECT document_id, locator, site, label, model_label, derived_from_id
        FROM copy_provenance
        WHERE story_id = :story
        ORDER BY document_id""",
    "latest_spam": """
        SELECT document_id, locator, site, seen_at, derived_from_locator
        FROM copy_provenance
        WHERE label = 'spam-wrapped'
        ORDER BY seen_at DESC, document_id DESC
        LIMIT :limit""",
    "passages": """
        SELECT copy_passage, source_passage, kind, score
        FROM matched_passages
        WHERE document_id = :document
        ORDER BY copy_start, span_id""",
}


def fetch(engine: Engine, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of query ``name`` as dicts, timestamps as UTC datetimes on both databases."""
    with engine.connect() as conn:
        return [
            {k: _timestamp(v) if k.endswith("_at") else v for k, v in row._mapping.items()}
            for row in conn.execute(text(QUERIES[name]), params)
        ]


def _timestamp(value: datetime | str | None) -> datetime | None:
    """SQLite returns the views' timestamps as ISO text in UTC, PostgreSQL as aware datetimes."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None
