"""A story: the documents about one event and how they derive from each other, readable at hundreds
of documents (the first few drawn with "more", or collapsed into one node per site or per label)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html
from sqlalchemy import Engine

from dashboard.figures import STORY_LIMIT, copy_kind, grouped_story_figure, story_figure
from dashboard.filters import Filters, params, to_search
from dashboard.pages.common import section
from dashboard.queries import fetch
from dashboard.tables import data_table

GROUPS = {"documents": "each document", "site": "one node per site", "label": "one node per label"}


def story_options(engine: Engine, filters: Filters) -> list[dict[str, Any]]:
    """The story picker's entries: headline (the first original's title), documents and copies."""
    rows = fetch(engine, "stories", filters.with_story(None))
    return [
        {
            "label": f"{(r['headline'] or 'untitled')[:90]} — {r['documents']} documents, {r['copies']} copies"
            f" (story {r['story_id']})",
            "value": r["story_id"],
        }
        for r in rows
    ]


def _link(search: str, **changes: Any) -> str:
    p = params(search)
    p.update({k: str(v) for k, v in changes.items()})
    return "/story?" + urlencode(p, safe=",")


def render(engine: Engine, filters: Filters, search: str) -> list[Any]:
    if filters.story is None:
        stories = fetch(engine, "stories", filters)
        return [
            section(
                "Stories",
                html.P("Pick a story in the filter bar, or open one here.", className="muted"),
                data_table(
                    "stories-table",
                    stories,
                    ["story_id", "headline", "documents", "copies", "last_seen_at", "site"],
                    names={"story_id": "story", "site": "headline's site"},
                    links={"story_id": "story"},
                    wide=("headline",),
                ),
                query="stories",
            )
        ]
    p = params(search)
    group = p.get("group", "documents") if p.get("group") in GROUPS else "documents"
    limit = int(p["n"]) if p.get("n", "").isdigit() and int(p["n"]) > 0 else STORY_LIMIT
    rows = fetch(engine, "story", filters, story=filters.story)
    kinds = Counter(copy_kind(r["label"], r["derived_from_id"] is None) for r in rows)
    summary = f"{len(rows)} documents: " + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
    if group == "documents":
        figure = story_figure(rows, limit)
        drawn = min(limit, len(rows))
        more = [
            html.Span(
                f"showing {drawn} of {len(rows)} documents: the largest chain first, from its start outwards",
                className="muted",
            )
        ]
        if drawn < len(rows):
            more += [
                " ",
                dcc.Link(f"more (+{STORY_LIMIT})", id="story-more", href=_link(search, n=limit + STORY_LIMIT)),
                " ",
                dcc.Link("all", href=_link(search, n=len(rows))),
            ]
    else:
        figure = grouped_story_figure(rows, group)
        more = []
    switch = [
        html.Span("draw: "),
        *[
            item
            for g, name in GROUPS.items()
            for item in (
                [html.B(name)] if g == group else [dcc.Link(name, href=_link(search, group=g), id=f"group-{g}")]
            )
            + [" · "]
        ][:-1],
    ]
    return [
        section(
            "Provenance of the story",
            html.P(summary, id="story-summary"),
            html.P(switch, className="switch"),
            html.P(more),
            dcc.Graph(id="story-graph", figure=figure, config={"displaylogo": False}),
            query="story",
        ),
        section(
            "Its documents",
            data_table(
                "story-documents",
                rows,
                ["document_id", "seen_at", "site", "label", "model_label", "derived_from_id", "title"],
                names={"document_id": "document", "derived_from_id": "derived from"},
                links={"document_id": "doc", "derived_from_id": "doc"},
                wide=("title",),
            ),
        ),
        html.P(dcc.Link("all stories", href="/story" + to_search(filters.with_story(None)))),
    ]
