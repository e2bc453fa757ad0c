"""A run's stored batches classified in the order that decides its provenance, once for everything that
ingests: the ``ingest-copies`` flow hands it its tasks, ``bench/ingest_bench.py`` and the tests the
plain functions those tasks wrap (``storing.store_files``, ``classifying.classify_documents``).

A batch is classified against every batch classified before it, so the order decides the provenance:
what a killed run stored and did not classify comes first, batch by batch as that run would have
classified it (``left_behind``), so that a resumed run ends with the clean run's provenance; then
each file batch as soon as it and the batches before it are stored, in batch order, not as they
complete; last, anything stored meanwhile by another run over the same database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from copytrace.pipeline.results import ClassifyResult, StoreResult

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in consecutive lists of ``size`` (the last one shorter)."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def ingest_batches(
    stored_batches: Iterable[Callable[[], StoreResult]],
    classify: Callable[[list[int], int], ClassifyResult],
    batch_size: int,
    *,
    left: Iterable[Sequence[int]] = (),
    pending: Callable[[], Sequence[int]] = list,
    after_batch: Callable[[int], None] | None = None,
) -> tuple[StoreResult, ClassifyResult]:
    """Classify the ``left`` groups, then each file batch's new documents once it is stored, then
    ``pending()``; what storing and classifying did, summed.

    ``stored_batches``: in batch order, what storing each batch gave, asked for when its turn comes (a
    future's ``result``, already under way, or the storing itself). ``classify(ids, number)``: one
    batch of at most ``batch_size`` documents in id order, numbered from 1 in the run. ``after_batch(n)``:
    told once the ``n``-th file batch is stored and classified."""
    stored, classified = StoreResult(), ClassifyResult()
    number = 0

    def classify_all(ids: Sequence[int]) -> None:
        nonlocal classified, number
        for batch in chunks(sorted(ids), batch_size):
            number += 1
            classified = classified.merge(classify(batch, number))

    for group in left:
        classify_all(group)
    for done, result in enumerate(stored_batches, 1):
        batch_stored = result()
        stored = stored.merge(batch_stored)
        classify_all(batch_stored.new_document_ids)
        if after_batch is not None:
            after_batch(done)
    classify_all(pending())
    return stored, classified
