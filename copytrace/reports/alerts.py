"""What the spam-wrapped spike alert lists: exactly the triggering run's spam-wrapped copies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from copytrace.repo import classifications
from copytrace.reports.provenance import provenance_rows
from copytrace.reports.titles import display_title


def spam_wrapped_findings(
    session: Session, flow_run_id: str | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """The spam-wrapped copies classified by run ``flow_run_id`` (else: since ``since``), as findings
    (``copytrace.reports.artifacts.findings_markdown``) with each copy's article title and one reason."""
    if flow_run_id:
        where, params = "WHERE label = 'spam-wrapped' AND flow_run_id = :run", {"run": flow_run_id}
    else:
        where, params = "WHERE label = 'spam-wrapped' AND classified_at >= :since", {"since": since}
    rows = provenance_rows(session, where, params)
    titles = classifications.title_sources(session, [r["document_id"] for r in rows])
    reasons = classifications.current_reasons(session, [r["document_id"] for r in rows])
    return [
        {
            "document_id": r["document_id"],
            "locator": r["locator"],
            "site": r["site"] or "",
            "title": display_title(*titles[r["document_id"]]) if r["document_id"] in titles else (r["title"] or ""),
            "label": r["label"],
            "confidence": r["confidence"] or 0.0,
            "source": r["derived_from_locator"] or "",
            "reasons": reasons.get(r["document_id"], [])[:1],
        }
        for r in rows
    ]
