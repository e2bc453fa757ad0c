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
from copytrace.reports.events import failure_event, run_events
from copytrace.reports.formatting import md_escape
from copytrace.reports.networks import new_networks
from copytrace.reports.run_summary import REROOTED_NOTE, RunSummary
from tasks.retrying import RETRY_DELAYS, retry_transient


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


@task(name="emit-run-events", cache_policy=NO_CACHE)
def emit_run_events(summary: RunSummary, flow_run_id: str | None, run_name: str, spike_share: float) -> list[str]:
    """Send the run's events (``copytrace.reports.events.run_events``); the names of those sent."""
    events = run_events(summary, flow_run_id, run_name, run_url(flow_run_id), spike_share)
    for event in events:
        emit_event(**event)
    return [event["event"] for event in events]


def emit_failure_event(flow_run_id: str | None, run_name: str, reason: str) -> None:
    """``copytrace.ingest.failed`` for a run that ended before it could count anything (plain function:
    called from the flow's failure hook, where no task can run)."""
    emit_event(**failure_event(flow_run_id, run_name, run_url(flow_run_id), reason))
