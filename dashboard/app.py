"""The Dash app: a page shell (navigation, search, the shared filters) and the page the URL names.

The URL is the state: the path names the page (``/``, ``/doc/<id>``, ``/story``, ``/sources``,
``/networks``, ``/quality``), the query string the filters. One callback keeps the filter controls
and the query string in step both ways (a circular callback must be one callback); another renders
the page whenever either part of the URL changes, so every view can be linked or reloaded.
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, ctx, dcc, html, no_update
from sqlalchemy import Engine

from copytrace.db import engine_for
from copytrace.redact import redact_url
from dashboard.filters import LABELS, LOCAL, Filters, params, parse, to_search
from dashboard.pages import articles, document, networks, overview, quality, story
from dashboard.queries import fetch

PAGES = {
    "/": ("Overview", overview.render),
    "/sources": ("Our articles", articles.render),
    "/networks": ("Spam networks", networks.render),
    "/story": ("Stories", story.render),
    "/quality": ("Corrections and model quality", quality.render),
}
CONTROLS = (
    "f-dates.start_date",
    "f-dates.end_date",
    "f-labels.value",
    "f-sites.value",
    "f-story.value",
    "f-conf.value",
)


def _filter_bar(engine: Engine) -> html.Div:
    sites = [r["site"] for r in fetch(engine, "site_names")]
    return html.Div(
        id="filters",
        className="filters",
        children=[
            html.Label(
                [
                    "seen",
                    dcc.DatePickerRange(
                        id="f-dates",
                        display_format="YYYY-MM-DD",
                        clearable=True,
                        start_date_placeholder_text="from",
                        end_date_placeholder_text="to",
                    ),
                ]
            ),
            html.Label(
                ["label", dcc.Dropdown(id="f-labels", options=list(LABELS), multi=True, placeholder="any label")],
                className="wide",
            ),
            html.Label(
                ["site", dcc.Dropdown(id="f-sites", options=[LOCAL, *sites], multi=True, placeholder="any site")],
                className="wide",
            ),
            html.Label(
                [
                    "story",
                    dcc.Dropdown(
                        id="f-story",
                        options=story.story_options(engine, Filters()),
                        placeholder="any story",
                        optionHeight=48,
                    ),
                ],
                className="widest",
            ),
            html.Label(
                [
                    "confidence ≥",
                    dcc.Input(id="f-conf", type="number", min=0, max=1, step=0.05, debounce=True, placeholder="0–1"),
                ],
                className="narrow",
            ),
            dcc.Link("clear", id="f-clear", href="?"),
        ],
    )


def _nav(pathname: str, search: str) -> list[Any]:
    links: list[Any] = []
    for path, (name, _) in PAGES.items():
        active = pathname == path or (path == "/story" and pathname.startswith("/story"))
        links.append(dcc.Link(name, href=path + search, className="active" if active else ""))
    return links


def layout(engine: Engine, database: str) -> html.Div:
    return html.Div(
        className="page",
        children=[
            dcc.Location(id="url", refresh=False),
            html.Div(
                className="header",
                children=[
                    html.H1("copytrace"),
                    html.Nav(id="nav", children=_nav("/", "")),
                    html.Form(
                        action="/doc",
                        method="get",
                        className="search",
                        children=[
                            dcc.Input(
                                id="doc-search",
                                name="q",
                                type="search",
                                placeholder="locator, URL or title words",
                                style={"width": "260px"},
                            ),
                            html.Button("find document", type="submit"),
                        ],
                    ),
                ],
            ),
            _filter_bar(engine),
            html.P(f"database: {database} (read through the views of docs/schema.md only)", className="muted small"),
            dcc.Loading(html.Div(id="page"), delay_show=400),
        ],
    )


def render_page(engine: Engine, pathname: str, search: str) -> list[Any]:
    """The page the URL names (also what the bench times, without a browser)."""
    filters = parse(search)
    if pathname.startswith("/doc/"):
        tail = pathname.removeprefix("/doc/").strip("/")
        return document.render(engine, int(tail)) if tail.isdigit() else [html.P("no such document", id="doc-missing")]
    if pathname.rstrip("/") == "/doc":
        return document.search(engine, filters, params(search).get("q", ""))
    if pathname not in PAGES:
        return [html.P(f"no page {pathname}: see the links above", id="not-found")]
    return PAGES[pathname][1](engine, filters, search)


def create_app(url: str) -> Dash:
    """The dashboard over the database at ``url`` (the migrations must have run)."""
    engine = engine_for(url)
    database = redact_url(url)
    app = Dash(__name__, title="copytrace dashboard", suppress_callback_exceptions=True)
    app.layout = lambda: layout(engine, database)

    @app.callback(
        Output("url", "search"),
        *[Output(*c.split(".")) for c in CONTROLS],
        Input("url", "search"),
        *[Input(*c.split(".")) for c in CONTROLS],
    )
    def sync_filters(search, start, end, labels, sites, story_id, conf):
        if ctx.triggered_id in (None, "url"):  # the URL was loaded or changed: the controls follow it
            f = parse(search)
            return (no_update, f.start, f.end, list(f.labels), list(f.sites), f.story, f.min_confidence)
        chosen = Filters(
            start=(start or "")[:10] or None,
            end=(end or "")[:10] or None,
            labels=tuple(labels or ()),
            sites=tuple(sites or ()),
            story=story_id,
            min_confidence=conf if isinstance(conf, int | float) and 0 <= conf <= 1 else None,
        )
        new = to_search(chosen, keep=params(search))
        return (new if new != (search or "") else no_update, *[no_update] * len(CONTROLS))

    @app.callback(
        Output("page", "children"), Output("nav", "children"), Input("url", "pathname"), Input("url", "search")
    )
    def show_page(pathname, search):
        pathname, search = pathname or "/", search or ""
        return render_page(engine, pathname, search), _nav(pathname, to_search(parse(search)))

    return app
