"""What operators get from a run besides the rows: the daily report, the run event and the spike event."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime

import httpx
import pytest

from copytrace.reports.artifacts import findings_markdown
from copytrace.reports.formatting import md_escape
from copytrace.reports.run_summary import RunSummary

pytestmark = pytest.mark.integration


def _landing(tmp_path, seeds, keys):
    landing = tmp_path / "landing"
    landing.mkdir()
    for key in keys:
        shutil.copy(seeds[key], landing / f"{key}.txt")
    return landing


def _events(name: str, since: datetime) -> list[dict]:
    """The events named ``name`` the server has received since ``since``, waiting for the first: Prefect's
    events worker sends in the background. Only for events that must arrive (what a run sends and
    when is tested without a server in tests/unit/copytrace/test_run_events.py)."""
    from prefect.settings import PREFECT_API_URL

    body = {"filter": {"event": {"name": [name]}, "occurred": {"since": since.isoformat()}}, "limit": 50}
    deadline = time.monotonic() + 20
    while True:
        resp = httpx.post(f"{PREFECT_API_URL.value()}/events/filter", json=body, timeout=10)
        resp.raise_for_status()
        events = resp.json()["events"]
        if events:
            return events
        assert time.monotonic() < deadline, f"no {name} event reached the server"
        time.sleep(0.2)


def test_each_run_emits_its_counts_and_a_spike_when_spam_wrapping_surges(
    prefect_harness, db_url, seeds, tmp_path, monkeypatch
):
    from flows.ingest_copies import ingest_copies

    monkeypatch.setenv("COPYTRACE_SPAM_SPIKE_SHARE", "0.3")
    since = datetime.now(UTC)
    ingest_copies(landing=str(_landing(tmp_path, seeds, ["000", "002"])), database_url=db_url)

    (run_event,) = _events("copytrace.ingest.completed", since)
    assert run_event["payload"]["labels"] == {"original": 1, "spam-wrapped": 1}
    (spike,) = _events("copytrace.spam_wrapped.spike", since)
    assert spike["payload"]["spam_wrapped_share"] == 0.5 and spike["payload"]["threshold"] == 0.3


def test_daily_report_compares_the_day_with_the_previous_week(prefect_harness, db_url, seeds, tmp_path):
    from flows.daily_report import daily_report
    from flows.ingest_copies import ingest_copies

    ingest_copies(landing=str(_landing(tmp_path, seeds, ["000", "001", "002", "003", "004"])), database_url=db_url)
    figures = daily_report(database_url=db_url, day=datetime.now(UTC).date().isoformat())
    assert figures["original"] == {"today": 2, "week_mean": 0.0}
    assert figures["rewrite"]["today"] == 2 and figures["spam-wrapped"]["today"] == 1


def test_hostile_scraped_text_is_inert_in_markdown():
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** | `code` # head"
    summary = RunSummary(
        findings=[
            {
                "label": "spam-wrapped",
                "locator": hostile,
                "title": hostile,
                "source": hostile,
                "confidence": 0.9,
                "reasons": [hostile],
            }
        ]
    )
    markdown = findings_markdown(summary)
    for raw in ("<img", "](javascript", "**bold**", "`code`", "| col"):
        assert raw not in markdown
    row = markdown.splitlines()[-1]
    assert row.count(" | ") == 4  # the table keeps its five columns: no injected cell separators
    assert md_escape("a\nb\tc") == "a b c"


def test_run_table_escapes_scraped_site_names_only_for_the_artifact():
    summary = RunSummary(findings=[{"label": "rewrite", "site": "evil.example](javascript:x)", "locator": "l"}])
    plain = {row["item"]: row["count"] for row in summary.table()}
    escaped = {row["item"]: row["count"] for row in summary.table(escape=md_escape)}
    assert plain["top copying site: evil.example](javascript:x)"] == 1  # the terminal shows the name as scraped
    [site_row] = [item for item in escaped if item.startswith("top copying site")]
    assert "](" not in site_row and escaped[site_row] == 1
    assert escaped["label: rewrite"] == plain["label: rewrite"]  # the project's own words are left alone
