"""Cosine similarity of l2-normalised sparse TF-IDF rows, as dense arrays.

A sparse product ``rows @ rows.T`` costs, column by column, the square of the number of rows the
column is in: a batch's few hundred common words (``the``, ``said``, the story's names) hold most
of that, and the scattered sums they take are slow. Those columns are multiplied as one dense block
(a BLAS matrix product), the rest as sparse rows: far less CPU than the all-sparse product, with
the same values to float32 rounding.
"""

from __future__ import annotations

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
