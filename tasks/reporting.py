"""What an operator sees of a run in the Prefect UI: progress, a name that says what it did, artifacts, events."""

from __future__ import annotations

from uuid import UUID

from prefect import task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.events import emit_event

from copytrace.report import RunSummary, findings_markdown, md_escape

SPIKE_EVENT = "copytrace.spam_wrapped.spike"
RUN_EVENT = "copytrace.ingest.completed"


def start_progress(description: str) -> UUID:
    return create_progress_artifact(progress=0.0, key="ingest-progress", description=description)


def advance_progress(artifact_id: UUID, done: int, total: int, description: str) -> None:
    update_progress_artifact(artifact_id, progress=100.0 * done / max(total, 1), description=description)


def rename_run(flow_run_id: str | None, name: str) -> None:
    if flow_run_id:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(flow_run_id), name=name)


@task(name="publish-summary", cache_policy=NO_CACHE)
def publish_summary(summary: RunSummary) -> None:
    create_table_artifact(
        summary.table(escape=md_escape),
        key="ingest-summary",
        description="Copies classified in this run, by label, and errors",
    )
    create_markdown_artifact(
        findings_markdown(summary), key="ingest-findings", description="Spam-wrapped copies and rewrites found"
    )
    if summary.errors:
        create_table_artifact(
            [{k: md_escape(e[k], 300) for k in ("path", "locator", "reason", "detail")} for e in summary.errors],
            key="ingest-errors",
            description="Landing files or records that could not be read (the rest of the batch was stored)",
        )


@task(name="emit-run-events", cache_policy=NO_CACHE)
def emit_run_events(summary: RunSummary, flow_run_id: str | None, spike_share: float) -> list[str]:
    """A custom event per run with the counts per label, and a spike event when spam-wrapping surges."""
    resource = {"prefect.resource.id": f"copytrace.ingest.{flow_run_id or 'local'}", "copytrace.kind": "ingest"}
    related = (
        [{"prefect.resource.id": f"prefect.flow-run.{flow_run_id}", "prefect.resource.role": "flow-run"}]
        if flow_run_id
        else []
    )
    payload = {
        "labels": summary.labels,
        "new_documents": summary.new_documents,
        "errors": len(summary.errors),
        "spam_wrapped_share": round(summary.spam_wrapped_share, 4),
    }
    sent = [RUN_EVENT]
    emit_event(event=RUN_EVENT, resource=resource, related=related, payload=payload)
    if summary.classified and summary.spam_wrapped_share > spike_share:
        emit_event(event=SPIKE_EVENT, resource=resource, related=related, payload={**payload, "threshold": spike_share})
        sent.append(SPIKE_EVENT)
    return sent
