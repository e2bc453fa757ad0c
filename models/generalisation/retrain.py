"""Each fold's pipeline and containment baseline fitted on its training pairs and scored on its test
pairs; folds run in forked processes that share the pairs and the baseline's features."""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from models import baseline as baseline_model
from models import classifier
from models.corpora import DEFAULT_DATA_DIR, l2r_family
from models.direction import carries_furniture, matched_text
from models.features import PairFeaturizer
from models.generalisation.folds import Fold
from models.generalisation.metrics import BothWays, direction_rows, fold_metrics
from models.synth.labelled import LabelledPair
from models.synth.split import side_of


def fold_style(family: str, value: str, seed: int, samples: Sequence[Any]):
    """A machine-style model for a fold: fitted on the train side of the split only and without the
    fold's group (its LLM, or its L2R domain family), so the pair features that read it and direction
    are measured on a rewriter or a domain neither model saw."""
    from models.style import MachineStyle

    def kept(s) -> bool:
        if side_of(s.doc, seed) != "train":
            return False
        if family == "llm":
            return s.llm != value
        if family == "domain":
            return not (s.source == "l2r" and (l2r_family(s.group) or s.group) == value)
        return True

    chosen = [s for s in samples if kept(s)]
    return MachineStyle().fit([s.text for s in chosen], [s.label for s in chosen])


# Set before the worker processes fork: the pairs and the baseline's features, computed once.
_STATE: dict[str, Any] = {}


def _baseline_features(pairs: Sequence[LabelledPair]) -> np.ndarray:
    return baseline_model.ContainmentFeatures().transform([(p.source, p.copy) for p in pairs])


def _reversed_features(x: np.ndarray) -> np.ndarray:
    """Baseline features of (copy, source) from those of (source, copy): the two sides swap."""
    k = len(baseline_model.NGRAMS)
    return np.concatenate([x[:, k : 2 * k], x[:, :k], x[:, [2 * k + 1, 2 * k]]], axis=1)


def score_both_ways(pipeline, test: Sequence[LabelledPair]) -> tuple[np.ndarray, BothWays]:
    """Each test pair scored as (source, copy) and as (copy, source), as the pipeline scores an undated
    pair: the probabilities as (source, copy), and ``BothWays`` (the reverse probabilities, verbatim
    shares, the matched part of each side that carries page furniture). ``PairFeaturizer.CHUNK`` pairs at a time."""
    both = [(p.source, p.copy) for p in test] + [(p.copy, p.source) for p in test]
    names = classifier.feature_names(pipeline)
    verbatim_col, furniture_col = names.index("copy_verbatim_share"), names.index("copy_leftover_wrapper_max")
    probas, verbatim, furniture, spans = [], [], [], []
    for start in range(0, len(both), PairFeaturizer.CHUNK):
        proba, x, alignments = classifier.analyse(pipeline, both[start : start + PairFeaturizer.CHUNK])
        probas.append(proba)
        verbatim.append(x[:, verbatim_col].astype(np.float64))
        furniture.append(x[:, furniture_col].astype(np.float64))
        spans += [[(s.copy_start, s.copy_end) for s in al.spans] for al in alignments]
    proba, shares, leftover = np.vstack(probas), np.concatenate(verbatim), np.concatenate(furniture)
    n = len(test)
    matched: list[tuple[str | None, str | None]] = []
    for i, p in enumerate(test):
        read = bool(spans[i] and spans[n + i])
        source_side = read and carries_furniture({"copy_leftover_wrapper_max": leftover[n + i]})
        copy_side = read and carries_furniture({"copy_leftover_wrapper_max": leftover[i]})
        matched.append(
            (
                matched_text(p.source, spans[n + i]) if source_side else None,
                matched_text(p.copy, spans[i]) if copy_side else None,
            )
        )
    both_ways = BothWays(proba[n:], np.stack([shares[:n], shares[n:]], axis=1), matched)
    return proba[:n], both_ways


def run_fold(fold: Fold, threads: int | None = 1) -> dict[str, Any]:
    """Fit the pipeline and the baseline on ``fold.train``, score both on ``fold.test``.

    ``threads``: native (OpenMP/BLAS) threads while fitting; one by default: on a busy 2-core
    machine the trees' OpenMP threads spun so much that a small fold took five times as long."""
    pairs: list[LabelledPair] = _STATE["pairs"]
    features: np.ndarray = _STATE["baseline_features"]
    train = [pairs[i] for i in fold.train]
    test = [pairs[i] for i in fold.test]
    result: dict[str, Any] = {
        "fold": fold.name,
        "family": fold.family,
        "train_pairs": len(train),
        "test_pairs": len(test),
        "note": fold.note,
    }
    if not test or len({p.pair_class for p in train}) < 2:
        return result | {"skipped": "no test pairs" if not test else "one class in training"}
    t0 = time.perf_counter()
    direction = direction_rows(test, fold.name)
    with threadpool_limits(limits=threads) if threads else contextlib.nullcontext():
        # The fold's style model: the pair features read it, and so does direction.
        style = _STATE.get("style") if fold.family not in ("llm", "domain") else None
        if style is None and _STATE.get("style_samples"):
            style = fold_style(fold.family, fold.name.split(":", 1)[-1], _STATE["seed"], _STATE["style_samples"])
        pipeline = classifier.fit(
            classifier.with_style(classifier.build_pipeline(), style),
            [(p.source, p.copy) for p in train],
            [p.pair_class for p in train],
            groups=[p.origin for p in train],
            sample_weight=[p.weight for p in train],
        )
        t1 = time.perf_counter()
        forward, both_ways = score_both_ways(pipeline, test)
    classes = [str(c) for c in pipeline.classes_]
    result["pipeline"] = fold_metrics(
        test,
        forward,
        classes,
        direction,
        both_ways.reverse[direction],
        seed=fold.name,
        style=style,
        both_ways=both_ways,
    )
    t2 = time.perf_counter()
    base = baseline_model.features_only_pipeline().fit(features[list(fold.train)], [p.pair_class for p in train])
    x_test = features[list(fold.test)]
    result["baseline"] = fold_metrics(
        test,
        base.predict_proba(x_test),
        base.classes_,
        direction,
        base.predict_proba(_reversed_features(x_test[direction])) if direction else None,
        seed=fold.name,
    )
    result["seconds"] = {
        "fit": round(t1 - t0, 1),
        "predict_and_score": round(t2 - t1, 1),
        "total": round(time.perf_counter() - t0, 1),
    }
    return result


def _worker(fold: Fold, threads: int | None) -> dict[str, Any]:
    return run_fold(fold, threads)


def run_folds(
    pairs: list[LabelledPair],
    folds: Sequence[Fold],
    jobs: int = 1,
    log: Callable[[str], None] = print,
    seed: int = 0,
    data_dir: str | Path = DEFAULT_DATA_DIR,
    style: bool = True,
) -> list[dict[str, Any]]:
    """``run_fold`` of each fold, ``jobs`` at a time (forked processes, one native thread each), in
    the order of ``folds``; a progress line per fold as it ends."""
    t0 = time.perf_counter()
    _STATE["pairs"] = pairs
    _STATE["baseline_features"] = _baseline_features(pairs)
    _STATE["seed"] = seed
    if style:
        from models.style_data import build_samples

        _STATE["style_samples"] = build_samples(data_dir)
        # One style model for the folds that hold out no rewriter or domain, fitted before the fork.
        _STATE["style"] = fold_style("split", "", seed, _STATE["style_samples"])
        log(f"style samples and the common style model: {time.perf_counter() - t0:.0f}s")
    log(f"baseline features of {len(pairs)} pairs: {time.perf_counter() - t0:.0f}s")
    results: dict[str, dict[str, Any]] = {}

    def done(r: dict[str, Any]) -> None:
        results[r["fold"]] = r
        took = r.get("seconds", {}).get("total", 0.0)
        what = r.get("skipped") or (f"macro-F1 {r['pipeline']['macro_f1']} (baseline {r['baseline']['macro_f1']})")
        log(
            f"[{len(results)}/{len(folds)}] {r['fold']}: train {r['train_pairs']} test {r['test_pairs']} "
            f"pairs, {took:.0f}s — {what} (elapsed {time.perf_counter() - t0:.0f}s)"
        )

    if jobs <= 1 or len(folds) <= 1:
        for fold in folds:
            log(f"fold {fold.name}: fitting on {len(fold.train)} pairs, testing {len(fold.test)}")
            done(run_fold(fold))
    else:
        ctx = multiprocessing.get_context("fork")
        # Largest first: the pool ends together rather than on one long fold.
        order = sorted(folds, key=lambda f: -len(f.train))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = [pool.submit(_worker, fold, 1) for fold in order]
            for fold in order:
                log(f"fold {fold.name}: queued ({len(fold.train)} training pairs, {len(fold.test)} test)")
            for future in as_completed(futures):
                done(future.result())
    return [results[f.name] for f in folds]
