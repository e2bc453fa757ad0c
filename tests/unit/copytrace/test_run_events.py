"""The events a run sends, built without a server (``copytrace.reports.events``)."""

from __future__ import annotations

from copytrace.reports.events import RUN_EVENTS, SPIKE_EVENT, failure_event, run_events
from copytrace.reports.run_summary import RunSummary


def _summary(labels: dict[str, int], errors: int = 0) -> RunSummary:
    findings = [
        {"label": label, "locator": f"/landing/{label}-{i}.txt", "source": "/landing/a.txt", "confidence": 0.5 + i / 10}
        for label, n in labels.items()
        for i in range(n)
    ]
    n = sum(labels.values())
    return RunSummary(
        files_seen=n + errors,
        files_read=n,
        new_documents=n,
        classified=n,
        labels=dict(labels),
        errors=[{"path": f"bad{i}", "error": "unreadable"} for i in range(errors)],
        findings=findings,
        landing="/landing",
    )


def test_a_run_sends_how_it_ended_with_its_counts_and_link():
    (event,) = run_events(_summary({"original": 2, "rewrite": 1}), "abc", "ingest now", "http://ui/runs/abc", 0.3)
    assert event["event"] == RUN_EVENTS["completed"]
    assert event["payload"]["labels"] == {"original": 2, "rewrite": 1}
    assert event["payload"]["run_url"] == "http://ui/runs/abc" and event["payload"]["flow_run_id"] == "abc"
    assert event["resource"]["prefect.resource.name"] == "ingest now"
    assert event["related"] == [{"prefect.resource.id": "prefect.flow-run.abc", "prefect.resource.role": "flow-run"}]


def test_a_run_with_bad_inputs_is_partial():
    (event,) = run_events(_summary({"original": 1}, errors=1), None, "ingest", None, 0.3)
    assert event["event"] == RUN_EVENTS["partial"] and event["payload"]["errors"] == 1
    assert event["related"] == [] and event["resource"]["prefect.resource.id"] == "copytrace.ingest.local"


def test_a_spike_above_the_threshold_lists_the_wrapped_copies_most_confident_first():
    run, spike = run_events(_summary({"original": 1, "spam-wrapped": 2}), "r", "ingest", None, 0.5)
    assert run["event"] == RUN_EVENTS["completed"] and spike["event"] == SPIKE_EVENT
    assert spike["payload"]["threshold"] == 0.5 and spike["payload"]["spam_wrapped_share"] == round(2 / 3, 4)
    assert [c["confidence"] for c in spike["payload"]["copies"]] == [0.6, 0.5]
    assert spike["payload"]["copies"][0]["copy"] == "spam-wrapped-1.txt"  # relative to the landing folder


def test_no_spike_at_or_below_the_threshold():
    assert len(run_events(_summary({"original": 1, "spam-wrapped": 1}), "r", "ingest", None, 0.5)) == 1
    assert len(run_events(_summary({"original": 3}), "r", "ingest", None, 0.0)) == 1


def test_a_failure_event_redacts_the_reason():
    event = failure_event("r", "ingest", None, "cannot connect to postgresql://u:secret@db/x")
    assert event["event"] == RUN_EVENTS["failed"] and "secret" not in event["payload"]["reason"]
    assert event["payload"]["classified"] == 0
