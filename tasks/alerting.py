"""List a spam-wrapped spike's copies as an artifact linked to the run that caused it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from copytrace.db import ensure_schema, session_factory
from copytrace.reports.alerts import spam_wrapped_findings
from copytrace.reports.artifacts import findings_markdown
from copytrace.reports.run_summary import RunSummary
from tasks.reporting import run_url
from tasks.retrying import RETRY_DELAYS, retry_transient


@task(
    name="list-spam-wrapped",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=RETRY_DELAYS[:2],
    retry_condition_fn=retry_transient,
)
def list_spam_wrapped(
    database_url: str,
    flow_run_id: str | None,
    since_minutes: int,
    landing: str,
    run_name: str | None,
    dashboard_url: str | None = None,
) -> int:
    ensure_schema(database_url)
    since = datetime.now(UTC) - timedelta(minutes=since_minutes)
    with session_factory(database_url)() as session:
        findings = spam_wrapped_findings(session, flow_run_id, since)
    if flow_run_id:
        heading = f"Spam-wrapped copies of run {run_name or flow_run_id}"
        link = f"The run: {run_url(flow_run_id)}\n\n"
    else:
        heading, link = f"Spam-wrapped copies of the last {since_minutes} minutes", ""
    markdown = findings_markdown(
        RunSummary(findings=findings, landing=landing), heading=heading, dashboard_url=dashboard_url
    )
    head, _, rest = markdown.partition("\n\n")
    create_markdown_artifact(
        f"{head}\n\n{link}{rest}",
        key="spam-wrapped-spike",
        description=heading,
    )
    return len(findings)
