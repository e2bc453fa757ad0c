"""Query and write functions over one Session. They never commit: the caller owns the unit of work."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from copytrace.attribution import Decision
from copytrace.fingerprints import SIGNATURE_TERMS, fingerprint_rows, words
from copytrace.orm import (
    Classification,
    Document,
    Fingerprint,
    IngestedFile,
    IngestError,
    MatchedSpan,
    ModelVersion,
    Story,
    TermFrequency,
    TextBlob,
    WrapperSegment,
    utcnow,
)
from copytrace.postings import id_array, ranked_by_weight

LOCATOR_MAX = 2000
TITLE_MAX = 1000


# Bulk UPDATEs here skip the ORM's in-memory sync: callers work from ids, not loaded objects, and
# evaluating the criterion over every Document in the session costs time on every call for nothing.
NO_SYNC = {"synchronize_session": False}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _supported_dialect(session: Session) -> str:
    """``postgresql`` or ``sqlite``, the databases copytrace writes to; any other is refused."""
    name = _dialect(session)
    if name not in ("postgresql", "sqlite"):
        raise RuntimeError(f"unsupported database dialect {name!r}: use SQLite or PostgreSQL")
    return name


def _insert(session: Session, table: Table):
    """The dialect's INSERT, so ON CONFLICT clauses are available on SQLite and PostgreSQL alike."""
    return postgresql.insert(table) if _supported_dialect(session) == "postgresql" else sqlite.insert(table)


def insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert rows, silently skipping those that hit the unique key (idempotent, race-safe)."""
    if rows:
        session.execute(_insert(session, table).on_conflict_do_nothing(index_elements=list(keys)), list(rows))


# ---------------------------------------------------------------------------- files and errors


def ingested_files(session: Session, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (path, file sha256) pairs were ingested: one statement for a batch of files."""
    wanted = set(keys)
    paths = sorted({path for path, _ in wanted})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(paths), 1000):  # within every database's limit on bound parameters
        stmt = select(IngestedFile.path, IngestedFile.file_sha256).where(
            IngestedFile.path.in_(paths[start : start + 1000])
        )
        found.update((path, digest) for path, digest in session.execute(stmt) if (path, digest) in wanted)
    return found


def record_ingested_files(session: Session, files: Sequence[dict[str, Any]], flow_run_id: str | None) -> None:
    """Record landing files read completely: each a dict of ``path``, ``file_sha256``, ``size``,
    ``n_copies`` and ``n_errors``."""
    now = utcnow()
    rows = [{**f, "flow_run_id": flow_run_id, "ingested_at": now} for f in files]
    insert_ignore(session, IngestedFile.__table__, rows, ["path", "file_sha256"])


def record_error(
    session: Session,
    path: str,
    reason: str,
    detail: str,
    locator: str | None = None,
    file_sha256: str | None = None,
    flow_run_id: str | None = None,
) -> None:
    """Record a bad input; the same error seen again bumps its count instead of adding a row."""
    now = utcnow()
    row = {
        "path": path[:LOCATOR_MAX],
        "locator": (locator or "")[:LOCATOR_MAX],
        "reason": reason,
        "detail": detail,
        "file_sha256": file_sha256 or "",
        "occurrences": 1,
        "flow_run_id": flow_run_id,
        "first_seen_at": now,
        "last_seen_at": now,
    }
    stmt = _insert(session, IngestError.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["path", "locator", "reason", "file_sha256"],
        set_={
            "occurrences": IngestError.__table__.c.occurrences + 1,
            "last_seen_at": now,
            "flow_run_id": flow_run_id,
        },
    )
    session.execute(stmt, [row])


# ---------------------------------------------------------------------------- documents


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
                "source_path": c.source_path,
                "flow_run_id": flow_run_id,
                "created_at": now,
            },
        )
    table = Document.__table__
    stmt = (
        _insert(session, table)
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


def add_fingerprints(session: Session, rows: Sequence[tuple[int, str, int]]) -> None:
    """Insert candidate-index rows (document id, kind, value), skipping any already there.

    A batch has tens of thousands. Given to a Core insert as dicts, each row's parameters would be
    built in Python, which takes about as long as the database takes to insert them; so the rows go to
    the driver as they are: SQLite's executemany, and on PostgreSQL three arrays in one statement."""
    if not rows:
        return
    if _supported_dialect(session) == "postgresql":
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
    stmt = _insert(session, table).from_select(["value", "documents"], counted)
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


ATTRIBUTION_LOCK = 0x636F7079  # "copy": the advisory lock key that serialises attribution on PostgreSQL


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


def lock_attribution(session: Session) -> None:
    """Hold attribution to one transaction at a time, until this one ends.

    Two workers classifying at once would each miss the other's new documents as candidates
    and could both classify the same pending document. PostgreSQL: a transaction-level advisory
    lock. SQLite: a write statement as the transaction's first takes the database's single writer
    lock now (waiting up to the busy timeout), rather than failing later when a read upgrades.
    """
    if _dialect(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ATTRIBUTION_LOCK})
    else:
        session.execute(text("UPDATE documents SET id = id WHERE 1 = 0"))


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
    if _dialect(session) != "postgresql":
        return False
    row = session.execute(
        text("SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables WHERE relname = 'fingerprints'")
    ).first()
    if row is None or row[0] < max(STALE_STATISTICS_MIN, STALE_STATISTICS * row[1]):
        return False
    lock_attribution(session)
    session.execute(text("ANALYZE fingerprints"))
    return True


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
    object for each was most of the time."""
    ids = list(ids)
    if not ids:
        return []
    return list(session.execute(_documents_query(_dialect(session)), {"ids": ids}))


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
        .where(_one_of(Document.id, "ids", dialect))
        .order_by(Document.id)
    )


# A term in more than this share of the store (at least COMMON_TERM_MIN documents, at most
# COMMON_TERM_CAP) says little about the source and costs the most to scan: it is left out, and
# of the rest only the RAREST_TERMS rarest, and any term with FEW_POSTINGS or fewer (cheap to scan),
# are ranked on: ranking on every term finds few more rewrites' sources for about twice the latency
# (figures in docs/performance.md, "Figures behind rules in the code").
# Without the FEW_POSTINGS rule a small store, where every term is rare, would keep 16 arbitrary ones.
COMMON_TERM_SHARE = 0.05
COMMON_TERM_MIN = 50
COMMON_TERM_CAP = 5000
RAREST_TERMS = 16
FEW_POSTINGS = 100


def fingerprints_of(session: Session, document_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
    """The stored (kind, value) fingerprints of these documents, read back rather than recomputed, in
    ``fingerprint_rows`` order (which breaks ties among equally rare terms, the same on every database).

    Each document's values of a kind come as one comma-separated aggregate, parsed and sorted here:
    a row a fingerprint (over a hundred a document) costs several times as long to read."""
    out: dict[int, list[tuple[str, int]]] = {i: [] for i in document_ids}
    if out:
        rows = session.execute(_fingerprints_query(_dialect(session)), {"documents": list(out)})
        for doc_id, kind, values in rows:
            out[doc_id].extend((kind, v) for v in sorted(map(int, values.split(","))))
    return out


@lru_cache(maxsize=2)
def _fingerprints_query(dialect: str):
    if dialect == "postgresql":
        values = func.string_agg(cast(Fingerprint.value, Text), ",")
    else:
        values = func.group_concat(Fingerprint.value, ",")
    return (
        select(Fingerprint.document_id, Fingerprint.kind, values)
        .where(_one_of(Fingerprint.document_id, "documents", dialect))
        .group_by(Fingerprint.document_id, Fingerprint.kind)
        .order_by(Fingerprint.document_id, Fingerprint.kind)
    )


def candidate_ids(session: Session, document_id: int, fingerprints: list[tuple[str, int]], limit: int) -> list[int]:
    """Stored documents sharing the most shingles, then the rarest signature terms, with a text of
    these ``fingerprints``: ``fingerprint_rows`` of a text not stored (any ``document_id`` that is not a
    stored document's), or a stored document's own (``fingerprints_of`` it), whose postings are not
    counted as another document's."""
    return candidates_of(session, {document_id: fingerprints}, limit)[document_id]


def candidates_of(session: Session, fingerprints: dict[int, list[tuple[str, int]]], limit: int) -> dict[int, list[int]]:
    """``candidate_ids`` of several documents: the store's size, the document frequencies of their
    terms and their shingles' postings are read once for all of them (a statement for every few
    thousand values, not one a document, whose per-statement overhead would be a large share of the
    lookups' time), then two fixed statements a document rank the candidates.

    Every query reads only ``kind``, ``value`` and ``document_id`` (``count(*)``, not a column), so
    the primary key answers it alone: on SQLite it is the table, on PostgreSQL an index-only scan."""
    groups = {doc_id: _group(rows) for doc_id, rows in fingerprints.items()}
    total = last_document_id(session) + 1
    frequencies = _document_frequencies(session, {v for g in groups.values() for v in g["term"]})
    shingles = _rare_shingles(session, {doc_id: g["shingle"] for doc_id, g in groups.items()})
    found = _ranked_by_shingles(session, {doc_id: values for doc_id, values in shingles.items() if values}, limit)
    weights = {doc_id: _term_weights(g["term"], frequencies, total) for doc_id, g in groups.items()}
    by_terms = _term_candidates(
        session, {doc_id: w for doc_id, w in weights.items() if w}, frequencies, TERM_LIMIT_FACTOR * limit
    )
    out: dict[int, list[int]] = {}
    for doc_id in groups:
        ids = found.get(doc_id, [])
        out[doc_id] = ids + [i for i in by_terms.get(doc_id, []) if i not in ids]
    return out


# The shingles a text is ranked on: its rarest in the store, added rarest first while the postings
# they bring stay within SHINGLE_POSTINGS (the first always). Counting each shingle's postings reads
# them in index order, cheaply; ranking documents on them groups and sorts every posting read, which
# cost most at 1M documents, where a wrapped copy's page furniture recurs in up to 470k documents and
# every recombined sentence in hundreds. A source holds its copy's rarest shingles, so they rank it
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


def _rare_shingles(session: Session, values: dict[int, list[int]]) -> dict[int, list[int]]:
    """Per document, the shingles of its ``values`` to rank on, rarest first; none that no other
    document holds."""
    stored = _stored_ids(session, list(values))
    capped = _shingle_postings(session, values, stored, SHINGLE_COUNT_CAP)
    rare = {doc_id: [(v, n) for v, n in capped[doc_id] if n < SHINGLE_COUNT_CAP] for doc_id in values}
    recount = [d for d in values if len(rare[d]) < min(SHINGLE_RARE_MIN, len(capped[d]))]
    if recount:
        rare |= _shingle_postings(session, {d: values[d] for d in recount}, stored, cap=None)
    return {doc_id: _rarest_within(counts, SHINGLE_POSTINGS) for doc_id, counts in rare.items()}


def _rarest_within(counts: Iterable[tuple[int, int]], budget: int) -> list[int]:
    """Of (value, postings) pairs, the values rarest first (ties by value) while the postings they
    bring stay within ``budget``; the rarest always."""
    chosen, postings = [], 0
    for value, n in sorted(counts, key=lambda vn: (vn[1], vn[0])):
        if chosen and postings + n > budget:
            break
        chosen.append(value)
        postings += n
    return chosen


def _shingle_postings(
    session: Session, values: dict[int, list[int]], stored: set[int], cap: int | None
) -> dict[int, list[tuple[int, int]]]:
    """Per document, how many other documents hold each of its ``values`` as a shingle, counted up to
    ``cap`` (None: all); absent: none. ``stored``: which of the documents are stored (``_stored_ids``).

    Each distinct value is counted once for the whole batch, its own holders included, by a
    correlated subquery that stops one past the cap; a stored document's own posting is then taken
    off its count. A batch's copies share many shingles with their sources in it (on the ingest
    bench, 108k values were 50k distinct): counting each once, without a per-document condition,
    took a third of the time."""
    distinct = sorted({v for vs in values.values() for v in vs})
    params: dict[str, Any] = {"values": distinct} | ({"cap": cap + 1} if cap is not None else {})
    rows = session.execute(_postings_count_query(_dialect(session), cap is not None), params)
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
    batch and lookup and is prepared once; written into the statement as a VALUES list, it was a new
    statement every time (a fifth of a single lookup's time at 10k documents)."""
    if dialect == "postgresql":
        rows = "unnest(:values) AS v(value)"
        values = bindparam("values", type_=postgresql.ARRAY(BigInteger))
    else:
        rows = "json_each(:values) AS v"
        values = bindparam("values", type_=_IntegerList())
    limit = "LIMIT :cap" if capped else ""
    return text(
        "SELECT v.value, (SELECT count(*) FROM (SELECT 1 FROM fingerprints f "
        f"WHERE f.kind = 'shingle' AND f.value = v.value {limit}) AS capped) AS n FROM {rows}"
    ).bindparams(values)


def _stored_ids(session: Session, ids: Sequence[int]) -> set[int]:
    """Which of these ids are stored documents (whose postings are their own, not another's)."""
    ids = [i for i in ids if i > 0]  # a text not stored goes by a non-positive id: nothing to look up
    return set(session.scalars(_stored_query(_dialect(session)), {"ids": ids})) if ids else set()


@lru_cache(maxsize=2)
def _stored_query(dialect: str):
    return select(Document.id).where(_one_of(Document.id, "ids", dialect))


class _IntegerList(TypeDecorator):
    """A list of integers bound as one JSON text, which SQLite's ``json_each`` turns back into rows."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps([int(v) for v in value])


def _one_of(column, name: str, dialect: str):
    """``column`` equal to one of the bound list ``name``, in one statement text whatever the list's
    length. An expanding IN is rendered again for every length and the driver prepares every
    rendering anew, a large share of a lookup's time on both databases. PostgreSQL compares with
    ``= ANY`` of an array, which psycopg prepares once; SQLite
    reads the list from one JSON parameter through ``json_each`` and still seeks the primary key
    once a value."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(BigInteger)))
    values = func.json_each(bindparam(name, type_=_IntegerList())).table_valued("value")
    return column.in_(select(values.c.value))


def _others_postings(kind: str, dialect: str) -> tuple:
    """Conditions of the candidate statements: postings of ``kind`` holding one of the bound
    ``values``, other than the bound ``document_id``'s own."""
    return (
        Fingerprint.kind == kind,
        _one_of(Fingerprint.value, "values", dialect),
        Fingerprint.document_id != bindparam("document_id"),
    )


@lru_cache(maxsize=2)
def _shingle_query(dialect: str):
    """Stored documents ranked by shingles shared with the text (one statement, compiled once).

    A statement a document, unlike the counts: ranked over a join with a VALUES list, SQLite 3.40
    scans the table instead of seeking the (kind, value) index, and with the join kept apart a whole
    lookup is still slower than this one."""
    return (
        select(Fingerprint.document_id)
        .where(*_others_postings("shingle", dialect))
        .group_by(Fingerprint.document_id)
        .order_by(func.count().desc(), Fingerprint.document_id)
        .limit(bindparam("limit"))
    )


def _ranked_by_shingles(session: Session, values: dict[int, list[int]], limit: int) -> dict[int, list[int]]:
    """Stored documents sharing the most of each document's shingles."""
    query, connection = _shingle_query(_dialect(session)), session.connection()
    return {
        doc_id: list(connection.execute(query, {"values": shingles, "document_id": doc_id, "limit": limit}).scalars())
        for doc_id, shingles in values.items()
    }


def _document_frequencies(session: Session, values: set[int]) -> dict[int, int]:
    """Stored documents carrying each of these signature terms (absent: none)."""
    if not values:
        return {}
    rows = session.execute(_frequencies_query(_dialect(session)), {"values": sorted(values)})
    return {value: documents for value, documents in rows}


@lru_cache(maxsize=2)
def _frequencies_query(dialect: str):
    return select(TermFrequency.value, TermFrequency.documents).where(_one_of(TermFrequency.value, "values", dialect))


WEIGHT_SCALE = 10_000  # term weights are summed as integers: 4 decimals, exactly, on every database


def _term_weights(values: list[int], frequencies: dict[int, int], total: int) -> dict[int, int]:
    """The IDF weight of each term a text is ranked on (× ``WEIGHT_SCALE``): the ``RAREST_TERMS``
    rarest in the store (ties in ``values`` order), and any with ``FEW_POSTINGS`` or fewer, leaving
    out common ones.

    The document frequencies are the store's own (``term_frequencies``, kept by ``count_terms``), so
    a name seen in three documents outweighs a word seen in thousands; reading them is one lookup a
    term, where counting postings would cost as much as the commonest term has."""
    cap = max(COMMON_TERM_MIN, min(int(total * COMMON_TERM_SHARE), COMMON_TERM_CAP))
    present = sorted(((v, frequencies[v]) for v in values if frequencies.get(v, cap + 1) <= cap), key=lambda vn: vn[1])
    return {
        v: round((math.log(total / (1 + n)) + 1.0) * WEIGHT_SCALE)
        for rank, (v, n) in enumerate(present)
        if rank < RAREST_TERMS or n <= FEW_POSTINGS
    }


@lru_cache(maxsize=2)
def _term_query(dialect: str):
    """Stored documents sharing at least ``min_shared`` of the weighted terms, ranked by their summed
    weight.

    One shape for every text (``SIGNATURE_TERMS`` slots of value and weight, unused ones repeating
    the first), so the statement is built and compiled once, not once a query."""
    weight = case(
        *((Fingerprint.value == bindparam(f"v{i}"), bindparam(f"w{i}", type_=Integer)) for i in range(SIGNATURE_TERMS)),
        else_=0,
    )
    return (
        select(Fingerprint.document_id)
        .where(*_others_postings("term", dialect))
        .group_by(Fingerprint.document_id)
        .having(func.count() >= bindparam("min_shared"))
        .order_by(func.sum(weight).desc(), Fingerprint.document_id)
        .limit(bindparam("limit"))
    )


@lru_cache(maxsize=2)
def _shared_terms_query(dialect: str):
    """Which of the bound term ``values`` each of the bound ``documents`` carries, read by the
    (document, kind, value) key: a few rows a document, whatever the terms' postings.

    The value is compared as ``value + 0``, an expression no index covers, so that the planner keys
    on the documents. With both lists bound the same way SQLite cannot tell which is short, and it
    reads every posting of each term instead, several times slower in a large store."""
    return select(Fingerprint.document_id, Fingerprint.value).where(
        _one_of(Fingerprint.document_id, "documents", dialect),
        Fingerprint.kind == "term",
        _one_of(Fingerprint.value + 0, "values", dialect),
    )


# The term statement groups every posting of the terms it ranks on, which in a large store is most of
# a lookup's time. When they hold more than TERM_POSTINGS, the rarest terms within that budget shortlist the
# SHORTLIST documents carrying the most of their weight, and only those are scored on every term, by
# key lookups: a source carries its copy's rarest terms (names, figures), so it is on the shortlist.
# A rewrite's source ranks lower among term matches than a verbatim source among shingle matches,
# so the term lookup keeps TERM_LIMIT_FACTOR times as many candidates. A smaller budget is faster
# but finds fewer rewrites' sources (figures in docs/performance.md, "Figures behind rules in the code").
TERM_POSTINGS = 8000
SHORTLIST = 40
TERM_LIMIT_FACTOR = 2


# A batch's documents share many of their terms, so their postings are read once for the batch, a
# posting list a term, and ranked in NumPy (``copytrace.postings``): faster than a statement a
# document, with the same rankings. Up to BATCH_TERM_POSTINGS postings a batch (by the
# stored document frequencies); the documents beyond it, and a lone text, whose statement sums in
# the database without sending it the postings, go by the statement.
BATCH_TERM_POSTINGS = 500_000


def _term_candidates(
    session: Session, weights: dict[int, dict[int, int]], frequencies: dict[int, int], limit: int
) -> dict[int, list[int]]:
    """Per document, the stored documents sharing at least two of its weighted terms, the most weight first."""
    found: dict[int, list[int]] = {}
    whole: dict[int, dict[int, int]] = {}  # ranked on every weighted term
    for doc_id, w in weights.items():
        chosen = _rarest_within(((v, frequencies[v]) for v in w), TERM_POSTINGS)
        if len(chosen) == len(w):
            whole[doc_id] = w
            continue
        shortlist = _ranked_by_terms(session, doc_id, {v: w[v] for v in chosen}, min_shared=1, limit=SHORTLIST)
        found[doc_id] = _rescored(session, w, shortlist, limit) if shortlist else []
    batched = _within_postings(whole, frequencies, BATCH_TERM_POSTINGS) if len(whole) > 1 else {}
    if batched:
        lists = _term_postings(session, {v for w in batched.values() for v in w})
        for doc_id, w in batched.items():
            found[doc_id] = ranked_by_weight(lists, w, exclude=doc_id, min_shared=2, limit=limit)
    for doc_id, w in whole.items():
        if doc_id not in batched:
            found[doc_id] = _ranked_by_terms(session, doc_id, w, min_shared=2, limit=limit)
    return found


def _within_postings(
    weights: dict[int, dict[int, int]], frequencies: dict[int, int], budget: int
) -> dict[int, dict[int, int]]:
    """The documents, in order, whose distinct terms hold at most ``budget`` postings between them."""
    out: dict[int, dict[int, int]] = {}
    seen: set[int] = set()
    total = 0
    for doc_id, w in weights.items():
        new = [v for v in w if v not in seen]
        more = sum(frequencies.get(v, 0) for v in new)
        if total + more > budget:
            continue
        out[doc_id] = w
        seen.update(new)
        total += more
    return out


def _term_postings(session: Session, values: set[int]) -> dict[int, np.ndarray]:
    """Each of these terms' posting list (document ids); absent: none."""
    rows = session.execute(_term_postings_query(_dialect(session)), {"values": sorted(values)})
    return {value: id_array(ids) for value, ids in rows}


@lru_cache(maxsize=2)
def _term_postings_query(dialect: str):
    """One row a term: its value and every document holding it, as one aggregate (a text of ids on
    SQLite, an array on PostgreSQL), read from the primary key."""
    ids = func.array_agg if dialect == "postgresql" else func.group_concat
    return (
        select(Fingerprint.value, ids(Fingerprint.document_id))
        .where(Fingerprint.kind == "term", _one_of(Fingerprint.value, "values", dialect))
        .group_by(Fingerprint.value)
    )


def _rescored(session: Session, weights: dict[int, int], shortlist: list[int], limit: int) -> list[int]:
    """The shortlisted documents sharing at least two of the weighted terms, ranked on all of them."""
    score: dict[int, list[int]] = {}
    rows = session.execute(_shared_terms_query(_dialect(session)), {"documents": shortlist, "values": list(weights)})
    for doc_id, value in rows:
        shared = score.setdefault(doc_id, [0, 0])
        shared[0] += 1
        shared[1] += weights[value]
    ranked = sorted((doc_id for doc_id, (n, _) in score.items() if n >= 2), key=lambda d: (-score[d][1], d))
    return ranked[:limit]


def _ranked_by_terms(
    session: Session, document_id: int, weights: dict[int, int], *, min_shared: int, limit: int
) -> list[int]:
    # Commonest terms first: most postings find their weight in the first comparisons.
    slots = sorted(weights.items(), key=lambda vw: vw[1])
    slots += [slots[0]] * (SIGNATURE_TERMS - len(slots))
    params: dict[str, Any] = {
        "values": list(weights),
        "document_id": document_id,
        "limit": limit,
        "min_shared": min_shared,
    }
    for i, (value, weight) in enumerate(slots):
        params[f"v{i}"], params[f"w{i}"] = value, weight
    return list(session.connection().execute(_term_query(_dialect(session)), params).scalars())


def _group(rows: list[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"shingle": [], "term": []}
    for kind, value in rows:
        out[kind].append(value)
    return out


def last_document_id(session: Session) -> int:
    """The latest document stored (0: none)."""
    return session.scalar(select(func.max(Document.id))) or 0


def classified_after(session: Session, document_id: int) -> bool:
    """Whether a document stored after ``document_id`` (a larger id) has been classified."""
    query = select(Classification.id).where(Classification.document_id > document_id).limit(1)
    return session.scalar(query) is not None


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
    rows = session.execute(_current_query(_dialect(session)), {"ids": ids})
    return {row.document_id: row for row in rows}


@lru_cache(maxsize=2)
def _current_query(dialect: str):
    return select(Classification.document_id, Classification.derived_from_id, Classification.pair_class).where(
        Classification.is_current, _one_of(Classification.document_id, "ids", dialect)
    )


def title_sources(
    session: Session, document_ids: Sequence[int]
) -> dict[int, tuple[str | None, str, list[tuple[int, int]]]]:
    """What a copy's displayed title is made of (``copytrace.titles.display_title``): its own title,
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


# ---------------------------------------------------------------------------- classifications


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

    A few statements for all of them: a flush a classification was a fifth of classifying a batch."""
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


def new_stories(session: Session, titles: Sequence[str | None]) -> list[int]:
    """Start a story for each title: their ids, in order (one statement for all)."""
    if not titles:
        return []
    now = utcnow()
    rows = [{"title": (t or None) and t[:500], "created_at": now} for t in titles]
    return list(session.scalars(insert(Story).returning(Story.id, sort_by_parameter_order=True), rows))


def set_stories(session: Session, story_of: dict[int, int]) -> None:
    """Put each document in its story (one executemany for all)."""
    if story_of:
        session.execute(update(Document), [{"id": d, "story_id": s} for d, s in story_of.items()])


def story_members(session: Session, document_ids: Sequence[int]) -> dict[int, list[int]]:
    """Every document of the stories these documents are in, by story, in id order."""
    if not document_ids:
        return {}
    stories = select(Document.story_id).where(Document.id.in_(list(document_ids)), Document.story_id.is_not(None))
    rows = session.execute(
        select(Document.story_id, Document.id).where(Document.story_id.in_(stories)).order_by(Document.id)
    )
    out: dict[int, list[int]] = {}
    for story_id, doc_id in rows:
        out.setdefault(story_id, []).append(doc_id)
    return out


def merge_stories(session: Session, keep: int, others: Iterable[int]) -> None:
    others = [o for o in others if o != keep]
    if others:
        session.execute(
            update(Document).where(Document.story_id.in_(others)).values(story_id=keep), execution_options=NO_SYNC
        )


# ---------------------------------------------------------------------------- model versions


def register_model_version(
    session: Session,
    *,
    version: str,
    sha256: str,
    path: str,
    sklearn_version: str,
    params: dict[str, Any],
    metrics: dict[str, Any],
    training_data: dict[str, Any],
    activate: bool,
) -> int:
    """The model_versions row for this file (found by sha256, or created)."""
    insert_ignore(
        session,
        ModelVersion.__table__,
        [
            {
                "version": version,
                "sha256": sha256,
                "path": path,
                "sklearn_version": sklearn_version,
                "params": params,
                "metrics": metrics,
                "training_data": training_data,
                "is_active": False,
                "created_at": utcnow(),
            }
        ],
        ["sha256"],
    )
    mv_id = session.scalar(select(ModelVersion.id).where(ModelVersion.sha256 == sha256))
    if activate:
        session.execute(update(ModelVersion).where(ModelVersion.id != mv_id).values(is_active=False))
        session.execute(update(ModelVersion).where(ModelVersion.id == mv_id).values(is_active=True))
    return mv_id


def active_model_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.is_active).order_by(ModelVersion.id.desc()))
