"""What a killed run left behind: documents stored but not classified, grouped as the run would have
classified them; and every document not classified yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from copytrace.db import session_factory
from copytrace.ingest.records import printable
from copytrace.repo import documents


def left_behind(database_url: str, file_batches: Sequence[Sequence[str]]) -> list[list[int]]:
    """Documents stored but not classified (what a killed run left), grouped as a run over these file
    batches classifies them: by the batch holding their landing file, in batch order, each group in
    id (storing) order. Documents whose file is in none of the batches come first, in id order.

    A run classifies each batch against every batch classified before it, so the order decides the
    provenance: classified before the run's new batches, and batch by batch, the documents a crash
    left behind are attributed as the run the crash stopped would have attributed them, and a
    resumed run ends with the clean run's provenance instead of one that depends on where it was
    killed."""
    batch_of = {
        documents.stored_path(printable(str(Path(raw)))): k for k, batch in enumerate(file_batches) for raw in batch
    }
    with session_factory(database_url).begin() as session:
        pending = documents.pending_sources(session)
    groups: dict[int, list[int]] = {}
    for doc_id, source_path in pending:
        groups.setdefault(batch_of.get(source_path or "", -1), []).append(doc_id)
    return [groups[k] for k in sorted(groups)]


def unclassified(database_url: str) -> list[int]:
    """Every stored document without a classification, this run's and any a killed run left behind."""
    with session_factory(database_url).begin() as session:
        return documents.pending_document_ids(session)
