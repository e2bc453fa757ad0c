"""Create (or replace) copytrace's alerts on a Prefect server; run by `make serve` after deploying.

Each alert is an automation that notifies through one Prefect notification block:

- ``copytrace: spam-wrapped spike``  on copytrace.spam_wrapped.spike: the triggering run's spam-wrapped
  copies and a link to it; it also runs the spam-spike-alert deployment for that run (an artifact
  listing all of them).
- ``copytrace: ingest run failed``  on copytrace.ingest.failed: the reason, the counts, the link.
- ``copytrace: no ingest run completed``  proactive: no copytrace.ingest.completed or .partial for
  COPYTRACE_ALERT_MISSED_RUNS (3) intervals of COPYTRACE_INGEST_INTERVAL_SECONDS (600, the schedule's).
- ``copytrace: worker offline``  on prefect.work-pool.not-ready for the copytrace pool (its last
  worker stopped sending heartbeats).

The block: COPYTRACE_ALERT_BLOCK names one of yours as ``block-type-slug/name`` (a Slack webhook,
e-mail, PagerDuty, ... any block that can notify); otherwise a Custom Webhook block
``copytrace-alerts`` is saved that POSTs ``{"subject": ..., "body": ...}`` as JSON to
COPYTRACE_ALERT_WEBHOOK_URL. With neither, the automations are created without notifications
(the spike still runs its deployment) and this says so.
"""

from __future__ import annotations

import os
from datetime import timedelta
from uuid import UUID

from prefect.automations import Automation, EventTrigger, RunDeployment, SendNotification
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.client.orchestration import get_client
from prefect.settings import get_current_settings

from copytrace.redact import redact_url

POOL = "copytrace"
WEBHOOK_BLOCK = "copytrace-alerts"
SPIKE_AUTOMATION = "copytrace: spam-wrapped spike"
FAILED_AUTOMATION = "copytrace: ingest run failed"
STALLED_AUTOMATION = "copytrace: no ingest run completed"
OFFLINE_AUTOMATION = "copytrace: worker offline"
INGEST_RESOURCE = {"prefect.resource.id": "copytrace.ingest.*"}

SPIKE_BODY = """\
{{ event.payload.spam_wrapped }} of the {{ event.payload.classified }} copies classified by run \
"{{ event.payload.flow_run_name }}" are spam-wrapped (share {{ event.payload.spam_wrapped_share }}, \
alert above {{ event.payload.threshold }}).
Run: {{ event.payload.run_url }}
{% for c in event.payload.copies %}- {{ c["site"] or c["copy"] }}: "{{ c["title"] }}", copied from \
{{ c["source"] }} (confidence {{ c["confidence"] }})
{% endfor %}\
{% if event.payload.spam_wrapped > event.payload.copies | length %}... and \
{{ event.payload.spam_wrapped - event.payload.copies | length }} more: see the spam-spike-alert run's artifact.
{% endif %}"""

FAILED_BODY = """\
Ingest run "{{ event.payload.flow_run_name }}" failed: {{ event.payload.reason or "none of its landing files \
could be read" }}.
Files seen {{ event.payload.files_seen }}, read {{ event.payload.files_read }}, bad inputs \
{{ event.payload.errors }}, new copies {{ event.payload.new_documents }}.
Run: {{ event.payload.run_url }}"""


def notification_block_id() -> UUID | None:
    """The block alerts go through: COPYTRACE_ALERT_BLOCK, else a webhook to COPYTRACE_ALERT_WEBHOOK_URL."""
    named = os.environ.get("COPYTRACE_ALERT_BLOCK")
    with get_client(sync_client=True) as client:
        if named:
            slug, _, name = named.partition("/")
            return client.read_block_document_by_name(name=name, block_type_slug=slug).id
    url = os.environ.get("COPYTRACE_ALERT_WEBHOOK_URL")
    if not url:
        return None
    block = CustomWebhookNotificationBlock(
        name=WEBHOOK_BLOCK,
        url=url,
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    )
    return block.save(WEBHOOK_BLOCK, overwrite=True)


def _notify(block_id: UUID | None, subject: str, body: str) -> list:
    return [SendNotification(block_document_id=block_id, subject=subject, body=body)] if block_id else []


def _replace(automation: Automation) -> Automation:
    with get_client(sync_client=True) as client:
        for existing in client.read_automations_by_name(automation.name):
            client.delete_automation(existing.id)
    return automation.create()


def create_spike_automation(block_id: UUID | None) -> Automation:
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("spam-spike-alert/spam-spike-alert")
    return _replace(
        Automation(
            name=SPIKE_AUTOMATION,
            description="An ingest run's spam-wrapped share exceeded COPYTRACE_SPAM_SPIKE_SHARE: that run's copies.",
            trigger=EventTrigger(
                expect={"copytrace.spam_wrapped.spike"},
                match=INGEST_RESOURCE,
                posture="Reactive",
                threshold=1,
                within=timedelta(0),
            ),
            actions=[
                RunDeployment(
                    source="selected",
                    deployment_id=deployment.id,
                    parameters={
                        "flow_run_id": "{{ event.payload.flow_run_id }}",
                        "run_name": "{{ event.payload.flow_run_name }}",
                        "landing": "{{ event.payload.landing }}",
                    },
                ),
                *_notify(block_id, "copytrace: spam-wrapped spike in {{ event.payload.flow_run_name }}", SPIKE_BODY),
            ],
        )
    )


def create_failed_automation(block_id: UUID | None) -> Automation:
    return _replace(
        Automation(
            name=FAILED_AUTOMATION,
            description="An ingest run failed: nothing readable, no landing folder, or an error.",
            trigger=EventTrigger(
                expect={"copytrace.ingest.failed"}, match=INGEST_RESOURCE, posture="Reactive", threshold=1
            ),
            actions=_notify(block_id, "copytrace: ingest run failed: {{ event.payload.flow_run_name }}", FAILED_BODY),
        )
    )


def create_stalled_automation(block_id: UUID | None, interval_seconds: float, missed_runs: int) -> Automation:
    window = timedelta(seconds=max(10.0, interval_seconds * missed_runs))
    minutes = f"{window.total_seconds() / 60:g}"
    return _replace(
        Automation(
            name=STALLED_AUTOMATION,
            description=f"No ingest run completed in {minutes} minutes ({missed_runs} scheduled intervals).",
            trigger=EventTrigger(
                expect={"copytrace.ingest.completed", "copytrace.ingest.partial"},
                match=INGEST_RESOURCE,
                posture="Proactive",
                threshold=1,
                within=window,
            ),
            actions=_notify(
                block_id,
                "copytrace: no ingest run completed",
                f"No ingest run has completed in the last {minutes} minutes ({missed_runs} scheduled intervals): "
                "the worker, the schedule or every run is failing. Runs: "
                f"{get_current_settings().ui_url or 'the Prefect UI'}/runs (flow ingest-copies).",
            ),
        )
    )


def create_offline_automation(block_id: UUID | None) -> Automation:
    return _replace(
        Automation(
            name=OFFLINE_AUTOMATION,
            description=f"The {POOL} work pool has no worker online: scheduled runs wait and nothing is ingested.",
            trigger=EventTrigger(
                expect={"prefect.work-pool.not-ready"},
                match={"prefect.resource.name": POOL},
                posture="Reactive",
                threshold=1,
            ),
            actions=_notify(
                block_id,
                f"copytrace: no worker online for the {POOL} work pool",
                f"The last worker of the {POOL} work pool stopped sending heartbeats at {{{{ event.occurred }}}}: "
                f"scheduled runs wait until one starts (prefect worker start --pool {POOL}).",
            ),
        )
    )


def create_automations() -> list[Automation]:
    block_id = notification_block_id()
    interval = float(os.environ.get("COPYTRACE_INGEST_INTERVAL_SECONDS", "600"))
    missed = int(os.environ.get("COPYTRACE_ALERT_MISSED_RUNS", "3"))
    return [
        create_spike_automation(block_id),
        create_failed_automation(block_id),
        create_stalled_automation(block_id, interval, missed),
        create_offline_automation(block_id),
    ]


if __name__ == "__main__":
    created = create_automations()
    where = os.environ.get("COPYTRACE_ALERT_BLOCK") or redact_url(os.environ.get("COPYTRACE_ALERT_WEBHOOK_URL", ""))
    for automation in created:
        print(f"automation {automation.name!r} ({automation.id})")
    if where:
        print(f"alerts are sent through {where}")
    else:
        print("no notification block: set COPYTRACE_ALERT_WEBHOOK_URL or COPYTRACE_ALERT_BLOCK to be notified")
