"""``DerivedGate``: the derived probability never falls as a similarity feature rises."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from models.gate import DerivedGate

CLASSES = np.array(["excerpt", "independent", "rewrite"])


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Column 0 a similarity; column 1 a shape feature that, in training, makes mid-similarity pairs
    independent (a pattern a new rewriter breaks)."""
    rng = np.random.default_rng(seed)
    n = 600
    sim = rng.uniform(0, 1, n)
    shape = rng.uniform(0, 1, n)
    y = np.where(sim < 0.25, "independent", np.where(sim > 0.7, "excerpt", "rewrite"))
    y[(shape > 0.8) & (sim > 0.3) & (sim < 0.5)] = "independent"  # a bump the trees will learn
    return np.column_stack([sim, shape]), y


def _gate(weight: float = 1.0) -> DerivedGate:
    trees = HistGradientBoostingClassifier(max_iter=40, min_samples_leaf=5, random_state=0)
    return DerivedGate(trees, gate=trees, increasing=[0], weight=weight)


def test_probabilities_are_a_distribution_over_the_classes():
    X, y = _data()
    model = _gate().fit(X, y)
    assert list(model.classes_) == list(CLASSES)
    proba = model.predict_proba(X[:50])
    assert proba.shape == (50, 3) and np.allclose(proba.sum(axis=1), 1.0) and (proba >= 0).all()
    assert (model.predict(X[:50]) == CLASSES[proba.argmax(axis=1)]).all()


def test_more_similarity_never_makes_a_pair_less_derived():
    X, y = _data()
    model = _gate().fit(X, y)
    for shape in (0.1, 0.5, 0.9):
        grid = np.column_stack([np.linspace(0, 1, 101), np.full(101, shape)])
        independent = model.predict_proba(grid)[:, 1]
        assert (np.diff(independent) <= 1e-12).all(), shape
    # the plain trees do dip there: the gate is what removes it
    plain = HistGradientBoostingClassifier(max_iter=40, min_samples_leaf=5, random_state=0).fit(X, y)
    grid = np.column_stack([np.linspace(0, 1, 101), np.full(101, 0.9)])
    assert (np.diff(plain.predict_proba(grid)[:, 1]) > 1e-6).any()


def test_a_derived_pair_the_estimator_called_certainly_independent_gets_the_derived_classes_prior():
    X, y = _data()

    class Certain(LogisticRegression):
        def predict_proba(self, X):
            out = np.zeros((len(X), 3))
            out[:, 1] = 1.0
            return out

    trees = HistGradientBoostingClassifier(max_iter=40, min_samples_leaf=5, random_state=0)
    model = DerivedGate(Certain(), gate=trees, increasing=[0], weight=1.0).fit(X, y)
    proba = model.predict_proba(np.array([[0.95, 0.1]]))[0]
    assert proba[1] < 0.5 and np.isclose(proba.sum(), 1.0)
    prior = model.derived_prior_
    assert np.isclose(proba[0] / proba[2], prior[0] / prior[2])


def test_the_derived_probability_is_the_weighted_mean_of_the_gate_and_the_estimator():
    X, y = _data()
    half = _gate(weight=0.5).fit(X, y)
    gate = half.gate_.predict_proba(X[:20])[:, 1]
    estimator = 1.0 - half.estimator_.predict_proba(X[:20])[:, 1]
    assert np.allclose(1.0 - half.predict_proba(X[:20])[:, 1], (gate + estimator) / 2)
