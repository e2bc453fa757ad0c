"""Candidate sources looked up by storing (``store_files(candidate_limit=...)``) and used by classifying
while they hold: the flow's storing child takes the lookups off the busier classifying process."""

from __future__ import annotations

import random

import pytest

from copytrace.db import session_factory
from copytrace.index.candidates import CandidateIndex
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.results import Candidates
from copytrace.pipeline.storing import store_files
from copytrace.repo.documents import last_document_id
from copytrace.scoring import load_scorer
from tests.seed_checks import assert_seeds_attributed, shuffled_copy
from tests.view_rows import query_rows

pytestmark = pytest.mark.integration

LIMIT = 10


def _store(db_url: str, landing, paths: list[str]):
    return store_files(paths, str(landing), db_url, max_file_bytes=1 << 20, candidate_limit=LIMIT)


def test_storing_looks_up_what_classifying_would_on_sqlite_only(db_url, seeds, tmp_path) -> None:
    landing = tmp_path / "landing"
    locators = shuffled_copy(seeds, landing, random.Random(0))
    result = _store(db_url, landing, sorted(locators.values()))
    ids = sorted(result.new_document_ids)
    if db_url.startswith("postgresql"):  # ids are not in commit order there: classifying looks them up
        assert result.candidates is None
        return
    looked_up = result.candidates
    assert looked_up is not None and looked_up.limit == LIMIT
    with session_factory(db_url).begin() as session:
        assert looked_up.seen_up_to == last_document_id(session) == max(ids)
        index = CandidateIndex(session)
        assert looked_up.of == index.query_batch(index.fingerprints_of(ids), LIMIT)
    assert all(len(found) == len(ids) - 1 for found in looked_up.of.values())  # the other seeds


def test_a_lookup_that_missed_a_batch_classified_since_is_done_again(db_url, seeds, tmp_path) -> None:
    """The copies are stored (and looked up) before their sources, whose batch is classified first:
    the copies' lookup cannot hold their sources, so classifying them looks up again and finds them."""
    landing = tmp_path / "landing"
    locators = shuffled_copy(seeds, landing, random.Random(1))
    copies = _store(db_url, landing, [locators[k] for k in ("001", "002", "003")])
    sources = _store(db_url, landing, [locators[k] for k in ("000", "004")])
    if not db_url.startswith("postgresql"):
        assert copies.candidates is not None
        assert copies.candidates.seen_up_to < min(sources.new_document_ids)
    scorer = load_scorer()
    classify_documents(sources.new_document_ids, db_url, scorer, looked_up=sources.candidates)
    classify_documents(copies.new_document_ids, db_url, scorer, looked_up=copies.candidates)

    assert_seeds_attributed(db_url, locators)


def test_a_lookup_that_still_holds_is_used_as_it_is(db_url, seeds, tmp_path) -> None:
    """The source is classified before the copy is stored, so the copy's lookup holds: classifying
    takes it as given (here one made to hold no candidate, so the copy is found to derive from none)."""
    landing = tmp_path / "landing"
    locators = shuffled_copy(seeds, landing, random.Random(2))
    scorer = load_scorer()
    source = _store(db_url, landing, [locators["000"]])
    classify_documents(source.new_document_ids, db_url, scorer, looked_up=source.candidates)
    copy = _store(db_url, landing, [locators["002"]])
    (copy_id,) = copy.new_document_ids
    with session_factory(db_url).begin() as session:
        seen_up_to = last_document_id(session)

    given = Candidates(seen_up_to, LIMIT, {copy_id: []})
    classify_documents([copy_id], db_url, scorer, looked_up=given)
    (row,) = query_rows(db_url, f"SELECT label, derived_from_id FROM copy_provenance WHERE document_id = {copy_id}")
    assert (row["label"], row["derived_from_id"]) == ("original", None)

    other = _store(db_url, landing, [locators["001"]])
    (other_id,) = other.new_document_ids
    stale = Candidates(seen_up_to, LIMIT + 1, {other_id: []})  # looked up with another limit: not used
    classify_documents([other_id], db_url, scorer, looked_up=stale)
    (row,) = query_rows(db_url, f"SELECT label, derived_from_id FROM copy_provenance WHERE document_id = {other_id}")
    assert row["label"] == "rewrite" and row["derived_from_id"] is not None


def test_classifying_looks_up_what_storing_left(db_url, seeds, tmp_path, monkeypatch) -> None:
    """Storing stopped after its first group of documents: classifying takes those and looks up the rest."""
    from copytrace.pipeline import storing as pipeline

    monkeypatch.setattr(pipeline, "LOOKUP_GROUP", 2)
    checks = iter([False, True])
    landing = tmp_path / "landing"
    locators = shuffled_copy(seeds, landing, random.Random(3))
    stored = store_files(
        sorted(locators.values()),
        str(landing),
        db_url,
        max_file_bytes=1 << 20,
        candidate_limit=LIMIT,
        stop_lookups=lambda: next(checks),
    )
    if not db_url.startswith("postgresql"):
        assert stored.candidates is not None and len(stored.candidates.of) == 2
    classify_documents(stored.new_document_ids, db_url, load_scorer(), looked_up=stored.candidates)

    assert_seeds_attributed(db_url, locators)
