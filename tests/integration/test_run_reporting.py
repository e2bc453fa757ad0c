"""What a run says about itself: an event that tells how it ended (completed / partial / failed) with
its counts, id and link; log lines in words; expected failures without traceback or retry; names."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest

from copytrace.ingest.badinputs import write_bad_inputs
from tests.conftest import ship_logs

pytestmark = pytest.mark.integration

RUN_EVENTS = ["copytrace.ingest.completed", "copytrace.ingest.partial", "copytrace.ingest.failed"]


def _run_events(flow_run_id: str, expected: int = 1) -> list[dict]:
    from prefect.settings import PREFECT_API_URL

    body = {
        "filter": {"event": {"name": RUN_EVENTS}, "related": {"id": [f"prefect.flow-run.{flow_run_id}"]}},
        "limit": 50,
    }
    deadline = time.monotonic() + 20
    while True:
        events = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json=body, timeout=10).json()["events"]
        if len(events) >= expected or time.monotonic() > deadline:
            return events
        time.sleep(0.5)


def _run(flow, **params):
    """Call a flow; its final state and the flow run as the server has it."""
    from prefect.client.orchestration import get_client

    state = flow(**params, return_state=True)
    with get_client(sync_client=True) as client:
        return state, client.read_flow_run(state.state_details.flow_run_id)


def _logs(flow_run_id: UUID, expect: str | None = None) -> list[str]:
    """The run's log messages as the server has them; with ``expect``, waiting (up to 20 s) until one
    holds it: Prefect's log worker ships in the background."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    ship_logs()
    deadline = time.monotonic() + 20
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200)
        messages = [log.message for log in logs]
        if expect is None or any(expect in m for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def _task_runs(flow_run_id: UUID) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))


def test_a_clean_run_sends_completed_with_its_counts_id_and_link(prefect_harness, db_url, seeds, tmp_path):
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    landing.mkdir()
    for key in ("000", "002"):
        shutil.copy(seeds[key], landing / f"{key}.txt")
    state, run = _run(ingest_copies, landing=str(landing), database_url=db_url)
    assert state.is_completed()
    (event,) = _run_events(str(run.id))
    assert event["event"] == "copytrace.ingest.completed"
    payload = event["payload"]
    assert payload["flow_run_id"] == str(run.id) and payload["run_url"].endswith(f"/runs/flow-run/{run.id}")
    assert payload["new_documents"] == 2 and payload["errors"] == 0 and payload["files_read"] == 2
    assert payload["labels"] == {"original": 1, "spam-wrapped": 1}
    logs = _logs(run.id, expect="classified 2 copies")
    assert any("classified 2 copies: 1 original, 1 spam-wrapped" in line for line in logs), logs
    assert not any("{'" in line or "Counter(" in line for line in logs)  # no Python dict in the log


def test_bad_inputs_make_a_partial_run_that_names_each_bad_file(prefect_harness, db_url, seeds, tmp_path):
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    expected = write_bad_inputs(landing)
    shutil.copy(seeds["000"], landing / "good.txt")
    state, run = _run(ingest_copies, landing=str(landing), database_url=db_url, max_file_bytes=64 * 1024)
    assert state.is_completed()
    (event,) = _run_events(str(run.id))
    assert event["event"] == "copytrace.ingest.partial"
    assert event["payload"]["errors"] >= len(expected) and event["payload"]["new_documents"] >= 1
    batch_line = next(line for line in _logs(run.id, expect="batch 1: read") if line.startswith("batch 1: read"))
    assert "empty.txt (empty)" in batch_line and "binary.txt (binary)" in batch_line  # named, relative ...
    assert str(landing) not in batch_line
    assert batch_line.endswith("more")  # ... the first five, the rest counted


def test_a_run_that_reads_nothing_fails_with_its_event_and_no_traceback(prefect_harness, db_url, tmp_path):
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "empty.txt").write_bytes(b"")
    state, run = _run(ingest_copies, landing=str(landing), database_url=db_url)
    assert state.is_failed() and "none of the 1 landing files could be read" in state.message
    (event,) = _run_events(str(run.id))
    assert event["event"] == "copytrace.ingest.failed"  # not completed
    assert event["payload"]["files_read"] == 1 and event["payload"]["errors"] == 1
    assert event["payload"]["run_url"].endswith(str(run.id))
    logs = _logs(run.id, expect="empty.txt (empty)")
    assert any("empty.txt (empty)" in line for line in logs)
    assert not any("Traceback" in line for line in logs), logs
    assert "failed: nothing readable" in run.name


def test_a_missing_landing_folder_fails_once_without_retry_or_traceback(prefect_harness, db_url, tmp_path):
    from flows.ingest_copies import ingest_copies

    state, run = _run(ingest_copies, landing=str(tmp_path / "nowhere"), database_url=db_url)
    assert state.is_failed() and "does not exist" in state.message
    (discover,) = [t for t in _task_runs(run.id) if t.name.startswith("discover-landing")]
    assert discover.run_count == 1  # no retry: it cannot heal
    (event,) = _run_events(str(run.id))
    assert event["event"] == "copytrace.ingest.failed" and "does not exist" in event["payload"]["reason"]
    assert not any("Traceback" in line for line in _logs(run.id, expect="does not exist"))
    assert "failed: landing folder unavailable" in run.name


def test_an_unexpected_failure_still_sends_failed_and_names_the_run(prefect_harness, tmp_path, seeds):
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(seeds["000"], landing / "a.txt")
    state, run = _run(ingest_copies, landing=str(landing), database_url="nonsense://")
    assert state.is_failed()
    (event,) = _run_events(str(run.id))
    assert event["event"] == "copytrace.ingest.failed" and "cannot open database" in event["payload"]["reason"]
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run.id).name.endswith("failed: DatabaseError")


def test_the_scheduled_daily_report_is_named_for_its_day(prefect_harness, db_url):
    from flows.daily_report import daily_report

    state, run = _run(daily_report, database_url=db_url)  # as the schedule calls it: no day
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    assert state.is_completed() and run.name == f"daily report {yesterday}"
