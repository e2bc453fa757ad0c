"""Provenance read-backs: rows of the ``copy_provenance`` view (the dashboards' contract), how a copy's
direction was decided, and the recorded bad inputs. Reads views and tables, writes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

PROVENANCE_COLUMNS = (
    "document_id",
    "locator",
    "site",
    "title",
    "label",
    "confidence",
    "derived_from_id",
    "derived_from_locator",
    "root_id",
    "root_locator",
    "story_id",
    "model_version",
    "classified_at",
    "flow_run_id",
)


def provenance_rows(session: Session, where: str = "", params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows of the ``copy_provenance`` view (the dashboards' contract), ordered by document id."""
    sql = f"SELECT {', '.join(PROVENANCE_COLUMNS)} FROM copy_provenance {where} ORDER BY document_id"
    return [dict(r._mapping) for r in session.execute(text(sql), params or {})]


def direction_of(session: Session, document_id: int) -> dict[str, Any] | None:
    """How the direction of a copy's current derivation was decided (``models.direction``), if it has one."""
    from copytrace.orm import Classification  # the ORM only here: the rest of this module reads views

    evidence = session.scalar(
        select(Classification.evidence).where(
            Classification.document_id == document_id, Classification.is_current.is_(True)
        )
    )
    way = (evidence or {}).get("direction")
    return way or None


def describe_direction(way: dict[str, Any]) -> str:
    """One line saying which signal oriented a derivation, with its margin and what the text said."""
    by = way.get("decided_by", "?")
    what = {
        "published": "publication dates ({hours_apart} h apart)",
        "fetched": "fetch times ({hours_apart} h apart)",
        "classifier": "the classifier (one direction only reads as derived; margin {margin})",
        "style": "machine style (the copy reads as machine-rewritten; margin {margin})",
        "specifics": "specifics (the source holds names and numbers the copy lacks; margin {margin})",
        "fullness": "fullness (the fuller text taken as the source; no other signal decided)",
    }.get(by, by + " (margin {margin})")
    line = "direction by " + what.format(**{"hours_apart": "?", "margin": "?", **way})
    if "overruled" in way:
        line += f", overruling the {way['overruled']} dates (a verbatim derivation holds only against them)"
    if "contradicted_by" in way:
        line += f"; the text says otherwise ({way['contradicted_by']}, margin {way.get('contradiction_margin')})"
    if {"matched_first", "matched_second"} & set(way.get("style", {})):
        line += "; read on the whole texts and past the page furniture on a side (the part the other matches)"
    if "derived_other_way" in way:
        line += f"; the classifier found the derivation the other way round (P(derived) {way['derived_other_way']})"
    return line


def error_rows(session: Session, flow_run_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT path, locator, reason, detail, occurrences FROM ingest_errors"
    if flow_run_id:
        sql += " WHERE flow_run_id = :run"
    return [dict(r._mapping) for r in session.execute(text(sql + " ORDER BY path, reason"), {"run": flow_run_id})]
