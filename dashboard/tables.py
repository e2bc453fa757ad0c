"""Tables: every one sortable and exportable as CSV (Dash DataTable), scraped text shown literally.

Cells are plain text: the table renders them as text, never as HTML or Markdown. Only the link
columns are Markdown, and they are built here from integer ids, so no scraped text reaches them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import dash_table

from dashboard.filters import LOCAL, parse, to_search

PAGE_SIZE = 15


def cell(value: Any, column: str = "") -> Any:
    if value is None:
        return LOCAL if column == "site" else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def doc_link(document_id: int | None) -> str:
    return "" if document_id is None else f"[#{int(document_id)}](/doc/{int(document_id)})"


def story_link(story_id: int | None, search: str = "") -> str:
    """The story's page, under the same filters (its story being this one)."""
    if story_id is None:
        return ""
    return f"[story {int(story_id)}](/story{to_search(parse(search).with_story(int(story_id)))})"


def original_link(original_id: int | None, search: str = "") -> str:
    """Our-articles page with this original's copies by site and label, under the same filters."""
    if original_id is None:
        return ""
    joiner = "&" if search else "?"
    return f"[by site](/sources{search}{joiner}original={int(original_id)})"


def data_table(
    table_id: str,
    rows: list[dict[str, Any]],
    columns: list[str],
    *,
    names: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
    page_size: int = PAGE_SIZE,
    wide: tuple[str, ...] = (),
    search: str = "",
) -> dash_table.DataTable:
    """``links`` maps a column to "doc", "story" or "original": its integer ids become links to that
    page (a column named in ``links`` but not in the rows reads the ``original_id``); story and
    original links keep the filters of ``search``."""
    links = links or {}
    makers = {
        "doc": doc_link,
        "story": lambda v: story_link(v, search),
        "original": lambda v: original_link(v, search),
    }
    data = [
        {c: makers[links[c]](r.get(c, r.get("original_id"))) if c in links else cell(r[c], c) for c in columns}
        for r in rows
    ]
    return dash_table.DataTable(
        id=table_id,
        data=data,
        columns=[
            {
                "name": (names or {}).get(c, c.replace("_", " ")),
                "id": c,
                **({"presentation": "markdown"} if c in links else {}),
            }
            for c in columns
        ],
        sort_action="native",
        export_format="csv",
        export_headers="display",
        page_action="native",
        page_size=page_size,
        markdown_options={"link_target": "_self", "html": False},
        style_table={"overflowX": "auto"},
        style_cell={
            "textAlign": "left",
            "fontSize": "13px",
            "padding": "3px 6px",
            "whiteSpace": "normal",
            "height": "auto",
            "maxWidth": "360px",
            "overflow": "hidden",
            "textOverflow": "ellipsis",
        },
        style_cell_conditional=[{"if": {"column_id": c}, "minWidth": "220px"} for c in wide],
        style_header={"fontWeight": "600", "backgroundColor": "#f0f0f0"},
    )
