"""Ranking on weighted terms from posting lists in memory (``copytrace.index.postings``)."""

from __future__ import annotations

import numpy as np

from copytrace.index.postings import id_array, ranked_by_weight


def test_posting_lists_read_from_either_database_are_the_same_ids():
    assert id_array("7,3,12").tolist() == [7, 3, 12]
    assert id_array([7, 3, 12]).tolist() == [7, 3, 12]
    assert id_array("7,3,12").dtype == np.int64


def test_documents_rank_by_summed_weight_then_id_with_the_text_itself_left_out():
    postings = {1: id_array([10, 11, 12, 99]), 2: id_array([11, 12, 13, 99]), 3: id_array([12, 10])}
    weights = {1: 5, 2: 3, 3: 2}
    # 10: 5+2, 11: 5+3, 12: 5+3+2, 13: 3 (one term only), 99 is the text itself
    assert ranked_by_weight(postings, weights, exclude=99, min_shared=2, limit=10) == [12, 11, 10]
    assert ranked_by_weight(postings, weights, exclude=99, min_shared=1, limit=10) == [12, 11, 10, 13]
    assert ranked_by_weight(postings, weights, exclude=99, min_shared=2, limit=2) == [12, 11]
    assert ranked_by_weight(postings, weights, exclude=-1, min_shared=2, limit=10) == [12, 11, 99, 10]


def test_equal_sums_are_ranked_by_the_lower_id_and_missing_terms_add_nothing():
    postings = {1: id_array([30, 20]), 2: id_array([20, 30, 40])}
    assert ranked_by_weight(postings, {1: 4, 2: 4, 9: 100}, exclude=0, min_shared=2, limit=5) == [20, 30]
    assert ranked_by_weight(postings, {9: 100}, exclude=0, min_shared=1, limit=5) == []
