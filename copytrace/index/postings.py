"""Posting lists held in memory: choosing a text's rarest values within a postings budget, and
ranking stored documents on a text's weighted terms.

The candidate index ranks a lone text's terms with one statement that sums their weights in the
database (``terms._term_query``). A batch's documents share many of their terms (a copy and its
source, the articles of one beat), so ``CandidateIndex.query_batch`` reads each distinct term's
postings once for the whole batch and ranks every document here, the same ranking as the statement's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np


def id_array(ids: str | list[int]) -> np.ndarray:
    """One term's posting list as read: SQLite's ``group_concat`` text or PostgreSQL's ``array_agg`` list."""
    return np.array(ids.split(",") if isinstance(ids, str) else ids, dtype=np.int64)


def ranked_by_weight(
    postings: Mapping[int, np.ndarray], weights: Mapping[int, int], *, exclude: int, min_shared: int, limit: int
) -> list[int]:
    """Documents holding at least ``min_shared`` of the weighted terms, ``exclude`` apart, by their
    summed weight, highest first (ties: the lower id), at most ``limit``.

    Weights are integers, and their sums stay far below 2**53, so the float sums are exact and
    ties are ties, as in the database's integer sum."""
    terms = [v for v in weights if v in postings]
    if not terms:
        return []
    lists = [postings[v] for v in terms]
    ids = np.concatenate(lists)
    term_weights = np.repeat(np.array([weights[v] for v in terms], dtype=np.int64), [len(ids_) for ids_ in lists])
    keep = ids != exclude
    documents, at = np.unique(ids[keep], return_inverse=True)
    shared = np.bincount(at, minlength=len(documents))
    summed = np.bincount(at, weights=term_weights[keep], minlength=len(documents))
    held = shared >= min_shared
    documents, summed = documents[held], summed[held]
    return documents[np.lexsort((documents, -summed))][:limit].tolist()


def rarest_within(counts: Iterable[tuple[int, int]], budget: int) -> list[int]:
    """Of (value, postings) pairs, the values rarest first (ties by value) while the postings they
    bring stay within ``budget``; the rarest always."""
    chosen, postings = [], 0
    for value, n in sorted(counts, key=lambda vn: (vn[1], vn[0])):
        if chosen and postings + n > budget:
            break
        chosen.append(value)
        postings += n
    return chosen
