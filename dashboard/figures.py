"""Plotly figures built from view rows: plain functions, so they are tested without a browser."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

LABEL_COLOURS = {
    "original": "#2e7d32",
    "rewrite": "#1565c0",
    "excerpt": "#f9a825",
    "spam-wrapped": "#c62828",
    None: "#9e9e9e",
}


def _layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    fig.update_layout(margin={"l": 50, "r": 20, "t": 30, "b": 40}, height=360, **kwargs)
    return fig


def daily_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Stacked bars: copies per day, one colour per label."""
    by_label: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        by_label[r["label"]][r["day"]] = int(r["copies"])
    fig = go.Figure(
        [
            go.Bar(name=label, x=list(days), y=list(days.values()), marker_color=LABEL_COLOURS.get(label))
            for label, days in by_label.items()
        ]
    )
    xaxis = {"type": "category", "categoryorder": "category ascending", "title": "day (UTC)"}
    return _layout(fig, barmode="stack", xaxis=xaxis, yaxis_title="copies")


def delay_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Histogram of hours from the original being seen to each copy being seen, per label."""
    by_label: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_label[r["label"]].append(r["delay_seconds"] / 3600)
    fig = go.Figure(
        [go.Histogram(name=label, x=hours, marker_color=LABEL_COLOURS.get(label)) for label, hours in by_label.items()]
    )
    return _layout(fig, barmode="stack", xaxis_title="hours after the original", yaxis_title="copies")


def _depths(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Distance of each document from the first document of its chain inside the story."""
    parent = {r["document_id"]: r["derived_from_id"] for r in rows}
    depths: dict[int, int] = {}
    for doc in parent:
        seen, node = [], doc
        while parent.get(node) in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        depths[doc] = len(seen)
    return depths


def story_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """The story as a graph: each document a node (coloured by label), an arrow from source to copy."""
    depths = _depths(rows)
    column_fill: dict[int, int] = defaultdict(int)
    pos: dict[int, tuple[int, int]] = {}
    for r in rows:
        depth = depths[r["document_id"]]
        pos[r["document_id"]] = (depth, -column_fill[depth])
        column_fill[depth] += 1
    fig = go.Figure()
    for r in rows:
        if r["derived_from_id"] in pos:
            (x0, y0), (x1, y1) = pos[r["derived_from_id"]], pos[r["document_id"]]
            fig.add_annotation(
                x=x1,
                y=y1,
                ax=x0,
                ay=y0,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=3,
                arrowwidth=1.5,
                standoff=14,
                startstandoff=14,
            )
    by_label: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_label[r["label"]].append(r)
    for label, docs in by_label.items():
        fig.add_trace(
            go.Scatter(
                name=label or "pending",
                x=[pos[d["document_id"]][0] for d in docs],
                y=[pos[d["document_id"]][1] for d in docs],
                mode="markers+text",
                text=[f"#{d['document_id']} {d['site'] or ''}" for d in docs],
                textposition="top center",
                customdata=[[d["document_id"], d["locator"], d["model_label"]] for d in docs],
                hovertemplate="#%{customdata[0]} %{customdata[1]}<br>classifier: %{customdata[2]}<extra></extra>",
                marker={"size": 22, "color": LABEL_COLOURS.get(label)},
            )
        )
    hidden = {"visible": False}
    return _layout(fig, xaxis={**hidden, "range": [-0.5, max(depths.values(), default=0) + 0.5]}, yaxis=hidden)
