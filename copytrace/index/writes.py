"""Rows into the candidate index: a document's fingerprints, and the term counts kept beside them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import BigInteger, String, bindparam, case, delete, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from copytrace.orm import Fingerprint, TermFrequency
from copytrace.repo.sql import dialect_insert, supported_dialect


def add_fingerprints(session: Session, rows: Sequence[tuple[int, str, int]]) -> None:
    """Insert candidate-index rows (document id, kind, value), skipping any already there.

    A batch has tens of thousands. Given to a Core insert as dicts, each row's parameters would be
    built in Python, which takes about as long as the database takes to insert them; so the rows go to
    the driver as they are: SQLite's executemany, and on PostgreSQL three arrays in one statement."""
    if not rows:
        return
    if supported_dialect(session) == "postgresql":
        documents, kinds, values = (list(column) for column in zip(*rows, strict=True))
        session.execute(_fingerprint_arrays_insert(), {"documents": documents, "kinds": kinds, "values": values})
    else:
        session.connection().exec_driver_sql(_FINGERPRINT_INSERT_QMARK, list(rows))


_FINGERPRINT_INSERT_QMARK = (
    "INSERT INTO fingerprints (document_id, kind, value) VALUES (?, ?, ?) "
    "ON CONFLICT (kind, value, document_id) DO NOTHING"
)


@lru_cache(maxsize=1)
def _fingerprint_arrays_insert():
    return text(
        "INSERT INTO fingerprints (document_id, kind, value) "
        "SELECT * FROM unnest(:documents, :kinds, :values) "
        "ON CONFLICT (kind, value, document_id) DO NOTHING"
    ).bindparams(
        bindparam("documents", type_=postgresql.ARRAY(BigInteger)),
        bindparam("kinds", type_=postgresql.ARRAY(String)),
        bindparam("values", type_=postgresql.ARRAY(BigInteger)),
    )


def count_terms(session: Session, document_ids: Sequence[int], sign: int = 1) -> None:
    """Add these stored documents' signature terms to ``term_frequencies`` (``sign=-1`` takes them back).

    Called once per stored batch, not per document: one statement whose rows come in value order,
    so concurrent batches on PostgreSQL lock the shared rows of common terms in one order (no
    deadlock) and hold them only from the end of the batch to its commit."""
    ids = list(document_ids)
    if not ids:
        return
    counted = term_counts(ids, sign)
    table = TermFrequency.__table__
    stmt = dialect_insert(session, table).from_select(["value", "documents"], counted)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["value"], set_={"documents": table.c.documents + stmt.excluded.documents}
        )
    )
    if sign < 0:
        session.execute(delete(TermFrequency).where(TermFrequency.documents <= 0))


def term_counts(document_ids: Sequence[int], sign: int = 1):
    """(value, ``sign`` × documents carrying it) of these documents' signature terms, in value order.

    The kind is tested in the aggregate, not in WHERE: given ``kind = 'term'`` to match, SQLite
    picks the (kind, value) index and reads every term posting in the store instead of the batch's
    own rows by document, which dominates a batch's time in a large store."""
    is_term = case((Fingerprint.kind == "term", 1), else_=0)
    return (
        select(Fingerprint.value, (func.sum(is_term) * sign).label("documents"))
        .where(Fingerprint.document_id.in_(list(document_ids)))
        .group_by(Fingerprint.value)
        .having(func.sum(is_term) > 0)
        .order_by(Fingerprint.value)
    )
