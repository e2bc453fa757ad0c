"""Scraped copies: storing them (each text once, indexed in the same transaction) and reading them back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from copytrace.index.fingerprints import fingerprint_rows
from copytrace.index.writes import add_fingerprints
from copytrace.orm import Classification, Document, TextBlob, utcnow
from copytrace.repo.sql import dialect_insert, dialect_name, insert_ignore, one_of

LOCATOR_MAX = 2000  # the longest locator or landing path the documents and ingest_errors tables hold
TITLE_MAX = 1000


def stored_path(path: str) -> str:
    """``path`` as the tables hold it: unchanged up to ``LOCATOR_MAX`` characters; a longer one cut,
    with the sha256 of the whole path appended, so that it still fits on every database and still
    names exactly one file (a re-run must find it read, and two long paths must not collide)."""
    if len(path) <= LOCATOR_MAX:
        return path
    digest = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{path[: LOCATOR_MAX - len(digest) - 1]}…{digest}"


@dataclass(frozen=True)
class NewCopy:
    locator: str
    text: str
    sha256: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    fetched_at: datetime | None = None
    source_path: str | None = None
    published_at: datetime | None = None


def add_document(session: Session, copy: NewCopy, flow_run_id: str | None) -> int | None:
    """Store one scraped copy; None when it was already stored (``add_documents`` of one)."""
    return add_documents(session, [copy], flow_run_id)[0]


def add_documents(session: Session, copies: Sequence[NewCopy], flow_run_id: str | None) -> list[int | None]:
    """Store scraped copies (each text once, their index fingerprints): the new document id of each
    copy, None for one already stored (or repeated earlier in ``copies``).

    A few statements for the whole list, not a few per copy: one copy at a time, statement overhead
    would be most of the time spent storing."""
    if not copies:
        return []
    # Texts go in key order, documents in the order given (the landing folder's sorted order): two
    # PostgreSQL batches storing the same copies at once wait for each other's unique keys in one
    # order, never in a cycle (a deadlock).
    blobs = {c.sha256: {"sha256": c.sha256, "body": c.text, "n_chars": len(c.text)} for c in copies}
    insert_ignore(session, TextBlob.__table__, [blobs[k] for k in sorted(blobs)], ["sha256"])
    text_ids = dict(session.execute(select(TextBlob.sha256, TextBlob.id).where(TextBlob.sha256.in_(list(blobs)))).all())
    now = utcnow()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for c in copies:  # the first of repeated copies is the one stored
        rows.setdefault(
            (c.locator, c.sha256),
            {
                "locator": c.locator,
                "sha256": c.sha256,
                "text_id": text_ids[c.sha256],
                "title": (c.title or None) and c.title[:TITLE_MAX],
                "url": c.url,
                "site": c.site,
                "fetched_at": c.fetched_at,
                "published_at": c.published_at,
                "source_path": c.source_path and stored_path(c.source_path),
                "flow_run_id": flow_run_id,
                "created_at": now,
            },
        )
    table = Document.__table__
    stmt = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["locator", "sha256"])
        .returning(table.c.id, table.c.locator, table.c.sha256)
    )
    new = {(locator, sha): doc_id for doc_id, locator, sha in session.execute(stmt, list(rows.values()))}
    ids: list[int | None] = []
    fingerprints = []
    for c in copies:
        doc_id = new.pop((c.locator, c.sha256), None)
        ids.append(doc_id)
        if doc_id is not None:
            fingerprints += [(doc_id, k, v) for k, v in fingerprint_rows(c.text)]
    add_fingerprints(session, fingerprints)
    return ids


def pending_document_ids(session: Session, limit: int | None = None) -> list[int]:
    """Documents stored but not yet classified (e.g. a run killed between storing and classifying)."""
    current = select(Classification.document_id).where(Classification.is_current)
    stmt = select(Document.id).where(Document.id.not_in(current)).order_by(Document.id)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def pending_sources(session: Session) -> list[tuple[int, str | None]]:
    """(id, source_path) of every document stored but not yet classified, in id order."""
    current = select(Classification.document_id).where(Classification.is_current)
    stmt = select(Document.id, Document.source_path).where(Document.id.not_in(current)).order_by(Document.id)
    return [(doc_id, path) for doc_id, path in session.execute(stmt)]


def documents_by_id(session: Session, ids: Iterable[int]) -> list[Row]:
    """These documents, in id order, as rows of what attributing them reads: ``id``, ``locator``,
    ``title``, ``site``, ``fetched_at``, ``published_at``, ``story_id`` and ``text``. Rows, not ORM objects: a batch
    reads a thousand or more (its own and its candidates), and building an object and its text's
    object for each would be most of the time."""
    ids = list(ids)
    if not ids:
        return []
    return list(session.execute(_documents_query(dialect_name(session)), {"ids": ids}))


@lru_cache(maxsize=2)
def _documents_query(dialect: str):
    return (
        select(
            Document.id,
            Document.locator,
            Document.title,
            Document.site,
            Document.fetched_at,
            Document.published_at,
            Document.story_id,
            TextBlob.body.label("text"),
        )
        .join(TextBlob, Document.text_id == TextBlob.id)
        .where(one_of(Document.id, "ids", dialect))
        .order_by(Document.id)
    )


def last_document_id(session: Session) -> int:
    """The latest document stored (0: none)."""
    return session.scalar(select(func.max(Document.id))) or 0
