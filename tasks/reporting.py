"""What an operator sees of a run in the Prefect UI: progress, a name that says what it did, artifacts, events."""

from __future__ import annotations

from typing import Any
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
from prefect.utilities.urls import url_for

from copytrace.db import session_factory
from copytrace.redact import redact_url
from copytrace.reports.artifacts import errors_table, findings_markdown
from copytrace.reports.formatting import md_escape, short_locator
from copytrace.reports.networks import new_networks
from copytrace.reports.run_summary import REROOTED_NOTE, RunSummary
from tasks.retrying import RETRY_DELAYS, retry_transient

SPIKE_EVENT = "copytrace.spam_wrapped.spike"
RUN_EVENTS = {
    "completed": "copytrace.ingest.completed",  # every landing file read
    "partial": "copytrace.ingest.partial",  # bad inputs recorded, the rest stored
    "failed": "copytrace.ingest.failed",  # nothing could be read, or the run could not start
}
SPIKE_COPIES = 25  # spam-wrapped copies a spike event lists (the alert's flow run lists them all)


def start_progress(description: str) -> UUID:
    return create_progress_artifact(progress=0.0, key="ingest-progress", description=description)


def advance_progress(artifact_id: UUID, done: int, total: int, description: str) -> None:
    update_progress_artifact(artifact_id, progress=100.0 * done / max(total, 1), description=description)


def rename_run(flow_run_id: str | None, name: str) -> None:
    if flow_run_id:
        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(flow_run_id), name=name)


def mask_run_parameters(flow_run_id: str | None) -> bool:
    """Replace a password-bearing ``database_url`` this run was created with (through the API, the UI
    or ``prefect deployment run -p``: Prefect stores a parameter as given and its Parameters tab shows
    it as stored) by the same URL without its password; True if one was masked. The run itself has
    the URL already; a re-run from the UI then needs the URL again (the Secret block needs nothing)."""
    if not flow_run_id:
        return False
    with get_client(sync_client=True) as client:
        parameters = dict(client.read_flow_run(UUID(flow_run_id)).parameters)
        given = parameters.get("database_url")
        if not isinstance(given, str) or redact_url(given) == given:
            return False
        parameters["database_url"] = redact_url(given)
        client.update_flow_run(UUID(flow_run_id), parameters=parameters)
    return True


def run_url(flow_run_id: str | None) -> str | None:
    """The run's page in the Prefect UI (PREFECT_UI_URL, derived from PREFECT_API_URL when unset)."""
    return url_for("flow-run", obj_id=flow_run_id) if flow_run_id else None


@task(
    name="find-new-spam-networks",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=RETRY_DELAYS,
    retry_condition_fn=retry_transient,
)
def find_new_networks(database_url: str, run_document_ids: list[int]) -> list[dict[str, Any]]:
    """The spam networks this run's copies brought (``copytrace.reports.networks.new_networks``)."""
    with session_factory(database_url)() as session:
        return new_networks(session, run_document_ids)


@task(name="publish-summary", cache_policy=NO_CACHE)
def publish_summary(summary: RunSummary, dashboard_url: str | None = None) -> None:
    """The run's summary table, its findings (linked to the dashboard when ``dashboard_url``, a base
    checked by ``copytrace.reports.links.dashboard_base``, is given) and its errors, as artifacts."""
    create_table_artifact(
        summary.table(escape=md_escape),
        key="ingest-summary",
        description=f"Copies classified in this run, by label, and errors. Earlier copies re-rooted: {REROOTED_NOTE}.",
    )
    create_markdown_artifact(
        findings_markdown(summary, dashboard_url=dashboard_url),
        key="ingest-findings",
        description="Spam-wrapped copies and rewrites found, and the spam networks they started",
    )
    if summary.errors:
        create_table_artifact(
            errors_table(summary.errors, summary.landing),
            key="ingest-errors",
            description="Landing files or records that could not be read (paths relative to the landing folder; "
            "the rest of the batch was stored)",
        )


def _resource(flow_run_id: str | None) -> tuple[dict[str, str], list[dict[str, str]]]:
    resource = {"prefect.resource.id": f"copytrace.ingest.{flow_run_id or 'local'}", "copytrace.kind": "ingest"}
    related = (
        [{"prefect.resource.id": f"prefect.flow-run.{flow_run_id}", "prefect.resource.role": "flow-run"}]
        if flow_run_id
        else []
    )
    return resource, related


def spam_wrapped_copies(summary: RunSummary, limit: int = SPIKE_COPIES) -> list[dict[str, Any]]:
    """The run's spam-wrapped copies for an event, most confident first: site, title, copy, source."""
    wrapped = [f for f in summary.findings if f["label"] == "spam-wrapped"]
    wrapped.sort(key=lambda f: -float(f.get("confidence") or 0.0))
    return [
        {
            "site": f.get("site") or "",
            "title": f.get("title") or "",
            "copy": short_locator(f.get("locator") or "", summary.landing, 80),
            "source": short_locator(f.get("source") or "", summary.landing, 80),
            "confidence": f.get("confidence"),
        }
        for f in wrapped[:limit]
    ]


@task(name="emit-run-events", cache_policy=NO_CACHE)
def emit_run_events(summary: RunSummary, flow_run_id: str | None, run_name: str, spike_share: float) -> list[str]:
    """One event per run saying how it ended (completed / partial / failed) with its counts, its id and a
    link to it; a spike event too when spam-wrapping surges, listing that run's spam-wrapped copies."""
    resource, related = _resource(flow_run_id)
    resource["prefect.resource.name"] = run_name
    payload = {
        "outcome": summary.outcome,
        "flow_run_id": flow_run_id,
        "flow_run_name": run_name,
        "run_url": run_url(flow_run_id),
        "landing": summary.landing,
        **summary.counts(),
    }
    event = RUN_EVENTS[summary.outcome]
    emit_event(event=event, resource=resource, related=related, payload=payload)
    sent = [event]
    if summary.classified and summary.spam_wrapped_share > spike_share:
        copies = spam_wrapped_copies(summary)
        emit_event(
            event=SPIKE_EVENT,
            resource=resource,
            related=related,
            payload={**payload, "threshold": spike_share, "copies": copies},
        )
        sent.append(SPIKE_EVENT)
    return sent


def emit_failure_event(flow_run_id: str | None, run_name: str, reason: str) -> None:
    """``copytrace.ingest.failed`` for a run that ended before it could count anything (plain function:
    called from the flow's failure hook, where no task can run)."""
    resource, related = _resource(flow_run_id)
    resource["prefect.resource.name"] = run_name
    payload = {
        "outcome": "failed",
        "flow_run_id": flow_run_id,
        "flow_run_name": run_name,
        "run_url": run_url(flow_run_id),
        "reason": redact_url(reason),
        **RunSummary().counts(),
    }
    emit_event(event=RUN_EVENTS["failed"], resource=resource, related=related, payload=payload)
