"""Our articles: each original, who copied it, how and how fast (the source_copies view)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from sqlalchemy import Engine

from dashboard.figures import copy_kind
from dashboard.filters import Filters, params, to_search
from dashboard.pages.common import hours, section
from dashboard.queries import fetch
from dashboard.tables import data_table


def render(engine: Engine, filters: Filters, search: str) -> list[Any]:
    sources = fetch(engine, "sources", filters)
    for s in sources:
        first = s["first_seen_at"]
        s["hours_to_first_copy"] = (
            round((first - s["original_seen_at"]).total_seconds() / 3600, 1)
            if first and s["original_seen_at"]
            else None
        )
    p = params(search)
    chosen = int(p["original"]) if p.get("original", "").isdigit() else (sources[0]["original_id"] if sources else None)
    out = [
        section(
            "Our articles and their copies",
            html.P(
                f"{len(sources)} originals, {sum(s['copies'] > 0 for s in sources)} of them copied",
                id="sources-count",
                className="muted",
            ),
            data_table(
                "sources",
                sources,
                [
                    "original_id",
                    "spread",
                    "original_title",
                    "original_site",
                    "story_id",
                    "original_seen_at",
                    "copies",
                    "full_copies",
                    "rewrites",
                    "excerpts",
                    "spam_wrapped",
                    "sites",
                    "hours_to_first_copy",
                    "last_seen_at",
                ],
                names={"original_id": "original", "story_id": "story", "spread": "copies by site"},
                links={"original_id": "doc", "story_id": "story", "spread": "original"},
                search=to_search(filters),
                wide=("original_title",),
            ),
            query="sources",
        )
    ]
    if chosen is not None:
        spread = fetch(engine, "spread", filters, original=chosen)
        for r in spread:  # every row is a copy: one labelled original is a full copy
            r["label"] = copy_kind(r["label"], is_source=False)
        original = fetch(engine, "document", document=chosen)
        first = min((r["first_seen_at"] for r in spread if r["first_seen_at"]), default=None)
        seen = original[0]["seen_at"] if original else None
        delay = hours((first - seen).total_seconds()) if first and seen else "no copy"
        out.append(
            section(
                f"Copies of #{chosen} by site and label",
                html.P(
                    [
                        html.Span(original[0]["title"] or original[0]["locator"]) if original else "",
                        " · first copy: ",
                        delay,
                        " · ",
                        dcc.Link("its chain and text", href=f"/doc/{chosen}"),
                    ],
                    id="spread-head",
                ),
                data_table("spread", spread, ["site", "label", "copies", "first_seen_at"]),
                query="spread",
            )
        )
    return out
