"""Flow ``spam-spike-alert``: run by the automation on ``copytrace.spam_wrapped.spike``.

It lists exactly the triggering run's spam-wrapped copies (``flow_run_id``, passed by the
automation from the event) as an artifact, linked to that run; the automation's notification
(scripts/create_automations.py) carries the same run's link and its first copies.
"""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run
from pydantic import SecretStr

from copytrace.settings import load_settings
from tasks.alerting import list_spam_wrapped
from tasks.database import run_database_url
from tasks.reporting import rename_run


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
