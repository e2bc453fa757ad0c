"""One ``explain_many`` call's pairs spread over worker processes that each hold the model.

The classifier's time is pure-Python/NumPy work spread over many small calls, one core's worth; pairs
are independent, so a call's pairs are shared out among ``workers`` parts, all but the last sent to
``workers - 1`` spawned processes while the calling process computes the last. Pairs that have a text
in common go to the same part (``partition``): each process prepares a text once however many of its
pairs it is in. A text met in an earlier call goes back to the part that had it, whose process keeps
it prepared (with two processes, the usual case, that is the same process; with more, the pool's parts
go to whichever worker is free, and only the calling process's part is sure). The output is the same
list, in the same order, as one process computing everything.

The pool never fails a call and never makes one wait for it: calls too small to repay the extra
model call and the pickling are computed in-process, as are calls made before the workers have
loaded the model (the warm-up starts with the scorer, so it overlaps the storing that precedes
classification instead of delaying the first batch), and a pool that cannot start or whose worker
died is given up for good, with one warning, its share computed here.

It pays only where the workers find idle cores: on a machine whose other cores are busy, the workers'
start-up and their share compete with this process, and one process (``workers=1``) is faster.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from copytrace.children import exit_with_parent, settle_heap
from copytrace.disjoint import DisjointSets
from models import classifier, registry
from models.caches import Recent

# Below this many pairs a call is computed in-process. A split repeats explain_many's fixed cost
# (mostly the trees' per-call set-up) and pickles the texts and results, which only a call of a few
# dozen pairs or more earns back (figures in docs/performance.md, "Figures behind rules in the code").
MIN_PARALLEL_PAIRS = 32
# Texts whose part the pool remembers, about what the processes' prepared-text caches hold between
# them (``models.features.PREPARED_CACHE_BYTES`` each).
REMEMBERED_TEXTS = 4096
WARM_UP_PAIR = ("The council approved the budget on Monday.", "The council approved the budget on Monday.")

Pairs = Sequence[tuple[str, str]]
Explained = list[dict[str, Any]]
log = logging.getLogger(__name__)

_pipeline: Any = None  # the model, in a worker process


def _load_model(path: str) -> None:
    """Worker initializer: the model once per process, native code on one thread (the worker is one
    core's worth of work; OpenMP or BLAS threads would only compete with the other processes)."""
    global _pipeline
    exit_with_parent()
    threadpool_limits(limits=1)
    _pipeline = registry.load_model(path)
    settle_heap()


def _explain(pairs: Pairs) -> Explained:
    return classifier.explain_many(_pipeline, pairs)


def _stop(executor: ProcessPoolExecutor, warm: list[Future]) -> None:
    """At exit: workers that have not loaded the model yet are terminated (they hold nothing), then
    the pool is shut down."""
    if not all(f.done() for f in warm):
        for process in list((executor._processes or {}).values()):
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)


def partition(pairs: Pairs, parts: int, last_part: Callable[[str], int | None] = lambda text: None) -> list[list[int]]:
    """Indices of ``pairs`` shared out among ``parts`` lists of near-equal size (at most
    ``ceil(len / parts)``), each in order. Pairs linked by a common text, directly or through other
    pairs, stay in one part where they fit: each group, largest first, goes to the part that had
    most of its texts last time (``last_part``: a text's part in an earlier call, or None), among
    those with room for it, else the one with the fewest pairs so far; only what fits nowhere (a group
    larger than a part's share: many copies of one article) is split, what does not fit going on to
    the next part."""
    linked: DisjointSets[str] = DisjointSets()
    for source, copy in pairs:
        linked.union(source, copy)
    groups: dict[str, list[int]] = {}
    for n, (source, _) in enumerate(pairs):
        groups.setdefault(linked.find(source), []).append(n)
    share = -(-len(pairs) // parts)
    out: list[list[int]] = [[] for _ in range(parts)]
    for group in sorted(groups.values(), key=len, reverse=True):
        texts = {text for n in group for text in pairs[n]}
        votes = Counter(k for text in texts if (k := last_part(text)) is not None)
        fits = [k for k in range(parts) if share - len(out[k]) >= len(group)]
        if fits:
            out[max(fits, key=lambda k: (votes[k], -len(out[k]), -k))] += group
            continue
        while group:
            part = min(out, key=len)
            room = share - len(part)
            part += group[:room]
            group = group[room:]
    return [sorted(part) for part in out]


class PairPool:
    """``workers - 1`` spawned processes holding the model at ``path``, started (and warmed) at once.

    ``spawn``, not ``fork``: the parent may hold threads (Prefect, SQLAlchemy pools) and an OpenMP
    runtime, neither of which survives a fork.
    """

    def __init__(self, path: Path, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._warm: list[Future] = []
        self._given_up = False
        # A text's part in the last call that had it, by the text's hash: a stored source meets copies
        # in batch after batch, and prepared in one process it is prepared again in another; sending
        # it to the process that prepared it last avoids a good share of all preparations.
        self._last_part: Recent[int] = Recent(REMEMBERED_TEXTS, lambda part: 1)
        if multiprocessing.current_process().daemon:
            self._give_up("this is a daemonic process (a Dask worker?), which cannot start worker processes")
            return
        try:
            self._executor = ProcessPoolExecutor(
                workers - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_load_model,
                initargs=(str(path),),
            )
            # One warm-up call per worker: each submit to an idle-less spawn pool starts one process.
            self._warm = [self._executor.submit(_explain, [WARM_UP_PAIR]) for _ in range(workers - 1)]
            # The executor's own exit hook waits for its workers, one still loading the model included:
            # that would hold a short command's exit for the whole start-up. Exit hooks run last
            # registered first, so this one, registered after the executor module's, stops it before.
            threading._register_atexit(_stop, self._executor, self._warm)
        except (OSError, RuntimeError, BrokenProcessPool) as exc:
            self._give_up(f"worker processes could not be started ({exc!r})")
            return
        weakref.finalize(self, self._executor.shutdown, wait=True, cancel_futures=True)

    def ready(self) -> bool:
        """Whether every worker has loaded the model (and none has failed doing so)."""
        if self._executor is None or not all(f.done() for f in self._warm):
            return False
        failed = next((f for f in self._warm if f.cancelled() or f.exception() is not None), None)
        if failed is not None:
            why = "cancelled" if failed.cancelled() else repr(failed.exception())
            self._give_up(f"a worker process failed to load the model ({why})")
            return False
        return True

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the workers have loaded the model (or ``timeout`` seconds); whether they have."""
        wait(self._warm, timeout=timeout)
        return self.ready()

    def explain_many(self, pairs: Pairs, local: Callable[[Pairs], Explained]) -> Explained:
        """``local(pairs)``, with all but the last part computed by the workers when that pays."""
        if len(pairs) < MIN_PARALLEL_PAIRS or not self.ready():
            return local(pairs)
        indices = partition(pairs, self.workers, lambda text: self._last_part.find(hash(text)))
        for k, part in enumerate(indices):
            for text in {text for n in part for text in pairs[n]}:
                self._last_part.put(hash(text), k)
        parts = [[pairs[n] for n in part] for part in indices]
        futures = [self._submit(part) for part in parts[:-1]]
        last = local(parts[-1])
        results = [self._result(future, part, local) for part, future in zip(parts[:-1], futures, strict=True)]
        out: Explained = [{}] * len(pairs)
        for part, explained in zip(indices, [*results, last], strict=True):
            for n, ex in zip(part, explained, strict=True):
                out[n] = ex
        return out

    def close(self) -> None:
        """Stop the worker processes; later calls are computed in-process."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _submit(self, chunk: Pairs) -> Future | None:
        try:
            return self._executor.submit(_explain, chunk) if self._executor is not None else None
        except (BrokenProcessPool, RuntimeError) as exc:
            self._give_up(f"the worker processes stopped ({exc!r})")
            return None

    def _result(self, future: Future | None, chunk: Pairs, local: Callable[[Pairs], Explained]) -> Explained:
        """The chunk's result from its worker, or computed here if the pool failed it."""
        if future is None:
            return local(chunk)
        try:
            return future.result()
        except (BrokenProcessPool, CancelledError) as exc:
            self._give_up(f"the worker processes stopped ({exc!r})")
            return local(chunk)
        except Exception as exc:
            # Pairs that break the model raise here too, as they would without a pool; if they do
            # not, the worker was at fault.
            out = local(chunk)
            self._give_up(f"a worker process failed on pairs this one explains ({exc!r})")
            return out

    def _give_up(self, why: str) -> None:
        """Compute everything in-process from now on; say so once."""
        if not self._given_up:
            self._given_up = True
            log.warning("pair classifier: %s; classifying in this process only", why)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
