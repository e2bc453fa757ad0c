"""The plain baseline the pair classifier has to beat: containment and LCS, then a logistic regression.

    containment   share of the copy's word n-grams found in the source, and of the source's in
                  the copy, for n = 1, 2, 4, 8 (8 numbers)
    lcs           longest common subsequence of the two word sequences, over the copy's length
                  and over the source's (2 numbers)
    classify      StandardScaler → multinomial LogisticRegression over the five pair classes

This is what the plagiarism-detection literature starts from (Clough & Stevenson's short-answer
corpus is separated well by exactly these features), so ``models.generalisation`` reports it
beside the pipeline on the same folds: a fold where the baseline beats the pipeline is a fold
where the pipeline learned the training data rather than the task.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models.text import TOKEN_RE

NGRAMS = (1, 2, 4, 8)
FEATURES = (
    *(f"copy_in_source_{n}gram" for n in NGRAMS),
    *(f"source_in_copy_{n}gram" for n in NGRAMS),
    "lcs_over_copy",
    "lcs_over_source",
)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text.lower())


def _grams(tok: list[str], n: int) -> set[tuple[str, ...]]:
    return set(zip(*(tok[i:] for i in range(n)), strict=False))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (bit-parallel, Hyyrö 2004):
    one pass over ``b`` with ``len(a)``-bit integers, so a pair of 1,000-word texts is ~1,000
    big-integer steps instead of a million table cells."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def pair_features(source: str, copy: str) -> list[float]:
    """``FEATURES`` of one pair."""
    s, c = tokens(source), tokens(copy)
    out = []
    grams = {n: (_grams(s, n), _grams(c, n)) for n in NGRAMS}
    for n in NGRAMS:
        gs, gc = grams[n]
        out.append(len(gs & gc) / len(gc) if gc else 0.0)
    for n in NGRAMS:
        gs, gc = grams[n]
        out.append(len(gs & gc) / len(gs) if gs else 0.0)
    lcs = lcs_length(s, c)
    out += [lcs / len(c) if c else 0.0, lcs / len(s) if s else 0.0]
    return out


class ContainmentFeatures(BaseEstimator, TransformerMixin):
    """``(source, copy)`` pairs → the ``FEATURES`` matrix (stateless)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 2
        return self

    def transform(self, X) -> np.ndarray:
        rows = [pair_features(str(s), str(c)) for s, c in X]
        return np.array(rows, dtype=np.float64).reshape(-1, len(FEATURES))

    def get_feature_names_out(self, input_features=None):
        return np.array(FEATURES, dtype=object)


def build_baseline(C: float = 1.0) -> Pipeline:
    """The untrained baseline; ``fit``/``predict``/``predict_proba`` take ``(source, copy)`` pairs."""
    return Pipeline(
        [
            ("pairs", ContainmentFeatures()),
            ("scale", StandardScaler()),
            ("classify", LogisticRegression(C=C, max_iter=2000)),
        ]
    )


def features_only_pipeline(C: float = 1.0) -> Pipeline:
    """The baseline's classifier alone, for callers that computed ``ContainmentFeatures`` once and
    fit it on several subsets of the rows (``models.generalisation``: one feature pass, many folds)."""
    return Pipeline([("scale", StandardScaler()), ("classify", LogisticRegression(C=C, max_iter=2000))])
