"""Spam networks: sites tied together by the wrapper templates they share (the spam_networks view)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dash import dcc, html
from sqlalchemy import Engine

from copytrace.reports.networks import site_groups
from dashboard.figures import network_growth_figure
from dashboard.filters import Filters
from dashboard.pages.common import section
from dashboard.queries import fetch
from dashboard.tables import data_table

TELLTALE_LINES = 3


def networks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sites joined whenever they share a template (connected components), largest first."""
    out = []
    for members in site_groups(rows):
        site_first: dict[str, Any] = {}
        site_copies: dict[str, int] = defaultdict(int)
        for r in members:
            site_first[r["site"]] = min(filter(None, (site_first.get(r["site"]), r["first_seen_at"])))
            site_copies[r["site"]] = max(site_copies[r["site"]], r["copies"])
        templates = {r["fingerprint"]: r["template_text"] for r in members}
        out.append(
            {
                "sites": len(site_first),
                "site_names": ", ".join(sorted(site_first)),
                "templates": len(templates),
                "copies": sum(site_copies.values()),
                "first_seen_at": min(r["first_seen_at"] for r in members),
                "last_seen_at": max(r["last_seen_at"] for r in members),
                "telltale_lines": " | ".join(sorted(templates.values(), key=len, reverse=True)[:TELLTALE_LINES]),
                "site_first_seen": site_first,
            }
        )
    out.sort(key=lambda n: (-n["sites"], -n["copies"], n["site_names"]))
    for i, n in enumerate(out, 1):
        n["network"] = i
        n["name"] = f"network {i} ({n['sites']} sites)"
    return out


def render(engine: Engine, filters: Filters, _search: str) -> list[Any]:
    rows = fetch(engine, "networks", filters)
    found = networks(rows)
    return [
        section(
            "Spam networks",
            html.P(
                f"{len(found)} networks of sites sharing wrapper templates, {len({r['site'] for r in rows})} sites",
                id="networks-count",
                className="muted",
            ),
            data_table(
                "networks",
                found,
                [
                    "network",
                    "sites",
                    "copies",
                    "templates",
                    "first_seen_at",
                    "last_seen_at",
                    "telltale_lines",
                    "site_names",
                ],
                names={"copies": "copies (most per site and template, summed)", "telltale_lines": "tell-tale lines"},
                wide=("telltale_lines", "site_names"),
            ),
            query="networks",
        ),
        section(
            "Growth: sites seen using each network's templates",
            dcc.Graph(id="network-growth", figure=network_growth_figure(found)),
            query="networks",
        ),
        section(
            "Templates and the sites using them",
            data_table(
                "network-sites",
                rows,
                ["site", "network_sites", "copies", "first_seen_at", "last_seen_at", "template_text"],
                names={"network_sites": "sites using the template"},
                wide=("template_text",),
            ),
            query="networks",
        ),
    ]
