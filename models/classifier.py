"""The one scikit-learn Pipeline that classifies (source, copy) pairs, and helpers around it.

    pairs    PairFeaturizer            alignment + similarity features, the texts' machine style, leftover texts
    features ColumnTransformer         numeric features as they are | ResidualVocabulary on leftovers
    classify VerbatimFloor             the rule "a copy made of source sentences is never independent" over
             DerivedGate               "derived at all?" from trees monotonic in the similarity features, over
             CalibratedClassifierCV    gradient-boosted trees, temperature-scaled → predict_proba
                                       (on rewriters, sites and domains held out: ``fit``)

Gradient boosting, because the decisive evidence is in interactions (all of the copy
matched verbatim *and* most of the source covered → full copy; the same with an
unmatched prose tail → the reverse of an excerpt, not a wrapper). Calibration makes
``predict_proba`` usable as the confidence stored beside each label. It is one temperature for all
classes, which keeps the trees' ranking: isotonic maps (each class against the rest, then normalised)
left more on the runner-up class and underrated the sure copies of a new wrapper site
(docs/accuracy.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import ThreadpoolController

from models import cosine, tfidf
from models.features import (
    COPY_RESIDUAL_COLUMN,
    N_PAIR_FEATURES,
    PAIR_FEATURES,
    SOURCE_RESIDUAL_COLUMN,
    PairFeaturizer,
    ResidualVocabulary,
)
from models.gate import INCREASING, DerivedGate
from models.pairs import to_label
from models.style import DEFAULT_MARGIN as STYLE_MARGIN

CALIBRATION_FOLDS = 3  # out-of-fold predictions the trees' calibration is fitted on


class VerbatimFloor(BaseEstimator, ClassifierMixin):
    """``estimator`` with one rule the trees cannot be trusted to learn everywhere: a copy made of
    the source's sentences is never ``independent``.

    Trees extrapolate outside the lengths they were trained on (short texts made wholly of the
    source's sentences came out independent), and a label must not contradict its own evidence.
    The rule holds for a copy that is ``threshold`` or more verbatim source sentences, and for one
    that is ``partial`` or more verbatim while taking less than ``coverage`` of the source verbatim
    (``coverage_column``): cut-and-paste of a few of the source's sentences beside other text. The
    second condition leaves the reverse of an excerpt alone: there the "source" (the excerpt) lies
    wholly inside the "copy" (the article), which is not derived from it.
    The one exception is the reverse of a wrapped copy — the source is a page whose uncovered
    lines read as furniture (``source_leftover_wrapper_max`` at least ``wrapper``) and are off the
    copy's topic (``topic_column`` below ``topic``): the bare article is not derived from the page
    around it. The topic condition keeps the rule for a copy that left out its source's headline or
    a passage, which read like a line of furniture but are about the copy. The rule moves the
    independent probability onto the other classes in proportion, so the confidence stays a
    probability.
    """

    INDEPENDENT = "independent"

    def __init__(
        self,
        estimator=None,
        verbatim_column: int = 0,
        wrapper_column: int = 0,
        coverage_column: int | None = None,
        topic_column: int | None = None,
        threshold: float = 0.9,
        wrapper: float = 0.5,
        partial: float = 0.5,
        coverage: float = 0.7,
        topic: float = 0.08,
    ):
        self.estimator = estimator
        self.verbatim_column = verbatim_column
        self.wrapper_column = wrapper_column
        self.coverage_column = coverage_column
        self.topic_column = topic_column
        self.threshold = threshold
        self.wrapper = wrapper
        self.partial = partial
        self.coverage = coverage
        self.topic = topic

    def fit(self, X, y, sample_weight=None):
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        self.estimator_ = clone(self.estimator).fit(X, y, **weights)
        self.classes_ = self.estimator_.classes_
        return self

    def floored(self, X) -> np.ndarray:
        """Which rows the rule applies to."""

        def column(i: int) -> np.ndarray:
            col = X[:, i]
            return np.asarray(col.toarray() if hasattr(col, "toarray") else col, dtype=float).ravel()

        verbatim = column(self.verbatim_column)
        derived = verbatim >= self.threshold
        if self.coverage_column is not None:
            derived |= (verbatim >= self.partial) & (column(self.coverage_column) < self.coverage)
        page = column(self.wrapper_column) >= self.wrapper
        if self.topic_column is not None:
            page &= column(self.topic_column) < self.topic
        return derived & ~page

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        proba = np.array(self.estimator_.predict_proba(X), dtype=float)
        where = np.flatnonzero(self.classes_ == self.INDEPENDENT)
        rows = self.floored(X)
        if len(where) and rows.any():
            k = where[0]
            rest = 1.0 - proba[rows, k]
            proba[rows, k] = 0.0
            proba[rows] /= np.where(rest > 0, rest, 1.0)[:, None]
            empty = rows.copy()
            empty[rows] = rest <= 0  # all mass was on independent: an excerpt is the least a verbatim copy is
            if empty.any():
                proba[empty] = 0.0
                proba[empty, np.flatnonzero(self.classes_ == "excerpt")] = 1.0
        return proba

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def build_pipeline(**params: Any) -> Pipeline:
    """The untrained pipeline; ``params`` are ``set_params`` names, e.g.
    ``classify__estimator__estimator__method="sigmoid"``."""
    trees = HistGradientBoostingClassifier(
        max_iter=120,
        learning_rate=0.15,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )
    pipeline = Pipeline(
        [
            ("pairs", PairFeaturizer()),
            (
                "features",
                ColumnTransformer(
                    [
                        ("shape", "passthrough", list(range(N_PAIR_FEATURES))),
                        ("residual", ResidualVocabulary(), [COPY_RESIDUAL_COLUMN, SOURCE_RESIDUAL_COLUMN]),
                    ]
                ),
            ),
            (
                "classify",
                VerbatimFloor(
                    DerivedGate(
                        CalibratedClassifierCV(trees, method="temperature", cv=CALIBRATION_FOLDS, ensemble=False),
                        gate=clone(trees),
                        increasing=[PAIR_FEATURES.index(name) for name in INCREASING],
                    ),
                    verbatim_column=PAIR_FEATURES.index("copy_verbatim_share"),
                    coverage_column=PAIR_FEATURES.index("source_verbatim_coverage"),
                    topic_column=PAIR_FEATURES.index("source_leftover_copy_cosine"),
                    # the residual columns follow the pair features: copy max, copy mean, source max, ...
                    wrapper_column=N_PAIR_FEATURES + 2,
                ),
            ),
        ]
    )
    return pipeline.set_params(**params)


def with_style(pipeline: Pipeline, style) -> Pipeline:
    """``pipeline`` whose featurizer reads the texts' machine style with ``style``, a fitted
    ``models.style.MachineStyle`` (None: none). Frozen: the style model is fitted on its own samples
    (``models.fit_style``), and fitting the pair pipeline leaves it as it is."""
    return pipeline.set_params(pairs__style=None if style is None else FrozenEstimator(style))


def style_model(pipeline: Pipeline):
    """The machine-style model the pipeline's featurizer reads, or None."""
    frozen = getattr(pipeline.named_steps["pairs"], "style", None)
    return None if frozen is None else frozen.estimator


def fit(
    pipeline: Pipeline,
    pairs: Sequence[tuple[str, str]],
    classes: Sequence[str],
    groups: Sequence[str] | None = None,
    sample_weight: Sequence[float] | None = None,
) -> Pipeline:
    """Fit ``pipeline`` on ``pairs``; with ``groups`` (what made each copy: a rewriter, a wrapper site
    family, a domain family), its probabilities are calibrated on groups the trees were fitted without.
    ``sample_weight``: how much each pair counts (the trees, the gate and the calibration).

    The trees' calibration is fitted on out-of-fold predictions. Folds cut at random hold every
    rewriter and site on both sides, so the calibration learns how sure the trees are on the ones
    they know; held out by group, it learns how sure they are on a new one, which is what the pipeline
    meets (a rewriter, site or register it was never trained on)."""
    if groups is not None:
        calibrated = "classify__estimator__estimator"
        folds = pipeline.get_params()[f"{calibrated}__cv"]
        splits = GroupKFold(folds if isinstance(folds, int) else CALIBRATION_FOLDS).split(
            np.zeros(len(pairs)), groups=list(groups)
        )
        pipeline.set_params(**{f"{calibrated}__cv": [(a.astype(np.int32), b.astype(np.int32)) for a, b in splits]})
    weights = {} if sample_weight is None else {"classify__sample_weight": np.asarray(sample_weight, dtype=float)}
    return pipeline.fit(list(pairs), list(classes), **weights)


@lru_cache(maxsize=1)
def _threads() -> ThreadpoolController:
    return ThreadpoolController()


def one_thread():
    """Run native code single-threaded: on a busy machine the trees' OpenMP start-up costs far more
    per call than predicting a few rows takes on one thread."""
    return _threads().limit(limits=1)


def predict_proba(pipeline: Pipeline, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """Class probabilities per pair, columns in ``pipeline.classes_`` order."""
    with one_thread():
        return pipeline.predict_proba(list(pairs))


def predict(pipeline: Pipeline, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """The most probable pair class of each pair."""
    with one_thread():
        return [str(c) for c in pipeline.predict(list(pairs))]


def text_vectors(pipeline: Pipeline, texts: Sequence[str]):
    """L2-normalised sparse word TF-IDF rows, with the IDF the pipeline learned on its training texts.

    Cosine between rows is a story-level similarity: independent coverage of one event
    scores well above unrelated articles, so it serves candidate search and grouping.
    """
    vectorizer = pipeline.named_steps["pairs"].word_vectorizer_
    return tfidf.transform(vectorizer, list(texts))


def similarities(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """Cosine of every two texts' ``text_vectors`` rows, a dense ``len(texts)`` square (float32)."""
    vectors = text_vectors(pipeline, texts)
    with one_thread():  # a BLAS product: threads would only spin against the other processes
        return cosine.self_similarities(vectors)


def feature_names(pipeline: Pipeline) -> list[str]:
    """The names of the columns ``analyse`` returns."""
    return [*PAIR_FEATURES, *pipeline.named_steps["features"].named_transformers_["residual"].get_feature_names_out()]


def analyse(pipeline: Pipeline, pairs: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, list]:
    """(class probabilities, dense feature matrix with columns ``feature_names``, alignments) of each
    pair: ``predict_proba`` keeping what it computed on the way."""
    featurizer: PairFeaturizer = pipeline.named_steps["pairs"]
    with one_thread():  # the alignments' unit products too: BLAS threads spun for a third of a core
        rows, alignments = featurizer.analyse(list(pairs))
        matrix = pipeline.named_steps["features"].transform(rows)
        probas = pipeline.named_steps["classify"].predict_proba(matrix)
    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    return np.asarray(probas, dtype=np.float64), dense, alignments


def explain_many(pipeline: Pipeline, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Label, confidence and the evidence behind them for each pair, JSON-serialisable.

    One feature pass and one ``predict_proba`` for the whole batch: per-call overhead (column
    transform, calibrators, tree set-up) costs more than a pair's features, so callers batch.
    """
    if not pairs:
        return []
    probas, dense, alignments = analyse(pipeline, pairs)
    classes = [str(c) for c in pipeline.classes_]
    names = feature_names(pipeline)
    out = []
    # Rows as Python floats at once: a float() per NumPy scalar cost as much as the rounding.
    for proba, values, al in zip(probas.tolist(), dense.tolist(), alignments, strict=True):
        best = max(range(len(proba)), key=proba.__getitem__)
        features = {name: round(v, 4) for name, v in zip(names, values, strict=True)}
        pair_class = classes[best]
        evidence = al.to_dict()
        out.append(
            {
                "pair_class": pair_class,
                "label": to_label(pair_class),
                "confidence": round(proba[best], 4),
                "probabilities": {c: round(p, 4) for c, p in zip(classes, proba, strict=True)},
                "features": features,
                "reasons": _reasons(pair_class, features, al),
                "spans": evidence["spans"],
                "wrapper_segments": evidence["wrapper_segments"],
            }
        )
    return out


def explain(pipeline: Pipeline, source: str, copy: str) -> dict[str, Any]:
    """``explain_many`` for one pair."""
    return explain_many(pipeline, [(source, copy)])[0]


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _snippets(al, limit: int = 4) -> str:
    """The first words of the largest unmatched segments, quoted."""
    segs = sorted(al.wrapper_segments, key=lambda s: s.end - s.start, reverse=True)[:limit]
    out = []
    for seg in segs:
        words = seg.text.split()
        out.append("'" + " ".join(words[:6]) + ("…" if len(words) > 6 else "") + "'")
    return ", ".join(out)


def _reasons(pair_class: str, f: dict[str, float], al) -> list[str]:
    """Readable sentences built from the features that decided ``pair_class``."""
    reasons = []
    order = "in order" if f["order_kept"] >= 0.8 else "out of order"
    if f["source_verbatim_coverage"] > 0.02:
        reasons.append(f"{_pct(f['source_verbatim_coverage'])} of the source's sentences reappear verbatim, {order}")
    if f["copy_paraphrase_share"] > 0.05:
        reasons.append(
            f"{_pct(f['copy_paraphrase_share'])} of the copy re-expresses source sentences in other words "
            f"({_pct(f['copy_in_source_4gram'])} of its 4-word runs are the source's)"
        )
    if f["copy_unmatched_share"] > 0.02 and al.wrapper_segments:
        reasons.append(f"{_pct(f['copy_unmatched_share'])} of the copy is unmatched text: {_snippets(al)}")
    if f["copy_leftover_wrapper_max"] >= 0.5 and al.wrapper_segments:
        reasons.append(
            f"its unmatched lines read like injected page material (ads, paywall, navigation; "
            f"score {f['copy_leftover_wrapper_max']:.2f})"
        )
    if f["copy_leftover_source_cosine"] >= 0.15 and al.wrapper_segments:
        reasons.append(
            f"its unmatched text is about the source's topic (cosine {f['copy_leftover_source_cosine']:.2f}): "
            "the writer's own words rather than page material"
        )
    if f.get("copy_own_facts_share", 0.0) >= 0.3:
        reasons.append(
            f"{_pct(f['copy_own_facts_share'])} of the copy's names and numbers are not in the source "
            f"({_pct(f['copy_own_quotes_share'])} of its quotes): facts of its own"
        )
    elif f.get("shared_facts_log", 0.0) > 1.0 and f.get("shared_facts_order_kept", 1.0) >= 0.8:
        reasons.append("the copy adds almost no names or numbers of its own and keeps the source's order of facts")
    if f["repeated_unit_share"] > 0.02:
        reasons.append(f"{_pct(f['repeated_unit_share'])} of the copy repeats its own passages")
    if pair_class == "rewrite" and f.get("machine_log_odds_gap", 0.0) >= STYLE_MARGIN:
        reasons.append(
            f"the copy reads as machine-written beside the source (machine-style log-odds "
            f"{f['machine_log_odds_gap']:+.1f} over it): a rewriter's wording"
        )
    if pair_class == "independent":
        if f["source_coverage"] > 0.8 and f["copy_unmatched_share"] > 0.2:
            reasons.append("the copy holds all of the source plus text of its own: the source looks derived from it")
        elif f["copy_matched_share"] < 0.5:
            reasons.append(
                f"only {_pct(f['copy_matched_share'])} of the copy matches the source; shared vocabulary "
                f"(cosine {f['word_cosine']:.2f}) without shared sentences is the same topic, not a copy"
            )
    elif pair_class in ("full-copy", "excerpt"):
        reasons.append(f"the copy covers {_pct(f['source_coverage'])} of the source")
    return reasons
