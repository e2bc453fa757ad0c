"""Flow ``train-classifier``: rebuild the training data, fit, evaluate, promote only if not worse."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from pydantic import SecretStr

from copytrace.modelling.training import candidate_path, not_worse
from copytrace.settings import load_settings
from models.promotion import FROZEN_SCALE
from tasks.database import run_database_url
from tasks.schema import migrate_database
from tasks.training import (
    export_operator_corrections,
    find_active_model,
    fit_candidate,
    name_run,
    publish_model_report,
    register_model,
)


@flow(name="train-classifier")
def train_classifier(
    data_dir: str | None = None,
    database_url: SecretStr | None = None,
    database_secret: str | None = None,
    model_dir: str = "model-store",
    seed: int = 0,
    scale: float = 1.0,
    eval_scale: float = FROZEN_SCALE,
) -> dict:
    """Train from ``data_dir`` (default COPYTRACE_DATA_DIR, ../shared/data); promote only if not worse
    than the active model on the frozen evaluation set (``eval_scale``), its fold slices and the seeds."""
    settings = load_settings(data_dir=data_dir)
    url = run_database_url(database_url, database_secret)
    migrate_database(url)
    active = find_active_model(url)
    out = candidate_path(Path(model_dir))
    corrections = out.with_suffix(".corrections.jsonl")
    export_operator_corrections(url, str(corrections))
    result = fit_candidate(
        str(settings.data_dir), str(out), str(settings.seeds_dir), seed, scale, active, str(corrections), eval_scale
    )
    promote, verdict = not_worse(result)
    name_run(verdict)
    register_model(url, result["path"], promote)
    publish_model_report(verdict, result)
    get_run_logger().info(verdict)
    return {"path": result["path"], "promoted": promote, "verdict": verdict}
