"""A shuffled folder of many stories reads back from ``copy_provenance`` with the right labels,
derivations, roots and story groups, whatever the file names, the storage order and the batch size."""

from __future__ import annotations

import random

import pytest

from copytrace.db import session_factory
from copytrace.pipeline.classifying import classify_documents
from copytrace.pipeline.storing import store_files
from copytrace.repo.documents import pending_document_ids
from copytrace.reports.provenance import provenance_rows
from copytrace.runtime.scoring import load_scorer
from models.corpora import DEFAULT_DATA_DIR
from tests import many_stories

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not DEFAULT_DATA_DIR.is_dir(), reason="../shared/data (the corpora) is not beside the repo"),
]


@pytest.fixture(scope="module")
def folder() -> many_stories.ManyStories:
    return many_stories.build(DEFAULT_DATA_DIR)


def _ingest(folder, seeds, tmp_path, db_url, order_seed: int, batch_size: int) -> dict[str, str]:
    landing = tmp_path / "landing"
    locators = folder.write(landing, random.Random(order_seed), seeds)
    files = sorted(str(p) for p in landing.iterdir())
    random.Random(order_seed).shuffle(files)
    stored = store_files(files, str(landing), db_url, max_file_bytes=1 << 22)
    assert len(stored.new_document_ids) == len(folder.expected)
    with session_factory(db_url)() as session:
        pending = pending_document_ids(session)
    scorer = load_scorer()
    for start in range(0, len(pending), batch_size):
        classify_documents(pending[start : start + batch_size], db_url, scorer)
    return locators


@pytest.mark.parametrize(("order_seed", "batch_size"), [(1, 100), (2, 7), (3, 3)])
def test_many_stories_read_back_right_in_any_order(folder, seeds, tmp_path, db_url, order_seed, batch_size) -> None:
    locators = _ingest(folder, seeds, tmp_path, db_url, order_seed, batch_size)
    with session_factory(db_url)() as session:
        rows = {r["locator"]: r for r in provenance_rows(session)}
    assert len(rows) == len(folder.expected)
    key_of = {rows[loc]["document_id"]: key for key, loc in locators.items()}

    wrong = []
    for key, want in sorted(folder.expected.items()):
        row = rows[locators[key]]
        got = (row["label"], key_of.get(row["derived_from_id"]), key_of.get(row["root_id"]))
        source_ok = got[1] in want.sources if want.sources else got[1] is None
        if got[0] != want.label or not source_ok or got[2] != want.root:
            wrong.append((key, got, (want.label, sorted(want.sources), want.root)))
    assert wrong == []

    stories: dict[int, set[str]] = {}
    for key, loc in locators.items():
        stories.setdefault(rows[loc]["story_id"], set()).add(key)
    expected_stories: dict[str, set[str]] = {}
    for key, want in folder.expected.items():
        expected_stories.setdefault(want.story, set()).add(key)
    assert sorted(map(sorted, stories.values())) == sorted(map(sorted, expected_stories.values()))


def test_the_folder_holds_every_kind_of_copy(folder) -> None:
    labels = {want.label for want in folder.expected.values()}
    assert labels == {"original", "excerpt", "rewrite", "spam-wrapped"}
    chained = [k for k, want in folder.expected.items() if want.sources and want.root not in want.sources]
    assert chained, "some copy derives from a copy"
    independent = [k for k, w in folder.expected.items() if not w.sources and w.root == k and w.story == "seeds"]
    assert len(independent) == 2  # 000 and its independent coverage 004
