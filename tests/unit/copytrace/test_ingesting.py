"""A run's sequence (``copytrace.pipeline.ingesting.ingest_batches``): what a killed run left first, then
each file batch in batch order as soon as it is stored, then anything stored meanwhile; a batch of
documents at most ``batch_size`` long, in id order, numbered through the run."""

from __future__ import annotations

from copytrace.pipeline.ingesting import chunks, ingest_batches
from copytrace.pipeline.results import ClassifyResult, StoreResult


def test_chunks_are_consecutive_and_the_last_is_shorter() -> None:
    assert chunks([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert chunks([], 3) == []


def test_left_behind_then_each_stored_batch_in_order_then_the_pending() -> None:
    events: list[tuple] = []

    def stored(no: int, ids: list[int]):
        def result() -> StoreResult:
            events.append(("stored", no))
            return StoreResult(files_read=1, new_document_ids=ids)

        return result

    def classify(ids: list[int], number: int) -> ClassifyResult:
        events.append(("classify", number, ids))
        return ClassifyResult(classified=len(ids), pairs_scored=10 * len(ids))

    batches = [stored(1, [12, 10, 11]), stored(2, []), stored(3, [13])]
    got_stored, got_classified = ingest_batches(
        batches,
        classify,
        2,
        left=[[3, 1, 2], [4]],
        pending=lambda: [20],
        after_batch=lambda done: events.append(("after", done)),
    )

    assert events == [
        ("classify", 1, [1, 2]),
        ("classify", 2, [3]),
        ("classify", 3, [4]),
        ("stored", 1),
        ("classify", 4, [10, 11]),
        ("classify", 5, [12]),
        ("after", 1),
        ("stored", 2),
        ("after", 2),
        ("stored", 3),
        ("classify", 6, [13]),
        ("after", 3),
        ("classify", 7, [20]),
    ]
    assert got_stored.files_read == 3 and got_stored.new_document_ids == [12, 10, 11, 13]
    assert got_classified.classified == 9 and got_classified.pairs_scored == 90


def test_nothing_left_nor_pending_by_default() -> None:
    calls: list[list[int]] = []

    def classify(ids: list[int], number: int) -> ClassifyResult:
        calls.append(ids)
        return ClassifyResult()

    stored, _ = ingest_batches([lambda: StoreResult(new_document_ids=[2, 1])], classify, 10)
    assert calls == [[1, 2]] and stored.new_document_ids == [2, 1]
