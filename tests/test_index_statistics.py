"""The candidate index's planner statistics are refreshed when the index grew a lot since they were taken."""

from __future__ import annotations

from sqlalchemy import insert, text

from copytrace import store
from copytrace.db import session_factory
from copytrace.orm import Fingerprint


def _grow_index(url: str, rows: int) -> None:
    with session_factory(url).begin() as session:
        doc_id = store.add_document(session, store.NewCopy(locator="a.txt", text="x", sha256="a" * 64), None)
        session.execute(
            insert(Fingerprint), [{"document_id": doc_id, "kind": "shingle", "value": v} for v in range(rows)]
        )
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_stat_force_next_flush()"))  # counted now, not within the second


def test_a_grown_index_is_analyzed_once_on_postgresql_and_never_on_sqlite(db_url):
    factory = session_factory(db_url)
    with factory.begin() as session:
        store.refresh_index_statistics(session)  # whatever an earlier test left behind
    _grow_index(db_url, store.STALE_STATISTICS_MIN + 1000)

    with factory.begin() as session:
        first = store.refresh_index_statistics(session)
    with factory.begin() as session:
        second = store.refresh_index_statistics(session)

    assert first is db_url.startswith("postgresql")
    assert second is False  # the statistics are fresh now
