"""Whether a candidate pair model may replace the active one: both scored on one frozen evaluation set
and on its fold slices (each LLM, domain family, wrapper family, short copies).

A fitted pipeline cannot be refitted per fold, so the folds here are *slices* of the frozen set scored
by the given models; ``models.generalisation`` is the retraining measure, and its metrics
(``generalisation.metrics.fold_metrics``) are the ones compared here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import classifier
from models.corpora import DEFAULT_DATA_DIR
from models.generalisation.folds import FOLD_FAMILIES, fold_groups, group_of
from models.generalisation.metrics import direction_rows, fold_metrics
from models.synth.labelled import LabelledPair
from models.synth.pairs import build_pairs

# The frozen evaluation set: the test side of the split ``seed`` (documents and wrapper sites no
# model trained with that seed has seen), its pairs made by a fixed generator seed of their own.
FROZEN_PAIR_SEED = "frozen-eval-v1"
FROZEN_SCALE = 0.5
# ``compare``: how much worse a candidate may be before it is "worse".
TOLERANCE = {"macro_f1": 0.002, "slice_macro_f1": 0.02, "verbatim_as_independent_rate": 0.005}
TOLERANCE |= {"same_topic_false_rewrite_rate": 0.01, "ece": 0.02, "direction_accuracy": 0.02}
TOLERANCE |= {"wrapped_rewrite_as_independent_rate": 0.02}  # fewer pairs than verbatim copies: a wider step
MIN_SLICE_PAIRS = 50


def frozen_eval_pairs(
    data_dir: str | Path = DEFAULT_DATA_DIR, split_seed: int = 0, scale: float = FROZEN_SCALE
) -> list[LabelledPair]:
    """The frozen evaluation set: test-side pairs of the split ``split_seed`` made by the fixed
    generator seed ``FROZEN_PAIR_SEED``. A model trained with ``build_pairs(seed=split_seed)`` never
    saw its documents or wrapper sites; the same code and data give the same pairs every run."""
    return build_pairs(data_dir, seed=split_seed, scale=scale, pair_seed=FROZEN_PAIR_SEED, sides=("test",))


def fingerprint(pairs: Sequence[LabelledPair]) -> str:
    """A short hash of an evaluation set, so two reports can tell whether they scored the same pairs."""
    h = hashlib.sha256()
    for p in pairs:
        h.update(f"{p.pair_class}\x00{p.source}\x00{p.copy}\x01".encode())
    return h.hexdigest()[:16]


@dataclass
class _Scored:
    overall: dict[str, Any]
    slices: dict[str, dict[str, Any]] = field(default_factory=dict)


def slices_of(pairs: Sequence[LabelledPair]) -> dict[str, list[int]]:
    """Positions of each fold group's pairs in ``pairs`` (every group of ``FOLD_FAMILIES`` but split)."""
    out: dict[str, list[int]] = {}
    for family, value in fold_groups([f for f in FOLD_FAMILIES if f != "split"]):
        inside = group_of(family, value)
        name = family if family == "short" else f"{family}:{value}"
        rows = [i for i, p in enumerate(pairs) if inside(p)]
        if rows:
            out[name] = rows
    return out


def score_pipeline(pipeline, pairs: Sequence[LabelledPair], seed: str = "frozen") -> _Scored:
    """``fold_metrics`` of a fitted pipeline on ``pairs`` and on each fold slice of them."""
    pairs = list(pairs)
    direction = direction_rows(pairs, seed, limit=len(pairs))
    both = [(p.source, p.copy) for p in pairs] + [(pairs[i].copy, pairs[i].source) for i in direction]
    proba = classifier.predict_proba(pipeline, both)
    classes = [str(c) for c in pipeline.classes_]
    forward, backward = proba[: len(pairs)], proba[len(pairs) :]
    overall = fold_metrics(pairs, forward, classes, direction, backward, seed=seed)
    at = {i: k for k, i in enumerate(direction)}
    slices = {}
    for name, rows in slices_of(pairs).items():
        sub = [pairs[i] for i in rows]
        d_local = [k for k, i in enumerate(rows) if i in at]
        d_proba = backward[[at[rows[k]] for k in d_local]] if d_local else None
        slices[name] = fold_metrics(sub, forward[rows], classes, d_local, d_proba, seed=f"{seed}:{name}")
    return _Scored(overall, slices)


_HIGHER_IS_BETTER = ("macro_f1", "direction_accuracy")
_LOWER_IS_BETTER = (
    "verbatim_as_independent_rate",
    "wrapped_rewrite_as_independent_rate",
    "same_topic_false_rewrite_rate",
    "ece",
)


def compare(candidate, active, eval_pairs: Sequence[LabelledPair] | None = None, **frozen: Any) -> dict[str, Any]:
    """Two fitted pipelines on one evaluation set (``frozen_eval_pairs(**frozen)`` when not given)
    and on its fold slices (each LLM, L2R domain family, wrapper family, short copies).

    A fitted pipeline cannot be refitted per fold, so the folds here are *slices* of the frozen
    set, scored by the given models; ``generalisation.report.generalisation_report`` is the retraining
    measure.

    ``not_worse`` when the candidate's overall label macro-F1 is within ``TOLERANCE['macro_f1']``
    of the active model's, no slice of at least ``MIN_SLICE_PAIRS`` pairs loses more than
    ``TOLERANCE['slice_macro_f1']``, and the verbatim→independent and wrapped-rewrite→independent
    rates, same-topic false-rewrite rate, ECE and direction accuracy are no worse than their tolerances.
    ``active=None``: nothing to compare with, not worse. The result is JSON-serialisable; ``reasons``
    lists every failure."""
    pairs = list(eval_pairs) if eval_pairs is not None else frozen_eval_pairs(**frozen)
    cand = score_pipeline(candidate, pairs)
    result: dict[str, Any] = {
        "eval_pairs": len(pairs),
        "eval_fingerprint": fingerprint(pairs),
        "candidate": {"overall": cand.overall, "slices": cand.slices},
        "active": None,
        "metrics": {},
        "reasons": [],
        "not_worse": True,
    }
    if active is None:
        result["reasons"] = ["no active model to compare with"]
        return result
    act = score_pipeline(active, pairs)
    result["active"] = {"overall": act.overall, "slices": act.slices}
    reasons = []
    for key in (*_HIGHER_IS_BETTER, *_LOWER_IS_BETTER):
        c, a = cand.overall.get(key), act.overall.get(key)
        result["metrics"][key] = {"candidate": c, "active": a}
        if c is None or a is None:
            continue
        tol = TOLERANCE[key]
        worse = c < a - tol if key in _HIGHER_IS_BETTER else c > a + tol
        if worse:
            reasons.append(f"{key}: {c:.4f} vs active {a:.4f} (tolerance {tol})")
    result["metrics"]["slice_macro_f1"] = {}
    for name, c_slice in cand.slices.items():
        a_slice = act.slices.get(name, {})
        c, a = c_slice.get("macro_f1"), a_slice.get("macro_f1")
        result["metrics"]["slice_macro_f1"][name] = {"candidate": c, "active": a, "pairs": c_slice["pairs"]}
        if c is None or a is None or c_slice["pairs"] < MIN_SLICE_PAIRS:
            continue
        if c < a - TOLERANCE["slice_macro_f1"]:
            reasons.append(f"{name} macro_f1: {c:.4f} vs active {a:.4f} (tolerance {TOLERANCE['slice_macro_f1']})")
    result["reasons"] = reasons
    result["not_worse"] = not reasons
    return result
