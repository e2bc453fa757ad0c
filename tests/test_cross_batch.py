"""Attribution is stable across batches: the seeds stored in any order and classified a few at a time
(as a growing store sees them) read back as when they arrive together."""

from __future__ import annotations

import random

import pytest

from copytrace.db import session_factory
from copytrace.pipeline import classify_documents, store_files
from copytrace.scoring import load_scorer
from copytrace.store import pending_document_ids
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

    from copytrace.pipeline import ClassifyResult
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
    assert result.rerooted > 0  # the three copies were first decided without their source
    assert sorted(f["label"] for f in result.findings) == ["rewrite", "rewrite", "spam-wrapped"]
