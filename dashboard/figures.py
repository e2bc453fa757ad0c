"""Plotly figures built from view rows: plain functions, so they are tested without a browser."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import plotly.graph_objects as go

from dashboard.filters import LOCAL

LABEL_COLOURS = {
    "original": "#2e7d32",
    "full copy": "#66bb6a",
    "rewrite": "#1565c0",
    "excerpt": "#f9a825",
    "spam-wrapped": "#c62828",
    None: "#9e9e9e",
}
SOURCES = "original"  # a document deriving from none: a source, never counted as a copy
STORY_LIMIT = 40  # documents drawn before "more" is asked for: beyond this the labels overlap


def copy_kind(label: str | None, is_source: bool) -> str:
    """What a document is in a chart of copies: a copy labelled ``original`` is a full copy."""
    if is_source:
        return SOURCES
    return "full copy" if label == "original" else (label or "pending")


def _layout(fig: go.Figure, **kwargs: Any) -> go.Figure:
    fig.update_layout(margin={"l": 50, "r": 20, "t": 30, "b": 40}, height=kwargs.pop("height", 340), **kwargs)
    return fig


def daily_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Copies seen per UTC day, stacked by label, on a date axis; originals a line of their own."""
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        by_kind[copy_kind(r["label"], bool(r["is_source"]))][r["day"]] += int(r["documents"])
    fig = go.Figure()
    for kind in ("full copy", "excerpt", "rewrite", "spam-wrapped", "pending"):
        if kind in by_kind:
            days = by_kind[kind]
            fig.add_trace(go.Bar(name=kind, x=list(days), y=list(days.values()), marker_color=LABEL_COLOURS.get(kind)))
    if SOURCES in by_kind:
        days = dict(sorted(by_kind[SOURCES].items()))
        fig.add_trace(
            go.Scatter(
                name="originals (sources, not copies)",
                x=list(days),
                y=list(days.values()),
                mode="lines+markers",
                line={"color": LABEL_COLOURS["original"], "width": 1.5},
                marker={"size": 4},
            )
        )
    return _layout(
        fig,
        barmode="stack",
        xaxis={"type": "date", "title": "day seen (UTC)"},
        yaxis_title="documents",
        legend={"orientation": "h", "y": 1.12},
    )


def delay_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Histogram of hours from the original being seen to each copy being seen, per label."""
    by_label: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_label[copy_kind(r["label"], False)].append(r["delay_seconds"] / 3600)
    fig = go.Figure(
        [go.Histogram(name=label, x=hours, marker_color=LABEL_COLOURS.get(label)) for label, hours in by_label.items()]
    )
    return _layout(
        fig,
        barmode="stack",
        xaxis_title="hours after the original",
        yaxis_title="copies",
        legend={"orientation": "h", "y": 1.12},
    )


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


def node_label(r: dict[str, Any]) -> str:
    return f"{r['site'] or LOCAL} · {copy_kind(r['label'], r['derived_from_id'] is None)}"


def shown_documents(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The ``limit`` documents drawn first: the largest chain first, each from its start outwards
    (a source always before its copies), the copies that were copied most before the others."""
    ids = {r["document_id"] for r in rows}
    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        children[r["derived_from_id"] if r["derived_from_id"] in ids else None].append(r)
    size: dict[int, int] = {}

    def count(doc: int) -> int:
        stack, total = [doc], 0
        while stack:
            node = stack.pop()
            total += 1
            stack.extend(c["document_id"] for c in children.get(node, []))
        return total

    for r in rows:
        size[r["document_id"]] = count(r["document_id"])

    def key(r: dict[str, Any]) -> tuple:
        seen = r.get("seen_at")
        return (-size[r["document_id"]], seen is None, seen if seen is not None else 0, r["document_id"])

    order: list[dict[str, Any]] = []
    for root in sorted(children[None], key=key):
        queue = [root]
        while queue and len(order) < limit:
            node = queue.pop(0)
            order.append(node)
            queue.extend(sorted(children.get(node["document_id"], []), key=key))
        if len(order) >= limit:
            break
    return order


def _arrow(start: tuple[float, float], end: tuple[float, float], width: float = 1.5) -> dict[str, Any]:
    """An arrow annotation; figures set them all at once (adding one at a time is slow by the hundred)."""
    return {
        "x": end[0],
        "y": end[1],
        "ax": start[0],
        "ay": start[1],
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 3,
        "arrowwidth": width,
        "arrowcolor": "#888",
        "standoff": 8,
        "startstandoff": 8,
    }


def story_figure(rows: list[dict[str, Any]], limit: int | None = None) -> go.Figure:
    """The story as a graph: each document a node (coloured by label, named by site and label), an
    arrow from source to copy. Only the first ``limit`` documents are drawn."""
    drawn = shown_documents(rows, limit) if limit is not None else rows
    depths = _depths(drawn)
    column_fill: dict[int, int] = defaultdict(int)
    pos: dict[int, tuple[int, int]] = {}
    for r in drawn:
        depth = depths[r["document_id"]]
        pos[r["document_id"]] = (depth, -column_fill[depth])
        column_fill[depth] += 1
    fig = go.Figure()
    fig.update_layout(
        annotations=[
            _arrow(pos[r["derived_from_id"]], pos[r["document_id"]]) for r in drawn if r["derived_from_id"] in pos
        ]
    )
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in drawn:
        by_label[copy_kind(r["label"], r["derived_from_id"] is None)].append(r)
    for label, docs in by_label.items():
        fig.add_trace(
            go.Scatter(
                name=label,
                x=[pos[d["document_id"]][0] for d in docs],
                y=[pos[d["document_id"]][1] for d in docs],
                mode="markers+text",
                text=[node_label(d) for d in docs],
                textposition="middle right",
                customdata=[
                    [d["document_id"], d["locator"], d["model_label"], d.get("corrected_by") or ""] for d in docs
                ],
                hovertemplate="#%{customdata[0]} %{customdata[1]}<br>label: "
                + label
                + "<br>classifier said: %{customdata[2]}<br>corrected by: %{customdata[3]}<extra></extra>",
                marker={"size": 14, "color": LABEL_COLOURS.get(label)},
            )
        )
    hidden = {"visible": False}
    tallest = max(column_fill.values(), default=1)
    width = max(depths.values(), default=0)
    return _layout(
        fig,
        height=max(340, 26 * tallest + 80),
        xaxis={**hidden, "range": [-0.3, width + 0.9]},
        yaxis={**hidden, "range": [-tallest + 0.5, 0.8]},
        legend={"orientation": "h", "y": 1.02},
    )


def grouped_story_figure(rows: list[dict[str, Any]], by: str) -> go.Figure:
    """The story collapsed: one node per site (``by="site"``) or per label (``by="label"``), its size
    the documents in it, an arrow per pair of groups a copy links, as wide as the copies it carries."""
    key = (
        (lambda r: r["site"] or LOCAL)
        if by == "site"
        else (lambda r: copy_kind(r["label"], r["derived_from_id"] is None))
    )
    group = {r["document_id"]: key(r) for r in rows}
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        members[group[r["document_id"]]].append(r)
    depths = _depths(rows)
    # a group stands where most of its documents stand in their chains (the earlier on a tie)
    column = {
        g: min(Counter(depths[r["document_id"]] for r in docs).most_common(), key=lambda c: (-c[1], c[0]))[0]
        for g, docs in members.items()
    }
    order = sorted(members, key=lambda g: (column[g], -len(members[g]), g))
    fill: dict[int, int] = defaultdict(int)
    pos: dict[str, tuple[int, int]] = {}
    for g in order:
        pos[g] = (column[g], -fill[column[g]])
        fill[column[g]] += 1
    links = Counter(
        (group[r["derived_from_id"]], group[r["document_id"]])
        for r in rows
        if r["derived_from_id"] in group and group[r["derived_from_id"]] != group[r["document_id"]]
    )
    fig = go.Figure()
    fig.update_layout(annotations=[_arrow(pos[a], pos[b], width=1 + math.log2(n)) for (a, b), n in links.items()])
    labels = [
        f"{g} ({len(members[g])}: "
        + ", ".join(
            f"{n} {k}"
            for k, n in Counter(copy_kind(r["label"], r["derived_from_id"] is None) for r in members[g]).most_common(3)
        )
        + ")"
        for g in order
    ]
    fig.add_trace(
        go.Scatter(
            name=by,
            x=[pos[g][0] for g in order],
            y=[pos[g][1] for g in order],
            mode="markers+text",
            text=labels,
            textposition="middle right",
            customdata=[[g, len(members[g])] for g in order],
            hovertemplate="%{customdata[0]}: %{customdata[1]} documents<extra></extra>",
            marker={
                "size": [10 + 4 * math.sqrt(len(members[g])) for g in order],
                "color": [LABEL_COLOURS.get(_commonest(members[g]), "#607d8b") for g in order],
            },
        )
    )
    hidden = {"visible": False}
    tallest = max(fill.values(), default=1)
    return _layout(
        fig,
        height=max(340, 30 * tallest + 80),
        showlegend=False,
        xaxis={**hidden, "range": [-0.3, max(column.values(), default=0) + 1.2]},
        yaxis={**hidden, "range": [-tallest + 0.5, 0.8]},
    )


def _commonest(docs: list[dict[str, Any]]) -> str:
    return Counter(copy_kind(r["label"], r["derived_from_id"] is None) for r in docs).most_common(1)[0][0]


def network_growth_figure(networks: list[dict[str, Any]]) -> go.Figure:
    """Per network, how many of its sites had been seen using its templates by each day."""
    fig = go.Figure()
    for net in networks:
        joined = sorted(net["site_first_seen"].values())
        fig.add_trace(
            go.Scatter(
                name=net["name"],
                x=joined,
                y=list(range(1, len(joined) + 1)),
                mode="lines+markers",
                line={"shape": "hv"},
            )
        )
    return _layout(
        fig,
        xaxis={"type": "date", "title": "first seen using the template (UTC)"},
        yaxis_title="sites in the network",
        legend={"orientation": "h", "y": 1.12},
    )


def metric(metrics: str | None, name: str) -> float | None:
    try:
        value = json.loads(metrics or "{}").get(name)
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def quality_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Each model version's macro F1 (from its stored metrics) and the share of its labels operators corrected."""
    x: list[datetime] = [r["created_at"] for r in rows]
    fig = go.Figure(
        [
            go.Scatter(
                name="macro F1 (stored metrics)",
                x=x,
                y=[metric(r["metrics"], "macro_f1") for r in rows],
                mode="lines+markers+text",
                text=[r["version"] for r in rows],
                textposition="top center",
            ),
            go.Scatter(
                name="share of its labels corrected", x=x, y=[r["correction_rate"] for r in rows], mode="lines+markers"
            ),
        ]
    )
    return _layout(
        fig,
        xaxis={"type": "date", "title": "registered"},
        yaxis={"range": [0, 1.05]},
        legend={"orientation": "h", "y": 1.12},
    )
