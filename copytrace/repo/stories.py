"""Stories and which documents are in them (what a batch's story groups change: ``copytrace.attribution.stories``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from copytrace.orm import Document, Story, utcnow
from copytrace.repo.sql import NO_SYNC


def new_stories(session: Session, titles: Sequence[str | None]) -> list[int]:
    """Start a story for each title: their ids, in order (one statement for all)."""
    if not titles:
        return []
    now = utcnow()
    rows = [{"title": (t or None) and t[:500], "created_at": now} for t in titles]
    return list(session.scalars(insert(Story).returning(Story.id, sort_by_parameter_order=True), rows))


def set_stories(session: Session, story_of: dict[int, int]) -> None:
    """Put each document in its story (one executemany for all)."""
    if story_of:
        session.execute(update(Document), [{"id": d, "story_id": s} for d, s in story_of.items()])


def story_members(session: Session, document_ids: Sequence[int]) -> dict[int, list[int]]:
    """Every document of the stories these documents are in, by story, in id order."""
    if not document_ids:
        return {}
    stories = select(Document.story_id).where(Document.id.in_(list(document_ids)), Document.story_id.is_not(None))
    rows = session.execute(
        select(Document.story_id, Document.id).where(Document.story_id.in_(stories)).order_by(Document.id)
    )
    out: dict[int, list[int]] = {}
    for story_id, doc_id in rows:
        out.setdefault(story_id, []).append(doc_id)
    return out


def merge_stories(session: Session, keep: int, others: Iterable[int]) -> None:
    others = [o for o in others if o != keep]
    if others:
        session.execute(
            update(Document).where(Document.story_id.in_(others)).values(story_id=keep), execution_options=NO_SYNC
        )
