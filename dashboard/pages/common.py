"""Pieces every page uses."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.queries import applies

FILTER_NAMES = {"day": "date", "label": "label", "site": "site", "story": "story", "confidence": "confidence"}


def section(title: str, *children: Any, query: str | None = None, section_id: str | None = None) -> html.Section:
    """A titled panel; with ``query``, a line saying which of the shared filters it honours."""
    note = []
    if query is not None:
        honoured = [FILTER_NAMES[f] for f in applies(query)]
        ignored = [n for k, n in FILTER_NAMES.items() if n not in honoured]
        text = "filters applied: " + (", ".join(honoured) or "none")
        if ignored:
            text += f" (not {', '.join(ignored)}: the view has no such column)"
        note = [html.P(text, className="muted filters-note")]
    return html.Section([html.H2(title), *note, *children], **({"id": section_id} if section_id else {}))


def hours(delta_seconds: float | None) -> str:
    if delta_seconds is None:
        return ""
    h = delta_seconds / 3600
    return f"{h:.1f} h" if abs(h) < 48 else f"{h / 24:.1f} d"
