"""The bundled dashboard in a real browser: headless Chromium loads it over a database filled by
``copytrace demo`` (SQLite and PostgreSQL) and finds in the rendered charts and tables the numbers the
views hold. Screenshots are kept in the test's tmp dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.filters import LOCAL
from tests.dashboard_page import open_page, table_rows, traces
from tests.paths import REPO
from tests.view_rows import view_rows

pytestmark = pytest.mark.integration


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_HOME": str(tmp_path / "prefect-home")}


@pytest.fixture
def demo_db(db_url, tmp_path) -> str:
    """The database after `copytrace demo` (the five sample copies ingested by the real flow)."""
    proc = subprocess.run(
        [sys.executable, "-m", "copytrace.cli", "demo", "--db", db_url, "--landing", str(tmp_path / "landing")],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return db_url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard(demo_db, tmp_path) -> Iterator[str]:
    """`python -m dashboard` (what `make dashboard` runs) serving the demo database; its base URL."""
    port = _free_port()
    log = (tmp_path / "dashboard.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--db", demo_db, "--port", str(port)],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "dashboard.log").read_text()
            try:
                with urllib.request.urlopen(base, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not answer within 60 s"
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def check_dashboard(page, base: str, url: str, screenshot: Path) -> None:
    """Load the dashboard's pages and compare what they render with what the views hold."""
    open_page(page, base, "#daily-chart .main-svg")
    page.wait_for_selector("#top-sites td")
    provenance = view_rows(url, "copy_provenance")
    daily: Counter = Counter()
    for r in provenance:
        if r["label"] is not None:
            copy_kind = "full copy" if r["label"] == "original" else r["label"]
            kind = "originals (sources, not copies)" if r["derived_from_id"] is None else copy_kind
            daily[(kind, r["seen_day"])] += 1
    shown = {(t["name"], x[:10]): y for t in traces(page, "daily-chart") for x, y in zip(t["x"], t["y"], strict=True)}
    assert shown == dict(daily)

    delays = sorted(r["delay_seconds"] for r in view_rows(url, "time_to_copy"))
    shown_delays = sorted(round(h * 3600) for t in traces(page, "delay-chart") for h in t["x"])
    assert shown_delays == delays and delays

    sites = view_rows(url, "copying_sites")
    rows = table_rows(page, "top-sites")
    assert sorted((r[0], int(r[1]), int(r[5])) for r in rows) == sorted(
        (s["site"] or LOCAL, s["copies"], s["spam_wrapped"]) for s in sites
    )
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000

    per_story = Counter(r["story_id"] for r in provenance if r["story_id"] is not None)
    story = min(per_story, key=lambda s: (-per_story[s], s))
    open_page(page, f"{base}story?story={story}", "#story-graph .scatterlayer .trace")
    nodes = {d[0]: t["name"] for t in traces(page, "story-graph") for d in t["customdata"]}
    members = [r for r in provenance if r["story_id"] == story]
    assert set(nodes) == {r["document_id"] for r in members}
    edges = {r["document_id"] for r in members if r["derived_from_id"] in nodes}
    assert page.locator("#story-graph .annotation-arrow-g").count() == len(edges)

    spam = max((r for r in provenance if r["label"] == "spam-wrapped"), key=lambda r: (r["seen_at"], r["document_id"]))
    open_page(page, f"{base}doc/{spam['document_id']}", "#alignment")
    passages = [
        r["copy_passage"]
        for r in sorted(view_rows(url, "matched_passages"), key=lambda r: (r["copy_start"], r["span_id"]))
        if r["document_id"] == spam["document_id"]
    ]
    shown_passages = page.eval_on_selector_all(
        "#alignment tr.match td:first-child", "cells => cells.map(c => c.textContent)"
    )
    assert shown_passages == passages and passages


def test_the_dashboard_shows_what_the_views_hold(browser, dashboard, demo_db, tmp_path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        backend = demo_db.split(":", 1)[0].split("+")[0]
        check_dashboard(page, dashboard, demo_db, tmp_path / f"dashboard-{backend}.png")
    finally:
        page.close()
