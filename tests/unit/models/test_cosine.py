"""models.cosine: the split dense/sparse product equals the plain sparse one."""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from models.cosine import DENSE_COLUMN_SHARE, self_similarities


def _rows(n: int, d: int, seed: int, common: int = 20) -> sp.csr_matrix:
    """l2-normalised rows over ``d`` columns, the first ``common`` of them in most rows (as common words are)."""
    rng = np.random.default_rng(seed)
    dense = rng.random((n, d)) * (rng.random((n, d)) < 0.02)
    dense[:, :common] = rng.random((n, common)) * (rng.random((n, common)) < 0.8)
    return normalize(sp.csr_matrix(dense.astype(np.float32)))


def test_equals_the_sparse_product_with_both_kinds_of_column() -> None:
    rows = _rows(300, 2_000, seed=1)
    in_rows = np.bincount(rows.indices, minlength=rows.shape[1])
    common = in_rows >= DENSE_COLUMN_SHARE * rows.shape[0]
    assert common.any() and (~common & (in_rows > 0)).any()  # the split has a dense and a sparse side

    got = self_similarities(rows)
    assert got.dtype == np.float32 and got.shape == (300, 300)
    np.testing.assert_allclose(got, (rows @ rows.T).toarray(), atol=1e-6)
    np.testing.assert_allclose(np.diag(got), 1.0, atol=1e-5)


def test_small_and_degenerate_inputs() -> None:
    one = _rows(1, 50, seed=2)
    np.testing.assert_allclose(self_similarities(one), [[1.0]], atol=1e-6)

    with_empty = sp.vstack([_rows(5, 50, seed=3), sp.csr_matrix((1, 50), dtype=np.float32)]).tocsr()
    got = self_similarities(with_empty)
    np.testing.assert_allclose(got, (with_empty @ with_empty.T).toarray(), atol=1e-6)
    assert not got[-1].any()

    assert self_similarities(sp.csr_matrix((0, 50), dtype=np.float32)).shape == (0, 0)


def test_float64_rows_come_back_as_float32_cosines() -> None:
    rows = _rows(40, 100, seed=4).astype(np.float64)
    got = self_similarities(rows)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, (rows @ rows.T).toarray(), atol=1e-6)
