"""The Dash app: layout built per page load (fresh numbers on reload) and two selection callbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import Dash, Input, Output, dcc, html
from sqlalchemy import Engine

from copytrace.db import engine_for
from copytrace.redact import redact_url
from dashboard.figures import daily_figure, delay_figure, story_figure
from dashboard.queries import fetch

TOP_SITES = 10
LATEST_SPAM = 10


def table(rows: list[dict[str, Any]], columns: list[str], table_id: str) -> html.Table:
    """A plain HTML table: readable without JavaScript and by a browser test."""
    return html.Table(
        id=table_id,
        className="grid",
        children=[
            html.Thead(html.Tr([html.Th(c) for c in columns])),
            html.Tbody([html.Tr([html.Td(_cell(r[c])) for c in columns]) for r in rows]),
        ],
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _section(title: str, *children: Any) -> html.Section:
    return html.Section([html.H2(title), *children])


def layout(engine: Engine, database: str) -> html.Div:
    stories = fetch(engine, "stories")
    spam = fetch(engine, "latest_spam", limit=LATEST_SPAM)
    return html.Div(
        className="page",
        children=[
            html.H1("copytrace: scraped copies and where they come from"),
            html.P(f"database: {database} (read through the views of docs/schema.md only)", className="muted"),
            _section(
                "Copies per day by label", dcc.Graph(id="daily-chart", figure=daily_figure(fetch(engine, "daily")))
            ),
            _section(
                "Top copying sites",
                table(
                    fetch(engine, "top_sites", limit=TOP_SITES),
                    ["site", "copies", "full_copies", "rewrites", "excerpts", "spam_wrapped", "share_spam_wrapped"],
                    "top-sites",
                ),
            ),
            _section("Time to copy", dcc.Graph(id="delay-chart", figure=delay_figure(fetch(engine, "delays")))),
            _section(
                "Provenance of one story",
                dcc.Dropdown(
                    id="story-picker",
                    options=[
                        {"label": f"story {s['story_id']} ({s['documents']} documents)", "value": s["story_id"]}
                        for s in stories
                    ],
                    value=stories[0]["story_id"] if stories else None,
                    clearable=False,
                ),
                dcc.Graph(id="story-graph"),
            ),
            _section(
                "Latest spam-wrapped copies",
                table(spam, ["document_id", "site", "seen_at", "locator", "derived_from_locator"], "latest-spam"),
                html.H3("Matched passages, copy beside source"),
                dcc.Dropdown(
                    id="spam-picker",
                    options=[{"label": f"#{s['document_id']} {s['locator']}", "value": s["document_id"]} for s in spam],
                    value=spam[0]["document_id"] if spam else None,
                    clearable=False,
                ),
                html.Div(id="passages"),
            ),
        ],
    )


def create_app(url: str) -> Dash:
    """The dashboard over the database at ``url`` (the migrations must have run)."""
    engine = engine_for(url)
    database = redact_url(url)
    app = Dash(__name__, title="copytrace dashboard")
    app.layout = lambda: layout(engine, database)

    @app.callback(Output("story-graph", "figure"), Input("story-picker", "value"))
    def show_story(story_id: int | None):
        return story_figure(fetch(engine, "story", story=story_id) if story_id is not None else [])

    @app.callback(Output("passages", "children"), Input("spam-picker", "value"))
    def show_passages(document_id: int | None):
        rows = fetch(engine, "passages", document=document_id) if document_id is not None else []
        if not rows:
            return html.P("no matched passages stored for this copy", className="muted")
        return table(rows, ["copy_passage", "source_passage", "kind", "score"], "passage-table")

    return app
