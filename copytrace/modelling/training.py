"""Training a candidate model and deciding whether it replaces the active one (plain functions).

The candidate is compared with the active model on the *same* frozen evaluation set, its fold
slices and the seeds, so the decision does not depend on which split either model was measured on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from copytrace.modelling.evaluation import read_labelled
from copytrace.repo.corrections import corrections_for_training
from models import promotion, registry
from models import train as trainer
from models.pairs import LABELS, from_label


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
    eval_scale: float = promotion.FROZEN_SCALE,
) -> dict[str, Any]:
    """Fit and save a candidate; compare it with the active model, when there is one, on one frozen
    evaluation set and on its fold slices (each LLM, domain family, wrapper family, short copies) and
    on the seeds.

    The operators' corrections (``corrections_path``) are added to the training pairs only. The frozen
    set (``models.promotion.frozen_eval_pairs``) is made from the test side of the split ``seed``
    by a fixed generator seed: the same pairs every week, never trained on, so a retrain is judged on
    what the last one was judged on and cannot ratchet down within a tolerance of its own split.
    """
    extra = labelled_pairs(corrections_path) if corrections_path is not None else []
    candidate, report = trainer.train(
        data_dir, out_path, seed=seed, seeds_dir=seeds_dir, scale=scale, extra_train=extra
    )
    active = registry.load_model(active_path) if active_path is not None and Path(active_path).is_file() else None
    frozen = promotion.frozen_eval_pairs(data_dir, split_seed=seed, scale=eval_scale)
    result: dict[str, Any] = {
        "path": str(out_path),
        "report": report,
        "comparison": promotion.compare(candidate, active, frozen),
        "active": None,
    }
    if active is not None:
        result["active"] = {"path": str(active_path), "seeds": trainer.evaluate_seeds(active, seeds_dir)}
    return result


def not_worse(result: dict[str, Any]) -> tuple[bool, str]:
    """Promote only when the candidate is not worse than the active model on the frozen evaluation
    set, on any of its fold slices, and on the seeds; the verdict says why in one line."""
    if result["active"] is None:
        return True, "promoted: no active model to compare with"
    comparison = result["comparison"]
    c_seeds, a_seeds = result["report"]["seeds"]["passed"], result["active"]["seeds"]["passed"]
    reasons = list(comparison["reasons"])
    if c_seeds < a_seeds:
        reasons.append(f"seeds {c_seeds} vs active {a_seeds}")
    f1 = comparison["metrics"].get("macro_f1", {})
    figures = (
        f"macro-F1 {f1.get('candidate', 0):.4f} vs {f1.get('active', 0):.4f} on {comparison['eval_pairs']} frozen pairs"
        f" and {len(comparison['metrics'].get('slice_macro_f1', {}))} slices, seeds {c_seeds} vs {a_seeds}"
    )
    if reasons:
        return False, f"kept the active model: worse on {'; '.join(reasons)} ({figures})"
    return True, f"promoted: not worse anywhere ({figures})"


def comparison_markdown(comparison: dict[str, Any]) -> str:
    """The frozen-set figures of candidate and active model side by side, and every slice that lost."""
    if comparison.get("active") is None:
        return "no active model to compare with."
    lines = [
        f"{comparison['eval_pairs']} frozen pairs (fingerprint `{comparison['eval_fingerprint']}`)\n",
        "| metric | candidate | active |",
        "|---|---|---|",
    ]
    for key, v in comparison["metrics"].items():
        if key != "slice_macro_f1" and v.get("candidate") is not None:
            lines.append(f"| {key} | {v['candidate']:.4f} | {v['active']:.4f} |")
    lines += ["", *(f"- worse: {r}" for r in comparison["reasons"])]
    return "\n".join(lines)


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
