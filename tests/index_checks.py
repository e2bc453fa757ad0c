"""What the candidate index holds, read back for tests: term counts against the postings they summarise."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from copytrace.orm import Fingerprint, TermFrequency


def term_counts(session: Session) -> dict[int, int]:
    return dict(session.execute(select(TermFrequency.value, TermFrequency.documents)).all())


def term_postings(session: Session) -> dict[int, int]:
    stmt = select(Fingerprint.value, func.count()).where(Fingerprint.kind == "term").group_by(Fingerprint.value)
    return dict(session.execute(stmt).all())
