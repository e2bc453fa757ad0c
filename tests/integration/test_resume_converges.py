"""A resumed run ends with the clean run's provenance: what a killed run stored and did not classify
is classified first, batch by batch as the killed run would have, whatever the kill point."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from copytrace.db import engine_for, session_factory
from copytrace.ingest import discover
from copytrace.orm import Classification, Document
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.ingesting import chunks, ingest_batches
from copytrace.pipeline.left_behind import left_behind, unclassified
from copytrace.pipeline.storing import store_files
from copytrace.runtime.scoring import load_scorer
from copytrace.settings import load_settings
from models.corpora import DEFAULT_DATA_DIR
from tests import many_stories
from tests.conftest import TABLES
from tests.paths import REPO
from tests.seed_checks import shuffled_copy
from tests.view_rows import query_rows

needs_corpora = pytest.mark.skipif(not DEFAULT_DATA_DIR.is_dir(), reason="../shared/data is not beside the repo")


@pytest.fixture(scope="module")
def folder() -> many_stories.ManyStories:
    return many_stories.build(DEFAULT_DATA_DIR)


@needs_corpora
def test_left_behind_groups_a_killed_runs_documents_by_file_batch_in_order(folder, seeds, tmp_path, db_url):
    landing = tmp_path / "landing"
    folder.write(landing, random.Random(5), seeds)
    batches = chunks([str(p) for p in discover(landing)], 4)
    stored = [store_files(batch, str(landing), db_url, max_file_bytes=1 << 22) for batch in batches[:5]]
    scorer = load_scorer()
    for result in stored[:2]:  # the killed run classified its first two batches, stored three more
        classify_documents(result.new_document_ids, db_url, scorer)

    groups = left_behind(db_url, batches)

    assert groups == [sorted(r.new_document_ids) for r in stored[2:5]]
    assert left_behind(db_url, batches[:3]) == [  # files in no batch of this run come first
        sorted(stored[3].new_document_ids + stored[4].new_document_ids),
        sorted(stored[2].new_document_ids),
    ]


# ------------------------------------------------------------------------------------------------ kill -9


def _provenance(url: str, key_of: dict[str, str]) -> tuple[dict, list]:
    """Each document's label, confidence, source and root by its key, and the story groups."""
    rows = query_rows(
        url, "SELECT locator, label, confidence, derived_from_locator, root_locator, story_id FROM copy_provenance"
    )
    labels = {
        key_of[r["locator"]]: (
            r["label"],
            None if r["confidence"] is None else round(r["confidence"], 6),
            key_of.get(r["derived_from_locator"]),
            key_of.get(r["root_locator"]),
        )
        for r in rows
    }
    stories: dict = {}
    for r in rows:
        stories.setdefault(r["story_id"], []).append(key_of[r["locator"]])
    return labels, sorted(sorted(group) for group in stories.values())


def _counts(url: str) -> tuple[int, int]:
    with session_factory(url)() as session:
        stored = session.scalar(select(func.count(Document.id))) or 0
        classified = session.scalar(select(func.count()).where(Classification.is_current)) or 0
    return stored, classified


def _empty(url: str) -> None:
    with engine_for(url).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))


@needs_corpora
@pytest.mark.integration
def test_kill_minus_nine_at_several_points_then_resume_gives_the_clean_runs_provenance(
    prefect_harness, folder, seeds, tmp_path, db_url
):
    from prefect.settings import PREFECT_API_URL

    landing = tmp_path / "landing"
    locators = folder.write(landing, random.Random(11), seeds)
    key_of = {loc: key for key, loc in locators.items()}
    expected = len(folder.expected)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "copytrace.cli", "ingest", str(landing), "--db", db_url, "--batch-size", "3"]

    def ingest() -> None:
        done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]

    ingest()
    clean = _provenance(db_url, key_of)
    assert len(clean[0]) == expected
    _empty(db_url)

    # Each kill lands once this process has stored or classified something more, and before the run
    # ends: the first while storing, the later ones part-way through classifying.
    for want_classified in (0, expected // 3, 2 * expected // 3):
        before = _counts(db_url)
        proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        try:
            while True:
                now = _counts(db_url)
                if now != before and now[1] >= want_classified and now[0] > 0:
                    break
                assert proc.poll() is None, f"the run ended before the kill (at {now} of {expected})"
                assert time.monotonic() < deadline
                time.sleep(0.01)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        stored, classified = _counts(db_url)
        assert classified < expected, "the kill landed after the run had classified everything"
        assert (stored, classified) != before, "the killed run did nothing"

    ingest()
    assert _provenance(db_url, key_of) == clean


# ------------------------------------------------------------------------------------------------ any order


def _run_as_the_flow(landing: Path, url: str, batch_size: int) -> None:
    """What an ingest run does, in its order (``ingest_batches``, as the ingest bench runs it): each file
    batch stored, then its new documents classified, with the plain functions the flow's tasks wrap."""
    scorer, settings = load_scorer(), load_settings()
    file_batches = chunks([str(p) for p in discover(landing)], batch_size)
    ingest_batches(
        [partial(store_files, batch, str(landing), url, settings.max_file_bytes) for batch in file_batches],
        lambda ids, _number: classify_documents(
            ids, url, scorer, candidate_limit=settings.candidate_limit, story_threshold=settings.story_threshold
        ),
        batch_size,
        left=left_behind(url, file_batches),
        pending=lambda: unclassified(url),
    )


@pytest.mark.integration
def test_the_flow_and_its_sequence_run_with_plain_functions_give_the_same_provenance(
    prefect_harness, seeds, tmp_path, db_url
):
    """The ingest bench measures what the flow does: on the seeds, in batches of two, the flow and
    ``_run_as_the_flow`` (its sequence with the plain functions, as the bench runs it) store and
    classify alike."""
    from flows.ingest_copies import ingest_copies

    landing = tmp_path / "landing"
    key_of = {loc: key for key, loc in shuffled_copy(seeds, landing, random.Random(9)).items()}
    ingest_copies(landing=str(landing), database_url=db_url, batch_size=2)
    by_the_flow = _provenance(db_url, key_of)
    _empty(db_url)
    _run_as_the_flow(landing, db_url, 2)
    assert len(by_the_flow[0]) == len(seeds)
    assert _provenance(db_url, key_of) == by_the_flow


@needs_corpora
@pytest.mark.integration
def test_any_file_order_and_batch_size_give_the_same_provenance(folder, seeds, tmp_path, db_url):
    """File names (and so the order files are read in) and batch sizes vary; the rows do not."""
    answers = []
    for order_seed, batch_size in ((1, 100), (2, 7), (3, 3), (4, 1)):
        _empty(db_url)
        landing = tmp_path / f"landing-{order_seed}"
        locators = folder.write(landing, random.Random(order_seed), seeds)
        _run_as_the_flow(landing, db_url, batch_size)
        labels, stories = _provenance(db_url, {loc: key for key, loc in locators.items()})
        # an original's confidence is how sure the classifier was of the pairs it met when it was
        # classified, which the order decides; its label, source, root and story it does not
        answers.append(({key: (label, source, root) for key, (label, _, source, root) in labels.items()}, stories))
    assert len(answers[0][0]) == len(folder.expected)
    assert all(answer == answers[0] for answer in answers[1:])


@pytest.fixture(scope="module")
def scraped() -> many_stories.ManyStories:
    return many_stories.scraped_feed(DEFAULT_DATA_DIR)


@needs_corpora
@pytest.mark.integration
def test_articles_met_in_one_batch_or_apart_end_in_the_same_stories(scraped, seeds, tmp_path, db_url):
    """Several articles with their copies in one batch, or spread over many so that a wrapped copy
    meets another article's wrapped copy before its own source: the copy may be credited to the
    stand-in at first, but once its source has come its label, source, root and story are the
    clean run's, and no story holds two articles."""
    answers = []
    for order_seed, batch_size in ((1, 100), (2, 5), (3, 2)):
        _empty(db_url)
        landing = tmp_path / f"scraped-{order_seed}"
        locators = scraped.write(landing, random.Random(order_seed), seeds)
        _run_as_the_flow(landing, db_url, batch_size)
        labels, stories = _provenance(db_url, {loc: key for key, loc in locators.items()})
        answers.append(({key: (label, source, root) for key, (label, _, source, root) in labels.items()}, stories))
    expected_labels = {
        key: (want.label, next(iter(want.sources), None), want.root) for key, want in scraped.expected.items()
    }
    expected_stories: dict[str, list[str]] = {}
    for key, want in sorted(scraped.expected.items()):
        expected_stories.setdefault(want.story, []).append(key)
    assert answers[0] == (expected_labels, sorted(expected_stories.values()))
    for answer in answers[1:]:
        assert answer == answers[0]
