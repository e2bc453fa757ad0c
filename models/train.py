"""Train, evaluate and save the pair classifier.

    python -m models.train --data ../shared/data --out models/artifacts/copytrace-pair.joblib

Evaluation is on the held-out split (other source documents, other wrapper sites)
and on the user's seed copies, reported per pair class and per user-facing label.
The pair features read the shipped machine-style model (``python -m models.fit_style`` makes
it; the pair model is fitted again after it changes).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.pipeline import Pipeline

from models import classifier, registry
from models.corpora import DEFAULT_DATA_DIR
from models.pairs import LABELS, PAIR_CLASSES, to_label
from models.synth.pairs import build_pairs, describe

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds"
SHIPPED_STYLE = registry.style_model_path()  # the machine-style model the pair features read
# (seed check name, [(source, copy, expected pair class or label)]): a check passes when all its pairs do.
# Labels are compared for full-copy/independent ("original"), pair classes otherwise.
SEED_CHECKS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "000 original (the reverse of its copies is not derived)",
        [("002", "000", "original"), ("003", "000", "original")],
    ),
    ("001 rewrite of 000", [("000", "001", "rewrite")]),
    ("002 spam-wrapped 000", [("000", "002", "spam-wrapped")]),
    ("003 rewrite of 002 (and of 000)", [("002", "003", "rewrite"), ("000", "003", "rewrite")]),
    ("004 original (same story as 000)", [("000", "004", "original"), ("004", "000", "original")]),
]


def _scores(y_true: list[str], y_pred: list[str], classes: tuple[str, ...]) -> dict[str, Any]:
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=list(classes), zero_division=0)
    return {
        "per_class": {
            c: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(n[i]),
            }
            for i, c in enumerate(classes)
        },
        "macro_f1": round(float(f.mean()), 4),
        "accuracy": round(sum(a == b for a, b in zip(y_true, y_pred, strict=True)) / max(len(y_true), 1), 4),
        "confusion_matrix": {
            "labels": list(classes),
            "rows_true_cols_pred": confusion_matrix(y_true, y_pred, labels=list(classes)).tolist(),
        },
    }


def evaluate(pipeline: Pipeline, pairs: list[tuple[str, str]], y: list[str]) -> dict[str, Any]:
    """Per-class scores on the 5 pair classes and on the 4 labels."""
    pred = classifier.predict(pipeline, pairs)
    return {
        "pair_classes": _scores(y, pred, PAIR_CLASSES),
        "labels": _scores([to_label(c) for c in y], [to_label(c) for c in pred], LABELS),
    }


def evaluate_seeds(pipeline: Pipeline, seeds_dir: str | Path = DEFAULT_SEEDS_DIR) -> dict[str, Any]:
    """The seed checks (see ``SEED_CHECKS``), with the predicted class and confidence of every pair."""
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(Path(seeds_dir).glob("*.txt"))}
    checks = []
    for name, cases in SEED_CHECKS:
        results = []
        for s, c, expected in cases:
            ev = classifier.explain(pipeline, texts[s], texts[c])
            got = ev["label"] if expected == "original" else ev["pair_class"]
            results.append(
                {
                    "source": s,
                    "copy": c,
                    "expected": expected,
                    "pair_class": ev["pair_class"],
                    "confidence": ev["confidence"],
                    "ok": got == expected,
                }
            )
        checks.append({"check": name, "ok": all(r["ok"] for r in results), "pairs": results})
    return {"passed": sum(c["ok"] for c in checks), "total": len(checks), "checks": checks}


def metrics_summary(report: dict[str, Any]) -> dict[str, Any]:
    """What the model metadata records: held-out scores (with confusion matrices) and the seed checks."""
    held_out = report["held_out"]
    return {
        "held_out_macro_f1_pair_classes": held_out["pair_classes"]["macro_f1"],
        "held_out_macro_f1_labels": held_out["labels"]["macro_f1"],
        "held_out_f1_per_class": {c: v["f1"] for c, v in held_out["pair_classes"]["per_class"].items()},
        "held_out": held_out,
        "seeds_passed": f"{report['seeds']['passed']}/{report['seeds']['total']}",
        "seeds": report["seeds"]["checks"],
    }


def train(
    data_dir: str | Path = DEFAULT_DATA_DIR,
    out_path: str | Path | None = None,
    seed: int = 0,
    seeds_dir: str | Path = DEFAULT_SEEDS_DIR,
    scale: float = 1.0,
    extra_train: Sequence[tuple[str, str, str]] = (),
    style_path: str | Path | None = SHIPPED_STYLE,
    **params: Any,
) -> tuple[Pipeline, dict[str, Any]]:
    """Build the data, fit on the train split, evaluate held-out and seeds; save when ``out_path`` is given.

    ``style_path``: the machine-style model the pair features read (``classifier.with_style``; its
    sha256 is checked and recorded), None for none. The shipped one is fitted on every style sample,
    the held-out split's texts among them, so the held-out figures are a little kind to it; the
    generalisation report fits one per fold without the fold's texts.

    ``extra_train`` holds more ``(source, copy, pair_class)`` pairs for the fit only (operators'
    corrections): they are never in the held-out split, so the scores stay comparable between models.
    """
    t0 = time.perf_counter()
    data = build_pairs(data_dir, seed=seed, scale=scale)
    train_pairs = [p for p in data if p.split == "train"]
    test_pairs = [p for p in data if p.split == "test"]
    style = registry.load_model(style_path) if style_path is not None else None
    t1 = time.perf_counter()
    pipeline = classifier.fit(
        classifier.with_style(classifier.build_pipeline(**params), style),
        [(p.source, p.copy) for p in train_pairs] + [(s, c) for s, c, _ in extra_train],
        [p.pair_class for p in train_pairs] + [cls for _, _, cls in extra_train],
        groups=[p.origin for p in train_pairs] + ["corrections"] * len(extra_train),
        sample_weight=[p.weight for p in train_pairs] + [1.0] * len(extra_train),
    )
    t2 = time.perf_counter()
    held_out = evaluate(pipeline, [(p.source, p.copy) for p in test_pairs], [p.pair_class for p in test_pairs])
    pred = classifier.predict(pipeline, [(p.source, p.copy) for p in test_pairs])
    errors: dict[str, dict[str, int]] = {}
    for p, got in zip(test_pairs, pred, strict=True):
        if got != p.pair_class:
            errors.setdefault(p.kind, {}).setdefault(got, 0)
            errors[p.kind][got] += 1
    report = {
        "held_out": held_out,
        "held_out_errors_by_kind": errors,
        "seeds": evaluate_seeds(pipeline, seeds_dir),
        "data": describe(data),
        "extra_train_pairs": len(extra_train),
        "seed": seed,
        "seconds": {
            "build": round(t1 - t0, 1),
            "fit": round(t2 - t1, 1),
            "evaluate": round(time.perf_counter() - t2, 1),
        },
    }
    if out_path is not None:
        meta = registry.save_model(
            pipeline,
            out_path,
            {
                "training_data": {
                    "data_dir": str(Path(data_dir).name),
                    "seed": seed,
                    "scale": scale,
                    "counts": report["data"],
                    "extra_train_pairs": report["extra_train_pairs"],
                    "style_model_sha256": registry.sha256_of(style_path) if style_path is not None else None,
                },
                "params": {
                    k: repr(v)
                    for k, v in pipeline.get_params(deep=True).items()
                    if "__" in k and not callable(v) and not k.startswith("pairs__style")
                },
                "metrics": metrics_summary(report),
            },
        )
        report["model"] = {"path": str(out_path), "sha256": meta["sha256"], "size_bytes": meta["size_bytes"]}
    return pipeline, report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="the shared data directory")
    parser.add_argument("--out", default=str(registry.default_model_path()), help="where to write the .joblib")
    parser.add_argument("--seeds", default=str(DEFAULT_SEEDS_DIR), help="the seed copies directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0, help="pairs per document multiplier")
    parser.add_argument("--report", help="also write the full report as JSON here")
    parser.add_argument("--style", default=str(SHIPPED_STYLE), help="the machine-style model the features read")
    args = parser.parse_args(argv)
    _, report = train(
        args.data, args.out, seed=args.seed, seeds_dir=args.seeds, scale=args.scale, style_path=args.style
    )
    text = json.dumps(report, indent=2, default=str)
    if args.report:
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    summary = {
        "macro_f1_pair_classes": report["held_out"]["pair_classes"]["macro_f1"],
        "macro_f1_labels": report["held_out"]["labels"]["macro_f1"],
        "f1": {c: v["f1"] for c, v in report["held_out"]["pair_classes"]["per_class"].items()},
        "seeds": f"{report['seeds']['passed']}/{report['seeds']['total']}",
        "errors_by_kind": report["held_out_errors_by_kind"],
        "model": report.get("model"),
        "seconds": report["seconds"],
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
