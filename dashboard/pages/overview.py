"""The overview: copies per day, copying sites, time to copy and the documents themselves."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from sqlalchemy import Engine

from dashboard.figures import daily_figure, delay_figure
from dashboard.filters import Filters
from dashboard.pages.common import section
from dashboard.queries import delays, fetch
from dashboard.tables import data_table

DOCUMENT_ROWS = 1000  # the newest documents listed (and exported); narrower filters list the rest


def render(engine: Engine, filters: Filters, _search: str) -> list[Any]:
    sites = fetch(engine, "sites", filters)
    for s in sites:
        s["share_spam_wrapped"] = s["spam_wrapped"] / s["copies"] if s["copies"] else 0.0
    total = fetch(engine, "count_documents", filters)[0]["documents"]
    documents = fetch(engine, "documents", filters, limit=DOCUMENT_ROWS)
    shown = f"{len(documents):,} of {total:,} documents" + (
        f" (the {DOCUMENT_ROWS:,} latest seen; narrow the filters for the rest)" if total > len(documents) else ""
    )
    return [
        section(
            "Copies per day by label",
            dcc.Graph(id="daily-chart", figure=daily_figure(fetch(engine, "daily", filters))),
            query="daily",
        ),
        section(
            "Copying sites",
            data_table(
                "top-sites",
                sites,
                [
                    "site",
                    "copies",
                    "full_copies",
                    "rewrites",
                    "excerpts",
                    "spam_wrapped",
                    "share_spam_wrapped",
                    "originals_copied",
                    "first_seen_at",
                    "last_seen_at",
                ],
            ),
            query="sites",
        ),
        section(
            "Time to copy",
            dcc.Graph(id="delay-chart", figure=delay_figure(delays(engine, filters))),
            query="delay_documents",
        ),
        section(
            "Documents",
            html.P(shown, id="documents-count", className="muted"),
            data_table(
                "documents",
                documents,
                [
                    "document_id",
                    "seen_at",
                    "site",
                    "label",
                    "model_label",
                    "confidence",
                    "derived_from_id",
                    "story_id",
                    "title",
                ],
                names={"document_id": "document", "derived_from_id": "derived from", "story_id": "story"},
                links={"document_id": "doc", "derived_from_id": "doc", "story_id": "story"},
                wide=("title",),
            ),
            query="documents",
        ),
    ]
