"""Flow ``spam-spike-alert``: run by the automation on ``copytrace.spam_wrapped.spike``.

It lists exactly the triggering run's spam-wrapped copies (``flow_run_id``, passed by the
automation from the event) as an artifact, linked to that run; the automation's notification
(scripts/create_automations.py) carries the same run's link and its first copies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from pydantic import SecretStr

from copytrace.alerts import spam_wrapped_findings
from copytrace.db import ensure_schema, session_factory
from copytrace.report import RunSummary, findings_markdown
from copytrace.settings import load_settings
from tasks.database import run_database_url
from tasks.reporting import rename_run, run_url
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


@flow(name="spam-spike-alert")
def spam_spike_alert(
    flow_run_id: str | None = None,
    run_name: str | None = None,
    database_url: SecretStr | None = None,
    database_secret: str | None = None,
    since_minutes: int = 30,
    landing: str = "",
) -> int:
    """The spam-wrapped copies of run ``flow_run_id`` (the spike's); without one, of the last ``since_minutes``."""
    count = list_spam_wrapped(
        run_database_url(database_url, database_secret),
        flow_run_id,
        since_minutes,
        landing,
        run_name,
        load_settings().dashboard_url,
    )
    what = f"{run_name or flow_run_id}" if flow_run_id else f"the last {since_minutes} minutes"
    rename_run(str(flow_run.id) if flow_run.id else None, f"spam spike: {count} spam-wrapped in {what}")
    return count
