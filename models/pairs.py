"""The pair classifier's classes and how they map onto the four user-facing labels.

The classifier judges one directed pair (source, copy). It needs two classes the
labels fold together: ``independent`` (the copy does not derive from the source —
unrelated, independent coverage of the same story, or the reverse direction of a real
pair) and ``full-copy`` (a faithful complete copy). Both read as ``original`` to a user.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

PAIR_CLASSES = ("independent", "full-copy", "excerpt", "rewrite", "spam-wrapped")
LABELS = ("original", "rewrite", "excerpt", "spam-wrapped")
DERIVED_CLASSES = ("full-copy", "excerpt", "rewrite", "spam-wrapped")
# The classes whose copy holds source text verbatim (a wrapped copy may wrap a rewrite: its core decides).
VERBATIM_CLASSES = frozenset({"full-copy", "excerpt", "spam-wrapped"})

_TO_LABEL = {"independent": "original", "full-copy": "original"}


def to_label(pair_class: str) -> str:
    """The user-facing label of a pair class (``independent``/``full-copy`` → ``original``)."""
    if pair_class not in PAIR_CLASSES:
        raise ValueError(f"unknown pair class {pair_class!r}; expected one of {PAIR_CLASSES}")
    return _TO_LABEL.get(pair_class, pair_class)


def from_label(label: str) -> str:
    """The pair class a person's label stands for when it is learned from (operator corrections).

    An operator who calls a derived copy ``original`` says it does not derive from the source it was
    compared with, so ``original`` becomes ``independent``; a pair class is kept as it is.
    """
    if label in PAIR_CLASSES:
        return label
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}; expected one of {LABELS}")
    return "independent" if label == "original" else label


def macro_f1(f1, support) -> float:
    """Macro-F1 over the labels: the mean F1 of the labels the truth holds (``support`` > 0), so a label
    the truth lacks counts for nothing rather than as 0. ``f1`` and ``support`` are per label in one
    order, as ``precision_recall_fscore_support`` gives them; at least one label must have support."""
    return float(np.asarray(f1)[np.asarray(support) > 0].mean())


def label_report(truth: list[str], predicted: list[str]) -> dict:
    """Precision, recall, F1 and support per label, macro-F1 and the confusion matrix (rows: truth,
    columns: predicted, both in ``LABELS`` order) of user-facing labels."""
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=list(LABELS), zero_division=0)
    return {
        "labels": list(LABELS),
        "per_class": {
            label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(n[i])}
            for i, label in enumerate(LABELS)
        },
        "macro_f1": macro_f1(f, n) if (n > 0).any() else 0.0,
        "confusion": confusion_matrix(truth, predicted, labels=list(LABELS)).tolist(),
    }
