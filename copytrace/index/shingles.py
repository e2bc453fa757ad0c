"""Candidates by shingles: the stored documents sharing the most of a text's rarest shingles (verbatim
and near-verbatim copies, however much wrapper text surrounds them)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, bindparam, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from copytrace.index.conditions import others_postings
from copytrace.index.postings import rarest_within
from copytrace.orm import Document, Fingerprint
from copytrace.repo.sql import IntegerList, dialect_name, one_of

# The shingles a text is ranked on: its rarest in the store, added rarest first while the postings
# they bring stay within SHINGLE_POSTINGS (the first always). Counting each shingle's postings reads
# them in index order, cheaply; ranking documents on them groups and sorts every posting read, which
# costs the most in a large store, where a wrapped copy's page furniture recurs in a large share of the
# documents and every recombined sentence in many. A source holds its copy's rarest shingles, so they rank it
# first; in a small store every shingle fits and all are ranked on. The budget costs one statement
# more, so it pays in large stores and costs a little in small ones
# (figures in docs/performance.md, "Figures behind rules in the code").
SHINGLE_POSTINGS = 3000


# Counting reads every posting of every shingle of the text; where a text's sentences recur in hundreds
# of stored documents that is the costliest statement
# (figures in docs/performance.md, "Figures behind rules in the code").
# Each shingle's postings are counted only up to SHINGLE_COUNT_CAP (the same counts below the cap,
# far cheaper above it); shingles at the cap are left out of the ranking when at least SHINGLE_RARE_MIN rarer
# ones exist. Otherwise the text's shingles are counted in full: a short excerpt may have only a few
# rare shingles, picked by winnowing at its edges, which its source need not hold (the source's own
# windows reach past the excerpt), so its commoner shingles must be ranked on too.
SHINGLE_COUNT_CAP = 100
SHINGLE_RARE_MIN = 4


def rare_shingles(session: Session, values: dict[int, list[int]]) -> dict[int, list[int]]:
    """Per document, the shingles of its ``values`` to rank on, rarest first; none that no other
    document holds."""
    stored = stored_ids(session, list(values))
    capped = _shingle_postings(session, values, stored, SHINGLE_COUNT_CAP)
    rare = {doc_id: [(v, n) for v, n in capped[doc_id] if n < SHINGLE_COUNT_CAP] for doc_id in values}
    recount = [d for d in values if len(rare[d]) < min(SHINGLE_RARE_MIN, len(capped[d]))]
    if recount:
        rare |= _shingle_postings(session, {d: values[d] for d in recount}, stored, cap=None)
    return {doc_id: rarest_within(counts, SHINGLE_POSTINGS) for doc_id, counts in rare.items()}


def _shingle_postings(
    session: Session, values: dict[int, list[int]], stored: set[int], cap: int | None
) -> dict[int, list[tuple[int, int]]]:
    """Per document, how many other documents hold each of its ``values`` as a shingle, counted up to
    ``cap`` (None: all); absent: none. ``stored``: which of the documents are stored (``stored_ids``).

    Each distinct value is counted once for the whole batch, its own holders included, by a
    correlated subquery that stops one past the cap; a stored document's own posting is then taken
    off its count. A batch's copies share many shingles with their sources in it, so counting each
    distinct value once, without a per-document condition, reads far fewer postings
    (figures in docs/performance.md, "Figures behind rules in the code")."""
    distinct = sorted({v for vs in values.values() for v in vs})
    params: dict[str, Any] = {"values": distinct} | ({"cap": cap + 1} if cap is not None else {})
    rows = session.execute(_postings_count_query(dialect_name(session), cap is not None), params)
    holders = {value: n for value, n in rows}
    counts: dict[int, list[tuple[int, int]]] = {}
    for doc_id, vs in values.items():
        own = 1 if doc_id in stored else 0
        others = ((v, holders.get(v, 0) - own) for v in vs)
        counts[doc_id] = [(v, n if cap is None else min(n, cap)) for v, n in others if n > 0]
    return counts


@lru_cache(maxsize=4)
def _postings_count_query(dialect: str, capped: bool):
    """Each of the bound ``values`` with how many documents hold it as a shingle, up to the bound
    ``cap`` when ``capped``. The values are one bound list (a JSON text through ``json_each`` on
    SQLite, an array through ``unnest`` on PostgreSQL), so the statement's text is the same for every
    batch and lookup and is prepared once; written into the statement as a VALUES list, they would
    make a new statement every time, prepared anew."""
    if dialect == "postgresql":
        rows = "unnest(:values) AS v(value)"
        values = bindparam("values", type_=postgresql.ARRAY(BigInteger))
    else:
        rows = "json_each(:values) AS v"
        values = bindparam("values", type_=IntegerList())
    limit = "LIMIT :cap" if capped else ""
    return text(
        "SELECT v.value, (SELECT count(*) FROM (SELECT 1 FROM fingerprints f "
        f"WHERE f.kind = 'shingle' AND f.value = v.value {limit}) AS capped) AS n FROM {rows}"
    ).bindparams(values)


def stored_ids(session: Session, ids: Sequence[int]) -> set[int]:
    """Which of these ids are stored documents (whose postings are their own, not another's)."""
    ids = [i for i in ids if i > 0]  # a text not stored goes by a non-positive id: nothing to look up
    return set(session.scalars(_stored_query(dialect_name(session)), {"ids": ids})) if ids else set()


@lru_cache(maxsize=2)
def _stored_query(dialect: str):
    return select(Document.id).where(one_of(Document.id, "ids", dialect))


@lru_cache(maxsize=2)
def _shingle_query(dialect: str):
    """Stored documents ranked by shingles shared with the text (one statement, compiled once).

    A statement a document, unlike the counts: ranked over a join with a VALUES list, SQLite 3.40
    scans the table instead of seeking the (kind, value) index, and with the join kept apart a whole
    lookup is still slower than this one."""
    return (
        select(Fingerprint.document_id)
        .where(*others_postings("shingle", dialect))
        .group_by(Fingerprint.document_id)
        .order_by(func.count().desc(), Fingerprint.document_id)
        .limit(bindparam("limit"))
    )


def ranked_by_shingles(session: Session, values: dict[int, list[int]], limit: int) -> dict[int, list[int]]:
    """Stored documents sharing the most of each document's shingles."""
    query, connection = _shingle_query(dialect_name(session)), session.connection()
    return {
        doc_id: list(connection.execute(query, {"values": shingles, "document_id": doc_id, "limit": limit}).scalars())
        for doc_id, shingles in values.items()
    }
