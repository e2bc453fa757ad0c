"""Flow ``daily-report``: the day's figures against the previous week, as a Markdown artifact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from copytrace.daily import daily_report_markdown
from copytrace.db import ensure_schema, session_factory
from copytrace.settings import load_settings


@task(name="build-daily-report", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def build_report(database_url: str, day: date) -> dict:
    ensure_schema(database_url)
    with session_factory(database_url)() as session:
        markdown, figures = daily_report_markdown(session, day)
    create_markdown_artifact(markdown, key="daily-report", description=f"copytrace figures for {day.isoformat()}")
    return figures


@flow(name="daily-report", flow_run_name="daily report {day}")
def daily_report(database_url: str | None = None, day: str | None = None) -> dict:
    """Report on ``day`` (YYYY-MM-DD, default yesterday in UTC)."""
    url = load_settings(database_url=database_url).database_url
    when = date.fromisoformat(day) if day else datetime.now(UTC).date() - timedelta(days=1)
    return build_report(url, when)
