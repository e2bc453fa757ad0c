"""Cosine similarity of l2-normalised sparse TF-IDF rows, as dense arrays.

A sparse product ``rows @ rows.T`` costs, column by column, the square of the number of rows the
column is in: a batch's few hundred common words (``the``, ``said``, the story's names) hold most
of that, and the scattered sums they take are slow. Those columns are multiplied as one dense block
(a BLAS matrix product), the rest as sparse rows: far less CPU than the all-sparse product, with
the same values to float32 rounding.

Ingest classifies batch after batch against much the same stored documents, so ``Carried`` keeps
one call's matrix for the next, which then computes only the rows of the texts it adds.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp

# A column in at least this share of the rows goes in the dense block: common columns multiply faster
# dense, rare ones sparse; this share was the fastest on the ingest bench's batches (figures in
# docs/performance.md, "Figures behind rules in the code").
DENSE_COLUMN_SHARE = 1 / 32


def self_similarities(rows: sp.csr_matrix) -> np.ndarray:
    """``rows @ rows.T`` as a dense float32 array (the cosines, when the rows are l2-normalised)."""
    return cross_similarities(rows, rows)


def cross_similarities(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """``a @ b.T`` as a dense float32 array, the columns common among ``b``'s rows as a dense block."""
    in_rows = np.bincount(b.indices, minlength=b.shape[1])
    common = in_rows >= max(2.0, DENSE_COLUMN_SHARE * b.shape[0])
    columns, rest = np.flatnonzero(common), np.flatnonzero(~common)
    dense_b, rest_b = b[:, columns].toarray().astype(np.float32, copy=False), b[:, rest]
    if a is b:
        dense_a, rest_a = dense_b, rest_b
    else:
        dense_a, rest_a = a[:, columns].toarray().astype(np.float32, copy=False), a[:, rest]
    out = dense_a @ dense_b.T
    out += (rest_a @ rest_b.T).toarray()
    return out.astype(np.float32, copy=False)


class Carried:
    """``self_similarities`` of rows named by keys, the last call's matrix kept for the next.

    A call whose keys the last one had takes their entries from it and computes only the rows of
    the others (with the others and the kept ones as columns): a batch meets mostly the stored
    documents the batch before met. A matrix over
    ``max_bytes`` is not kept. The entries are the same cosines to float32 rounding, whichever way
    they were computed. The matrix returned is read-only: it is the one kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._forget()

    def __call__(self, keys: Sequence[Hashable], rows: sp.csr_matrix) -> np.ndarray:
        with self._lock:
            kept = [(i, self._position[k]) for i, k in enumerate(keys) if k in self._position]
            if kept:
                out = self._with_kept(rows, kept)
            else:
                out = self_similarities(rows)
            out.flags.writeable = False  # the matrix returned is the one kept for the next call
            if out.nbytes <= self.max_bytes:
                self._position, self._matrix = {k: i for i, k in enumerate(keys)}, out
            else:
                self._forget()
            return out

    def _with_kept(self, rows: sp.csr_matrix, kept: list[tuple[int, int]]) -> np.ndarray:
        n = rows.shape[0]
        here, there = (np.array(side, dtype=np.int64) for side in zip(*kept, strict=True))
        fresh = np.setdiff1d(np.arange(n), here)
        out = np.empty((n, n), dtype=np.float32)
        # Rows gathered whole, then columns: a third of the time of one np.ix_ gather.
        out[here[:, None], here] = self._matrix[there].take(there, axis=1)
        if len(fresh):
            block = cross_similarities(rows[fresh], rows)
            out[fresh, :] = block
            out[:, fresh] = block.T
        return out

    def clear(self) -> None:
        with self._lock:
            self._forget()

    def _forget(self) -> None:
        self._position, self._matrix = {}, np.zeros((0, 0), dtype=np.float32)
