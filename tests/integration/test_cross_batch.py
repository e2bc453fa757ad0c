"""Attribution is stable across batches: the seeds stored in any order and classified a few at a time
(as a growing store sees them) read back as when they arrive together."""

from __future__ import annotations

import random

import pytest

from copytrace.db import session_factory
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.storing import store_files
from copytrace.repo.documents import pending_document_ids
from copytrace.runtime.scoring import load_scorer
from tests.seed_checks import assert_seeds_attributed, shuffled_copy

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("order_seed", "batch_size"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_seeds_classified_in_small_batches_in_any_order(db_url, seeds, tmp_path, order_seed, batch_size) -> None:
    landing = tmp_path / "landing"
    locators = shuffled_copy(seeds, landing, random.Random(order_seed))
    order = list(locators.values())
    random.Random(order_seed).shuffle(order)  # storage order (document ids) differs from the names' order
    stored = store_files(order, str(landing), db_url, max_file_bytes=1 << 20)
    assert len(stored.new_document_ids) == 5

    with session_factory(db_url)() as session:
        pending = pending_document_ids(session)
    scorer = load_scorer()
    for start in range(0, len(pending), batch_size):
        classify_documents(pending[start : start + batch_size], db_url, scorer)

    assert_seeds_attributed(db_url, locators)


def test_a_runs_label_counts_are_its_documents_final_labels(db_url, seeds, tmp_path) -> None:
    """Copies classified before their source (a later batch of the same run) count as what they end up."""
    from collections import Counter

    from copytrace.pipeline.results import ClassifyResult
    from tests.view_rows import query_rows

    landing = tmp_path / "landing"
    locators = shuffled_copy(seeds, landing, random.Random(0))
    copies_first = [locators[k] for k in ("002", "003", "001")] + [locators[k] for k in ("000", "004")]
    stored = store_files(copies_first, str(landing), db_url, max_file_bytes=1 << 20)
    ids = stored.new_document_ids
    scorer = load_scorer()
    result = ClassifyResult()
    for batch in (ids[:3], ids[3:]):
        result = result.merge(classify_documents(batch, db_url, scorer))

    stored_labels = Counter(row["label"] for row in query_rows(db_url, "SELECT label FROM copy_provenance"))
    assert result.labels == stored_labels == Counter({"original": 2, "rewrite": 2, "spam-wrapped": 1})
    assert result.revised == 3  # the three copies were first decided without their source ...
    assert result.rerooted == 0  # ... and that is batch order, not a re-rooting of earlier runs' copies
    assert sorted(f["label"] for f in result.findings) == ["rewrite", "rewrite", "spam-wrapped"]


def test_a_later_batch_with_an_earlier_dated_original_reroots_the_chain_and_keeps_history(
    db_url, seeds, tmp_path
) -> None:
    import json

    from sqlalchemy import select

    from copytrace.orm import Classification
    from tests.view_rows import query_rows

    texts = {key: path.read_text(encoding="utf-8") for key, path in seeds.items()}
    landing = tmp_path / "landing"
    landing.mkdir()

    def record(key: str, day: int) -> str:
        url = f"https://site-{key}.example/story"
        return json.dumps({"url": url, "fetched_at": f"2025-07-0{day}T09:00:00Z", "title": key, "text": texts[key]})

    scorer = load_scorer()
    first = landing / "monday.jsonl"
    first.write_text(record("002", 2) + "\n" + record("001", 3) + "\n", encoding="utf-8")
    run1 = store_files([str(first)], str(landing), db_url, max_file_bytes=1 << 20)
    classify_documents(run1.new_document_ids, db_url, scorer)

    later = landing / "tuesday.jsonl"  # found later, published earlier: the original
    later.write_text(record("000", 1) + "\n", encoding="utf-8")
    run2 = store_files([str(later)], str(landing), db_url, max_file_bytes=1 << 20)
    result = classify_documents(run2.new_document_ids, db_url, scorer)

    rows = {r["title"]: r for r in query_rows(db_url, "SELECT * FROM copy_provenance")}
    original = rows["000"]["document_id"]
    assert rows["000"]["label"] == "original" and rows["000"]["derived_from_id"] is None
    assert rows["002"]["derived_from_id"] == original and rows["002"]["label"] == "spam-wrapped"
    assert rows["001"]["root_id"] == original and rows["001"]["label"] == "rewrite"
    assert result.rerooted >= 2
    with session_factory(db_url)() as session:
        history = session.execute(
            select(Classification.document_id, Classification.reason, Classification.is_current).where(
                Classification.document_id == rows["002"]["document_id"]
            )
        ).all()
    # the first decision is kept, no longer current; the re-rooting is recorded as such
    assert sorted((reason, current) for _, reason, current in history) == [("ingest", False), ("re-rooted", True)]
