"""Every reported figure of one model on one fold's test pairs: per-label F1 and macro-F1
(``models.pairs.macro_f1``), verbatim copies called independent, the false-rewrite rate on
same-topic pairs, the expected calibration error, and direction accuracy on rewrite pairs."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from models.direction import DERIVED, best_derived_class, derived_along, orient_texts
from models.pairs import LABELS, VERBATIM_CLASSES, macro_f1, to_label
from models.synth.labelled import SAME_TOPIC_KINDS, WRAPPED_REWRITE_KINDS, LabelledPair

# What orients the rewrite pairs (the report names it).
DIRECTION_METHOD = "models.direction.orient_texts"
ECE_BINS = 15
DIRECTION_MAX_PAIRS = 400  # rewrite pairs oriented per fold (a seeded sample when there are more)


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> float:
    """Σ over equal-width confidence bins of (bin share) × |accuracy − mean confidence| in the bin.

    Bin ``i`` holds confidences in (i/bins, (i+1)/bins]; a confidence of 0 falls in the first."""
    conf = np.asarray(confidence, dtype=np.float64)
    corr = np.asarray(correct, dtype=np.float64)
    if conf.size == 0:
        return float("nan")
    idx = np.digitize(conf, np.linspace(0.0, 1.0, bins + 1)[1:-1], right=True)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() / conf.size * abs(corr[mask].mean() - conf[mask].mean())
    return float(total)


@dataclass(frozen=True)
class BothWays:
    """What the pipeline reads of each test pair scored both ways, beside the probabilities.

    ``reverse``: the class probabilities as (copy, source); ``verbatim``: the share of the copy that is
    verbatim source text as (source, copy) and as (copy, source); ``matched``: the part of the source
    the copy matches and the part of the copy the source matches, each where that side carries page
    furniture (``models.direction.carries_furniture``), else None."""

    reverse: np.ndarray
    verbatim: np.ndarray
    matched: Sequence[tuple[str | None, str | None]]

    def matched_scores(self, style) -> np.ndarray:
        """(n, 2) machine-style scores of the matched parts (NaN where none was read)."""
        out = np.full((len(self.matched), 2), np.nan)
        cells = [(i, j, text) for i, pair in enumerate(self.matched) for j, text in enumerate(pair) if text is not None]
        if cells and style is not None:
            values = style.machine_score([text for _, _, text in cells])
            for (i, j, _), value in zip(cells, np.asarray(values, dtype=np.float64).tolist(), strict=True):
                out[i, j] = value
        return out


def _sides(row: np.ndarray | None, i: int) -> tuple[float | None, float | None] | None:
    """Row ``i`` of a (n, 2) array with NaN for a side not read; None where neither was."""
    if row is None or np.isnan(row[i]).all():
        return None
    a, b = (None if np.isnan(x) else float(x) for x in row[i])
    return a, b


def _orient(
    text_a: str,
    text_b: str,
    proba_ab: dict[str, float],
    proba_ba: dict[str, float],
    machine: dict[str, float] | None = None,
    matched: tuple[float | None, float | None] | None = None,
    verbatim: tuple[float | None, float | None] = (None, None),
) -> tuple[int, str]:
    """``models.direction.orient_texts`` → (source index, decided_by), with the texts' machine-style
    scores (``machine``, by text) when a style model is given, and those of their matched parts."""
    scores = (machine[text_a], machine[text_b]) if machine is not None else None
    o = orient_texts(text_a, text_b, proba_ab, proba_ba, scores, matched, verbatim)
    return int(o.source), str(o.decided_by)


def direction_rows(test: Sequence[LabelledPair], seed: str, limit: int = DIRECTION_MAX_PAIRS) -> list[int]:
    """Positions in ``test`` of the rewrite pairs to orient (a seeded sample of ``limit``)."""
    rows = [i for i, p in enumerate(test) if p.pair_class == "rewrite"]
    if len(rows) > limit:
        rows = sorted(random.Random(seed).sample(rows, limit))
    return rows


def decided_classes(
    test: Sequence[LabelledPair],
    proba: np.ndarray,
    reverse_proba: np.ndarray,
    classes: Sequence[str],
    machine: np.ndarray | None = None,
    matched: np.ndarray | None = None,
    verbatim: np.ndarray | None = None,
) -> list[str]:
    """Each pair's class as the pipeline decides it (``copytrace.attribution.direction.decide``): derived
    when either direction's P(derived) reaches ``DERIVED``; then oriented by the text (``orient_texts``,
    with the machine-style scores ``machine`` and those of the matched parts ``matched``, NaN where not
    read, and ``verbatim`` shares, each one row of two per pair); ``independent`` when the copy comes
    out as the source, else the chosen direction's best class if it is derived that way
    (``derived_along``). Without ``verbatim``, a verbatim class the classifier sees one way only always
    orients first, as if its core were verbatim."""
    out = []
    for i, p in enumerate(test):
        ab = dict(zip(classes, proba[i].tolist(), strict=True))
        ba = dict(zip(classes, reverse_proba[i].tolist(), strict=True))
        if max(1.0 - ab.get("independent", 0.0), 1.0 - ba.get("independent", 0.0)) < DERIVED:
            out.append("independent")
            continue
        shares = (None, None) if verbatim is None else (float(verbatim[i, 0]), float(verbatim[i, 1]))
        way = orient_texts(p.source, p.copy, ab, ba, _sides(machine, i), _sides(matched, i), shares)
        if way.source != 0 or derived_along(way, ab, ba) < DERIVED:
            out.append("independent")
            continue
        out.append(best_derived_class(ab))
    return out


def fold_metrics(
    test: Sequence[LabelledPair],
    proba: np.ndarray,
    classes: Sequence[str],
    direction: Sequence[int] = (),
    reverse_proba: np.ndarray | None = None,
    seed: str = "0",
    style=None,
    both_ways: BothWays | None = None,
) -> dict[str, Any]:
    """Every reported metric of one model on ``test``.

    ``proba``: class probabilities per pair (columns ``classes``); ``direction``: positions of the
    rewrite pairs to orient and ``reverse_proba`` their probabilities as (copy, source); ``style``: the
    machine-style model direction reads (none: direction without style); ``both_ways``: what the
    pipeline reads of every pair scored both ways, for the figures as it decides (``as_decided``) and
    for direction."""
    classes = [str(c) for c in classes]
    proba = np.asarray(proba, dtype=np.float64).reshape(len(test), len(classes))
    pred = [classes[i] for i in proba.argmax(axis=1)] if len(test) else []
    truth = [p.pair_class for p in test]
    t_lab, p_lab = [to_label(c) for c in truth], [to_label(c) for c in pred]
    present = [lab for lab in LABELS if lab in set(t_lab)]
    out: dict[str, Any] = {"pairs": len(test), "support": dict(Counter(t_lab))}
    if present:
        p, r, f, n = precision_recall_fscore_support(t_lab, p_lab, labels=list(LABELS), zero_division=0)
        out["macro_f1"] = round(macro_f1(f, n), 4)
        out["f1"] = {lab: round(float(f[i]), 4) for i, lab in enumerate(LABELS) if n[i] > 0}
        out["precision"] = {lab: round(float(p[i]), 4) for i, lab in enumerate(LABELS) if n[i] > 0}
        out["recall"] = {lab: round(float(r[i]), 4) for i, lab in enumerate(LABELS) if n[i] > 0}
        out["macro_f1_pair_classes"] = round(
            float(f1_score(truth, pred, labels=sorted(set(truth)), average="macro", zero_division=0)), 4
        )
        out["accuracy"] = round(sum(a == b for a, b in zip(truth, pred, strict=True)) / len(truth), 4)
    else:
        out |= {"macro_f1": None, "f1": {}, "precision": {}, "recall": {}}
    wrapped = [i for i, p in enumerate(test) if p.kind in WRAPPED_REWRITE_KINDS]
    verbatim = [i for i, c in enumerate(truth) if c in VERBATIM_CLASSES and test[i].kind not in WRAPPED_REWRITE_KINDS]
    missed = sum(pred[i] == "independent" for i in verbatim)
    out["verbatim_as_independent"] = {"count": missed, "of": len(verbatim)}
    out["verbatim_as_independent_rate"] = round(missed / len(verbatim), 4) if verbatim else None
    wrapped_missed = sum(pred[i] == "independent" for i in wrapped)
    out["wrapped_rewrite_as_independent"] = {"count": wrapped_missed, "of": len(wrapped)}
    out["wrapped_rewrite_as_independent_rate"] = round(wrapped_missed / len(wrapped), 4) if wrapped else None
    topical = [i for i, p in enumerate(test) if p.kind in SAME_TOPIC_KINDS]
    false_rw = sum(pred[i] == "rewrite" for i in topical)
    out["same_topic_false_rewrite"] = {"count": false_rw, "of": len(topical)}
    out["same_topic_false_rewrite_rate"] = round(false_rw / len(topical), 4) if topical else None
    out["ece"] = (
        round(expected_calibration_error(proba.max(axis=1), [a == b for a, b in zip(pred, truth, strict=True)]), 4)
        if len(test)
        else None
    )
    out["confusion_pair_classes"] = _confusion(truth, pred)
    score = None  # each distinct text's machine-style score, read once for both uses below
    matched = None  # and those of the parts each text of a pair matches, where page furniture is on a side
    if style is not None and len(test) and (both_ways is not None or len(direction)):
        texts = list(dict.fromkeys(t for p in test for t in (p.source, p.copy)))
        score = dict(zip(texts, style.machine_score(texts).tolist(), strict=True))
        matched = both_ways.matched_scores(style) if both_ways is not None else None
    if both_ways is not None and len(test) and present:
        machine = None if score is None else np.array([[score[p.source], score[p.copy]] for p in test])
        reverse_all = np.asarray(both_ways.reverse, dtype=np.float64)
        decided = decided_classes(test, proba, reverse_all, classes, machine, matched, both_ways.verbatim)
        d_lab = [to_label(c) for c in decided]
        _, _, f, n = precision_recall_fscore_support(t_lab, d_lab, labels=list(LABELS), zero_division=0)
        out["as_decided"] = {
            "macro_f1": round(macro_f1(f, n), 4),
            "f1": {lab: round(float(f[i]), 4) for i, lab in enumerate(LABELS) if n[i] > 0},
            "same_topic_false_rewrite": {"count": sum(decided[i] == "rewrite" for i in topical), "of": len(topical)},
            # copies whose label is not ``original`` (a full copy reads as original whichever way it goes)
            "derived_called_independent": sum(
                t != "original" and d == "independent" for t, d in zip(t_lab, decided, strict=True)
            ),
            # a full copy reads as original either way, but its source is right only when it derives from it
            "full_copy_source_right": {
                "count": sum(c == "full-copy" and d != "independent" for c, d in zip(truth, decided, strict=True)),
                "of": truth.count("full-copy"),
            },
        }
    out["errors_by_kind"] = _errors_by_kind(test, pred)
    if len(direction) and reverse_proba is not None:
        rng = random.Random(f"direction:{seed}")
        right, decided = 0, Counter()
        by_writer: dict[str, list[int]] = {"llm": [0, 0], "human": [0, 0]}
        for k, i in enumerate(direction):
            p = test[i]
            ab = dict(zip(classes, proba[i].tolist(), strict=True))
            ba = dict(zip(classes, np.asarray(reverse_proba[k], dtype=np.float64).tolist(), strict=True))
            m = _sides(matched, i)
            v = (None, None) if both_ways is None else tuple(map(float, both_ways.verbatim[i]))
            if rng.random() < 0.5:
                src, by = _orient(p.source, p.copy, ab, ba, score, m, v)
                ok = src == 0
            else:
                src, by = _orient(p.copy, p.source, ba, ab, score, m and m[::-1], v[::-1])
                ok = src == 1
            right += ok
            writer = by_writer["llm" if p.llm else "human"]
            writer[0] += ok
            writer[1] += 1
            decided[by] += 1
        out["direction_accuracy"] = round(right / len(direction), 4)
        out["direction"] = {
            "pairs": len(direction),
            "right": right,
            "decided_by": dict(decided),
            "style": style is not None,
        }
        for writer, (ok, n) in by_writer.items():
            out[f"direction_{writer}_accuracy"] = round(ok / n, 4) if n else None
            out["direction"][writer] = {"pairs": n, "right": ok}
    else:
        out["direction_accuracy"] = None
        out["direction"] = {"pairs": 0}
    return out


def _confusion(truth: Sequence[str], pred: Sequence[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for t, p in zip(truth, pred, strict=True):
        row = out.setdefault(t, {})
        row[p] = row.get(p, 0) + 1
    return {t: dict(sorted(row.items())) for t, row in sorted(out.items())}


def _errors_by_kind(test: Sequence[LabelledPair], pred: Sequence[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for p, got in zip(test, pred, strict=True):
        if got != p.pair_class:
            out.setdefault(p.kind, {}).setdefault(got, 0)
            out[p.kind][got] += 1
    return dict(sorted(out.items()))
