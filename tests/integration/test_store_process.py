"""Landing files stored in a child process: the same rows as storing here, errors raised here, and
storing here wherever a child cannot be used."""

from __future__ import annotations

import logging
import os
import signal
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from copytrace import store_process as store_process_module
from copytrace.db import session_factory, upgrade
from copytrace.orm import Document, Fingerprint
from copytrace.pipeline.storing import store_files
from copytrace.store_process import StoreProcess

pytestmark = pytest.mark.integration

BODY = "The harbour board met on Thursday and agreed to dredge the northern channel before the {n} season."
LOG = "copytrace.store_process"


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n}.txt").write_text(BODY.format(n=2030 + n), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture
def child():
    process = StoreProcess()
    yield process
    process.close()


def _stored(url: str) -> tuple[list[str], int]:
    with session_factory(url)() as session:
        locators = sorted(loc.rsplit("/", 1)[-1] for loc in session.scalars(select(Document.locator)))
        fingerprints = len(session.scalars(select(Fingerprint.document_id)).all())
    return locators, fingerprints


def test_the_child_stores_what_storing_here_stores(db_url, landing, child, tmp_path) -> None:
    paths = sorted(str(p) for p in landing.iterdir())
    assert child.in_child
    there = child.store_files(paths, str(landing), db_url, 1 << 20)

    here_url = f"sqlite:///{tmp_path / 'here.db'}"
    upgrade(here_url)
    here = store_files(paths, str(landing), here_url, 1 << 20)

    assert len(there.new_document_ids) == len(here.new_document_ids) == 5
    assert [e["reason"] for e in there.errors] == [e["reason"] for e in here.errors] == ["empty"]
    assert _stored(db_url) == _stored(here_url)
    again = child.store_files(paths, str(landing), db_url, 1 << 20)
    assert again.new_document_ids == [] and again.files_skipped == 6


def test_an_error_in_the_child_is_raised_here(landing, child, tmp_path) -> None:
    """Retries decide on the exception's type: it must come back as the database's own error."""
    missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
    with pytest.raises(OperationalError):
        child.store_files([str(landing / "0.txt")], str(landing), missing, 1 << 20)
    assert child.in_child  # the child is fine: the error was the database's


def test_a_child_that_died_is_given_up_and_files_are_stored_here(db_url, landing, child, caplog) -> None:
    paths = sorted(str(p) for p in landing.iterdir())
    child.store_files(paths[:1], str(landing), db_url, 1 << 20)
    for process in list(child._executor._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=30)
    with caplog.at_level(logging.WARNING, logger=LOG):
        result = child.store_files(paths, str(landing), db_url, 1 << 20)
    assert not child.in_child and "child process stopped" in caplog.text
    assert len(result.new_document_ids) == 4  # the first file was stored before the child died
    assert _stored(db_url)[0] == [f"{n}.txt" for n in range(5)]


def test_a_daemonic_process_stores_here(monkeypatch, db_url, landing) -> None:
    """A Dask worker is daemonic: it may not have children (and it already stores beside the flow)."""
    monkeypatch.setattr(store_process_module.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    process = StoreProcess()
    assert not process.in_child
    result = process.store_files([str(landing / "0.txt")], str(landing), db_url, 1 << 20)
    assert len(result.new_document_ids) == 1


def test_an_in_memory_database_is_one_a_child_cannot_see() -> None:
    assert store_process_module._in_memory("sqlite://") and store_process_module._in_memory("sqlite:///:memory:")
    assert not store_process_module._in_memory("sqlite:///copytrace.db")
    assert not store_process_module._in_memory("postgresql://user@host/db")


def test_the_child_looks_up_candidates_until_the_batches_before_are_classified(landing, child, tmp_path) -> None:
    """Its first batch: nothing classified is waited for, so classifying looks up all of it. A batch
    stored while an earlier one is still being classified: the child looks it up. Once every batch
    before the one it stores is classified, it stops (classifying is waiting for that batch)."""
    url = f"sqlite:///{tmp_path / 'lookups.db'}"
    upgrade(url)
    paths = sorted(str(p) for p in landing.iterdir() if p.stat().st_size)
    first = child.store_files(paths[:2], str(landing), url, 1 << 20, candidate_limit=10)
    second = child.store_files(paths[2:4], str(landing), url, 1 << 20, candidate_limit=10)
    child.classified()
    child.classified()
    third = child.store_files(paths[4:], str(landing), url, 1 << 20, candidate_limit=10)

    assert first.candidates is not None and first.candidates.of == {}
    assert second.candidates is not None and sorted(second.candidates.of) == sorted(second.new_document_ids)
    assert all(second.candidates.of.values())  # the near-identical copies find each other
    assert third.candidates is not None and third.candidates.of == {}
