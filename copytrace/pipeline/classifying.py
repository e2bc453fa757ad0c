"""Classify a batch of stored documents: its decisions worked out on a snapshot of the store, outside
the attribution lock, then written under it (``writing``), worked out again first if anything was
classified since the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from copytrace.attribution.attribute import attribute
from copytrace.attribution.types import Doc, Thresholds
from copytrace.db import session_factory
from copytrace.index.candidates import CandidateIndex
from copytrace.pipeline.results import ClassifyResult
from copytrace.pipeline.writing import Plan, write
from copytrace.repo import classifications, documents, locks

if TYPE_CHECKING:  # the scorer is handed in: the classifier (scikit-learn) stays out of these imports
    from copytrace.scoring import Scorer


def classify_documents(
    document_ids: Sequence[int],
    database_url: str,
    scorer: Scorer,
    *,
    candidate_limit: int = 10,
    story_threshold: float = 0.30,
    flow_run_id: str | None = None,
) -> ClassifyResult:
    """Attribute and classify a batch of stored, unclassified documents against their candidates.

    The costly part (candidate lookups, the pair classifier) works on a snapshot, outside the
    attribution lock, so that storing goes on meanwhile (on SQLite the lock is the one writer lock:
    held through the classifier, it stopped every other write for seconds). The decisions are
    written under the lock, in one transaction, and worked out again there first if any
    classification was written since the snapshot: another batch's decisions can change this one's.
    """
    factory = session_factory(database_url)
    with factory.begin() as session:  # planner statistics before the snapshot's queries
        CandidateIndex(session).refresh_statistics()
    with factory.begin() as session:
        plan = _plan(session, document_ids, scorer, candidate_limit, story_threshold)
    with factory.begin() as session:
        locks.lock_attribution(session)
        if plan is not None and classifications.last_classification_id(session) != plan.marker:
            plan = _plan(session, document_ids, scorer, candidate_limit, story_threshold)
        if plan is None:
            return ClassifyResult()
        return write(session, plan, scorer, flow_run_id)


def _plan(
    session, document_ids: Sequence[int], scorer: Scorer, candidate_limit: int, story_threshold: float
) -> Plan | None:
    """The decisions for the batch's unclassified documents, from what ``session`` sees; None when
    every one of them is classified already."""
    marker = classifications.last_classification_id(session)
    current = classifications.current_classifications(session, document_ids)
    new_docs = [d for d in documents.documents_by_id(session, document_ids) if d.id not in current]
    if not new_docs:
        return None
    new_ids = {d.id for d in new_docs}
    index = CandidateIndex(session)
    found = index.query_batch(index.fingerprints_of(sorted(new_ids)), candidate_limit)
    # In order of first mention (a dict: a list's membership test is quadratic in a large batch).
    candidate_ids = list(dict.fromkeys(cid for d in new_docs for cid in found[d.id] if cid not in new_ids))
    # Candidates not yet classified belong to a later batch; they see this one as stored.
    stored_cls = classifications.current_classifications(session, candidate_ids)
    # The current sources of those candidates come too: a re-attribution is weighed against them.
    parents = {c.derived_from_id for c in stored_cls.values() if c.derived_from_id is not None}
    parent_ids = [p for p in sorted(parents) if p not in new_ids and p not in stored_cls]
    if parent_ids:
        candidate_ids += parent_ids
        stored_cls.update(classifications.current_classifications(session, parent_ids))
    stored_docs = [d for d in documents.documents_by_id(session, candidate_ids) if d.id in stored_cls]

    docs = [
        Doc(d.id, d.text, d.fetched_at, True, d.story_id, None, d.title, published_at=d.published_at) for d in new_docs
    ] + [
        Doc(
            d.id,
            d.text,
            d.fetched_at,
            False,
            d.story_id,
            stored_cls[d.id].derived_from_id,
            d.title,
            stored_cls[d.id].pair_class,
            published_at=d.published_at,
        )
        for d in stored_docs
    ]
    outcome = attribute(docs, scorer, Thresholds(story_cosine=story_threshold))
    return Plan(marker, new_docs, stored_docs, docs, outcome, story_threshold)
