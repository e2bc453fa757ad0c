"""The attribution lock: one transaction at a time writes classifications."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from copytrace.repo.sql import dialect_name

ATTRIBUTION_LOCK = 0x636F7079  # "copy": the advisory lock key that serialises attribution on PostgreSQL


def lock_attribution(session: Session) -> None:
    """Hold attribution to one transaction at a time, until this one ends.

    Two workers classifying at once would each miss the other's new documents as candidates
    and could both classify the same pending document. PostgreSQL: a transaction-level advisory
    lock. SQLite: a write statement as the transaction's first takes the database's single writer
    lock now (waiting up to the busy timeout), rather than failing later when a read upgrades.
    """
    if dialect_name(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ATTRIBUTION_LOCK})
    else:
        session.execute(text("UPDATE documents SET id = id WHERE 1 = 0"))
