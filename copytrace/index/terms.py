"""Candidates by signature terms: the stored documents sharing the most weight of a text's rarest
terms (rewrites, which share few shingles with their source but keep its names and figures)."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Integer, bindparam, case, func, select
from sqlalchemy.orm import Session

from copytrace.index.conditions import others_postings
from copytrace.index.fingerprints import SIGNATURE_TERMS
from copytrace.index.postings import id_array, ranked_by_weight, rarest_within
from copytrace.orm import Fingerprint, TermFrequency
from copytrace.repo.sql import dialect_name, one_of

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


def document_frequencies(session: Session, values: set[int]) -> dict[int, int]:
    """Stored documents carrying each of these signature terms (absent: none)."""
    if not values:
        return {}
    rows = session.execute(_frequencies_query(dialect_name(session)), {"values": sorted(values)})
    return {value: documents for value, documents in rows}


@lru_cache(maxsize=2)
def _frequencies_query(dialect: str):
    return select(TermFrequency.value, TermFrequency.documents).where(one_of(TermFrequency.value, "values", dialect))


WEIGHT_SCALE = 10_000  # term weights are summed as integers: 4 decimals, exactly, on every database


def term_weights(values: list[int], frequencies: dict[int, int], total: int) -> dict[int, int]:
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
        .where(*others_postings("term", dialect))
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
        one_of(Fingerprint.document_id, "documents", dialect),
        Fingerprint.kind == "term",
        one_of(Fingerprint.value + 0, "values", dialect),
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
# posting list a term, and ranked in NumPy (``copytrace.index.postings``): faster than a statement a
# document, with the same rankings. Up to BATCH_TERM_POSTINGS postings a batch (by the
# stored document frequencies); the documents beyond it, and a lone text, whose statement sums in
# the database without sending it the postings, go by the statement.
BATCH_TERM_POSTINGS = 500_000


def term_candidates(
    session: Session, weights: dict[int, dict[int, int]], frequencies: dict[int, int], limit: int
) -> dict[int, list[int]]:
    """Per document, the stored documents sharing at least two of its weighted terms, the most weight first."""
    found: dict[int, list[int]] = {}
    whole: dict[int, dict[int, int]] = {}  # ranked on every weighted term
    for doc_id, w in weights.items():
        chosen = rarest_within(((v, frequencies[v]) for v in w), TERM_POSTINGS)
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
    rows = session.execute(_term_postings_query(dialect_name(session)), {"values": sorted(values)})
    return {value: id_array(ids) for value, ids in rows}


@lru_cache(maxsize=2)
def _term_postings_query(dialect: str):
    """One row a term: its value and every document holding it, as one aggregate (a text of ids on
    SQLite, an array on PostgreSQL), read from the primary key."""
    ids = func.array_agg if dialect == "postgresql" else func.group_concat
    return (
        select(Fingerprint.value, ids(Fingerprint.document_id))
        .where(Fingerprint.kind == "term", one_of(Fingerprint.value, "values", dialect))
        .group_by(Fingerprint.value)
    )


def _rescored(session: Session, weights: dict[int, int], shortlist: list[int], limit: int) -> list[int]:
    """The shortlisted documents sharing at least two of the weighted terms, ranked on all of them."""
    score: dict[int, list[int]] = {}
    rows = session.execute(
        _shared_terms_query(dialect_name(session)), {"documents": shortlist, "values": list(weights)}
    )
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
    return list(session.connection().execute(_term_query(dialect_name(session)), params).scalars())
