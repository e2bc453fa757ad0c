"""Operator corrections: a person's label for a document overrides the classifier's everywhere.

The views read the latest correction per document (``latest_corrections``), so ``copy_provenance.label``
and every dashboard show the corrected label while ``model_label`` keeps what the classifier said.
The same corrections are the labelled pairs the training flow learns from next time.
Plain functions over one Session; they never commit: the caller owns the unit of work.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from copytrace.orm import CORRECTION_LABELS, Classification, Correction, Document, TextBlob, utcnow


class CorrectionError(ValueError):
    """A correction that cannot be stored, with a message fit for one line of CLI output."""


def default_who() -> str:
    """Who is correcting: ``$USER``, else the login name the OS reports."""
    return os.environ.get("USER") or getpass.getuser()


def find_document_id(session: Session, locator: str) -> int:
    """The document stored at ``locator`` (a landing path may be given relative to the current folder).

    A locator re-scraped with a different text holds several documents; the most recent one is meant.
    """
    candidates = {locator, str(Path(locator).resolve())}
    stmt = select(Document.id).where(Document.locator.in_(candidates)).order_by(Document.id.desc()).limit(1)
    document_id = session.scalar(stmt)
    if document_id is None:
        raise CorrectionError(f"no stored document has locator {locator!r}")
    return document_id


def add_correction(
    session: Session, locator: str, label: str, note: str | None = None, who: str | None = None
) -> Correction:
    """Record that the document at ``locator`` is ``label``; it becomes the document's effective label."""
    if label not in CORRECTION_LABELS:
        raise CorrectionError(f"label {label!r} is not one of: {', '.join(CORRECTION_LABELS)}")
    row = Correction(
        document_id=find_document_id(session, locator),
        label=label,
        note=note or None,
        who=who or default_who(),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def corrections_for_training(session: Session) -> list[dict[str, Any]]:
    """Labelled pairs from the corrections in force: ``{id, source_id, source, copy, label, model_label}``.

    ``source`` is the text of the document the copy derives from (what the classifier compared it with),
    ``label`` the operator's label, ``model_label`` the classifier's. A corrected document that derives
    from nothing (an original) gives no pair: there is no source text to pair it with.
    """
    latest = select(func.max(Correction.id)).group_by(Correction.document_id)
    copy_doc, source_doc = aliased(Document), aliased(Document)
    copy_text, source_text = aliased(TextBlob), aliased(TextBlob)
    stmt = (
        select(
            Correction.document_id,
            Classification.derived_from_id,
            source_text.body,
            copy_text.body,
            Correction.label,
            Classification.label,
        )
        .join(Classification, (Classification.document_id == Correction.document_id) & Classification.is_current)
        .join(copy_doc, copy_doc.id == Correction.document_id)
        .join(copy_text, copy_text.id == copy_doc.text_id)
        .join(source_doc, source_doc.id == Classification.derived_from_id)
        .join(source_text, source_text.id == source_doc.text_id)
        .where(Correction.id.in_(latest))
        .order_by(Correction.document_id)
    )
    keys = ("id", "source_id", "source", "copy", "label", "model_label")
    return [dict(zip(keys, row, strict=True)) for row in session.execute(stmt)]
