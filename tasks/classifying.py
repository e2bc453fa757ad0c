"""Attribute and classify one batch of stored documents."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from copytrace.db import session_factory
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.left_behind import left_behind
from copytrace.pipeline.results import ClassifyResult
from copytrace.repo.documents import pending_document_ids
from copytrace.reports.formatting import count_of, labels_in_words
from copytrace.scoring import load_scorer, model_path_for
from tasks.retrying import RETRY_DELAYS, retry_transient


@task(
    name="pending-documents",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def pending_documents(database_url: str) -> list[int]:
    """Every stored document without a classification, this run's and any a killed run left behind."""
    with session_factory(database_url).begin() as session:
        return pending_document_ids(session)


@task(
    name="left-behind",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def left_behind_documents(database_url: str, file_batches: list[list[str]]) -> list[list[int]]:
    """What a killed run stored and did not classify, grouped by the run's file batches
    (``copytrace.pipeline.left_behind``)."""
    return left_behind(database_url, file_batches)


@task(
    name="load-classifier",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def load_classifier(database_url: str, model_path: str | None) -> None:
    """Load the model ahead of classification, while the run is still storing files;
    ``classify_batch`` then finds it loaded."""
    scorer = load_scorer(model_path_for(database_url, model_path))
    get_run_logger().info("model %s loaded", scorer.version)


@task(
    name="classify-documents",
    task_run_name="classify documents {batch_no}",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def classify_batch(
    document_ids: list[int],
    database_url: str,
    model_path: str | None,
    candidate_limit: int,
    story_threshold: float,
    flow_run_id: str | None,
    batch_no: int,
) -> ClassifyResult:
    scorer = load_scorer(model_path_for(database_url, model_path))
    result = classify_documents(
        document_ids,
        database_url,
        scorer,
        candidate_limit=candidate_limit,
        story_threshold=story_threshold,
        flow_run_id=flow_run_id,
    )
    get_run_logger().info("batch %d: %s (model %s)", batch_no, classified_in_words(result), scorer.version)
    return result


def classified_in_words(result: ClassifyResult) -> str:
    """One log line for a classified batch: its labels in words, not a dict."""
    line = (
        f"classified {count_of(result.classified, 'copy', 'copies')}: {labels_in_words(result.labels)}; "
        f"{count_of(result.new_stories, 'new story', 'new stories')}"
    )
    if result.redecided_ids:
        again = count_of(len(result.redecided_ids), "copy", "copies")
        line += f"; {again} of earlier batches or runs decided again"
    return line
