"""The condition the shingle and term candidate statements share."""

from __future__ import annotations

from sqlalchemy import bindparam

from copytrace.orm import Fingerprint
from copytrace.repo.sql import one_of


def others_postings(kind: str, dialect: str) -> tuple:
    """Conditions of the candidate statements: postings of ``kind`` holding one of the bound
    ``values``, other than the bound ``document_id``'s own."""
    return (
        Fingerprint.kind == kind,
        one_of(Fingerprint.value, "values", dialect),
        Fingerprint.document_id != bindparam("document_id"),
    )
