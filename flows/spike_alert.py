"""Flow ``spam-spike-alert``: run by the automation on ``copytrace.spam_wrapped.spike``.

It puts the latest spam-wrapped copies in front of the operator as an artifact. Where a
notification channel exists (Slack, e-mail blocks), add a SendNotification action beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from copytrace.db import ensure_schema, session_factory
from copytrace.report import RunSummary, findings_markdown, provenance_rows
from copytrace.settings import load_settings


@task(name="list-recent-spam-wrapped", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def recent_spam_wrapped(database_url: str, since_minutes: int) -> int:
    ensure_schema(database_url)
    since = datetime.now(UTC) - timedelta(minutes=since_minutes)
    with session_factory(database_url)() as session:
        rows = provenance_rows(session, "WHERE label = 'spam-wrapped' AND classified_at >= :since", {"since": since})
    findings = [
        {
            "locator": r["locator"],
            "site": r["site"],
            "label": r["label"],
            "confidence": r["confidence"] or 0.0,
            "source": r["derived_from_locator"] or "",
            "reasons": [],
        }
        for r in rows
    ]
    create_markdown_artifact(
        findings_markdown(RunSummary(findings=findings)),
        key="spam-wrapped-spike",
        description=f"Spam-wrapped copies classified in the last {since_minutes} minutes",
    )
    return len(findings)


@flow(name="spam-spike-alert")
def spam_spike_alert(database_url: str | None = None, since_minutes: int = 30) -> int:
    return recent_spam_wrapped(load_settings(database_url=database_url).database_url, since_minutes)
