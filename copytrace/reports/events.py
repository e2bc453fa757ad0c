"""The Prefect events a run sends: how it ended, with its counts, and a spike when spam-wrapping surges.

Plain functions that build each event's name, resource, related resources and payload; the task in
``tasks.reporting`` only emits them, so what an operator's automation receives is tested without a
server.
"""

from __future__ import annotations

from typing import Any

from copytrace.redact import redact_url
from copytrace.reports.formatting import short_locator
from copytrace.reports.run_summary import RunSummary

SPIKE_EVENT = "copytrace.spam_wrapped.spike"
RUN_EVENTS = {
    "completed": "copytrace.ingest.completed",  # every landing file read
    "partial": "copytrace.ingest.partial",  # bad inputs recorded, the rest stored
    "failed": "copytrace.ingest.failed",  # nothing could be read, or the run could not start
}
SPIKE_COPIES = 25  # spam-wrapped copies a spike event lists (the alert's flow run lists them all)

Event = dict[str, Any]  # emit_event's keyword arguments: event, resource, related, payload


def _event(name: str, flow_run_id: str | None, run_name: str, payload: dict[str, Any]) -> Event:
    resource = {
        "prefect.resource.id": f"copytrace.ingest.{flow_run_id or 'local'}",
        "copytrace.kind": "ingest",
        "prefect.resource.name": run_name,
    }
    related = (
        [{"prefect.resource.id": f"prefect.flow-run.{flow_run_id}", "prefect.resource.role": "flow-run"}]
        if flow_run_id
        else []
    )
    return {"event": name, "resource": resource, "related": related, "payload": payload}


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


def run_events(
    summary: RunSummary, flow_run_id: str | None, run_name: str, run_url: str | None, spike_share: float
) -> list[Event]:
    """One event saying how the run ended (completed / partial / failed) with its counts, its id and a
    link to it; then a spike event when more than ``spike_share`` of the classified copies are
    spam-wrapped, listing them."""
    payload = {
        "outcome": summary.outcome,
        "flow_run_id": flow_run_id,
        "flow_run_name": run_name,
        "run_url": run_url,
        "landing": summary.landing,
        **summary.counts(),
    }
    events = [_event(RUN_EVENTS[summary.outcome], flow_run_id, run_name, payload)]
    if summary.classified and summary.spam_wrapped_share > spike_share:
        spike = {**payload, "threshold": spike_share, "copies": spam_wrapped_copies(summary)}
        events.append(_event(SPIKE_EVENT, flow_run_id, run_name, spike))
    return events


def failure_event(flow_run_id: str | None, run_name: str, run_url: str | None, reason: str) -> Event:
    """``copytrace.ingest.failed`` for a run that ended before it could count anything; the reason is
    redacted (it may quote a database URL)."""
    payload = {
        "outcome": "failed",
        "flow_run_id": flow_run_id,
        "flow_run_name": run_name,
        "run_url": run_url,
        "reason": redact_url(reason),
        **RunSummary().counts(),
    }
    return _event(RUN_EVENTS["failed"], flow_run_id, run_name, payload)
