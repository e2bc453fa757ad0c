"""A database password never reaches a person: not in run parameters, logs, artifacts, events, run
names, state messages, CLI output or error messages. PostgreSQL here trusts local connections, so a
URL carrying any password connects: the runs below really use it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from copytrace.ingest.badinputs import write_bad_inputs
from copytrace.redact import RedactingFilter, redact_url
from tests.conftest import ship_logs
from tests.paths import REPO

PASSWORD = "Sx7-SOMEPASSWORD-q9"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/copytrace", "postgresql://postgres:***@127.0.0.1:5432/"),
        (f"postgresql+psycopg://u:{PASSWORD}@db.internal/x?sslmode=require", "postgresql+psycopg://u:***@db.internal"),
        (f"cannot open 'postgresql://u:{PASSWORD}@h/db': refused", "cannot open 'postgresql://u:***@h/db': refused"),
        (f"host=h user=u password={PASSWORD} dbname=x", "host=h user=u password=*** dbname=x"),
        (f"postgresql://u@h/db?password={PASSWORD}&x=1", "postgresql://u@h/db?password=***&x=1"),
        (f"mysql://u:p@ss{PASSWORD}@h/db", "mysql://u:***@h/db"),
    ],
)
def test_redact_url_masks_the_password_and_keeps_the_rest(text, kept):
    shown = redact_url(text)
    assert PASSWORD not in shown and "p@ss" not in shown
    assert kept in shown


def test_redact_url_leaves_urls_without_a_password_and_masks_a_secret_whole():
    assert redact_url("postgresql://postgres@127.0.0.1:5432/db") == "postgresql://postgres@127.0.0.1:5432/db"
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert redact_url("https://news.example/a:b@c") == "https://news.example/a:b@c"  # a path, not credentials
    assert PASSWORD not in redact_url(SecretStr(f"postgresql://u:{PASSWORD}@h/db"))


def test_the_log_filter_masks_messages_and_tracebacks():
    import logging

    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "failed on %s", (f"postgresql://u:{PASSWORD}@h/d",), None
    )
    try:
        raise RuntimeError(f"cannot reach postgresql://u:{PASSWORD}@h/d")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert PASSWORD not in formatted and "postgresql://u:***@h/d" in formatted


# ------------------------------------------------------------------------------------------------ runs


def _with_password(url: str) -> str:
    return make_url(url).set(drivername="postgresql", password=PASSWORD).render_as_string(hide_password=False)


def _everything_the_server_holds(since: datetime) -> str:
    """Flow runs (names, parameters, state messages), task runs, logs, artifacts and events, as text."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    ship_logs()
    time.sleep(1.0)  # events and artifacts are sent in the background too
    chunks: list[str] = []
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(limit=200):
            chunks.append(json.dumps(run.model_dump(mode="json")))
        for task_run in client.read_task_runs(limit=200):
            chunks.append(json.dumps(task_run.model_dump(mode="json")))
        offset = 0
        while batch := client.read_logs(limit=200, offset=offset):
            chunks += [log.message for log in batch]
            offset += len(batch)
        for artifact in client.read_artifacts(limit=200):
            chunks.append(json.dumps(artifact.model_dump(mode="json")))
    api = PREFECT_API_URL.value()
    body = {"filter": {"occurred": {"since": since.isoformat()}}, "limit": 50}
    resp = httpx.post(f"{api}/events/filter", json=body, timeout=10)
    resp.raise_for_status()
    page = resp.json()
    chunks += [json.dumps(e) for e in page["events"]]
    while page.get("next_page"):
        page = httpx.get(page["next_page"], timeout=10).json()
        chunks += [json.dumps(e) for e in page["events"]]
    return "\n".join(chunks)


def _events(since: datetime, names: set[str], expected: int) -> list[dict]:
    from prefect.settings import PREFECT_API_URL

    body = {"filter": {"event": {"name": sorted(names)}, "occurred": {"since": since.isoformat()}}, "limit": 50}
    deadline = time.monotonic() + 20
    while True:
        events = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json=body, timeout=10).json()["events"]
        if len(events) >= expected or time.monotonic() > deadline:
            return events
        time.sleep(0.5)


@pytest.mark.integration
def test_runs_with_a_password_bearing_url_show_it_nowhere(prefect_harness, postgres_url, seeds, tmp_path, capfd):
    from prefect.blocks.system import Secret

    from flows.daily_report import daily_report
    from flows.ingest_copies import NothingReadError, ingest_copies
    from flows.spike_alert import spam_spike_alert

    # As the CLI passes it: a SecretStr, which Prefect stores as **********. The first run gets a plain
    # string, as a run created through the API or `prefect deployment run -p` does: it masks it itself.
    url = SecretStr(_with_password(postgres_url))
    since = datetime.now(UTC)
    landing = tmp_path / "landing"
    write_bad_inputs(landing)
    for key in ("000", "002"):
        shutil.copy(seeds[key], landing / f"good-{key}.txt")
    os.environ["COPYTRACE_SPAM_SPIKE_SHARE"] = "0.1"
    try:
        summary = ingest_copies(landing=str(landing), database_url=url.get_secret_value())
    finally:
        del os.environ["COPYTRACE_SPAM_SPIKE_SHARE"]
    assert summary.new_documents >= 2 and summary.errors  # the password-bearing URL really was used

    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "empty.txt").write_bytes(b"")
    with pytest.raises(NothingReadError):
        ingest_copies(landing=str(nothing), database_url=url)
    # _sync: after a browser test the main thread can look async to Prefect, and a bare save() would then
    # return a coroutine nobody awaits (the block never saved).
    Secret(value=url.get_secret_value()).save("copytrace-test-database", overwrite=True, _sync=True)
    state = ingest_copies(
        landing=str(tmp_path / "missing"), database_secret="copytrace-test-database", return_state=True
    )
    assert state.is_failed() and "does not exist" in state.message
    wrong = make_url(url.get_secret_value()).set(database="copytrace_no_such_db")
    assert ingest_copies(
        landing=str(landing), database_url=SecretStr(wrong.render_as_string(hide_password=False)), return_state=True
    ).is_failed()
    daily_report(database_url=url, day=datetime.now(UTC).date().isoformat())
    spam_spike_alert(database_url=url, since_minutes=60)

    # the runs' events arrived (completed or partial for the first, failed for the others)
    assert len(_events(since, {"copytrace.ingest.partial", "copytrace.ingest.failed"}, 4)) >= 4
    held = _everything_the_server_holds(since)
    assert "good-002.txt" in held and "copytrace.ingest.partial" in held  # the scan reads real content
    assert "**********" in held and "postgres:***@127.0.0.1" in held  # the parameters are there, masked
    assert PASSWORD not in held
    captured = capfd.readouterr()
    assert PASSWORD not in captured.out + captured.err


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "copytrace.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.integration
def test_cli_output_and_errors_never_show_the_password(prefect_harness, postgres_url, seeds, tmp_path):
    from prefect.settings import PREFECT_API_URL

    url = _with_password(postgres_url)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PREFECT_API_URL": PREFECT_API_URL.value(),
    }
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(seeds["000"], landing / "a.txt")
    (landing / "empty.txt").write_bytes(b"")
    since = datetime.now(UTC)
    runs = [
        _cli("ingest", str(landing), "--db", url, env=env),
        _cli("demo", "--db", url, "--landing", str(tmp_path / "demo"), env=env),
        _cli("show", str(landing / "a.txt"), "--db", url, env=env),
        _cli("db", "upgrade", "--db", url, env=env),
        _cli("ingest", str(landing), "--db", make_url(url).set(port=1).render_as_string(False), env=env),
        _cli("show", "x", "--db", f"nonsense://u:{PASSWORD}@", env=env),
        _cli("ingest", str(landing), env={**env, "COPYTRACE_DATABASE_URL": f"postgresql://u:{PASSWORD}@127.0.0.1:1/x"}),
    ]
    assert [r.returncode for r in runs] == [0, 0, 0, 0, 1, 1, 1], [r.stderr[-800:] for r in runs]
    assert "│ empty.txt │" in runs[0].stdout and "Database: postgresql" in runs[1].stdout  # the output is there ...
    assert "postgres:***@" in runs[1].stdout
    for run in runs:
        assert PASSWORD not in run.stdout + run.stderr  # ... without the password
    assert PASSWORD not in _everything_the_server_holds(since)
