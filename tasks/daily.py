"""Build the daily report: the day's figures against the previous week, as a Markdown artifact."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from copytrace.db import ensure_schema, session_factory
from copytrace.reports.daily import daily_report_markdown
from tasks.retrying import RETRY_DELAYS, retry_transient


@task(
    name="build-daily-report",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=RETRY_DELAYS[:2],
    retry_condition_fn=retry_transient,
)
def build_report(database_url: str, day: date) -> dict:
    ensure_schema(database_url)
    with session_factory(database_url)() as session:
        markdown, figures = daily_report_markdown(session, day)
    create_markdown_artifact(markdown, key="daily-report", description=f"copytrace figures for {day.isoformat()}")
    return figures
