"""Classifications (one current a document, the earlier ones kept as history) with their matched
spans and wrapper segments, and what reading the current ones back needs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from copytrace.attribution.types import Decision
from copytrace.index.fingerprints import words
from copytrace.orm import Classification, Document, MatchedSpan, TextBlob, WrapperSegment, utcnow
from copytrace.repo.sql import NO_SYNC, dialect_name, one_of


def add_classification(
    session: Session, document_id: int, *, model_version_id: int | None, flow_run_id: str | None, **fields: Any
) -> int:
    """``add_classifications`` of one; ``fields`` are those of ``Decision``."""
    row = Decision(document_id, **fields)
    return add_classifications(session, [row], model_version_id=model_version_id, flow_run_id=flow_run_id)[document_id]


def add_classifications(
    session: Session,
    rows: Sequence[Decision],
    *,
    model_version_id: int | None,
    flow_run_id: str | None,
) -> dict[int, int]:
    """Make new classifications current (one a document; the previous ones stay as history), with
    their matched spans and wrapper segments: the new classification id of each document.

    A few statements for all of them: a flush a classification would be a large share of classifying
    a batch (figures in docs/performance.md, "Figures behind rules in the code")."""
    if not rows:
        return {}
    session.execute(
        update(Classification)
        .where(Classification.is_current, Classification.document_id.in_([r.document_id for r in rows]))
        .values(is_current=False),
        execution_options=NO_SYNC,
    )
    now = utcnow()
    table = Classification.__table__
    values = [
        {
            "document_id": r.document_id,
            "label": r.label,
            "pair_class": r.pair_class,
            "confidence": float(r.confidence),
            "derived_from_id": r.derived_from_id,
            "root_id": r.root_id,
            "model_version_id": model_version_id,
            "evidence": {k: v for k, v in r.evidence.items() if k not in ("spans", "wrapper_segments")},
            "reason": r.reason,
            "is_current": True,
            "flow_run_id": flow_run_id,
            "created_at": now,
        }
        for r in rows
    ]
    stmt = table.insert().returning(table.c.id, table.c.document_id)
    ids = {document_id: cid for cid, document_id in session.execute(stmt, values)}
    spans = [
        {
            "classification_id": ids[r.document_id],
            "copy_start": int(s["copy_start"]),
            "copy_end": int(s["copy_end"]),
            "source_start": int(s["source_start"]),
            "source_end": int(s["source_end"]),
            "kind": str(s.get("kind", "verbatim")),
            "score": float(s.get("score", 1.0)),
        }
        for r in rows
        for s in r.evidence.get("spans", [])
    ]
    segments = [
        {
            "classification_id": ids[r.document_id],
            "start": int(g["start"]),
            "end": int(g["end"]),
            "text": str(g["text"]),
            "fingerprint": segment_fingerprint(str(g["text"])),
        }
        for r in rows
        for g in r.evidence.get("wrapper_segments", [])
    ]
    if spans:
        session.execute(MatchedSpan.__table__.insert(), spans)
    if segments:
        session.execute(WrapperSegment.__table__.insert(), segments)
    return ids


def segment_fingerprint(text: str) -> str:
    """Hash of a wrapper segment's words, so one template reads the same on every site that uses it."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def last_classification_id(session: Session) -> int | None:
    """The latest classification written: a batch planned on a snapshot compares it at write time
    to see whether anything was classified meanwhile."""
    return session.scalar(select(func.max(Classification.id)))


def current_classifications(session: Session, document_ids: Iterable[int]) -> dict[int, Row]:
    """The current classification of each of these documents that has one, as a row of what
    attribution reads (``document_id``, ``derived_from_id``, ``pair_class``): not the ORM object,
    whose evidence (spans, segments, features) would be read and parsed for every candidate."""
    ids = list(document_ids)
    if not ids:
        return {}
    rows = session.execute(_current_query(dialect_name(session)), {"ids": ids})
    return {row.document_id: row for row in rows}


@lru_cache(maxsize=2)
def _current_query(dialect: str):
    return select(Classification.document_id, Classification.derived_from_id, Classification.pair_class).where(
        Classification.is_current, one_of(Classification.document_id, "ids", dialect)
    )


def title_sources(
    session: Session, document_ids: Sequence[int]
) -> dict[int, tuple[str | None, str, list[tuple[int, int]]]]:
    """What a copy's displayed title is made of (``copytrace.reports.titles.display_title``): its own title,
    its text, and the spans its current classification matched to its source."""
    ids = list(document_ids)
    if not ids:
        return {}
    docs = session.execute(
        select(Document.id, Document.title, TextBlob.body)
        .join(TextBlob, TextBlob.id == Document.text_id)
        .where(Document.id.in_(ids))
    ).all()
    spans: dict[int, list[tuple[int, int]]] = {}
    for doc_id, start, end in session.execute(
        select(Classification.document_id, MatchedSpan.copy_start, MatchedSpan.copy_end)
        .join(MatchedSpan, MatchedSpan.classification_id == Classification.id)
        .where(Classification.is_current, Classification.document_id.in_(ids))
    ):
        spans.setdefault(doc_id, []).append((start, end))
    return {doc_id: (title, body, spans.get(doc_id, [])) for doc_id, title, body in docs}


def current_reasons(session: Session, document_ids: Sequence[int]) -> dict[int, list[str]]:
    """The reasons the current classification of each document gives (its evidence's ``reasons``)."""
    ids = list(document_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Classification.document_id, Classification.evidence).where(
            Classification.is_current, Classification.document_id.in_(ids)
        )
    )
    return {doc_id: list((evidence or {}).get("reasons", [])) for doc_id, evidence in rows}


def children_of(session: Session, document_ids: Sequence[int]) -> list[int]:
    """Documents whose current classification derives from one of these."""
    if not document_ids:
        return []
    stmt = select(Classification.document_id).where(
        Classification.is_current, Classification.derived_from_id.in_(list(document_ids))
    )
    return list(session.scalars(stmt))


def set_root(session: Session, document_ids: Sequence[int], root_id: int | None) -> None:
    """Point the current classifications of a re-rooted chain at its new root."""
    if document_ids:
        session.execute(
            update(Classification)
            .where(Classification.is_current, Classification.document_id.in_(list(document_ids)))
            .values(root_id=root_id),
            execution_options=NO_SYNC,
        )
