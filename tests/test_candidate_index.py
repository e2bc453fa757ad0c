"""The candidate index: term counts kept with the postings, planner statistics refreshed when it grew."""

from __future__ import annotations

from sqlalchemy import insert, text

from copytrace import store
from copytrace.db import session_factory
from copytrace.orm import Fingerprint
from copytrace.pipeline import store_files
from tests.index_checks import term_counts, term_postings


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


def test_term_counts_follow_the_stored_documents_once_each(db_url, seeds, tmp_path):
    """Every stored document's terms are counted once; a file stored again, a duplicate text at the
    same locator, and a re-run add nothing."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for key, path in seeds.items():
        (landing / f"{key}.txt").write_bytes(path.read_bytes())
    paths = sorted(str(p) for p in landing.iterdir())

    first = store_files(paths[:3], str(landing), db_url, max_file_bytes=1 << 20)
    with session_factory(db_url)() as session:
        after_first = term_counts(session)
        assert after_first == term_postings(session) and after_first
    store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
    store_files(paths, str(landing), db_url, max_file_bytes=1 << 20)
    with session_factory(db_url)() as session:
        counts = term_counts(session)
        assert counts == term_postings(session)
    assert len(first.new_document_ids) == 3
    assert max(counts.values()) <= 5 and sum(counts.values()) > sum(after_first.values())
