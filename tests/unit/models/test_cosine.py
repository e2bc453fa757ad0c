"""models.cosine: the split dense/sparse product equals the plain sparse one, carried over or not."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from models.cosine import DENSE_COLUMN_SHARE, Carried, self_similarities


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


def test_carried_similarities_equal_a_fresh_product_in_any_order() -> None:
    rows = _rows(120, 800, seed=5)
    carried = Carried(max_bytes=2**30)
    first = carried([f"t{i}" for i in range(80)], rows[:80])
    np.testing.assert_allclose(first, (rows[:80] @ rows[:80].T).toarray(), atol=1e-6)

    # the next batch: most of the last one's texts, shuffled, with 40 it did not have
    order = np.random.default_rng(6).permutation(np.r_[10:120])
    again = carried([f"t{i}" for i in order], rows[order])
    expected = (rows[order] @ rows[order].T).toarray()
    assert again.dtype == np.float32 and again.shape == expected.shape
    np.testing.assert_allclose(again, expected, atol=1e-6)


def test_carried_similarities_take_the_kept_entries_from_the_last_call() -> None:
    """What is kept is by key: the same keys with other rows keep their last entries (so a key must
    name its row, as a text names its TF-IDF row for one fit), and a key new to the call does not."""
    a, b = _rows(30, 200, seed=7), _rows(30, 200, seed=8)
    carried = Carried(max_bytes=2**30)
    keys = [f"t{i}" for i in range(30)]
    carried(keys, a)
    mixed = carried([*keys[:20], "new"], b[:21])
    np.testing.assert_allclose(mixed[:20, :20], (a[:20] @ a[:20].T).toarray(), atol=1e-6)
    np.testing.assert_allclose(mixed[20], (b[20] @ b[:21].T).toarray()[0], atol=1e-6)
    np.testing.assert_allclose(mixed[:, 20], mixed[20], atol=0)


def test_carried_similarities_keep_no_matrix_over_their_bound() -> None:
    a, b = _rows(30, 200, seed=9), _rows(30, 200, seed=10)
    keys = [f"t{i}" for i in range(30)]
    small = Carried(max_bytes=30 * 30 * 4 - 1)
    small(keys, a)
    np.testing.assert_allclose(small(keys, b), (b @ b.T).toarray(), atol=1e-6)
    kept = Carried(max_bytes=30 * 30 * 4)
    kept(keys, a)
    np.testing.assert_allclose(kept(keys, b), (a @ a.T).toarray(), atol=1e-6)
    kept.clear()
    np.testing.assert_allclose(kept(keys, b), (b @ b.T).toarray(), atol=1e-6)


def test_the_carried_matrix_cannot_be_written_to() -> None:
    rows = _rows(10, 100, seed=11)
    got = Carried(max_bytes=2**30)([f"t{i}" for i in range(10)], rows)
    with pytest.raises(ValueError):
        got[0, 1] = 0.5
