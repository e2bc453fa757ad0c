"""Store one batch of landing files: their copies, their errors, the record that they were read."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from copytrace.pipeline.results import StoreResult
from copytrace.pipeline.storing import store_files
from copytrace.reports.formatting import bad_inputs_in_words, count_of
from tasks.retrying import RETRY_DELAYS, retry_transient


@task(
    name="store-files",
    task_run_name="store files {batch_no}",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def store_batch(
    paths: list[str],
    landing: str,
    database_url: str,
    max_file_bytes: int,
    flow_run_id: str | None,
    batch_no: int,
) -> StoreResult:
    result = store_files(paths, landing, database_url, max_file_bytes, flow_run_id)
    get_run_logger().info("batch %d: %s", batch_no, stored_in_words(result, landing))
    return result


def stored_in_words(result: StoreResult, landing: str) -> str:
    """One log line for a stored batch; each bad input named (the first few, the rest counted)."""
    line = (
        f"read {count_of(result.files_read, 'file', 'files')}, "
        f"stored {count_of(len(result.new_document_ids), 'new copy', 'new copies')}"
    )
    if result.files_skipped:
        line += f", {count_of(result.files_skipped, 'file', 'files')} already ingested"
    if result.duplicates:
        line += f", {count_of(result.duplicates, 'copy', 'copies')} already stored"
    if result.errors:
        bad = count_of(len(result.errors), "bad input", "bad inputs")
        line += f"; {bad}: {bad_inputs_in_words(result.errors, landing)}"
    return line
