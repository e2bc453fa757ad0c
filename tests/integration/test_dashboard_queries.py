"""The dashboard's contract on the databases: every query it runs runs on both, filtered and not."""

from __future__ import annotations

import pytest

from dashboard.filters import LOCAL, Filters
from dashboard.queries import QUERIES, fetch


@pytest.mark.integration
def test_every_dashboard_query_runs_on_the_sample_store(db_url) -> None:
    from copytrace.db import engine_for, session_factory
    from tests.provenance_sample import fill

    with session_factory(db_url)() as session:
        ids = fill(session)
        session.commit()
    params = {"limit": 10, "story": 1, "document": ids["C"], "original": ids["A"], "exact": "", "pattern": "%story%"}
    for name, sql in QUERIES.items():
        needed = {k: v for k, v in params.items() if f":{k}" in sql}
        assert fetch(engine_for(db_url), name, **needed), name
        fetch(
            engine_for(db_url), name, Filters("2025-07-01", "2025-07-31", ("rewrite",), ("x", LOCAL), 1, 0.5), **needed
        )
