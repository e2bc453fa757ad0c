"""Flow ``daily-report``: the day's figures against the previous week, as a Markdown artifact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from prefect import flow
from prefect.runtime import flow_run
from pydantic import SecretStr

from tasks.daily import build_report
from tasks.database import run_database_url


def report_day(day: str | None) -> date:
    """``day`` (YYYY-MM-DD), or yesterday in UTC when the run is given none (the schedule's runs)."""
    return date.fromisoformat(day) if day else datetime.now(UTC).date() - timedelta(days=1)


def _run_name() -> str:
    """The report's day in the run's name, also when the schedule passed none."""
    return f"daily report {report_day(flow_run.parameters.get('day')).isoformat()}"


@flow(name="daily-report", flow_run_name=_run_name)
def daily_report(
    database_url: SecretStr | None = None, database_secret: str | None = None, day: str | None = None
) -> dict:
    """Report on ``day`` (YYYY-MM-DD, default yesterday in UTC)."""
    return build_report(run_database_url(database_url, database_secret), report_day(day))
