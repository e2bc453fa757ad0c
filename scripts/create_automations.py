"""Create (or replace) the project's Prefect automations; run by `make serve` after deploying.

copytrace.spam_wrapped.spike  →  run the spam-spike-alert deployment.
"""

from __future__ import annotations

from datetime import timedelta

from prefect.automations import Automation, EventTrigger, RunDeployment
from prefect.client.orchestration import get_client

SPIKE_AUTOMATION = "copytrace: spam-wrapped spike"


def create_spike_automation() -> Automation:
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("spam-spike-alert/spam-spike-alert")
        for existing in client.read_automations_by_name(SPIKE_AUTOMATION):
            client.delete_automation(existing.id)
    automation = Automation(
        name=SPIKE_AUTOMATION,
        description="When an ingest run's spam-wrapped share exceeds COPYTRACE_SPAM_SPIKE_SHARE, list the copies.",
        trigger=EventTrigger(
            expect={"copytrace.spam_wrapped.spike"},
            match={"prefect.resource.id": "copytrace.ingest.*"},
            posture="Reactive",
            threshold=1,
            within=timedelta(0),
        ),
        actions=[RunDeployment(source="selected", deployment_id=deployment.id, parameters={"since_minutes": 30})],
    )
    return automation.create()


if __name__ == "__main__":
    created = create_spike_automation()
    print(f"automation {created.name!r} ({created.id}) reacts to copytrace.spam_wrapped.spike")
