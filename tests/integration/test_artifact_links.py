"""Findings link to the dashboard's document pages when a dashboard URL is configured, and list the
spam networks a run brought (issues 29 and 30): the base URL checked, no credentials, no scraped
text in a link; on SQLite and PostgreSQL, through a real flow run."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from copytrace.db import engine_for, session_factory
from copytrace.reports.alerts import spam_wrapped_findings
from copytrace.reports.artifacts import findings_markdown
from copytrace.reports.links import dashboard_base, document_url
from copytrace.reports.networks import network_rows, new_networks
from copytrace.reports.run_summary import RunSummary
from copytrace.settings import load_settings
from tests.alert_landing import WRAPPER_HEAD, WRAPPER_TAIL
from tests.provenance_sample import TEMPLATE, fill

DASHBOARD = "http://dash.example:8050"
LINK = re.compile(r"\]\((http[^)]*)\)")


def test_the_dashboard_url_is_checked_and_keeps_no_credentials(monkeypatch):
    assert dashboard_base("https://Dash.Example:8443/copytrace/") == "https://dash.example:8443/copytrace"
    assert dashboard_base("http://analyst:s3cret@dash.example/") == "http://dash.example"
    assert dashboard_base("http://[::1]:8050") == "http://[::1]:8050"
    for bad in (
        "javascript:alert(1)",
        "ftp://dash.example",
        "dash.example",
        "http://dash.example/a)b",
        "http://h/?q=1",
    ):
        with pytest.raises(ValueError):
            dashboard_base(bad)
    monkeypatch.setenv("COPYTRACE_DASHBOARD_URL", "http://analyst:s3cret@dash.example:8050/")
    assert load_settings().dashboard_url == DASHBOARD
    monkeypatch.setenv("COPYTRACE_DASHBOARD_URL", "")
    assert load_settings().dashboard_url is None  # empty is unset
    monkeypatch.setenv("COPYTRACE_DASHBOARD_URL", "ftp://analyst:s3cret@dash.example")
    with pytest.raises(ValidationError) as refused:
        load_settings()
    assert "dashboard_url" in str(refused.value) and "s3cret" not in str(refused.value)


def test_a_link_carries_only_the_base_and_an_integer_id():
    hostile = "x](javascript:alert(1)) <img src=x> | y"
    findings = [
        {"document_id": 41, "label": "spam-wrapped", "site": hostile, "title": hostile, "confidence": 0.9},
        {"document_id": "7)](javascript:alert(1)", "label": "rewrite", "title": hostile, "confidence": 0.8},
    ]
    linked = findings_markdown(RunSummary(findings=findings), dashboard_url=DASHBOARD)
    assert LINK.findall(linked) == [f"{DASHBOARD}/doc/41"]  # a non-integer id gets no link
    assert "[0.90](" in linked and "javascript:" not in linked.replace("javascript\\:", "")
    assert all(row.count(" | ") == 4 for row in linked.splitlines() if row.startswith("| ") and "---" not in row)
    plain = findings_markdown(RunSummary(findings=findings))
    assert "](" not in plain and "/doc/" not in plain and "| 0.90 |" in plain


def test_a_network_is_new_when_the_runs_copies_made_it(db_url):
    with session_factory(db_url)() as session:
        ids = fill(session)  # C and D wrap A in one template on two spam sites
        session.commit()
        (both,) = new_networks(session, [ids["C"], ids["D"]])
        assert both["sites"] == {"spam-one.example": 1, "spam-two.example": 1}
        assert (both["copies"], both["run_copies"]) == (2, 2) and both["telltale_lines"] == [TEMPLATE]
        (second_site,) = new_networks(session, [ids["D"]])  # C alone was no network: D made it one
        assert second_site["run_copies"] == 1
        assert new_networks(session, [ids["G"]]) == []  # listed before: a run that made no network
        assert new_networks(session, []) == []


# ------------------------------------------------------------------------------------------------ a real run


def _article(seeds: dict[str, Path], key: str) -> str:
    return seeds[key].read_text(encoding="utf-8")


def _write_records(path: Path, records: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"url": url, "fetched_at": when, "text": body}) for url, when, body in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _findings_artifact(flow_run_id) -> tuple[str, list[dict]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    by_key = {a.key: a.data for a in found}
    table = by_key["ingest-summary"]
    return by_key["ingest-findings"], json.loads(table) if isinstance(table, str) else table


def _run(landing: Path, db_url: str):
    from flows.ingest_copies import ingest_copies

    state = ingest_copies(landing=str(landing), database_url=db_url, return_state=True)
    assert state.is_completed(), state.message
    return _findings_artifact(state.state_details.flow_run_id)


def _provenance(db_url: str) -> dict[str, dict]:
    from copytrace.reports.provenance import provenance_rows

    with session_factory(db_url)() as session:
        return {r["locator"]: r for r in provenance_rows(session)}


def _page_text(db_url: str, document_id: int) -> str:
    from dashboard.app import render_page

    return json.dumps(
        [c.to_plotly_json() for c in render_page(engine_for(db_url), f"/doc/{document_id}", "")], default=str
    )


@pytest.mark.integration
def test_a_run_links_its_findings_and_lists_the_spam_network_it_started(
    prefect_harness, db_url, seeds, tmp_path, monkeypatch
):
    # Two of our articles, each wrapped in the same spam template on another site: a new network.
    first = tmp_path / "first"
    _write_records(
        first / "crawl.jsonl",
        [
            ("https://news.example/call", "2025-07-01T08:00:00Z", _article(seeds, "000")),
            ("https://news.example/coverage", "2025-07-01T09:00:00Z", _article(seeds, "004")),
            (
                "https://spam-one.example/p1",
                "2025-07-02T08:00:00Z",
                WRAPPER_HEAD + _article(seeds, "000") + WRAPPER_TAIL,
            ),
            (
                "https://spam-two.example/p2",
                "2025-07-02T09:00:00Z",
                WRAPPER_HEAD + _article(seeds, "004") + WRAPPER_TAIL,
            ),
        ],
    )
    monkeypatch.setenv("COPYTRACE_DASHBOARD_URL", "http://analyst:s3cret@dash.example:8050/")
    markdown, table = _run(first, db_url)

    stored = _provenance(db_url)
    wrapped = {stored[f"https://spam-{n}.example/p{i}"]["document_id"] for i, n in ((1, "one"), (2, "two"))}
    assert {stored[loc]["label"] for loc in ("https://spam-one.example/p1", "https://spam-two.example/p2")} == {
        "spam-wrapped"
    }
    findings = {row["document_id"] for row in stored.values() if row["label"] in ("spam-wrapped", "rewrite")}
    links = LINK.findall(markdown)
    doc_links = [u for u in links if "/doc/" in u]
    assert sorted(doc_links) == sorted(document_url(DASHBOARD, i) for i in findings)  # one per finding, its id
    assert f"{DASHBOARD}/networks" in links and "s3cret" not in markdown and "analyst" not in markdown
    for doc in wrapped:  # the dashboard serves the page each link names
        page = _page_text(db_url, doc)
        assert "doc-missing" not in page and next(k for k, r in stored.items() if r["document_id"] == doc) in page

    section = markdown.split("## New spam networks (1)", 1)[1].split("\n## ", 1)[0]
    assert "spam\\-one\\.example (1)" in section and "spam\\-two\\.example (1)" in section
    assert "Log in" in section or "QWIKET" in section  # a tell-tale line of the template, escaped
    assert {r["item"]: r["count"] for r in table}["new spam networks"] == 1
    with session_factory(db_url)() as session:  # the spike alert's artifact links the same way
        spike = findings_markdown(
            RunSummary(findings=spam_wrapped_findings(session, since=datetime(2000, 1, 1, tzinfo=UTC))),
            dashboard_url=load_settings().dashboard_url,
        )
    assert sorted(LINK.findall(spike)) == sorted(document_url(DASHBOARD, i) for i in wrapped)

    # The same folder again: nothing new, no network listed.
    markdown, table = _run(first, db_url)
    assert "New spam networks" not in markdown and {r["item"]: r["count"] for r in table}["new spam networks"] == 0

    # Without the setting: findings as before, no link; a network grown by a third site is not new.
    monkeypatch.delenv("COPYTRACE_DASHBOARD_URL")
    second = tmp_path / "second"
    _write_records(
        second / "crawl.jsonl",
        [
            (
                "https://spam-three.example/p3",
                "2025-07-03T08:00:00Z",
                WRAPPER_HEAD + _article(seeds, "004") + WRAPPER_TAIL,
            )
        ],
    )
    markdown, table = _run(second, db_url)
    assert "| 0." in markdown or "| 1.00 |" in markdown  # findings are listed ...
    assert "](" not in markdown and "/doc/" not in markdown  # ... without links
    assert "New spam networks" not in markdown
    with session_factory(db_url)() as session:
        grown = {r["site"]: r["network_sites"] for r in network_rows(session)}
    assert grown.get("spam-three.example") == 3  # the third site did join the network
