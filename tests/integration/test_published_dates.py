"""A page's publication date, stored: shown in copy_provenance and handed to attribution."""

from __future__ import annotations

from datetime import datetime

import pytest

from copytrace.pipeline import classifying as pipeline
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.storing import store_files
from copytrace.runtime.scoring import load_scorer
from tests.unit.copytrace.ingest.test_ingest_formats import PAGE
from tests.view_rows import normalise, query_rows


@pytest.mark.integration
def test_a_page_date_is_stored_shown_in_copy_provenance_and_given_to_attribution(db_url, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    source = landing / "source.html"
    source.write_text(
        PAGE.format(charset="utf-8").replace(
            "<title>", "<meta property='article:published_time' content='2024-05-01T08:15:00+02:00'><title>"
        ),
        encoding="utf-8",
    )
    copy = landing / "copy.html"
    copy.write_text(
        PAGE.format(charset="utf-8").replace("<article>", "<article><p class='date'>3 May 2024</p>"), encoding="utf-8"
    )
    undated = landing / "undated.txt"
    undated.write_text("A plain text note about something else entirely, with no date.\n", encoding="utf-8")

    stored = store_files([str(source)], str(landing), db_url, max_file_bytes=1 << 20)
    later = store_files([str(copy), str(undated)], str(landing), db_url, max_file_bytes=1 << 20)

    rows = query_rows(db_url, "SELECT document_id, locator, published_at FROM copy_provenance ORDER BY document_id")
    assert [(r["locator"], r["published_at"]) for r in rows] == [
        (str(source.resolve()), datetime(2024, 5, 1, 6, 15)),  # view_rows' form: naive UTC
        (str(copy.resolve()), datetime(2024, 5, 3)),
        (str(undated.resolve()), None),
    ]

    given: list = []
    real_attribute = pipeline.attribute

    def attribute(docs, *args, **kwargs):
        given.extend(docs)
        return real_attribute(docs, *args, **kwargs)

    monkeypatch.setattr(pipeline, "attribute", attribute)
    scorer = load_scorer()
    classify_documents(stored.new_document_ids, db_url, scorer)
    # as fetched_at: read back naive on SQLite (the UTC wall time), aware on PostgreSQL
    given_first = {d.id: (d.is_new, normalise("published_at", d.published_at)) for d in given}
    given.clear()
    classify_documents(later.new_document_ids, db_url, scorer)  # the source is now a stored candidate

    [source_id], [copy_id, undated_id] = stored.new_document_ids, later.new_document_ids
    assert given_first == {source_id: (True, datetime(2024, 5, 1, 6, 15))}
    seen = {d.id: (d.is_new, normalise("published_at", d.published_at)) for d in given}
    assert seen[copy_id] == (True, datetime(2024, 5, 3))
    assert seen[undated_id] == (True, None)
    assert seen[source_id] == (False, datetime(2024, 5, 1, 6, 15))
