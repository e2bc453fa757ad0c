"""Operators' view, for real: a Prefect server on a free port, the deployments of prefect.yaml, a process
worker, an ingest-copies run triggered through the API, its artifacts read back, and its page in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import REPO

pytestmark = pytest.mark.integration

BIN = Path(os.sys.executable).parent
HOSTILE_TITLE = "<img src=x onerror=alert(1)> [click me](http://evil.example/x) **shout** | col"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(api: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the Prefect server exited during start-up")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("the Prefect server did not become healthy")


def _landing(folder: Path, seeds: dict[str, Path]) -> None:
    folder.mkdir(parents=True)
    shutil.copy(seeds["000"], folder / "source.txt")
    wrapped = seeds["002"].read_text(encoding="utf-8")
    record = {
        "url": "https://evil.example/copy",
        "title": HOSTILE_TITLE,
        "text": wrapped + "\n\nSponsor: <script>alert(2)</script> [win](http://evil.example/win)",
    }
    (folder / "hostile.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")


@pytest.fixture(scope="module")
def deployed(tmp_path_factory, seeds) -> Iterator[dict]:
    """Server + deployments + worker, with environment isolated under a tmp PREFECT_HOME."""
    root = tmp_path_factory.mktemp("prefect-ui")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    landing = root / "landing"
    _landing(landing, seeds)
    env = {
        **os.environ,
        "PREFECT_HOME": str(root / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "COPYTRACE_HOME": str(REPO),
        "COPYTRACE_LANDING_DIR": str(landing),
        "COPYTRACE_DATABASE_URL": f"sqlite:///{root / 'copytrace.db'}",
        "PYTHONPATH": str(REPO),
    }
    procs: list[subprocess.Popen] = []
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    procs.append(server)
    try:
        _wait_healthy(api, server)

        def prefect(*args: str) -> None:
            subprocess.run(
                [str(BIN / "prefect"), *args],
                env=env,
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            )

        prefect("work-pool", "create", "copytrace", "--type", "process")
        prefect("--no-prompt", "deploy", "--all")
        subprocess.run(
            [os.sys.executable, "scripts/store_database_secret.py"], env=env, cwd=REPO, check=True, timeout=120
        )
        worker_log = (root / "worker.log").open("w")
        procs.append(
            subprocess.Popen(
                [str(BIN / "prefect"), "worker", "start", "--pool", "copytrace"],
                env=env,
                cwd=root,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
        )
        yield {"api": api, "port": port, "env": env, "root": root}
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _client_call(api: str, code: str) -> object:
    """Run a snippet against the server in a fresh interpreter (keeps this process's Prefect settings clean)."""
    env = {**os.environ, "PREFECT_API_URL": api, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([os.sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


TRIGGER_AND_WAIT = """
import json, time
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.deployments import run_deployment
run = run_deployment("ingest-copies/ingest-copies", timeout=0)
with get_client(sync_client=True) as c:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        fr = c.read_flow_run(run.id)
        if fr.state and fr.state.is_final():
            break
        time.sleep(2)
    arts = c.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    print(json.dumps({"id": str(run.id), "name": fr.name, "state": fr.state.type.value,
                      "message": fr.state.message,
                      "artifacts": {a.key or a.type: {"type": a.type, "data": a.data, "id": str(a.id)} for a in arts}}))
"""


@pytest.fixture(scope="module")
def ingest_run(deployed) -> dict:
    return _client_call(deployed["api"], TRIGGER_AND_WAIT)


def test_a_deployed_ingest_run_completes_with_its_name_and_artifacts(ingest_run):
    assert ingest_run["state"] == "COMPLETED", ingest_run
    assert "1 bad inputs recorded" in ingest_run["message"]  # Completed, with a warning
    assert (
        ingest_run["name"].startswith("ingest ")
        and "2 new" in ingest_run["name"]
        and ingest_run["name"].endswith("· 1 error")
    )
    arts = ingest_run["artifacts"]
    assert {"ingest-summary", "ingest-findings", "ingest-errors", "ingest-progress"} <= set(arts)
    summary = json.loads(arts["ingest-summary"]["data"])
    counts = {row["item"]: row["count"] for row in summary}
    assert counts["label: spam-wrapped"] == 1 and counts["label: original"] == 1 and counts["errors"] == 1


def test_scraped_text_cannot_inject_markdown_links_or_html_into_the_ui(ingest_run):
    markdown = ingest_run["artifacts"]["ingest-findings"]["data"]
    assert "evil" in markdown  # the hostile copy is listed ...
    for raw in ("<img", "<script", "](http", "**shout**", "[click me]"):
        assert raw not in markdown  # ... but nothing of it is live markup
    errors = json.loads(ingest_run["artifacts"]["ingest-errors"]["data"])
    assert [e["reason"] for e in errors] == ["empty"]


def test_the_flow_run_page_renders_the_artifact_table_in_chromium(deployed, ingest_run, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(f"http://127.0.0.1:{deployed['port']}/runs/flow-run/{ingest_run['id']}", wait_until="networkidle")
        page.screenshot(path=str(tmp_path / "flow-run.png"), full_page=True)
        page.get_by_text("Artifacts", exact=True).first.click(timeout=60_000)
        page.get_by_text("ingest-summary").first.wait_for(timeout=30_000)
        page.get_by_text("ingest-summary").first.click()
        page.get_by_text("label: spam-wrapped").first.wait_for(timeout=30_000)
        shot = tmp_path / "flow-run-artifacts.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        body = page.inner_text("body")
        assert "label: spam-wrapped" in body and "ingest" in body
    finally:
        page.close()


TRIGGER_WITH_URL = """
import json, sys, time
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
run = run_deployment("ingest-copies/ingest-copies", parameters={"database_url": sys.argv[1]}, timeout=0)
with get_client(sync_client=True) as c:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        fr = c.read_flow_run(run.id)
        if fr.state and fr.state.is_final():
            break
        time.sleep(2)
    print(json.dumps({"id": str(run.id), "state": fr.state.type.value, "name": fr.name}))
"""
PASSWORD = "Qz4-SOMEPASSWORD-k2"
SHOTS = Path(os.environ.get("COPYTRACE_SCREENSHOTS", "/tmp"))


def test_a_database_url_given_to_a_run_is_masked_in_its_parameters_tab(deployed, postgres_url, browser, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url).set(drivername="postgresql", password=PASSWORD).render_as_string(False)
    env = {**os.environ, "PREFECT_API_URL": deployed["api"], "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [os.sys.executable, "-c", TRIGGER_WITH_URL, url], env=env, capture_output=True, text=True, timeout=400
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    assert run["state"] == "COMPLETED", run  # the run used the URL (trust auth accepts any password)

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"http://127.0.0.1:{deployed['port']}/runs/flow-run/{run['id']}", wait_until="networkidle")
        page.get_by_text("Parameters", exact=True).first.click(timeout=60_000)
        page.get_by_text("database_url").first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(SHOTS / "parameters.png"), full_page=True)
        shown = page.inner_text("body") + page.content()
        (SHOTS / "parameters.txt").write_text(page.inner_text("body"))
        assert "database_url" in shown and "postgres:***@127.0.0.1" in shown  # the tab shows the URL ...
        assert PASSWORD not in shown  # ... without its password
    finally:
        page.close()


def _widest_table_right(page) -> float:
    return page.evaluate(
        "() => Math.max(0, ...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right))"
    )


@pytest.mark.parametrize(("key", "expect"), [("ingest-findings", "spam"), ("ingest-errors", "empty")])
def test_findings_and_errors_artifacts_fit_a_1440_screen(deployed, ingest_run, browser, key, expect):
    """Every column of the artifact's table is on screen at 1440x900: no scrolling sideways."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        artifact_id = ingest_run["artifacts"][key]["id"]
        page.goto(f"http://127.0.0.1:{deployed['port']}/artifacts/artifact/{artifact_id}", wait_until="networkidle")
        page.locator("table").first.wait_for(timeout=60_000)
        page.get_by_text(expect).first.wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / f"{key}.png"))
        assert 0 < _widest_table_right(page) <= 1440
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1440
    finally:
        page.close()


def test_the_run_page_fits_a_1440_screen(deployed, ingest_run, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"http://127.0.0.1:{deployed['port']}/runs/flow-run/{ingest_run['id']}", wait_until="networkidle")
        page.get_by_text(ingest_run["name"]).first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "flow-run.png"))
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1440
    finally:
        page.close()
