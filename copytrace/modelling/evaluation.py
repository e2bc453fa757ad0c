"""Evaluate the classifier on a labelled JSONL file (``id, source, copy, label`` per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from copytrace.runtime.scoring import Scorer
from models.pairs import LABELS, PAIR_CLASSES, from_label, label_report, to_label

BATCH = 256


class NoLabelledPairsError(ValueError):
    """The file holds no well-formed labelled pair: there is nothing to score."""


def read_labelled(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The well-formed records, and how many lines were skipped."""
    records, skipped = [], 0
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                if not all(isinstance(rec.get(k), str) for k in ("source", "copy", "label")):
                    raise ValueError
                if rec["label"] not in LABELS and rec["label"] not in PAIR_CLASSES:
                    raise ValueError
            except (ValueError, AttributeError):
                skipped += 1
                continue
            records.append(rec)
    return records, skipped


def evaluate_file(path: Path, scorer: Scorer) -> dict[str, Any]:
    records, skipped = read_labelled(path)
    if not records:
        raise NoLabelledPairsError(
            f"{path}: no labelled pairs to evaluate ({skipped} malformed lines skipped; each line needs "
            f'"source", "copy" and "label" strings, the label one of {", ".join(LABELS)})'
        )
    predicted: list[str] = []
    for i in range(0, len(records), BATCH):
        chunk = records[i : i + BATCH]
        for probs in scorer.probabilities([(r["source"], r["copy"]) for r in chunk]):
            predicted.append(to_label(max(probs, key=probs.get)))
    truth = [to_label(from_label(r["label"])) for r in records]  # a label or a pair class
    return {"pairs": len(records), "skipped": skipped, **label_report(truth, predicted)}
