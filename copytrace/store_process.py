"""A run's landing files stored in a child process while the run's own process classifies.

Storing (reading, extracting, fingerprinting, writing) and classifying are each about a core's worth
of Python, and a batch can be classified as soon as it is stored: with the storing in a spawned child,
batch k+1 is stored while batch k is classified, so on two cores both go on at once. The child is
started on first use, once per process. Where it cannot be (a daemonic process: a Dask worker, which
already stores beside the flow's own process), or once it has died, files are stored in this process,
with one warning; storing is one transaction a batch, so a batch the child died in is simply stored
again (its files already stored are skipped).

The child also looks up the candidate sources of what it stored (``store_files``' lookups), until the
run's classifying has classified every batch before the one it is on: classifying then waits for
that batch, and looks up the rest itself (``StoreProcess.classified``).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache

from sqlalchemy.engine import make_url

from copytrace.children import exit_with_parent, settle_heap
from copytrace.db import normalise_url
from copytrace.pipeline.results import StoreResult
from copytrace.pipeline.storing import store_files

log = logging.getLogger(__name__)


class StoreProcess:
    """``store_files`` run in one spawned child (``spawn``, not ``fork``: the parent holds threads)."""

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None
        self._jobs = itertools.count(1)  # the child takes its jobs in the order they are submitted
        self._submitting = threading.Lock()
        context = multiprocessing.get_context("spawn")
        self._classified = context.Value("q", 0)  # batches this process has classified
        if multiprocessing.current_process().daemon:
            log.info("storing in this process: a daemonic process (a Dask worker?) cannot start a child")
            return
        try:
            self._executor = ProcessPoolExecutor(
                1, mp_context=context, initializer=_start_child, initargs=(self._classified,)
            )
            # Start the child now, in the background: a fresh interpreter importing the store takes a while.
            self._executor.submit(_ready)
        except (OSError, RuntimeError, BrokenProcessPool) as exc:
            self._give_up(f"the child process could not be started ({exc!r})")

    @property
    def in_child(self) -> bool:
        return self._executor is not None

    def store_files(
        self,
        paths: Sequence[str],
        landing: str,
        database_url: str,
        max_file_bytes: int,
        flow_run_id: str | None = None,
        candidate_limit: int | None = None,
    ) -> StoreResult:
        """``copytrace.pipeline.storing.store_files`` in the child; its errors are raised here as they were there."""
        args = (list(paths), landing, database_url, max_file_bytes, flow_run_id, candidate_limit)
        if self._executor is not None and not _in_memory(database_url):
            try:
                with self._submitting:  # a call without files is no batch to classify
                    future = self._executor.submit(_store_in_child, next(self._jobs) if paths else 0, *args)
                return future.result()
            except BrokenProcessPool as exc:
                self._give_up(f"the child process stopped ({exc!r})")
        return store_files(*args)

    def classified(self) -> None:
        """This process has classified the next batch the child stored (batches are classified in the
        order they were stored): the child stops looking up candidates for the batch after it."""
        with self._classified.get_lock():
            self._classified.value += 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _give_up(self, why: str) -> None:
        log.warning("storing landing files: %s; storing in this process from now on", why)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


_classified_batches = None  # in the child: the parent's count of batches classified


def _start_child(classified) -> None:
    """The child's initializer, run once this module (and with it the store) is imported there."""
    global _classified_batches
    _classified_batches = classified
    exit_with_parent()
    settle_heap()


def _store_in_child(job: int, *args) -> StoreResult:
    """``store_files`` as the child's ``job``-th job: its lookups stop once every batch before it is classified."""

    def classifying_waits() -> bool:
        return _classified_batches is not None and _classified_batches.value >= job - 1

    return store_files(*args, stop_lookups=classifying_waits)


def _ready() -> None:
    """The child's first job: it has imported this module, and with it the store."""


def _in_memory(database_url: str) -> bool:
    """A SQLite database in this process's memory, which a child cannot see."""
    url = make_url(normalise_url(database_url))
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


@lru_cache(maxsize=1)
def store_process() -> StoreProcess:
    """This process's storing child, started on first call (which returns at once)."""
    return StoreProcess()
