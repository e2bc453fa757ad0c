"""The project's ``TfidfVectorizer``: a vocabulary that is the same on every machine, and a fitted
word vectorizer's transform, the same matrix at a fraction of the cost.

``StableTfidfVectorizer`` breaks ties at the ``max_features`` cut by term. scikit-learn keeps the
most frequent terms with NumPy's default ``argsort``, which is not stable and whose order among
equal counts depends on the SIMD sort kernels the machine has: the terms tied at the cut differ
between machines, and so does every weight fitted on them.

scikit-learn's ``transform`` counts tokens in a Python loop, token by token, into a dict per
text: for the few dozen texts an ingest batch or a candidate re-rank vectorises, that loop was
most of the time (about 0.25 ms a 600-word article). Here the tokens come from one C-level
``findall`` and are counted for all texts at once with NumPy. Only the settings the project's
vectorizers use are taken this way; any other configuration goes to scikit-learn itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from models.text import ASCII_NOT_WORD_TO_SPACE, TOKEN_PATTERN

# The vectorizer settings this module reproduces: each must hold, or scikit-learn transforms.
_SUPPORTED = {
    "input": "content",
    "analyzer": "word",
    "ngram_range": (1, 1),
    "lowercase": True,
    "strip_accents": None,
    "preprocessor": None,
    "tokenizer": None,
    "stop_words": None,
    "binary": False,
    "norm": "l2",
    "use_idf": True,
    "sublinear_tf": True,
}


class StableTfidfVectorizer(TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer``; with ``max_features``, terms tied on their count at the cut
    are kept in the order of the terms themselves (scikit-learn sorts the vocabulary by term before
    it cuts, so a stable sort of the counts keeps the alphabetically first)."""

    def _limit_features(self, X, vocabulary, high=None, low=None, limit=None):
        # scikit-learn's rule, pruned by document frequency and then cut to the ``limit`` most
        # frequent terms, with the cut made by a stable sort.
        dfs = np.bincount(X.indices, minlength=X.shape[1])  # X is the CSR count matrix: a document per row
        mask = np.ones(len(dfs), dtype=bool)
        if high is not None:
            mask &= dfs <= high
        if low is not None:
            mask &= dfs >= low
        if limit is not None and mask.sum() > limit:
            tfs = np.asarray(X.sum(axis=0)).ravel()
            kept = np.flatnonzero(mask)
            mask = np.zeros(len(dfs), dtype=bool)
            mask[kept[np.argsort(-tfs[kept], kind="stable")[:limit]]] = True
        new_index = np.cumsum(mask) - 1
        for term, old in list(vocabulary.items()):
            if mask[old]:
                vocabulary[term] = new_index[old]
            else:
                del vocabulary[term]
        if not mask.any():
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        return X[:, np.flatnonzero(mask)]


def supported(vectorizer: TfidfVectorizer) -> bool:
    """Whether ``transform`` reproduces this fitted vectorizer here rather than calling it."""
    missing = object()
    return hasattr(vectorizer, "idf_") and all(getattr(vectorizer, k, missing) == v for k, v in _SUPPORTED.items())


@lru_cache(maxsize=8)
def _tokenizer(token_pattern: str):
    find = re.compile(token_pattern).findall
    if token_pattern != TOKEN_PATTERN:
        return lambda text: find(text.lower())

    def tokens(text: str) -> list[str]:
        low = text.lower()
        if low.isascii():  # runs of letters, digits and "_": several times faster than the regex
            return low.encode("ascii").translate(ASCII_NOT_WORD_TO_SPACE).decode("ascii").split()
        return find(low)

    return tokens


def transform(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)``: sublinear TF times IDF, l2-normalised rows, sorted indices."""
    texts = list(texts)
    if not supported(vectorizer):
        return vectorizer.transform(texts)
    tokens_of = _tokenizer(vectorizer.token_pattern)
    vocabulary = vectorizer.vocabulary_
    width = len(vectorizer.idf_)
    tokens: list[str] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):  # all texts' tokens looked up at once: many are a line long
        found = tokens_of(text)
        tokens += found
        lengths[row] = len(found)
    ids = np.fromiter(map(vocabulary.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    known = ids >= 0
    flat, counts = np.unique(row_of[known] * width + ids[known], return_counts=True)
    rows, columns = np.divmod(flat, width)
    dtype = vectorizer.dtype if np.dtype(vectorizer.dtype).kind == "f" else np.float64
    idf = vectorizer.idf_.astype(dtype, copy=False)
    data = (np.log(counts.astype(dtype)) + dtype(1)) * idf[columns]
    norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=len(texts)))
    data /= np.maximum(norms, 1e-300)[rows].astype(dtype)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(texts)))])
    return sp.csr_matrix((data, columns, indptr), shape=(len(texts), width))
