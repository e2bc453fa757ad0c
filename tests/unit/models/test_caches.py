"""The bounded cache of recent values, and the prepared texts the pair featurizer keeps in it."""

from __future__ import annotations

import pickle

import numpy as np

from models import features
from models.caches import Recent
from models.features import PairFeaturizer
from tests.unit.models.test_models_features import ARTICLE, OTHER, WRAPPER_HEAD


def test_values_are_kept_within_the_byte_bound_least_recently_used_dropped_first() -> None:
    made: list[str] = []

    def make(key: str):
        return lambda: made.append(key) or key * 10

    cache = Recent(max_bytes=30, weigh=len)
    assert cache.get("a", make("a")) == "a" * 10
    cache.get("b", make("b"))
    cache.get("c", make("c"))
    assert (len(cache), cache.bytes) == (3, 30)
    cache.get("a", make("a"))  # a hit: "a" becomes the most recent
    cache.get("d", make("d"))  # over the bound: "b", the least recent, goes
    assert made == ["a", "b", "c", "d"]
    assert (len(cache), cache.bytes) == (3, 30)
    cache.get("a", make("a"))
    cache.get("b", make("b"))
    assert made == ["a", "b", "c", "d", "b"]


def test_a_value_heavier_than_the_bound_is_returned_but_not_kept() -> None:
    cache = Recent(max_bytes=5, weigh=len)
    assert cache.get("k", lambda: "x" * 6) == "x" * 6
    assert (len(cache), cache.bytes) == (0, 0)


def _analysed(f: PairFeaturizer, pairs):
    rows, alignments = f.analyse(pairs)
    return rows[:, : features.N_PAIR_FEATURES].astype(float), [a.to_dict() for a in alignments]


def test_prepared_texts_give_the_features_computed_afresh_and_are_not_pickled() -> None:
    copy = WRAPPER_HEAD + "\n" + ARTICLE
    f = PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER), (OTHER, copy)])
    fresh_rows, fresh_evidence = _analysed(f, [(ARTICLE, copy), (OTHER, ARTICLE)])
    cache = f.cache("prepared", list)  # the cache the featurizer made (``list`` would make a new one)
    assert isinstance(cache, Recent)
    assert len(cache) == 3  # the three distinct texts
    rows, evidence = _analysed(f, [(OTHER, ARTICLE), (ARTICLE, copy)])  # every text from the cache
    assert len(cache) == 3
    np.testing.assert_array_equal(rows, fresh_rows[::-1])
    assert evidence == fresh_evidence[::-1]
    assert b"Sponsor" not in pickle.dumps(f)


def test_a_new_fit_does_not_use_texts_prepared_with_the_old_vocabulary() -> None:
    f = PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER)])
    before, _ = _analysed(f, [(ARTICLE, OTHER)])
    f.fit([(ARTICLE, ARTICLE)])  # OTHER's words leave the vocabulary
    after, _ = _analysed(f, [(ARTICLE, OTHER)])
    f.forget()
    afresh, _ = _analysed(f, [(ARTICLE, OTHER)])
    np.testing.assert_array_equal(after, afresh)
    assert not np.array_equal(before, after)


def test_text_vectors_from_the_cache_are_the_rows_vectorised_afresh() -> None:
    from sklearn.pipeline import Pipeline

    from models import classifier, tfidf

    copy = WRAPPER_HEAD + "\n" + ARTICLE
    f = PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER), (OTHER, copy)])
    pipeline = Pipeline([("pairs", f)])
    classifier.forget_texts(pipeline)
    first = classifier.text_vectors(pipeline, [ARTICLE, OTHER, ARTICLE])
    assert len(f.cache("vectors", list)) == 2
    again = classifier.text_vectors(pipeline, [copy, OTHER, "", ARTICLE])  # two from the cache
    expected = tfidf.transform(f.word_vectorizer_, [copy, OTHER, "", ARTICLE])
    assert (again != expected).nnz == 0 and again.shape == expected.shape
    np.testing.assert_array_equal(first[0].toarray(), first[2].toarray())
    np.testing.assert_array_equal(first[0].toarray(), expected[3].toarray())
    assert classifier.text_vectors(pipeline, []).shape == (0, len(f.word_vectorizer_.idf_))


def test_threads_sharing_a_cache_keep_its_byte_count_right() -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = Recent(max_bytes=200, weigh=len)

    def work(start: int) -> None:
        for n in range(start, start + 2000):
            key = str(n % 97)
            cache.get(key, lambda key=key: key * 5)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(0, 8000, 2000)))
    assert cache.bytes == sum(len(cache.find(k) or "") for k in list(cache._kept))
    assert cache.bytes <= 200


def test_caches_belong_to_the_fitted_estimator_and_go_with_it() -> None:
    import gc
    import weakref

    from sklearn.pipeline import Pipeline

    from models import classifier

    f = PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER)])
    _analysed(f, [(ARTICLE, OTHER)])
    prepared = f.cache("prepared", list)
    assert len(prepared) == 2
    other = PairFeaturizer(min_df=1).fit([(ARTICLE, OTHER)])
    assert len(other.cache("prepared", lambda: Recent(1, len))) == 0  # each fit its own
    classifier.forget_texts(Pipeline([("pairs", f)]))  # found inside the pipeline
    assert f.cache("prepared", lambda: Recent(1, len)) is not prepared
    kept = weakref.ref(f.cache("prepared", lambda: Recent(1, len)))
    del f
    gc.collect()
    assert kept() is None  # no module keeps it alive
