"""The candidate index as one session sees it: where a copy's possible sources are looked up.

Every stored document is indexed in the transaction that stores it (``copytrace.repo.documents``
inserts its ``fingerprint_rows``; the caller counts a batch's terms once). A text's candidates are
the stored documents sharing the most of its rarest shingles (``shingles``), then those sharing the
most weight of its rarest signature terms (``terms``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from copytrace.index import maintenance, writes
from copytrace.index.shingles import ranked_by_shingles, rare_shingles
from copytrace.index.terms import TERM_LIMIT_FACTOR, document_frequencies, term_candidates, term_weights
from copytrace.orm import Fingerprint
from copytrace.repo.documents import last_document_id
from copytrace.repo.sql import dialect_name, one_of


class CandidateIndex:
    """``insert`` documents' fingerprints, ``query`` one text's candidate sources, ``query_batch``
    several texts' at once. Like the rest of the store it never commits: the caller owns the unit of
    work.

    An index holds nothing but its session. Its statements are built once a dialect for the whole
    process (the ``lru_cache`` builders of its modules), not once an index: an index is made for a
    session, and statements of its own would be built and prepared again for every batch."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def insert(self, rows: Sequence[tuple[int, str, int]]) -> None:
        """Add (document id, kind, value) rows, skipping any already there (``writes.add_fingerprints``)."""
        writes.add_fingerprints(self.session, rows)

    def count_terms(self, document_ids: Sequence[int], sign: int = 1) -> None:
        """Count these stored documents' terms in ``term_frequencies`` (``writes.count_terms``)."""
        writes.count_terms(self.session, document_ids, sign)

    def reindex(self, after_id: int, limit: int) -> list[int]:
        """Rebuild the rows of up to ``limit`` documents after ``after_id`` (``maintenance.reindex``)."""
        return maintenance.reindex(self.session, after_id, limit)

    def refresh_statistics(self) -> bool:
        """ANALYZE the index on PostgreSQL when due (``maintenance.refresh_index_statistics``)."""
        return maintenance.refresh_index_statistics(self.session)

    def fingerprints_of(self, document_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """The stored (kind, value) fingerprints of these documents, read back rather than recomputed, in
        ``fingerprint_rows`` order (which breaks ties among equally rare terms, the same on every database).

        Each document's values of a kind come as one comma-separated aggregate, parsed and sorted here:
        a row a fingerprint (over a hundred a document) costs several times as long to read."""
        out: dict[int, list[tuple[str, int]]] = {i: [] for i in document_ids}
        if out:
            rows = self.session.execute(_fingerprints_query(dialect_name(self.session)), {"documents": list(out)})
            for doc_id, kind, values in rows:
                out[doc_id].extend((kind, v) for v in sorted(map(int, values.split(","))))
        return out

    def query(self, document_id: int, fingerprints: list[tuple[str, int]], limit: int) -> list[int]:
        """Stored documents sharing the most shingles, then the rarest signature terms, with a text of
        these ``fingerprints``: ``fingerprint_rows`` of a text not stored (any ``document_id`` that is not a
        stored document's), or a stored document's own (``fingerprints_of`` it), whose postings are not
        counted as another document's."""
        return self.query_batch({document_id: fingerprints}, limit)[document_id]

    def query_batch(self, fingerprints: dict[int, list[tuple[str, int]]], limit: int) -> dict[int, list[int]]:
        """``query`` of several documents: the store's size, the document frequencies of their
        terms and their shingles' postings are read once for all of them (a statement for every few
        thousand values, not one a document, whose per-statement overhead would be a large share of the
        lookups' time), then two fixed statements a document rank the candidates.

        Every query reads only ``kind``, ``value`` and ``document_id`` (``count(*)``, not a column), so
        the primary key answers it alone: on SQLite it is the table, on PostgreSQL an index-only scan."""
        session = self.session
        groups = {doc_id: _group(rows) for doc_id, rows in fingerprints.items()}
        total = last_document_id(session) + 1
        frequencies = document_frequencies(session, {v for g in groups.values() for v in g["term"]})
        shingles = rare_shingles(session, {doc_id: g["shingle"] for doc_id, g in groups.items()})
        found = ranked_by_shingles(session, {doc_id: values for doc_id, values in shingles.items() if values}, limit)
        weights = {doc_id: term_weights(g["term"], frequencies, total) for doc_id, g in groups.items()}
        by_terms = term_candidates(
            session, {doc_id: w for doc_id, w in weights.items() if w}, frequencies, TERM_LIMIT_FACTOR * limit
        )
        out: dict[int, list[int]] = {}
        for doc_id in groups:
            ids = found.get(doc_id, [])
            out[doc_id] = ids + [i for i in by_terms.get(doc_id, []) if i not in ids]
        return out


@lru_cache(maxsize=2)
def _fingerprints_query(dialect: str):
    if dialect == "postgresql":
        values = func.string_agg(cast(Fingerprint.value, Text), ",")
    else:
        values = func.group_concat(Fingerprint.value, ",")
    return (
        select(Fingerprint.document_id, Fingerprint.kind, values)
        .where(one_of(Fingerprint.document_id, "documents", dialect))
        .group_by(Fingerprint.document_id, Fingerprint.kind)
        .order_by(Fingerprint.document_id, Fingerprint.kind)
    )


def _group(rows: list[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"shingle": [], "term": []}
    for kind, value in rows:
        out[kind].append(value)
    return out
