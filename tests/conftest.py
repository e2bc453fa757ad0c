"""Shared fixtures: the seeds, both databases (migrated once), and one session-wide Prefect harness."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "copytrace" / "samples"
EXPECTED_SEEDS = {
    "000": ("original", None),
    "001": ("rewrite", {"000"}),
    "002": ("spam-wrapped", {"000"}),
    "003": ("rewrite", {"000", "002"}),
    "004": ("original", None),
}
POSTGRES_ADMIN_URL = os.environ.get("COPYTRACE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


@pytest.fixture(scope="session")
def seeds() -> dict[str, Path]:
    return {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}


# ------------------------------------------------------------------------------------------------ databases


def _pg_url(admin: str, dbname: str) -> str:
    return make_url(admin).set(drivername="postgresql+psycopg", database=dbname).render_as_string(False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test run, migrated once; dropped at the end."""
    admin_url = _pg_url(POSTGRES_ADMIN_URL, make_url(POSTGRES_ADMIN_URL).database or "postgres")
    name = f"copytrace_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        yield None
        return
    url = _pg_url(POSTGRES_ADMIN_URL, name)
    from copytrace.db import engine_for, upgrade

    upgrade(url)
    yield url
    engine_for(url).dispose()
    engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from copytrace.db import engine_for, upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine_for(url).dispose()
    return path


TABLES = (
    "wrapper_segments",
    "matched_spans",
    "classifications",
    "fingerprints",
    "term_frequencies",
    "documents",
    "texts",
    "stories",
    "ingest_errors",
    "ingested_files",
    "model_versions",
    "corrections",
)


@pytest.fixture
def postgres_url(postgres_template) -> str:
    """The run's PostgreSQL database, emptied for this test (skips where none is configured; fails in CI)."""
    if postgres_template is None:
        pytest.skip("no PostgreSQL configured on this machine (set COPYTRACE_TEST_POSTGRES_URL)")
    from copytrace.db import engine_for

    with engine_for(postgres_template).begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return postgres_template


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template) -> str:
    """An empty, migrated provenance database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "copytrace.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


# ------------------------------------------------------------------------------------------------ Prefect


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory) -> Iterator[None]:
    """One Prefect test server for the whole session, with the per-call heartbeat join switched off."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        with prefect_test_harness(server_startup_timeout=90):
            yield


def ship_logs(timeout: float = 10.0) -> None:
    """Wait until Prefect's log worker has sent the server what it holds.

    ``APILogWorker.drain_all`` waits only where no event loop runs in the calling thread; elsewhere it
    returns a coroutine and waits for nothing (left unawaited, the "coroutine 'wait' was never
    awaited" warning). So it is called from a thread of its own."""
    from prefect.logging.handlers import APILogWorker

    worker = threading.Thread(target=APILogWorker.drain_all, kwargs={"timeout": timeout}, daemon=True)
    worker.start()
    worker.join(timeout + 5.0)


# ------------------------------------------------------------------------------------------------ browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`: no internet). Required in CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests are required in CI: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
