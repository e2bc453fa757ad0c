"""Flow ``train-classifier``: rebuild the training data, fit, evaluate, promote only if not worse."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import SecretStr

from copytrace.db import ensure_schema, session_factory
from copytrace.scoring import Scorer, active_model_path
from copytrace.settings import load_settings
from copytrace.training import (
    candidate_path,
    comparison_markdown,
    confusion_markdown,
    export_corrections,
    not_worse,
    per_class_rows,
    train_candidate,
)
from models import registry
from models.promotion import FROZEN_SCALE
from tasks.database import run_database_url
from tasks.reporting import rename_run


@task(name="export-corrections", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 5, 15])
def export_operator_corrections(database_url: str, path: str) -> int:
    """The operators' corrections as labelled JSONL beside the candidate; how many there are."""
    with session_factory(database_url).begin() as session:
        count = export_corrections(session, Path(path))
    get_run_logger().info("%d operator corrections join the training pairs", count)
    return count


@task(name="fit-candidate", cache_policy=NO_CACHE)
def fit_candidate(
    data_dir: str,
    out_path: str,
    seeds_dir: str,
    seed: int,
    scale: float,
    active_path: str | None,
    corrections_path: str,
    eval_scale: float,
) -> dict:
    return train_candidate(
        Path(data_dir),
        Path(out_path),
        Path(seeds_dir),
        seed,
        scale,
        Path(active_path) if active_path else None,
        Path(corrections_path),
        eval_scale,
    )


@task(name="name-run", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 5])
def name_run(verdict: str) -> None:
    """The run is named for what it decided, so the runs list reads as the model's history."""
    rename_run(str(runtime.flow_run.id), "train: " + verdict.split(":", 1)[0])


@task(name="register-model", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 5, 15])
def register_model(database_url: str, path: str, promote: bool) -> int:
    """Record the candidate in model_versions (with its metrics) and make it active when promoted."""
    scorer = Scorer(Path(path).resolve())
    with session_factory(database_url).begin() as session:
        return scorer.register(session, activate=promote)


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
    ensure_schema(url)
    with session_factory(url).begin() as session:
        active = active_model_path(session) or str(registry.default_model_path())
    out = candidate_path(Path(model_dir))
    corrections = out.with_suffix(".corrections.jsonl")
    export_operator_corrections(url, str(corrections))
    result = fit_candidate(
        str(settings.data_dir), str(out), str(settings.seeds_dir), seed, scale, active, str(corrections), eval_scale
    )
    promote, verdict = not_worse(result)
    name_run(verdict)
    register_model(url, result["path"], promote)
    report = result["report"]
    create_table_artifact(per_class_rows(report), key="model-per-class", description=verdict)
    create_markdown_artifact(
        f"# Candidate model: {verdict}\n\nHeld-out confusion matrix (labels):\n\n{confusion_markdown(report)}\n\n"
        f"Seeds: {report['seeds']['passed']}/{report['seeds']['total']}\n\n"
        f"Against the active model: {comparison_markdown(result['comparison'])}\n",
        key="model-report",
    )
    get_run_logger().info(verdict)
    return {"path": result["path"], "promoted": promote, "verdict": verdict}
