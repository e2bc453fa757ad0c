"""The dashboard's contract: every query it runs reads views only, and each runs on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.figures import story_figure
from dashboard.queries import QUERIES, fetch
from sql import VIEWS_DIR

VIEW_NAMES = {
    m.group(1) for f in VIEWS_DIR.glob("*.sql") if (m := re.search(r"CREATE VIEW (\w+)", f.read_text("utf-8")))
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_dashboard_queries_read_only_views(name) -> None:
    sources = set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", QUERIES[name], flags=re.IGNORECASE))
    assert sources and sources <= VIEW_NAMES, sources - VIEW_NAMES


def test_the_dashboard_package_runs_no_sql_outside_queries_py() -> None:
    package = Path(__file__).resolve().parents[1] / "dashboard"
    others = [p for p in package.glob("*.py") if p.name != "queries.py"]
    assert others and not [p.name for p in others if re.search(r"\bSELECT\b|\btext\(", p.read_text("utf-8"))]


def test_story_graph_places_copies_right_of_their_sources() -> None:
    edges = {1: None, 2: 1, 3: 2, 4: 99}
    rows = [
        {"document_id": d, "derived_from_id": src, "label": "rewrite", "site": "s", "locator": "", "model_label": "x"}
        for d, src in edges.items()
    ]
    fig = story_figure(rows)
    x = {d[0]: xv for t in fig.data for d, xv in zip(t.customdata, t.x, strict=True)}
    assert x == {1: 0, 2: 1, 3: 2, 4: 0}  # 4's source is outside the story: it starts its own column
    assert len(fig.layout.annotations) == 2


@pytest.mark.integration
def test_every_dashboard_query_runs_on_the_sample_store(db_url) -> None:
    from copytrace.db import engine_for, session_factory
    from tests.provenance_sample import fill

    with session_factory(db_url)() as session:
        ids = fill(session)
        session.commit()
    params = {"limit": 10, "story": 1, "document": ids["C"]}
    for name, sql in QUERIES.items():
        needed = {k: v for k, v in params.items() if f":{k}" in sql}
        assert fetch(engine_for(db_url), name, **needed), name
