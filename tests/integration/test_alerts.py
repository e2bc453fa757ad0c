"""Alerts, for real: a Prefect server, the deployments, a worker, the automations `make serve` creates
(scripts/create_automations.py) and a local HTTP receiver in place of the webhook they notify."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.integration.test_prefect_ui import BIN, REPO, _client_call, _free_port, _wait_healthy

pytestmark = pytest.mark.integration

SAMPLES = REPO / "copytrace" / "samples"


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append(json.loads(body or b"{}"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[list[dict]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Receiver.received
    server.shutdown()


def _notification(received: list[dict], subject: str, timeout: float = 120) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [n for n in received if subject in n.get("subject", "")]
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"no notification {subject!r}; received: {[n.get('subject') for n in received]}")


@pytest.fixture(scope="module")
def served(tmp_path_factory, receiver) -> Iterator[dict]:
    """What `make serve` sets up (server, pool, deployments, Secret block, automations, worker)."""
    port, _ = receiver
    root = tmp_path_factory.mktemp("alerts")
    api_port = _free_port()
    api = f"http://127.0.0.1:{api_port}/api"
    (root / "landing").mkdir()  # the scheduled runs' folder: empty, so they never spike
    env = {
        **os.environ,
        "PREFECT_HOME": str(root / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "COPYTRACE_HOME": str(REPO),
        "COPYTRACE_LANDING_DIR": str(root / "landing"),
        "COPYTRACE_DATABASE_URL": f"sqlite:///{root / 'copytrace.db'}",
        "COPYTRACE_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{port}/alerts",
        # alerts on a test's time scale: one missed 20 s interval, a worker offline after ~6 s
        "COPYTRACE_INGEST_INTERVAL_SECONDS": "20",
        "COPYTRACE_ALERT_MISSED_RUNS": "1",
        "PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS": "2",
        "PREFECT_SERVER_SERVICES_FOREMAN_INACTIVITY_HEARTBEAT_MULTIPLE": "2",
        "PREFECT_WORKER_HEARTBEAT_SECONDS": "3",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PYTHONPATH": str(REPO),
    }
    procs: list[subprocess.Popen] = []
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(api_port)],
        env=env,
        stdout=(root / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    procs.append(server)
    try:
        _wait_healthy(api, server)

        def run(*args: str) -> str:
            proc = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            return proc.stdout

        run(str(BIN / "prefect"), "work-pool", "create", "copytrace", "--type", "process")
        run(str(BIN / "prefect"), "--no-prompt", "deploy", "--all")
        run(os.sys.executable, "scripts/store_database_secret.py")
        created = run(os.sys.executable, "scripts/create_automations.py")
        assert created.count("automation '") == 4 and "alerts are sent through http://127.0.0.1" in created
        worker = subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", "copytrace"],
            env=env,
            cwd=root,
            stdout=(root / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(worker)
        yield {"api": api, "env": env, "root": root, "worker": worker}
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


INGEST = """
import json, os, sys
from prefect.events.worker import EventsWorker
from flows.ingest_copies import ingest_copies
os.environ["COPYTRACE_SPAM_SPIKE_SHARE"] = sys.argv[2]
state = ingest_copies(landing=sys.argv[1], return_state=True)
EventsWorker.drain_all()
print(json.dumps({"id": str(state.state_details.flow_run_id), "state": state.type.value}))
"""


def _ingest(served: dict, landing: Path, spike_share: str = "0.5") -> dict:
    proc = subprocess.run(
        [os.sys.executable, "-c", INGEST, str(landing), spike_share],
        env=served["env"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_failing_ingest_run_notifies_with_its_reason_and_link(served, receiver):
    _, received = receiver
    run = _ingest(served, served["root"] / "no-such-folder")
    assert run["state"] == "FAILED"
    (note,) = _notification(received, "copytrace: ingest run failed")
    assert "does not exist" in note["body"] and f"/runs/flow-run/{run['id']}" in note["body"]
    assert "failed: landing folder unavailable" in note["subject"]


SPIKE_ARTIFACT = """
import json, sys, time
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (ArtifactFilter, ArtifactFilterFlowRunId, DeploymentFilter,
    DeploymentFilterName, FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType)
with get_client(sync_client=True) as c:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        runs = c.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["spam-spike-alert"])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=["COMPLETED"]))))
        if runs:
            break
        time.sleep(2)
    arts = c.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[runs[0].id])))
    print(json.dumps({"name": runs[0].name, "parameters": runs[0].parameters,
                      "artifact": [a.data for a in arts if a.key == "spam-wrapped-spike"][0]}))
"""


def test_the_spike_alert_lists_exactly_the_triggering_runs_copies(served, receiver):
    from tests.alert_landing import write_run_landing

    _, received = receiver
    quiet = served["root"] / "quiet"  # a spam-wrapped copy under the threshold: no spike, not listed
    write_run_landing(quiet, SAMPLES, "000")
    assert _ingest(served, quiet, spike_share="0.9")["state"] == "COMPLETED"
    spiking = served["root"] / "spiking"
    write_run_landing(spiking, SAMPLES, "004")
    run = _ingest(served, spiking, spike_share="0.1")

    (note,) = _notification(received, "copytrace: spam-wrapped spike")
    body = note["body"]
    assert f"/runs/flow-run/{run['id']}" in body
    copies = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(copies) == 1 and "wrapped-004.txt" in copies[0] and "original-004.txt" in copies[0]
    assert "wrapped-000" not in body and '""' not in copies[0]  # the other run's copy is not there; a title is
    assert "1 of the 2 copies" in body

    alert = _client_call(served["api"], SPIKE_ARTIFACT)
    assert alert["parameters"]["flow_run_id"] == run["id"]
    assert alert["name"].startswith("spam spike: 1 spam-wrapped in ingest ")
    assert "wrapped\\-004" in alert["artifact"] and "wrapped\\-000" not in alert["artifact"]
    assert f"/runs/flow-run/{run['id']}" in alert["artifact"]


def test_no_ingest_run_completing_for_an_interval_notifies(served, receiver):
    _, received = receiver
    (note, *_) = _notification(received, "copytrace: no ingest run completed", timeout=120)
    assert "No ingest run has completed in the last" in note["body"]


def test_the_worker_going_offline_notifies(served, receiver):
    _, received = receiver
    worker = served["worker"]
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a loaded machine: a worker that will not stop is stopped
        worker.kill()
        worker.wait(timeout=30)
    (note, *_) = _notification(received, "copytrace: no worker online", timeout=120)
    assert "copytrace work pool stopped sending heartbeats" in note["body"]
