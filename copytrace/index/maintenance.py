"""Keeping the candidate index fit: rebuilding stored documents' rows, refreshing planner statistics."""

from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from copytrace.index.fingerprints import fingerprint_rows
from copytrace.index.writes import add_fingerprints, count_terms
from copytrace.orm import Document, Fingerprint
from copytrace.repo.locks import lock_attribution
from copytrace.repo.sql import dialect_name


def reindex(session: Session, after_id: int, limit: int) -> list[int]:
    """Rebuild the candidate-index rows of up to ``limit`` documents with ids above ``after_id``.

    For stores indexed before a change in how fingerprints are chosen; returns the ids done, so a
    caller walks the store in batches, one transaction each (an interrupted run resumes anywhere).
    """
    docs = list(session.scalars(select(Document).where(Document.id > after_id).order_by(Document.id).limit(limit)))
    if not docs:
        return []
    ids = [d.id for d in docs]
    count_terms(session, ids, sign=-1)
    session.execute(delete(Fingerprint).where(Fingerprint.document_id.in_(ids)))
    add_fingerprints(session, [(d.id, k, v) for d in docs for k, v in fingerprint_rows(d.text)])
    count_terms(session, ids)
    return ids


STALE_STATISTICS = 0.2  # share of the candidate index changed since its last ANALYZE
STALE_STATISTICS_MIN = 5000


def refresh_index_statistics(session: Session) -> bool:
    """ANALYZE the candidate index on PostgreSQL when it changed a lot since its planner statistics
    were taken; True when it did.

    A store grown in one run (a first ingest, a backlog) has no statistics yet, because autovacuum
    gets to it only after the run: the planner then scans every shingle posting instead of looking
    the values up, several times slower a candidate query. The rule is
    autovacuum's own (rows changed against a share of the table), applied where the queries need it.
    Workers ANALYZE one at a time (two at once on one table make PostgreSQL fail one of them): the
    attribution lock is taken for it, only when it is due.
    """
    if dialect_name(session) != "postgresql":
        return False
    row = session.execute(
        text("SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables WHERE relname = 'fingerprints'")
    ).first()
    if row is None or row[0] < max(STALE_STATISTICS_MIN, STALE_STATISTICS * row[1]):
        return False
    lock_attribution(session)
    session.execute(text("ANALYZE fingerprints"))
    return True
