"""The question "is the copy derived from the source at all?", answered by a model that cannot
learn that more shared text means less derivation.

The pair classes' trees learn whatever separates the classes in the training pairs, including
shapes that only hold for the rewriters and sites they saw: a rewriter that elaborates (longer
than its source, little of it matched unit for unit) lands where, in training, only independent
texts and the reverse of partial rewrites lay, and the trees called it independent although it
shares far more with its source than any independent text does. ``DerivedGate`` asks the
derived-or-not question of a second, binary model of the same features whose probability of
derivation never falls as a similarity feature rises (``HistGradientBoostingClassifier``'s
``monotonic_cst``; scikit-learn has no monotonic constraints for more than two classes), and keeps
the pair classifier's split of the derived probability among the derived classes.

The derived probability is the mean of the gate's and the pair classifier's: the gate alone finds
most of a new rewriter's rewrites but also calls more same-topic independent texts derived (it
cannot use the shapes that tell them apart, such as own facts, as freely); the mean keeps most of
the first and little of the second (docs/generalisation.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

# The features along which derivation may only grow: shared words, characters and n-grams either
# way, units matched verbatim or in other words, the source covered, and the facts both share.
INCREASING = (
    "word_cosine",
    "char_cosine",
    "copy_in_source_1gram",
    "copy_in_source_2gram",
    "copy_in_source_4gram",
    "copy_in_source_8gram",
    "source_in_copy_1gram",
    "source_in_copy_2gram",
    "source_in_copy_4gram",
    "source_in_copy_8gram",
    "copy_matched_share",
    "copy_verbatim_share",
    "copy_paraphrase_share",
    "source_coverage",
    "source_verbatim_coverage",
    "mean_best_cosine",
    "share_cosine_50",
    "share_cosine_70",
    "mean_unit_containment",
    "copy_leftover_source_cosine",
    "shared_facts_log",
)


class DerivedGate(BaseEstimator, ClassifierMixin):
    """``estimator`` over all pair classes, with P(not ``negative``) drawn towards ``gate``'s.

    ``gate`` is an unfitted binary classifier with a ``monotonic_cst`` parameter; ``fit`` gives it
    +1 on the columns ``increasing``. A pair's derived probability is ``weight`` times the gate's
    plus the rest times the estimator's (``weight=1``: the gate's alone, monotonic in those
    columns); the estimator's probabilities of the derived classes are rescaled to sum to it. Where
    the estimator put everything on ``negative``, the derived classes share it in their training
    proportions. The gate is not recalibrated: isotonic or sigmoid calibration fitted on held-out
    thirds of the training pairs pulled a new rewriter's pairs back towards independent, undoing
    what the constraint bought (both stay monotonic; they only learn the training pairs' mix again).
    """

    def __init__(
        self,
        estimator=None,
        gate=None,
        increasing: Sequence[int] = (),
        negative: str = "independent",
        weight: float = 0.5,
    ):
        self.estimator = estimator
        self.gate = gate
        self.increasing = increasing
        self.negative = negative
        self.weight = weight

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y)
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.estimator_ = clone(self.estimator).fit(X, y, **weights)
        self.classes_ = self.estimator_.classes_
        constraints = np.zeros(X.shape[1], dtype=int)
        constraints[list(self.increasing)] = 1
        gate = clone(self.gate).set_params(monotonic_cst=constraints)
        derived = (y != self.negative).astype(int)
        self.gate_ = gate.fit(X, derived, **weights)
        counts = np.array([np.sum(y == c) for c in self.classes_], dtype=float)
        counts[self.classes_ == self.negative] = 0.0
        self.derived_prior_ = counts / max(counts.sum(), 1.0)
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "gate_")
        proba = np.array(self.estimator_.predict_proba(X), dtype=float)
        where = np.flatnonzero(self.classes_ == self.negative)
        if not len(where):
            return proba
        k = where[0]
        derived = self.weight * self.gate_.predict_proba(X)[:, 1] + (1.0 - self.weight) * (1.0 - proba[:, k])
        share = proba.copy()
        share[:, k] = 0.0
        total = share.sum(axis=1)
        share[total <= 0] = self.derived_prior_
        share /= share.sum(axis=1, keepdims=True)
        proba = share * derived[:, None]
        proba[:, k] = 1.0 - derived
        return proba

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
