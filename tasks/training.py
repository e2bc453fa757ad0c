"""Train a candidate pair classifier and record it: the tasks of the train-classifier flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import get_run_logger, runtime, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from copytrace.db import session_factory
from copytrace.modelling.training import (
    comparison_markdown,
    confusion_markdown,
    export_corrections,
    per_class_rows,
    train_candidate,
)
from copytrace.runtime.scoring import Scorer, active_model_path
from models import registry
from tasks.reporting import rename_run
from tasks.retrying import RETRY_DELAYS, retry_transient


@task(
    name="find-active-model",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def find_active_model(database_url: str) -> str:
    """The model a candidate is compared with: the promoted one on this machine, else the shipped one."""
    with session_factory(database_url).begin() as session:
        return active_model_path(session) or str(registry.default_model_path())


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


def publish_model_report(verdict: str, result: dict[str, Any]) -> None:
    """The candidate's held-out scores per label and its report, as the run's artifacts (plain function:
    called from the flow, so the artifacts belong to the run, not to a task of it)."""
    report = result["report"]
    create_table_artifact(per_class_rows(report), key="model-per-class", description=verdict)
    create_markdown_artifact(
        f"# Candidate model: {verdict}\n\nHeld-out confusion matrix (labels):\n\n{confusion_markdown(report)}\n\n"
        f"Seeds: {report['seeds']['passed']}/{report['seeds']['total']}\n\n"
        f"Against the active model: {comparison_markdown(result['comparison'])}\n",
        key="model-report",
    )
