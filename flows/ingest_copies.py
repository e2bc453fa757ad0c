"""Flow ``ingest-copies``: landing folder → stored copies → classified provenance."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from copytrace.pipeline.ingesting import chunks, ingest_batches
from copytrace.pipeline.results import ClassifyResult
from copytrace.redact import redact_url
from copytrace.reports.formatting import bad_inputs_in_words
from copytrace.reports.run_summary import RunSummary
from copytrace.settings import load_settings
from tasks.classifying import classify_batch, left_behind_documents, load_classifier, pending_documents
from tasks.database import run_database_url
from tasks.landing import discover_landing
from tasks.reporting import (
    advance_progress,
    emit_failure_event,
    emit_run_events,
    find_new_networks,
    publish_summary,
    rename_run,
    start_progress,
)
from tasks.schema import migrate_database
from tasks.storing import store_batch


class IngestFailed(RuntimeError):
    """A failure the run expects and reports in words (no traceback, no retry): its event is sent."""


class NothingReadError(IngestFailed):
    """Every landing file of the run failed to read."""


class LandingUnavailableError(IngestFailed):
    """The landing folder is missing or cannot be listed."""


def _report_unexpected_failure(flow, run, state) -> None:
    """``on_failure`` hook: a run that failed on something unexpected still sends copytrace.ingest.failed
    and is named for it (an expected failure sent its event, with its counts, before it ended)."""
    exc = state.result(raise_on_failure=False)
    if isinstance(exc, IngestFailed):
        return
    reason = redact_url(state.message or type(exc).__name__)
    name = f"{run.name} · failed: {type(exc).__name__}" if isinstance(exc, BaseException) else run.name
    emit_failure_event(str(run.id), name, reason)
    rename_run(str(run.id), name)


def _run_name() -> str:
    return f"ingest {datetime.now(UTC):%Y-%m-%d %H:%M}"


@flow(
    name="ingest-copies",
    flow_run_name=_run_name,
    log_prints=False,
    task_runner=ThreadPoolTaskRunner(max_workers=1),  # see flows/task_runners.py for dask
    on_failure=[_report_unexpected_failure],
)
def ingest_copies(
    landing: str,
    database_url: SecretStr | None = None,
    database_secret: str | None = None,
    batch_size: int | None = None,
    max_file_bytes: int | None = None,
    model_path: str | None = None,
) -> RunSummary | State:
    """Read new scraped copies from ``landing``, store them, attribute and classify them.

    The database: ``database_url`` (a ``SecretStr``; a URL given with its password is masked in the
    run's stored parameters as the run starts), else the Prefect Secret block named ``database_secret``,
    else the worker's environment (tasks/database.py)."""
    settings = load_settings(
        batch_size=batch_size,
        max_file_bytes=max_file_bytes,
        model_path=model_path,
    )
    model = str(settings.model_path) if settings.model_path else None
    url = run_database_url(database_url, database_secret)
    run_id = str(flow_run.id) if flow_run.id else None
    logger = get_run_logger()
    started = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"

    migrate_database(url)
    found = discover_landing(landing)
    if found.problem:
        name = f"ingest {started} · failed: landing folder unavailable"
        rename_run(run_id, name)
        emit_failure_event(run_id, name, found.problem)
        logger.error("%s; nothing was read", found.problem)
        return Failed(message=found.problem, data=LandingUnavailableError(found.problem))
    paths = found.paths
    file_batches = chunks(paths, settings.batch_size)
    # Read before this run stores anything: what a killed run left is classified first (below).
    left = left_behind_documents(url, file_batches)
    progress = start_progress(f"reading {len(paths)} landing files")

    # Store batches run on the flow's task runner (in parallel on Dask; one after another on the
    # default runner's thread), each its own transaction. Each batch is classified here as soon as it
    # and the batches before it are stored, while the next ones are being stored.
    futures = [
        store_batch.submit(batch, landing, url, settings.max_file_bytes, run_id, no)
        for no, batch in enumerate(file_batches, 1)
    ]
    # Classification runs in this process, whatever the task runner: the model loads while the first
    # batch is stored.
    load_classifier(url, model)

    # A batch goes to classify_batch quoted: Prefect would otherwise walk every id looking for
    # futures, which costs this process time on every batch. Only here, called in this process: a
    # task submitted to Dask receives a quoted argument still quoted.
    def classify(batch: list[int], classify_no: int) -> ClassifyResult:
        limit, threshold = settings.candidate_limit, settings.story_threshold
        return classify_batch(quote(batch), url, model, limit, threshold, run_id, classify_no)

    def stored_and_classified(done: int) -> None:
        """Progress once a batch, not once a file: each update is an API call this thread waits for."""
        advance_progress(progress, done, len(file_batches), f"stored and classified {done}/{len(file_batches)} batches")

    # The order decides the provenance (copytrace/pipeline/ingesting.py, which the ingest bench and the
    # tests run with the plain functions): what a killed run left first, batch by batch as it would
    # have; then each batch in batch order, not as they complete; last, anything stored meanwhile by
    # another run over the same database.
    stored, classified = ingest_batches(
        [future.result for future in futures],
        classify,
        settings.batch_size,
        left=left,
        pending=lambda: pending_documents(url),
        after_batch=stored_and_classified,
    )
    advance_progress(progress, 1, 1, "done")
    # The documents this run classified first: the copies that can make a spam network new.
    networks = find_new_networks(url, quote(sorted(classified.new_ids)))

    summary = RunSummary(
        files_seen=len(paths),
        files_read=stored.files_read,
        files_skipped=stored.files_skipped,
        new_documents=len(stored.new_document_ids),
        duplicates=stored.duplicates,
        classified=classified.classified,
        labels=dict(classified.labels),
        new_stories=classified.new_stories,
        rerooted=classified.rerooted,
        errors=stored.errors,
        findings=classified.findings,
        landing=landing,
        new_networks=networks,
    )
    # Quoted as classify_batch's arguments are: the summary holds every finding and error of the run.
    publish_summary(quote(summary), settings.dashboard_url)
    name = summary.run_name(started)
    rename_run(run_id, name)
    emit_run_events(quote(summary), run_id, name, settings.spam_spike_share)
    if summary.nothing_read:
        message = (
            f"none of the {summary.files_read} landing files could be read ({len(summary.errors)} errors recorded, "
            "see the ingest-errors artifact)"
        )
        logger.error("%s: %s", message, bad_inputs_in_words(summary.errors, landing))
        return Failed(message=message, data=NothingReadError(message))
    logger.info("%s", summary.in_words())
    if summary.errors:
        warning = f"{len(summary.errors)} bad inputs recorded (see the ingest-errors artifact); the rest was stored"
        logger.warning(warning)
        return Completed(message=warning, data=summary)
    return summary
