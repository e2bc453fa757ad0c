"""Training a candidate model and deciding whether it replaces the active one (plain functions).

The candidate is compared with the active model on the *same* held-out pairs and seeds, so the
decision does not depend on which split either model happened to be measured on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models import registry
from models import train as trainer
from models.pairs import LABELS
from models.training_data import build_pairs


def candidate_path(model_dir: Path) -> Path:
    return model_dir / f"copytrace-pair-{datetime.now(UTC):%Y%m%d-%H%M%S}.joblib"


def train_candidate(
    data_dir: Path,
    out_path: Path,
    seeds_dir: Path,
    seed: int = 0,
    scale: float = 1.0,
    active_path: Path | None = None,
) -> dict[str, Any]:
    """Fit and save a candidate; evaluate it, and the active model when there is one, on the same data."""
    _, report = trainer.train(data_dir, out_path, seed=seed, seeds_dir=seeds_dir, scale=scale)
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
