"""Training a candidate model and deciding whether it replaces the active one (plain functions).

The candidate is compared with the active model on the *same* held-out pairs and seeds, so the
decision does not depend on which split either model happened to be measured on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from copytrace.corrections import corrections_for_training
from copytrace.evaluation import read_labelled
from models import registry
from models import train as trainer
from models.pairs import LABELS, from_label
from models.training_data import build_pairs


def candidate_path(model_dir: Path) -> Path:
    return model_dir / f"copytrace-pair-{datetime.now(UTC):%Y%m%d-%H%M%S}.joblib"


def export_corrections(session: Session, path: Path) -> int:
    """Write the corrections in force as labelled JSONL (the format ``copytrace evaluate`` reads).

    The file is kept beside the candidate model, so what a model learned from can be looked at later.
    """
    rows = corrections_for_training(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            record = {"id": f"correction-{row['id']}", "source": row["source"], "copy": row["copy"]}
            fh.write(json.dumps({**record, "label": row["label"]}, ensure_ascii=False) + "\n")
    return len(rows)


def labelled_pairs(path: Path) -> list[tuple[str, str, str]]:
    """``(source, copy, pair_class)`` for every well-formed line of a labelled JSONL file."""
    records, _ = read_labelled(path)
    return [(r["source"], r["copy"], from_label(r["label"])) for r in records]


def train_candidate(
    data_dir: Path,
    out_path: Path,
    seeds_dir: Path,
    seed: int = 0,
    scale: float = 1.0,
    active_path: Path | None = None,
    corrections_path: Path | None = None,
) -> dict[str, Any]:
    """Fit and save a candidate; evaluate it, and the active model when there is one, on the same data.

    The operators' corrections (``corrections_path``) are added to the training pairs only.
    """
    extra = labelled_pairs(corrections_path) if corrections_path is not None else []
    _, report = trainer.train(data_dir, out_path, seed=seed, seeds_dir=seeds_dir, scale=scale, extra_train=extra)
    result: dict[str, Any] = {"path": str(out_path), "report": report, "active": None}
    if active_path is not None and Path(active_path).is_file():
        test = [p for p in build_pairs(data_dir, seed=seed, scale=scale) if p.split == "test"]
        active = registry.load_model(active_path)
        result["active"] = {
            "path": str(active_path),
            "held_out": trainer.evaluate(active, [(p.source, p.copy) for p in test], [p.pair_class for p in test]),
            "seeds": trainer.evaluate_seeds(active, seeds_dir),
        }
    return result


def not_worse(result: dict[str, Any], tolerance: float = 0.002) -> tuple[bool, str]:
    """Promote when the candidate's label macro-F1 and seed score are at least the active model's."""
    cand = result["report"]
    if result["active"] is None:
        return True, "no active model to compare with"
    c_f1 = cand["held_out"]["labels"]["macro_f1"]
    a_f1 = result["active"]["held_out"]["labels"]["macro_f1"]
    c_seeds, a_seeds = cand["seeds"]["passed"], result["active"]["seeds"]["passed"]
    ok = c_f1 >= a_f1 - tolerance and c_seeds >= a_seeds
    verdict = "promoted" if ok else "kept the active model"
    return ok, f"{verdict}: macro-F1 {c_f1:.4f} vs {a_f1:.4f}, seeds {c_seeds} vs {a_seeds}"


def per_class_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Precision, recall and F1 per label on the held-out split, for a table artifact."""
    per = report["held_out"]["labels"]["per_class"]
    return [{"label": label, **per[label]} for label in LABELS if label in per]


def confusion_markdown(report: dict[str, Any]) -> str:
    cm = report["held_out"]["labels"]["confusion_matrix"]
    labels, rows = cm["labels"], cm["rows_true_cols_pred"]
    lines = ["| true \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(str(n) for n in row) + " |" for label, row in zip(labels, rows, strict=True)]
    return "\n".join(lines)
