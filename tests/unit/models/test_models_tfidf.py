"""The fast TF-IDF transform gives scikit-learn's own matrix, on the shipped model's vectorizers and on odd texts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from models import registry, tfidf
from models.text import TOKEN_PATTERN
from tests.conftest import SEEDS

ODD_TEXTS = [
    "",
    "   \n\n ",
    "İstanbul'da ÉCOLE Straße ﬁnance ǅemal — “quoted” naïve café ½ ² ٣",  # non-ASCII: the regex path
    "snake_case_word, x2, 3.14; e-mail: a@b.example\tTAB\x00NUL\x7fDEL",
    "Repeat " * 500,
    "日本語のテキスト 中文 한국어",
]


@pytest.fixture(scope="module")
def vectorizers() -> dict[str, TfidfVectorizer]:
    pipeline = registry.load_model(registry.default_model_path())
    residual = pipeline.named_steps["features"].named_transformers_["residual"]
    return {"word": pipeline.named_steps["pairs"].word_vectorizer_, "residual": residual.vectorizer_}


def _texts() -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    lines = [line for text in seeds for line in text.splitlines()]
    return seeds + lines + ODD_TEXTS


def _assert_same(expected, got) -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert got.has_sorted_indices
    expected.sort_indices()
    np.testing.assert_array_equal(got.indptr, expected.indptr)
    np.testing.assert_array_equal(got.indices, expected.indices)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["word", "residual"])
def test_the_shipped_vectorizers_are_reproduced(vectorizers, name) -> None:
    vectorizer = vectorizers[name]
    texts = _texts()
    assert tfidf.supported(vectorizer)
    _assert_same(vectorizer.transform(texts), tfidf.transform(vectorizer, texts))
    assert tfidf.transform(vectorizer, ODD_TEXTS[:2]).nnz == 0  # nothing known: empty rows, no division by zero
    assert tfidf.transform(vectorizer, []).shape == (0, len(vectorizer.idf_))


def test_other_settings_are_left_to_scikit_learn() -> None:
    texts = _texts()
    bigrams = TfidfVectorizer(token_pattern=TOKEN_PATTERN, sublinear_tf=True, ngram_range=(1, 2)).fit(texts)
    plain_tf = TfidfVectorizer(token_pattern=TOKEN_PATTERN).fit(texts)
    own_pattern = TfidfVectorizer(token_pattern=r"[a-z]{3,}", sublinear_tf=True).fit(texts)
    assert not tfidf.supported(bigrams) and not tfidf.supported(plain_tf)
    assert tfidf.supported(own_pattern)  # any token pattern: only the project's own has the ASCII shortcut
    for vectorizer in (bigrams, plain_tf, own_pattern):
        _assert_same(vectorizer.transform(texts), tfidf.transform(vectorizer, texts))


def _tied_texts() -> tuple[list[str], dict[str, int]]:
    """300 terms said one to five times each, spread over 30 texts; and how often each is said."""
    rng = np.random.default_rng(0)
    counts = {f"w{i:03d}": int(c) for i, c in enumerate(rng.integers(1, 6, 300))}
    words = [term for term, c in counts.items() for _ in range(c)]
    rng.shuffle(words)
    return [" ".join(words[i::30]) for i in range(30)], counts


def test_terms_tied_at_the_max_features_cut_are_kept_by_term() -> None:
    texts, counts = _tied_texts()
    stable = tfidf.StableTfidfVectorizer(token_pattern=TOKEN_PATTERN, max_features=150).fit(texts)
    # the most frequent first; among terms said equally often, the alphabetically first
    expected = sorted(sorted(counts, key=lambda term: (-counts[term], term))[:150])
    assert sorted(stable.vocabulary_) == expected
    assert [stable.vocabulary_[t] for t in expected] == list(range(150))  # columns in term order, as scikit-learn's


def test_without_ties_at_the_cut_the_vocabulary_is_scikit_learns() -> None:
    texts = _texts()
    for settings in ({"min_df": 2}, {"max_df": 0.5}, {"min_df": 2, "max_features": 1_000_000}, {}):
        ours = tfidf.StableTfidfVectorizer(token_pattern=TOKEN_PATTERN, sublinear_tf=True, **settings).fit(texts)
        theirs = TfidfVectorizer(token_pattern=TOKEN_PATTERN, sublinear_tf=True, **settings).fit(texts)
        assert ours.vocabulary_ == theirs.vocabulary_
        np.testing.assert_array_equal(ours.idf_, theirs.idf_)
        _assert_same(theirs.transform(texts), ours.transform(texts))
    with pytest.raises(ValueError, match="no terms remain"):
        tfidf.StableTfidfVectorizer(min_df=2).fit(["alpha beta", "gamma delta"])
