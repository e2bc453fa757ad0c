"""One document: its label and confidence, the chain to its root, how the direction was decided, and
the copy beside its source (matched passages aligned, differences marked, wrapper lines flagged).

Every scraped string (titles, locators, texts, wrapper lines) goes into the page as a text child,
which the browser shows literally: nothing from a page is ever read as HTML or Markdown.
"""

from __future__ import annotations

import json
from typing import Any

from dash import dcc, html
from sqlalchemy import Engine

from copytrace.reports.provenance import describe_direction
from dashboard.alignment import Row, align, diff
from dashboard.filters import LOCAL, Filters
from dashboard.pages.common import hours, section
from dashboard.queries import fetch
from dashboard.tables import cell, data_table

CHAIN_LIMIT = 50  # hops followed towards the root; a longer chain is cut and says so
SEARCH_ROWS = 100
KIND_NAMES = {"match": "matched passages", "wrapper": "wrapper lines", "unmatched": "unmatched stretches"}


def _doc_ref(row: dict[str, Any]) -> html.Span:
    return html.Span(
        [
            dcc.Link(f"#{row['document_id']}", href=f"/doc/{row['document_id']}"),
            f" {row['label'] or 'pending'} on {row['site'] or LOCAL}",
        ]
    )


def chain(engine: Engine, row: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The document and each it derives from, up to its root; True when cut at CHAIN_LIMIT."""
    out, seen = [row], {row["document_id"]}
    while out[-1]["derived_from_id"] is not None and out[-1]["derived_from_id"] not in seen:
        if len(out) > CHAIN_LIMIT:
            return out, True
        found = fetch(engine, "document", document=out[-1]["derived_from_id"])
        if not found:
            break
        out.append(found[0])
        seen.add(found[0]["document_id"])
    return out, False


def _facts(row: dict[str, Any]) -> html.Table:
    label = row["label"] or "pending (not classified yet)"
    if row["corrected_label"]:
        when = cell(row["corrected_at"])
        label += f" (corrected by {row['corrected_by']} on {when}; the classifier said {row['model_label']})"
    facts = [
        ("label", label),
        (
            "confidence",
            "" if row["confidence"] is None else f"{row['confidence']:.2f} (model {row['model_version'] or '?'})",
        ),
        ("locator", row["locator"]),
        ("site", row["site"] or LOCAL),
        ("seen", cell(row["seen_at"])),
        ("published (as the page says)", cell(row["published_at"])),
    ]
    body = [html.Tr([html.Th(k), html.Td(v)]) for k, v in facts]
    if row["story_id"] is not None:
        body.append(
            html.Tr(
                [
                    html.Th("story"),
                    html.Td(dcc.Link(f"story {row['story_id']}", href=f"/story?story={row['story_id']}")),
                ]
            )
        )
    return html.Table(html.Tbody(body), id="doc-facts", className="grid facts")


def _direction(engine: Engine, document_id: int) -> list[Any]:
    found = fetch(engine, "evidence", document=document_id)
    if not found:
        return [html.P("no classification stored yet", className="muted")]
    try:
        evidence = json.loads(found[0]["evidence"] or "{}")
    except ValueError:
        evidence = {}
    way = evidence.get("direction") or {}
    out: list[Any] = [
        html.P(f"pair class {found[0]['pair_class']}, classified by {found[0]['reason']}", className="muted")
    ]
    if way:
        out.append(html.P(describe_direction(way), id="direction-line"))
        out.append(
            html.Table(
                html.Tbody([html.Tr([html.Th(k), html.Td(str(v))]) for k, v in way.items()]),
                id="direction-table",
                className="grid facts",
            )
        )
    else:
        out.append(html.P("no direction evidence: an original, or a label that needed none", id="direction-line"))
    reasons = evidence.get("reasons") or []
    if reasons:
        out.append(html.Ul([html.Li(str(r)) for r in reasons], id="reasons"))
    return out


def _runs(runs: list[tuple[str, bool]], cls: str) -> list[Any]:
    return [html.Mark(text, className=cls) if differs else text for text, differs in runs]


def _aligned_row(row: Row) -> html.Tr:
    if row.kind == "wrapper":
        return html.Tr(
            [
                html.Td(row.copy, className="text"),
                html.Td("injected wrapper line: not in the source", className="note"),
                html.Td("wrapper"),
            ],
            className="wrapper",
        )
    if row.kind == "unmatched":
        return html.Tr(
            [html.Td(row.copy, className="text"), html.Td("no source passage matched", className="note"), html.Td("")],
            className="unmatched",
        )
    copy_runs, source_runs = diff(row.copy, row.source or "")
    how = f"{row.match_kind} {row.score:.2f}" if row.score is not None else str(row.match_kind)
    return html.Tr(
        [
            html.Td(_runs(copy_runs, "added"), className="text"),
            html.Td(_runs(source_runs, "dropped"), className="text"),
            html.Td(how, className="how"),
        ],
        className="match",
    )


def side_by_side(engine: Engine, row: dict[str, Any], source: dict[str, Any] | None) -> list[Any]:
    texts = fetch(engine, "text", document=row["document_id"])
    body = texts[0]["body"] if texts else ""
    if source is None:
        return [
            html.P("no source: this document is an original (the root of its chain)", className="muted"),
            html.Pre(body, id="doc-text", className="text"),
        ]
    passages = fetch(engine, "passages", document=row["document_id"])
    wrappers = fetch(engine, "wrappers", document=row["document_id"])
    rows = align(body, passages, wrappers)
    head = html.Tr([html.Th(["copy ", _doc_ref(row)]), html.Th(["source ", _doc_ref(source)]), html.Th("match")])
    legend = html.P(
        [
            html.Mark("added or changed in the copy", className="added"),
            " ",
            html.Mark("in the source, not in the copy", className="dropped"),
            " ",
            html.Span("wrapper line (injected)", className="legend-wrapper"),
            " ",
            ", ".join(f"{sum(r.kind == k for r in rows)} {name}" for k, name in KIND_NAMES.items()),
        ],
        className="legend",
    )
    out: list[Any] = [
        legend,
        html.Table(
            [html.Thead(head), html.Tbody([_aligned_row(r) for r in rows])], id="alignment", className="grid alignment"
        ),
    ]
    if not passages:
        source_text = fetch(engine, "text", document=source["document_id"])
        out[1:] = [
            html.P("no matched passages stored for this copy: both texts in full", className="muted"),
            html.Table(
                html.Tbody(
                    html.Tr(
                        [
                            html.Td(body, className="text"),
                            html.Td(source_text[0]["body"] if source_text else "", className="text"),
                        ]
                    )
                ),
                id="alignment",
                className="grid alignment",
            ),
        ]
    return out


def render(engine: Engine, document_id: int) -> list[Any]:
    found = fetch(engine, "document", document=document_id)
    if not found:
        return [section("Document", html.P(f"no document #{document_id}", id="doc-missing"))]
    row = found[0]
    links, cut = chain(engine, row)
    source = links[1] if len(links) > 1 else None
    steps: list[Any] = []
    for i, link in enumerate(links):
        steps.append(
            html.Li(
                _doc_ref(link)
                if i
                else html.Span(f"this document: {row['label'] or 'pending'} on {row['site'] or LOCAL}")
            )
        )
    if cut:
        steps.append(html.Li(f"… chain longer than {CHAIN_LIMIT} documents, cut here"))
    delay = None
    if source is not None and row["seen_at"] and links[-1]["seen_at"]:
        delay = (row["seen_at"] - links[-1]["seen_at"]).total_seconds()
    copies = fetch(engine, "derived", document=document_id)
    return [
        html.H2(row["title"] or row["locator"], id="doc-title"),
        html.Div(
            [
                section("Label", _facts(row)),
                section(
                    "Chain to its root",
                    html.Ol(steps, id="doc-chain"),
                    html.P(f"seen {hours(delay)} after its root" if delay is not None else "", className="muted"),
                ),
                section("Direction evidence", *_direction(engine, document_id)),
            ],
            className="columns",
        ),
        section("The copy beside its source", *side_by_side(engine, row, source)),
        section(
            f"Copies made from this document ({len(copies)})",
            data_table(
                "doc-copies",
                copies,
                ["document_id", "seen_at", "site", "label", "title"],
                links={"document_id": "doc"},
                wide=("title",),
            ),
        ),
    ]


def search(engine: Engine, filters: Filters, query: str) -> list[Any]:
    """Documents whose locator or URL is ``query``, or whose title or locator contains it."""
    q = query.strip()
    rows = fetch(engine, "search", filters, exact=q, pattern=f"%{q.lower()}%", limit=SEARCH_ROWS) if q else []
    exact = [r for r in rows if r["locator"] == q]
    if len(exact) == 1:
        return render(engine, exact[0]["document_id"])
    return [
        section(
            f"Documents matching “{q}”" if q else "Find a document",
            html.P(
                f"{len(rows)} found" + (f" (the first {SEARCH_ROWS})" if len(rows) == SEARCH_ROWS else "")
                if q
                else "Search by locator, URL or words of the title (box at the top).",
                className="muted",
            ),
            data_table(
                "search-results",
                rows,
                ["document_id", "seen_at", "site", "label", "title", "locator"],
                links={"document_id": "doc"},
                wide=("title",),
            ),
            query="search",
        )
    ]
